import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { zoneDays } from '../../api/shop-days.ts';
import { loginAs } from '../helpers/accounts.ts';
import { createStaff, type TestStaff } from '../helpers/admin.ts';
import { call } from '../helpers/api-client.ts';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { createTestDb, type TestDb } from '../helpers/db.ts';
import { DB_KINDS } from '../helpers/env.ts';

// Staff's order routes (docs/admin.md): the list with its filters (status, keyword: order number,
// username, mobile; the shop's dates), one order with its customer and payments, ship and cancel
// through PUT …/status (409 naming the state for a move the state forbids, 400 naming the field,
// 403 without the permission — and nothing changed each time), the refunds a human must handle
// (list, retry, settle); each write with its audit entry. The moves themselves, and their races with
// the customer and the auto-receive job, are tests/integration/order-lifecycle's.

describe.each(DB_KINDS)('admin order routes on %s', (kind) => {
  let t: TestDb;
  let app: TestApp;
  let clerk: TestStaff;
  let viewer: TestStaff;
  beforeAll(async () => {
    t = await createTestDb(kind, { seed: true });
    app = await startTestApp(t);
    clerk = await createStaff(app, { permissions: ['orders.view_order', 'orders.change_order', 'orders.view_refund', 'orders.change_refund'] });
    viewer = await createStaff(app, { permissions: ['orders.view_order', 'orders.view_refund'] });
  });
  afterAll(async () => {
    await app?.close();
    await t?.drop();
  });

  let offset = 0;
  async function placeOrder(count = 2) {
    const b = await loginAs(app);
    const address = await call(app, 'POST', '/api/addresses', {
      headers: b.headers,
      body: { title: '家', receiver: '钱七', province_id: 440000, city_id: 440300, district_id: 440305, place: '科技园5号', mobile: '13700003333', tel: '', email: '' },
    });
    expect(address.status).toBe(201);
    const sku = await t.db('skus').where('is_launched', true).orderBy('id').offset(offset++).first('id');
    await t.db('skus').where({ id: sku.id }).update({ stock: 30 });
    expect((await call(app, 'POST', '/api/cart', { headers: b.headers, body: { sku_id: Number(sku.id), count } })).status).toBe(201);
    const placed = await call(app, 'POST', '/api/orders', { headers: b.headers, body: { address_id: address.body.id, pay_method: 1 } });
    expect(placed.status).toBe(201);
    return { buyer: b, orderId: placed.body.order_id as string, skuId: Number(sku.id) };
  }
  const auditOf = (resourceId: string) => t.db('admin_audit').where({ resource_id: resourceId }).orderBy('id').select('action', 'resource', 'actor_name', 'changes');
  const stockOf = async (id: number) => Number((await t.db('skus').where({ id }).first('stock')).stock);

  it('lists orders by status, keyword (order number, username, mobile) and the shop’s dates; shows one with its customer', async () => {
    const { buyer, orderId } = await placeOrder();
    const list = (q: string) => call(app, 'GET', `/api/admin/orders?${q}`, { headers: clerk.headers });
    for (const q of [`keyword=${orderId}`, `keyword=${buyer.username}`, `keyword=${buyer.username.slice(0, 8)}`, `keyword=${buyer.mobile}`]) {
      const r = await list(q);
      expect(r.status, q).toBe(200);
      expect(r.body.results.map((o: { order_id: string }) => o.order_id), q).toContain(orderId);
    }
    // a keyword's % and _ are text, not patterns
    expect((await list('keyword=%25')).body.count).toBe(0);
    expect((await list('keyword=_')).body.count).toBe(0);
    const today = zoneDays('Asia/Shanghai').dateOf(Date.now());
    const dayAfter = zoneDays('Asia/Shanghai').day(today).end + 1;
    const tomorrow = zoneDays('Asia/Shanghai').dateOf(dayAfter);
    expect((await list(`keyword=${orderId}&date_from=${today}&date_to=${today}`)).body.count).toBe(1);
    expect((await list(`keyword=${orderId}&date_from=${tomorrow}`)).body.count).toBe(0);
    expect((await list(`keyword=${orderId}&status=2`)).body.count).toBe(1);
    expect((await list(`keyword=${orderId}&status=3`)).body.count).toBe(0);
    // the status is decimal digits, as every number of the API (api/numbers.ts): 0x2, 2.0, 2e0 and " 2" are no 2
    for (const q of ['status=0x2', 'status=2.0', 'status=2e0', 'status=%202', 'status=+2', 'status=']) {
      const r = await list(`keyword=${orderId}&${q}`);
      expect([r.status, Object.keys(r.body.error?.fields ?? {})], q).toEqual([400, ['status']]);
    }
    for (const [q, field] of [['status=7', 'status'], ['date_from=2026-02-30', 'date_from'], ['date_from=2026-12-05&date_to=2026-12-04', 'date_from'], ['page_size=1000', 'page_size']] as const) {
      const r = await list(q);
      expect(r.status, q).toBe(400);
      expect(Object.keys(r.body.error?.fields ?? {}), q).toContain(field);
    }

    // past the cap the list says "more than": counted up to cap + 1, never every order
    const all = await list('page_size=1');
    expect(all.body).toMatchObject({ count_capped: false });
    expect(all.body.count).toBeGreaterThanOrEqual(1);
    const ctx = app.services.systemContext('test');
    const few = await app.services.orders.listForStaff(ctx, { page: 1, pageSize: 1 }, all.body.count);
    expect({ count: few.count, capped: few.count_capped }).toEqual({ count: all.body.count, capped: false });
    if (all.body.count > 1) {
      const over = await app.services.orders.listForStaff(ctx, { page: 1, pageSize: 1 }, all.body.count - 1);
      expect({ count: over.count, capped: over.count_capped }).toEqual({ count: all.body.count - 1, capped: true });
    }

    const one = await call(app, 'GET', `/api/admin/orders/${orderId}`, { headers: viewer.headers });
    expect(one.status).toBe(200);
    expect(one.body).toMatchObject({ order_id: orderId, status: 2, customer: { id: buyer.userId, username: buyer.username, mobile: buyer.mobile }, payments: [], staff_actions: ['ship', 'cancel'] });
    expect(one.body).not.toHaveProperty('actions');
    expect((await call(app, 'GET', '/api/admin/orders/202612040000000000000000', { headers: clerk.headers })).status).toBe(404);
  });

  it('ships an order once (409 naming its state the second time), with its audit entry; the customer sees the carrier', async () => {
    const { buyer, orderId } = await placeOrder();
    const put = (staff: TestStaff, body: unknown) => call(app, 'PUT', `/api/admin/orders/${orderId}/status`, { headers: staff.headers, body });
    const ship = { status: 3, express_company: '顺丰速运', tracking_no: 'SF1234567890' };

    // bad bodies and the staff member who may only look change nothing
    for (const [body, field] of [
      [{ status: 3, express_company: '顺丰速运' }, 'tracking_no'],
      [{ status: 3, express_company: '', tracking_no: 'SF1234567890' }, 'express_company'],
      [{ status: 3, express_company: '顺丰速运', tracking_no: '单号' }, 'tracking_no'],
      [{ status: 4 }, 'status'],
      [{ status: 6 }, 'reason'],
    ] as const) {
      const r = await put(clerk, body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(Object.keys(r.body.error?.fields ?? {}), JSON.stringify(body)).toContain(field);
    }
    expect((await put(viewer, ship)).status).toBe(403);
    expect(Number((await t.db('orders').where({ order_id: orderId }).first('status')).status)).toBe(2);
    expect(await auditOf(orderId)).toEqual([]);

    const shipped = await put(clerk, ship);
    expect(shipped.status).toBe(200);
    expect(shipped.body).toMatchObject({ status: 3, express_company: '顺丰速运', tracking_no: 'SF1234567890', staff_actions: [] });
    const [entry, ...more] = await auditOf(orderId);
    expect(more).toEqual([]);
    expect(entry).toMatchObject({ action: 'ship', resource: 'orders.order', actor_name: clerk.username });
    const changes = typeof entry.changes === 'string' ? JSON.parse(entry.changes) : entry.changes;
    expect(changes).toMatchObject({ status: [2, 3], express_company: [null, '顺丰速运'], tracking_no: [null, 'SF1234567890'] });

    const mine = await call(app, 'GET', `/api/orders/${orderId}`, { headers: buyer.headers });
    expect(mine.body).toMatchObject({ status: 3, express_company: '顺丰速运', tracking_no: 'SF1234567890' });
    expect(mine.body.actions).toContain('receive');

    const again = await put(clerk, ship);
    expect(again.status).toBe(409);
    expect(again.body.error.message).toContain('待收货');
    const cancel = await put(clerk, { status: 6, reason: '客户要求' });
    expect(cancel.status).toBe(409);
    expect(cancel.body.error.message).toContain('待收货');
    expect(await auditOf(orderId)).toHaveLength(1);
  });

  it('cancels an unshipped order with a reason: stock back, the reason on the customer’s timeline, audited', async () => {
    const { buyer, orderId, skuId } = await placeOrder(3);
    const before = await stockOf(skuId);
    const r = await call(app, 'PUT', `/api/admin/orders/${orderId}/status`, { headers: clerk.headers, body: { status: 6, reason: '缺货，已电话告知客户' } });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ status: 6, staff_actions: [] });
    expect(await stockOf(skuId)).toBe(before + 3);
    const mine = await call(app, 'GET', `/api/orders/${orderId}`, { headers: buyer.headers });
    expect(mine.body.timeline.at(-1)).toMatchObject({ event: 'canceled' });
    expect(mine.body.timeline.at(-1).detail).toContain('缺货，已电话告知客户');
    expect((await auditOf(orderId)).map((e) => e.action)).toEqual(['cancel']);
  });

  it('lists the refunds a human must handle; retries one and settles another, each audited; 409 once not failed', async () => {
    const failed: number[] = [];
    for (let i = 0; i < 2; i++) {
      const { orderId } = await placeOrder(1);
      await t.db('orders').where({ order_id: orderId }).update({ status: 6 });
      const [id] = await t.db('payments').insert({ order_id: orderId, trade_no: `2026120422001${Date.now()}${i}`, amount: '12.50', source: 'notify', outcome: 'refund', refund_state: 'failed', refund_attempts: 20, refund_error: 'ACQ.SELLER_BALANCE_NOT_ENOUGH', created_at: Date.now() });
      failed.push(Number(id));
    }
    const list = await call(app, 'GET', '/api/admin/refunds?state=failed', { headers: viewer.headers });
    expect(list.status).toBe(200);
    expect(list.body.results.map((r: { payment_id: number }) => r.payment_id)).toEqual(expect.arrayContaining(failed));

    expect((await call(app, 'POST', `/api/admin/refunds/${failed[0]}/retry`, { headers: viewer.headers })).status).toBe(403);
    const retried = await call(app, 'POST', `/api/admin/refunds/${failed[0]}/retry`, { headers: clerk.headers });
    expect(retried.status).toBe(200);
    expect(retried.body.after).toMatchObject({ refund_state: 'pending', refund_attempts: 0 });
    expect((await call(app, 'POST', `/api/admin/refunds/${failed[0]}/retry`, { headers: clerk.headers })).status).toBe(409);
    expect((await call(app, 'POST', `/api/admin/refunds/${failed[0]}/settle`, { headers: clerk.headers, body: { note: '已转账' } })).status).toBe(409);

    const noNote = await call(app, 'POST', `/api/admin/refunds/${failed[1]}/settle`, { headers: clerk.headers, body: { note: '' } });
    expect(noNote.status).toBe(400);
    expect(Object.keys(noNote.body.error?.fields ?? {})).toContain('note');
    const settled = await call(app, 'POST', `/api/admin/refunds/${failed[1]}/settle`, { headers: clerk.headers, body: { note: '已通过银行转账退款' } });
    expect(settled.status).toBe(200);
    expect(settled.body.after).toMatchObject({ refund_state: 'settled', refund_note: '已通过银行转账退款' });
    expect((await call(app, 'POST', '/api/admin/refunds/99999999/retry', { headers: clerk.headers })).status).toBe(404);

    const audit = await t.db('admin_audit').where({ resource: 'orders.refund' }).whereIn('resource_id', failed.map(String)).orderBy('id').select('action', 'resource_id');
    expect(audit).toEqual([
      { action: 'retry', resource_id: String(failed[0]) },
      { action: 'settle', resource_id: String(failed[1]) },
    ]);
  });
});
