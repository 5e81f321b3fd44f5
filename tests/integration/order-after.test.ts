import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ORDER_STATUS } from '../../api/services/orders/order-rules.ts';
import { loginAs } from '../helpers/accounts.ts';
import { call } from '../helpers/api-client.ts';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { createTestDb, type TestDb } from '../helpers/db.ts';
import { DB_KINDS, redisDbUrl, emptyRedis } from '../helpers/env.ts';
import { startAlipayStandIn, type AlipayStandIn } from '../helpers/standins/alipay.ts';

// After the order: the customer cancels any order not yet shipped — cash on delivery, or paid, whose
// payment the refund job then gives back through Alipay (the stand-in) — and sees 退款中 / 已退款;
// a shipped order is 409; the tabs' counts; 再次购买 puts the lines back in the cart; the timeline.

const APP_ID = '2021000122600001';

describe.each(DB_KINDS)('after the order on %s', (kind) => {
  let t: TestDb;
  let app: TestApp;
  let standIn: AlipayStandIn;
  beforeAll(async () => {
    t = await createTestDb(kind, { seed: true });
    standIn = await startAlipayStandIn({ appId: APP_ID });
    const redisUrl = kind === 'mysql' ? (redisDbUrl(15) ?? null) : null;
    // a fresh database hands out the same user ids as the last run did: its carts must not be found
    await emptyRedis(redisUrl);
    app = await startTestApp(t, { redisUrl, config: { alipay: standIn.config() } });
  });
  afterAll(async () => {
    await app?.close();
    await standIn?.close();
    await t?.drop();
  });

  async function buyer() {
    const u = await loginAs(app);
    const address = await call(app, 'POST', '/api/addresses', {
      headers: u.headers,
      body: { title: '家', receiver: '王五', province_id: 440000, city_id: 440300, district_id: 440305, place: '科技园2号', mobile: '13700001111', tel: '', email: '' },
    });
    expect(address.status, JSON.stringify(address.body)).toBe(201);
    return { ...u, addressId: address.body.id as number };
  }
  let offset = 0;
  /** `n` launched SKUs of their own for each test, 50 in stock. */
  const skus = async (n: number) => {
    const rows = await t.db('skus').where('is_launched', true).orderBy('id').offset(offset).limit(n).select('id');
    offset += n;
    await t.db('skus').whereIn('id', rows.map((r) => r.id)).update({ stock: 50 });
    return rows.map((r) => Number(r.id));
  };
  const stockOf = async (id: number) => Number((await t.db('skus').where({ id }).first('stock')).stock);
  type Buyer = Awaited<ReturnType<typeof buyer>>;
  async function order(b: Buyer, lines: [number, number][], payMethod: 1 | 2) {
    for (const [sku_id, count] of lines) expect((await call(app, 'POST', '/api/cart', { headers: b.headers, body: { sku_id, count } })).status).toBe(201);
    const placed = await call(app, 'POST', '/api/orders', { headers: b.headers, body: { address_id: b.addressId, pay_method: payMethod } });
    expect(placed.status, JSON.stringify(placed.body)).toBe(201);
    return placed.body.order_id as string;
  }
  const get = (b: Buyer, id: string) => call(app, 'GET', `/api/orders/${id}`, { headers: b.headers });
  const cancel = (b: Buyer, id: string) => call(app, 'POST', `/api/orders/${id}/cancel`, { headers: b.headers });
  const events = (body: { timeline: { event: string }[] }) => body.timeline.map((e) => e.event);

  it('cancels a cash-on-delivery order (待发货): stock back once, the timeline says when', async () => {
    const b = await buyer();
    const [s] = await skus(1);
    const id = await order(b, [[s!, 3]], 1);
    expect(await stockOf(s!)).toBe(47);
    const before = await get(b, id);
    expect(before.body).toMatchObject({ status: ORDER_STATUS.unsent, actions: ['cancel', 'reorder'], refund_state: null });
    expect(events(before.body)).toEqual(['placed']);
    const r = await cancel(b, id);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body).toMatchObject({ status: ORDER_STATUS.canceled, status_name: '已取消', actions: ['reorder'], refund_state: null });
    expect(events(r.body)).toEqual(['placed', 'canceled']);
    expect(await stockOf(s!)).toBe(50);
    const again = await cancel(b, id);
    expect([again.status, again.body.error.code]).toEqual([409, 'ORDER_NOT_CANCELABLE']);
    expect(again.body.error.message).toContain('已取消');
    expect(await stockOf(s!)).toBe(50);
    // the hot-seller moves: +3 when ordered, -3 when cancelled
    expect((await t.db('sales_changes').where({ sku_id: s }).pluck('delta')).map(Number).sort()).toEqual([-3, 3]);
  });

  it('cancels a paid order: its payment becomes a refund, pending, and the refund job gives it back through Alipay', async () => {
    const b = await buyer();
    const [s] = await skus(1);
    const id = await order(b, [[s!, 2]], 2);
    const unpaid = await get(b, id);
    expect(unpaid.body.actions).toEqual(['pay', 'cancel', 'reorder']);
    standIn.pay(id, unpaid.body.payment_amount);
    const notify = await call(app, 'POST', '/api/payment/alipay/notify', {
      headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
      raw: new URLSearchParams(standIn.notifyFor(id)).toString(),
    });
    expect(notify.body).toBe('success');
    const paid = await get(b, id);
    expect(paid.body).toMatchObject({ status: ORDER_STATUS.unsent, actions: ['cancel', 'reorder'] });
    expect(events(paid.body)).toEqual(['placed', 'paid']);

    const r = await cancel(b, id);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body).toMatchObject({ status: ORDER_STATUS.canceled, refund_state: 'pending' });
    expect(events(r.body)).toEqual(['placed', 'paid', 'canceled']);
    expect(await stockOf(s!)).toBe(50);
    expect(await t.db('payments').where({ order_id: id }).select('outcome', 'refund_state')).toEqual([{ outcome: 'refund', refund_state: 'pending' }]);

    const run = await app.services.payments.refundPending(app.services.systemContext('order-after-test'));
    expect(run.refunded).toBeGreaterThanOrEqual(1);
    const trade = (await t.db('payments').where({ order_id: id }).first('trade_no')).trade_no as string;
    expect([...(standIn.refunds.get(trade)?.values() ?? [])]).toEqual([Math.round(Number(unpaid.body.payment_amount) * 100)]);
    const done = await get(b, id);
    expect(done.body.refund_state).toBe('done');
    expect(events(done.body)).toEqual(['placed', 'paid', 'canceled', 'refunded']);
    // a refund that failed for good shows as such (the page asks the customer to contact us)
    await t.db('payments').where({ order_id: id }).update({ refund_state: 'failed' });
    expect((await get(b, id)).body.refund_state).toBe('failed');
  });

  it('refuses to cancel a shipped order (409 naming its state) and changes nothing', async () => {
    const b = await buyer();
    const [s] = await skus(1);
    const id = await order(b, [[s!, 1]], 1);
    await t.db('orders').where({ order_id: id }).update({ status: ORDER_STATUS.unreceived });
    const r = await cancel(b, id);
    expect([r.status, r.body.error.code]).toEqual([409, 'ORDER_NOT_CANCELABLE']);
    expect(r.body.error.message).toContain('待收货');
    expect((await get(b, id)).body).toMatchObject({ status: ORDER_STATUS.unreceived, actions: ['receive', 'reorder'] });
    expect(await stockOf(s!)).toBe(49);
    // someone else's order: 404, as if it did not exist
    expect((await cancel(await buyer(), id)).status).toBe(404);
  });

  it('counts the orders per status for the tabs', async () => {
    const b = await buyer();
    const [s] = await skus(1);
    const ids = [await order(b, [[s!, 1]], 2), await order(b, [[s!, 1]], 1), await order(b, [[s!, 1]], 1), await order(b, [[s!, 1]], 1)];
    await t.db('orders').where({ order_id: ids[2] }).update({ status: ORDER_STATUS.unreceived });
    await t.db('orders').where({ order_id: ids[3] }).update({ status: ORDER_STATUS.uncommented });
    expect((await cancel(b, ids[1]!)).status).toBe(200);
    const c = await call(app, 'GET', '/api/orders/counts', { headers: b.headers });
    expect(c.status).toBe(200);
    expect(c.body).toEqual({ all: 4, 1: 1, 2: 0, 3: 1, 4: 1, 5: 0, 6: 1 });
    expect((await get(b, ids[3]!)).body.actions).toEqual(['comment', 'reorder']);
    expect((await call(app, 'GET', '/api/orders/counts')).status).toBe(401);
    // another customer's counts are their own
    expect((await call(app, 'GET', '/api/orders/counts', { headers: (await buyer()).headers })).body).toEqual({ all: 0, 1: 0, 2: 0, 3: 0, 4: 0, 5: 0, 6: 0 });
  });

  it('再次购买 puts the lines back in the cart, skipping those no longer for sale', async () => {
    const b = await buyer();
    const [s1, s2, s3] = await skus(3);
    const id = await order(b, [[s1!, 2], [s2!, 1], [s3!, 4]], 1);
    expect((await call(app, 'GET', '/api/cart', { headers: b.headers })).body).toEqual([]);
    await t.db('skus').where({ id: s2 }).update({ is_launched: false });
    await t.db('skus').where({ id: s3 }).update({ stock: 0 });
    const r = await call(app, 'POST', `/api/orders/${id}/reorder`, { headers: b.headers });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.added).toEqual([{ sku_id: s1, name: expect.any(String), count: 2 }]);
    expect(r.body.skipped.map((x: { sku_id: number; reason: string }) => [x.sku_id, x.reason])).toEqual([
      [s2, '商品已下架'],
      [s3, '库存不足'],
    ]);
    const cart = await call(app, 'GET', '/api/cart', { headers: b.headers });
    expect(cart.body.map((l: { id: number; count: number; selected: boolean }) => [l.id, l.count, l.selected])).toEqual([[s1, 2, true]]);
    // fewer in stock than ordered: as many as are left
    await t.db('skus').where({ id: s3 }).update({ stock: 3 });
    expect((await call(app, 'POST', `/api/orders/${id}/reorder`, { headers: b.headers })).body.added.find((x: { sku_id: number }) => x.sku_id === s3)).toMatchObject({ count: 3 });
    expect((await call(app, 'POST', `/api/orders/${id}/reorder`, { headers: (await buyer()).headers })).status).toBe(404);
    await t.db('skus').where({ id: s2 }).update({ is_launched: true });
  });
});
