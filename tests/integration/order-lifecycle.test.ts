import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../api/clock.ts';
import { systemContext, type RequestContext } from '../../api/context.ts';
import { AppError } from '../../api/errors.ts';
import { autoReceive, cancelByStaff, confirmReceipt, shipOrder } from '../../api/services/orders/fulfilment.ts';
import { ORDER_STATUS, type OrderStatus } from '../../api/services/orders/order-rules.ts';
import { listRefunds, retryRefund, settleRefund } from '../../api/services/payments/refund-admin.ts';
import * as adminAnswer from '../../api/routes/answers/order-admin.ts';
import { loginAs } from '../helpers/accounts.ts';
import { call } from '../helpers/api-client.ts';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { createTestDb, type TestDb } from '../helpers/db.ts';
import { DB_KINDS, redisDbUrl, emptyRedis } from '../helpers/env.ts';
import { startAlipayStandIn, type AlipayStandIn } from '../helpers/standins/alipay.ts';

// The order's life after it is placed (docs/orders.md, "The order's life"): staff ship it, the
// customer — or the auto-receive job — receives it, the last comment finishes it, staff cancel one
// not yet shipped (a paid one refunded through Alipay, the stand-in), and refunds left to a human are
// retried or settled. Every move is one conditional UPDATE: the races below run both sides at once
// many times and find exactly one winner.

const APP_ID = '2021000122600002';
const DAY = 86_400_000;

describe.each(DB_KINDS)('the order lifecycle on %s', (kind) => {
  let t: TestDb;
  let app: TestApp;
  let standIn: AlipayStandIn;
  beforeAll(async () => {
    t = await createTestDb(kind, { seed: true });
    standIn = await startAlipayStandIn({ appId: APP_ID });
    const redisUrl = kind === 'mysql' ? (redisDbUrl(5) ?? null) : null;
    // a fresh database hands out the same user ids as the last run did: its carts must not be found
    await emptyRedis(redisUrl);
    app = await startTestApp(t, { redisUrl, config: { alipay: standIn.config() } });
  });
  afterAll(async () => {
    await app?.close();
    await standIn?.close();
    await t?.drop();
  });

  /** Staff's context (the CLI's, the admin routes'): the app's database, the real clock or `clock`. */
  const staff = (clock: { now(): Date } = app.services.clock): RequestContext => systemContext('lifecycle-test', { db: app.services.db, clock });

  async function buyer() {
    const u = await loginAs(app);
    const address = await call(app, 'POST', '/api/addresses', {
      headers: u.headers,
      body: { title: '家', receiver: '赵六', province_id: 440000, city_id: 440300, district_id: 440305, place: '科技园3号', mobile: '13700002222', tel: '', email: '' },
    });
    expect(address.status, JSON.stringify(address.body)).toBe(201);
    return { ...u, addressId: address.body.id as number };
  }
  type Buyer = Awaited<ReturnType<typeof buyer>>;
  let offset = 0;
  /** `n` launched SKUs of their own for each test, `stock` in stock. */
  const skus = async (n: number, stock = 50) => {
    const rows = await t.db('skus').where('is_launched', true).orderBy('id').offset(offset).limit(n).select('id');
    offset += n;
    await t.db('skus').whereIn('id', rows.map((r) => r.id)).update({ stock });
    return rows.map((r) => Number(r.id));
  };
  const stockOf = async (id: number) => Number((await t.db('skus').where({ id }).first('stock')).stock);
  async function order(b: Buyer, lines: [number, number][], payMethod: 1 | 2 = 1) {
    for (const [sku_id, count] of lines) expect((await call(app, 'POST', '/api/cart', { headers: b.headers, body: { sku_id, count } })).status).toBe(201);
    const placed = await call(app, 'POST', '/api/orders', { headers: b.headers, body: { address_id: b.addressId, pay_method: payMethod } });
    expect(placed.status, JSON.stringify(placed.body)).toBe(201);
    return placed.body.order_id as string;
  }
  async function paidOrder(b: Buyer, lines: [number, number][]) {
    const id = await order(b, lines, 2);
    const unpaid = await get(b, id);
    standIn.pay(id, unpaid.body.payment_amount);
    const notify = await call(app, 'POST', '/api/payment/alipay/notify', {
      headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
      raw: new URLSearchParams(standIn.notifyFor(id)).toString(),
    });
    expect(notify.body).toBe('success');
    return { id, amount: unpaid.body.payment_amount as string };
  }
  const get = (b: Buyer, id: string) => call(app, 'GET', `/api/orders/${id}`, { headers: b.headers });
  const receive = (b: Buyer, id: string) => call(app, 'POST', `/api/orders/${id}/receipt`, { headers: b.headers });
  const cancel = (b: Buyer, id: string) => call(app, 'POST', `/api/orders/${id}/cancel`, { headers: b.headers });
  const statusOf = async (id: string) => Number((await t.db('orders').where({ order_id: id }).first('status')).status);
  const ship = (id: string, ctx = staff()) => shipOrder(ctx, id, { expressCompany: '顺丰速运', trackingNo: 'SF1234567890' });
  /** What a service threw: [HTTP status, code, message]. */
  const refusal = async (p: Promise<unknown>) => {
    const err = await p.then(
      () => null,
      (e: unknown) => e,
    );
    expect(err, 'expected a refusal').toBeInstanceOf(AppError);
    const e = err as AppError;
    return [e.statusCode, e.code, e.message] as const;
  };

  it('ships 待发货 → 待收货 with carrier and tracking number; the customer sees them, 确认收货 and the timeline', async () => {
    const b = await buyer();
    const [s] = await skus(1);
    const id = await order(b, [[s!, 2]]);
    const before = await get(b, id);
    expect(before.body).toMatchObject({ status: ORDER_STATUS.unsent, express_company: null, tracking_no: null, actions: ['cancel', 'reorder'] });

    const change = await ship(id);
    adminAnswer.shipment.parse(change);
    expect(change).toMatchObject({
      order_id: id,
      before: { status: ORDER_STATUS.unsent, express_company: null, tracking_no: null, shipped_at: null },
      after: { status: ORDER_STATUS.unreceived, express_company: '顺丰速运', tracking_no: 'SF1234567890', shipped_at: expect.any(Number) },
    });
    const shipped = await get(b, id);
    expect(shipped.body).toMatchObject({ status: ORDER_STATUS.unreceived, status_name: '待收货', express_company: '顺丰速运', tracking_no: 'SF1234567890', actions: ['receive', 'reorder'] });
    expect(shipped.body.timeline.map((e: { event: string; detail: string | null }) => [e.event, e.detail])).toEqual([
      ['placed', null],
      ['shipped', '顺丰速运 SF1234567890'],
    ]);
    // the list says the same
    const list = await call(app, 'GET', '/api/orders?status=3', { headers: b.headers });
    expect(list.body.results.find((o: { order_id: string }) => o.order_id === id)).toMatchObject({ express_company: '顺丰速运', tracking_no: 'SF1234567890', actions: ['receive', 'reorder'] });
    expect(await stockOf(s!)).toBe(48);

    // the customer can no longer cancel it; receiving it makes it 待评价
    expect((await cancel(b, id)).status).toBe(409);
    const r = await receive(b, id);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body).toMatchObject({ status: ORDER_STATUS.uncommented, status_name: '待评价', actions: ['comment', 'reorder'], express_company: '顺丰速运' });
    expect(r.body.timeline.map((e: { event: string }) => e.event)).toEqual(['placed', 'shipped', 'received']);
    const again = await receive(b, id);
    expect([again.status, again.body.error.code, again.body.error.message]).toEqual([409, 'ORDER_NOT_RECEIVABLE', '订单当前状态为「待评价」，不能确认收货']);
    // another customer's order is not theirs to receive: 404, as if it did not exist
    expect((await receive(await buyer(), id)).status).toBe(404);
  });

  it('refuses to ship from every other state (409 naming it), to receive before shipping, and bad shipping details — changing nothing', async () => {
    const b = await buyer();
    const [s] = await skus(1);
    const names: Record<number, string> = { 1: '待支付', 3: '待收货', 4: '待评价', 5: '已完成', 6: '已取消' };
    for (const status of [1, 3, 4, 5, 6] as OrderStatus[]) {
      const id = await order(b, [[s!, 1]]);
      await t.db('orders').where({ order_id: id }).update({ status });
      expect(await refusal(ship(id))).toEqual([409, 'ORDER_NOT_SHIPPABLE', `订单当前状态为「${names[status]}」，不能发货`]);
      const row = await t.db('orders').where({ order_id: id }).first('status', 'express_company', 'tracking_no', 'shipped_at');
      expect([Number(row.status), row.express_company, row.tracking_no, row.shipped_at]).toEqual([status, null, null, null]);
      // back to a closed state, so the customer's open orders stay under ORDER_MAX_OPEN
      await t.db('orders').where({ order_id: id }).update({ status: ORDER_STATUS.finished });
    }
    const id = await order(b, [[s!, 1]]);
    const early = await receive(b, id);
    expect([early.status, early.body.error.code, early.body.error.message]).toEqual([409, 'ORDER_NOT_RECEIVABLE', '订单当前状态为「待发货」，不能确认收货']);
    expect(await refusal(shipOrder(staff(), id, { expressCompany: ' ', trackingNo: 'SF123456' }))).toEqual([400, 'VALIDATION_ERROR', expect.stringContaining('快递公司')]);
    expect(await refusal(shipOrder(staff(), id, { expressCompany: '顺丰', trackingNo: 'SF 12' }))).toEqual([400, 'VALIDATION_ERROR', expect.stringContaining('快递单号')]);
    expect(await refusal(shipOrder(staff(), id, { expressCompany: '顺'.repeat(31), trackingNo: 'SF123456' }))).toEqual([400, 'VALIDATION_ERROR', expect.any(String)]);
    expect(await statusOf(id)).toBe(ORDER_STATUS.unsent);
    expect(await refusal(ship('209901010000000000000000'))).toEqual([404, 'ORDER_NOT_FOUND', '订单不存在']);
    // malformed ids never reach the service: the route's schema
    expect((await call(app, 'POST', '/api/orders/123/receipt', { headers: b.headers })).status).toBe(400);
    expect((await call(app, 'POST', `/api/orders/${id}/receipt`)).status).toBe(401);
  });

  it('refuses staff’s cancel, the receipt and the auto-receive from every state they do not start from (409 naming it), changing nothing', async () => {
    const b = await buyer();
    const [s] = await skus(1);
    const names: Record<number, string> = { 1: '待支付', 2: '待发货', 3: '待收货', 4: '待评价', 5: '已完成', 6: '已取消' };
    const days = app.services.config.orders.autoReceiveDays;
    const longAgo = Date.now() - (days + 30) * DAY;
    const snapshot = async (id: string) => {
      const row = await t.db('orders').where({ order_id: id }).first('status', 'received_at', 'canceled_at', 'cancel_reason', 'updated_at');
      return { ...row, status: Number(row.status), stock: await stockOf(s!) };
    };
    const tried: string[] = [];
    for (const status of [1, 2, 3, 4, 5, 6] as OrderStatus[]) {
      const id = await order(b, [[s!, 1]]);
      // shipped long ago, so that only the state keeps the auto-receive away
      await t.db('orders').where({ order_id: id }).update({ status, shipped_at: longAgo, express_company: '顺丰速运', tracking_no: 'SF1234567890' });
      const before = await snapshot(id);
      if (status !== 1 && status !== 2) {
        expect(await refusal(cancelByStaff(staff(), id, '客户要求')), `cancel from ${status}`).toEqual([409, 'ORDER_NOT_CANCELABLE', `订单当前状态为「${names[status]}」，不能取消`]);
        tried.push(`cancel ${status}`);
      }
      if (status !== 3) {
        const r = await receive(b, id);
        expect([r.status, r.body.error?.code, r.body.error?.message], `receipt from ${status}`).toEqual([409, 'ORDER_NOT_RECEIVABLE', `订单当前状态为「${names[status]}」，不能确认收货`]);
        expect((await autoReceive(staff(), days)).received, `auto-receive from ${status}`).not.toContain(id);
        tried.push(`receive ${status}`);
      }
      expect(await snapshot(id), `state ${status}`).toEqual(before);
      // closed, so the customer's open orders stay under ORDER_MAX_OPEN
      await t.db('orders').where({ order_id: id }).update({ status: ORDER_STATUS.finished });
    }
    expect(tried).toEqual(['receive 1', 'receive 2', 'cancel 3', 'cancel 4', 'receive 4', 'cancel 5', 'receive 5', 'cancel 6', 'receive 6']);
  });

  it('staff’s cancel racing the customer’s: exactly one cancels, the stock comes back once', async () => {
    const b = await buyer();
    const [s] = await skus(1, 100);
    for (let i = 0; i < 10; i++) {
      const id = await order(b, [[s!, 2]]);
      const byStaff = () => cancelByStaff(staff(), id, '缺货');
      const byCustomer = () => cancel(b, id).then((r) => (r.status === 200 ? r : Promise.reject(new Error(r.body.error.message))));
      const [st, cu] = i % 2 ? await Promise.allSettled([byStaff(), byCustomer()]) : (await Promise.allSettled([byCustomer(), byStaff()])).reverse();
      expect([st!.status, cu!.status].filter((x) => x === 'fulfilled'), `round ${i}`).toHaveLength(1);
      const loser = st!.status === 'rejected' ? st! : cu!;
      // each side's refusal names the state the other left the order in
      expect((loser as PromiseRejectedResult).reason.message).toMatch(st!.status === 'rejected' ? /^订单当前状态为「已取消」，不能取消$/ : /^订单已取消，不能取消/);
      const row = await t.db('orders').where({ order_id: id }).first('status', 'canceled_by');
      expect([Number(row.status), row.canceled_by]).toEqual([ORDER_STATUS.canceled, st!.status === 'fulfilled' ? 'staff' : 'customer']);
      expect(await stockOf(s!), `round ${i}`).toBe(100);
    }
  });

  it('ship racing the customer’s cancel: exactly one wins every time, and the stock comes back only for the cancelled', async () => {
    const b = await buyer();
    const [s] = await skus(1, 200);
    let shipped = 0;
    let cancelled = 0;
    for (let i = 0; i < 20; i++) {
      const id = await order(b, [[s!, 3]]);
      // both sides at once, each starting first in turn; the cancel through the route (HTTP takes a
      // few ms longer to reach the database: the ship waits that long in some rounds) or the service
      const viaHttp = i % 3 === 0;
      const customerCancel = viaHttp
        ? cancel(b, id).then((r) => (r.status === 200 ? r : Promise.reject(new Error(r.body.error.message))))
        : app.services.orders.cancel(staff(), b.userId, id);
      const shipAfter = (ms: number) => new Promise((r) => setTimeout(r, ms)).then(() => ship(id));
      const [shipping, cancelling] = viaHttp
        ? await Promise.allSettled([shipAfter(i % 2 ? 0 : 3), customerCancel])
        : i % 2
          ? await Promise.allSettled([ship(id), customerCancel])
          : (await Promise.allSettled([customerCancel, ship(id)])).reverse();
      const shipWon = shipping!.status === 'fulfilled';
      const cancelWon = cancelling!.status === 'fulfilled';
      expect(shipWon !== cancelWon, `round ${i}: ship ${shipping!.status}, cancel ${cancelling!.status}`).toBe(true);
      if (shipWon) {
        expect(cancelling!.status === 'rejected' && (cancelling!.reason as Error).message).toContain('待收货');
        expect(await statusOf(id)).toBe(ORDER_STATUS.unreceived);
        shipped++;
      } else {
        expect(shipping!.status === 'rejected' && (shipping!.reason as AppError).message).toBe('订单当前状态为「已取消」，不能发货');
        const row = await t.db('orders').where({ order_id: id }).first('status', 'shipped_at', 'tracking_no');
        expect([Number(row.status), row.shipped_at, row.tracking_no]).toEqual([ORDER_STATUS.canceled, null, null]);
        cancelled++;
      }
    }
    expect(shipped + cancelled).toBe(20);
    // stock taken for every order, given back for each cancelled one, once
    expect(await stockOf(s!)).toBe(200 - 3 * shipped);
    const deltas = (await t.db('sales_changes').where({ sku_id: s }).pluck('delta')).map(Number);
    expect(deltas.reduce((a, d) => a + d, 0)).toBe(3 * shipped);
  });

  it('receipt racing the auto-receive job: one transition, one received_at', async () => {
    const b = await buyer();
    const [s] = await skus(1);
    const days = app.services.config.orders.autoReceiveDays;
    const later = staff({ now: () => new Date(Date.now() + (days + 1) * DAY) });
    for (let i = 0; i < 12; i++) {
      const id = await order(b, [[s!, 1]]);
      await ship(id);
      // each side a few ms ahead in turn (the route's HTTP and the job's query take their time)
      const after = <T>(ms: number, f: () => Promise<T>) => new Promise((r) => setTimeout(r, ms)).then(f);
      const [customer, job] = await Promise.all([after(i % 3 === 0 ? 3 : 0, () => receive(b, id)), after(i % 3 === 2 ? 2 : 0, () => autoReceive(later, days))]);
      const byCustomer = customer.status === 200;
      const byJob = job.received.includes(id);
      expect(byCustomer !== byJob, `round ${i}: customer ${customer.status}, job ${JSON.stringify(job.received)}`).toBe(true);
      if (!byCustomer) expect([customer.status, customer.body.error.message]).toEqual([409, '订单当前状态为「待评价」，不能确认收货']);
      const row = await t.db('orders').where({ order_id: id }).first('status', 'received_at');
      expect(Number(row.status)).toBe(ORDER_STATUS.uncommented);
      const receivedAt = Number(row.received_at);
      // the winner's time: the job's clock is days ahead
      expect(byJob ? receivedAt > Date.now() + days * DAY : receivedAt <= Date.now()).toBe(true);
      expect((await get(b, id)).body.timeline.filter((e: { event: string }) => e.event === 'received')).toHaveLength(1);
    }
  });

  it('auto-receives ORDER_AUTO_RECEIVE_DAYS after shipping, not a moment before, and only shipped orders', async () => {
    const b = await buyer();
    const [s] = await skus(1);
    const days = app.services.config.orders.autoReceiveDays;
    expect(days).toBe(10);
    const clock = new ManualClock(Date.UTC(2030, 5, 1));
    const shippedId = await order(b, [[s!, 1]]);
    const unsentId = await order(b, [[s!, 1]]);
    await ship(shippedId, staff(clock));
    const shippedAt = clock.now().getTime();
    clock.advance(days * DAY - 1);
    expect((await autoReceive(staff(clock), days)).received).not.toContain(shippedId);
    expect(await statusOf(shippedId)).toBe(ORDER_STATUS.unreceived);
    clock.advance(1);
    expect((await autoReceive(staff(clock), days)).received).toContain(shippedId);
    const row = await t.db('orders').where({ order_id: shippedId }).first('status', 'received_at');
    expect([Number(row.status), Number(row.received_at)]).toEqual([ORDER_STATUS.uncommented, shippedAt + days * DAY]);
    // nothing more to do; the unshipped order is untouched
    expect((await autoReceive(staff(clock), days)).received).not.toContain(shippedId);
    expect(await statusOf(unsentId)).toBe(ORDER_STATUS.unsent);
    // the job itself (every 5 minutes, on the worker's clock) receives with the configured days
    const { orderJobs } = await import('../../jobs/definitions/orders.ts');
    const job = orderJobs({ config: app.services.config, log: app.services.log } as never, app.services as never).jobs.find((j) => j.name === 'orders.auto-receive')!;
    expect(job.everyMs).toBe(5 * 60_000);
    const dueId = await order(b, [[s!, 1]]);
    const notYetId = await order(b, [[s!, 1]]);
    await ship(dueId, staff({ now: () => new Date(Date.now() - days * DAY - 60_000) }));
    await ship(notYetId, staff({ now: () => new Date(Date.now() - days * DAY + 60_000) }));
    await job.run({} as never);
    expect([await statusOf(dueId), await statusOf(notYetId)]).toEqual([ORDER_STATUS.uncommented, ORDER_STATUS.unreceived]);
  });

  it('finishes the order (已完成) in the comment of its last line', async () => {
    const b = await buyer();
    const [s1, s2] = await skus(2);
    const id = await order(b, [[s1!, 1], [s2!, 2]]);
    await ship(id);
    // the service the route calls: the customer's own order only
    expect(await refusal(confirmReceipt(staff(), b.userId + 1_000_000, id))).toEqual([404, 'ORDER_NOT_FOUND', '订单不存在']);
    adminAnswer.receipt.parse(await confirmReceipt(staff(), b.userId, id));
    const comment = (sku_id: number) => call(app, 'POST', `/api/orders/${id}/comments`, { headers: b.headers, body: { sku_id, comment: '东西很好，物流很快', score: 5 } });
    const first = await comment(s1!);
    expect([first.status, first.body.order_status]).toEqual([201, ORDER_STATUS.uncommented]);
    expect(await statusOf(id)).toBe(ORDER_STATUS.uncommented);
    const last = await comment(s2!);
    expect([last.status, last.body.order_status]).toEqual([201, ORDER_STATUS.finished]);
    const done = await get(b, id);
    expect(done.body).toMatchObject({ status: ORDER_STATUS.finished, status_name: '已完成', actions: ['reorder'] });
    expect(done.body.timeline.map((e: { event: string }) => e.event)).toEqual(['placed', 'shipped', 'received', 'commented']);
    expect(await refusal(ship(id))).toEqual([409, 'ORDER_NOT_SHIPPABLE', '订单当前状态为「已完成」，不能发货']);
  });

  it('finishes the order when its last two lines are commented at the same moment', async () => {
    const b = await buyer();
    const [s1, s2] = await skus(2);
    for (let i = 0; i < 8; i++) {
      const id = await order(b, [[s1!, 1], [s2!, 1]]);
      await ship(id);
      expect((await receive(b, id)).status).toBe(200);
      const comment = (sku_id: number) => call(app, 'POST', `/api/orders/${id}/comments`, { headers: b.headers, body: { sku_id, comment: '同时评价的两件商品', score: 5 } });
      const answers = await Promise.all([comment(s1!), comment(s2!)]);
      expect(answers.map((a) => a.status)).toEqual([201, 201]);
      // whichever commented last saw the other's comment and finished the order
      expect(answers.map((a) => a.body.order_status).sort()).toEqual([ORDER_STATUS.uncommented, ORDER_STATUS.finished]);
      expect(await statusOf(id), `round ${i}`).toBe(ORDER_STATUS.finished);
    }
  });

  it('staff cancel a paid order not yet shipped, with a reason: stock back, the refund job refunds it through Alipay', async () => {
    const b = await buyer();
    const [s] = await skus(1);
    const { id, amount } = await paidOrder(b, [[s!, 4]]);
    expect(await stockOf(s!)).toBe(46);
    expect(await refusal(cancelByStaff(staff(), id, '  '))).toEqual([400, 'VALIDATION_ERROR', expect.stringContaining('取消原因')]);
    expect(await statusOf(id)).toBe(ORDER_STATUS.unsent);

    const change = await cancelByStaff(staff(), id, '缺货，无法发货');
    adminAnswer.staffCancel.parse(change);
    const paymentId = Number((await t.db('payments').where({ order_id: id }).first('id')).id);
    expect(change).toEqual({
      order_id: id,
      before: { status: ORDER_STATUS.unsent, cancel_reason: null },
      after: { status: ORDER_STATUS.canceled, canceled_at: expect.any(Number), cancel_reason: '缺货，无法发货', canceled_by: 'staff' },
      refunds: [{ payment_id: paymentId, amount }],
    });
    expect(await stockOf(s!)).toBe(50);
    const cancelled = await get(b, id);
    expect(cancelled.body).toMatchObject({ status: ORDER_STATUS.canceled, refund_state: 'pending', actions: ['reorder'] });
    expect(cancelled.body.timeline.map((e: { event: string; detail: string | null }) => [e.event, e.detail])).toEqual([
      ['placed', null],
      ['paid', null],
      ['canceled', '商家取消：缺货，无法发货'],
    ]);
    expect(await refusal(cancelByStaff(staff(), id, '再取消一次'))).toEqual([409, 'ORDER_NOT_CANCELABLE', '订单当前状态为「已取消」，不能取消']);
    expect(await stockOf(s!)).toBe(50);

    const run = await app.services.payments.refundPending(app.services.systemContext('lifecycle-test'));
    expect(run.refunded).toBeGreaterThanOrEqual(1);
    const trade = (await t.db('payments').where({ order_id: id }).first('trade_no')).trade_no as string;
    expect([...(standIn.refunds.get(trade)?.values() ?? [])]).toEqual([Math.round(Number(amount) * 100)]);
    expect((await get(b, id)).body.refund_state).toBe('done');

    // a shipped order is not staff's to cancel either (a return is another matter)
    const shippedId = await order(b, [[s!, 1]]);
    await ship(shippedId);
    expect(await refusal(cancelByStaff(staff(), shippedId, '客户要求'))).toEqual([409, 'ORDER_NOT_CANCELABLE', '订单当前状态为「待收货」，不能取消']);
    expect(await stockOf(s!)).toBe(49);
    // an unpaid one (待支付) is staff's to cancel: nothing to refund
    const unpaidId = await order(b, [[s!, 1]], 2);
    expect((await cancelByStaff(staff(), unpaidId, '客户电话要求取消')).refunds).toEqual([]);
    expect(await stockOf(s!)).toBe(49);
  });

  it('refunds left to a human: listed, retried (the job refunds it) or settled with a note — once', async () => {
    const b = await buyer();
    const [s] = await skus(1);
    const failed = async () => {
      const { id } = await paidOrder(b, [[s!, 1]]);
      expect((await cancel(b, id)).status).toBe(200);
      const row = await t.db('payments').where({ order_id: id }).first('id');
      await t.db('payments').where({ id: row.id }).update({ refund_state: 'failed', refund_attempts: 20, refund_error: 'ACQ.SYSTEM_ERROR', refund_next_at: null });
      return { orderId: id, paymentId: Number(row.id) };
    };
    const a = await failed();
    const c = await failed();
    const listed = await listRefunds(staff(), { state: 'failed', page: 1, page_size: 100 });
    adminAnswer.refundPage.parse(listed);
    expect(listed.results.map((r) => r.payment_id)).toEqual(expect.arrayContaining([a.paymentId, c.paymentId]));
    expect(listed.results.find((r) => r.payment_id === a.paymentId)).toMatchObject({ order_id: a.orderId, refund_state: 'failed', refund_state_name: '退款失败', refund_attempts: 20, refund_error: 'ACQ.SYSTEM_ERROR' });
    expect(listed.results.every((r) => r.refund_state === 'failed')).toBe(true);
    expect(await refusal(listRefunds(staff(), { state: 'lost' }))).toEqual([400, 'VALIDATION_ERROR', expect.any(String)]);

    // retry: pending, tries from 0; the refund job then refunds it
    const retried = await retryRefund(staff(), a.paymentId);
    adminAnswer.refundRetried.parse(retried);
    expect(retried).toEqual({
      payment_id: a.paymentId,
      order_id: a.orderId,
      before: { refund_state: 'failed', refund_attempts: 20, refund_error: 'ACQ.SYSTEM_ERROR', refund_note: null },
      after: { refund_state: 'pending', refund_attempts: 0, refund_error: null },
    });
    expect(await refusal(retryRefund(staff(), a.paymentId))).toEqual([409, 'REFUND_NOT_FAILED', '退款当前状态为「退款中」，不能重试：只能处理退款失败的付款']);
    expect((await get(b, a.orderId)).body.refund_state).toBe('pending');
    await app.services.payments.refundPending(app.services.systemContext('lifecycle-test'));
    expect(await t.db('payments').where({ id: a.paymentId }).first('refund_state', 'refund_attempts')).toMatchObject({ refund_state: 'done' });
    expect((await get(b, a.orderId)).body.refund_state).toBe('done');
    expect(await refusal(settleRefund(staff(), a.paymentId, '已人工退款'))).toEqual([409, 'REFUND_NOT_FAILED', expect.stringContaining('已退款')]);

    // settle: by hand, with a note; the customer sees it refunded
    expect(await refusal(settleRefund(staff(), c.paymentId, ''))).toEqual([400, 'VALIDATION_ERROR', expect.any(String)]);
    const settled = await settleRefund(staff(), c.paymentId, '已通过银行转账退回，流水号 8812');
    adminAnswer.refundSettled.parse(settled);
    adminAnswer.refundPage.parse(await listRefunds(staff(), {}));
    expect(settled).toMatchObject({ payment_id: c.paymentId, order_id: c.orderId, before: { refund_state: 'failed' }, after: { refund_state: 'settled', refund_note: '已通过银行转账退回，流水号 8812' } });
    expect(await refusal(settleRefund(staff(), c.paymentId, '再来一次'))).toEqual([409, 'REFUND_NOT_FAILED', expect.stringContaining('已人工处理')]);
    expect(await refusal(retryRefund(staff(), c.paymentId))).toEqual([409, 'REFUND_NOT_FAILED', expect.any(String)]);
    const seen = await get(b, c.orderId);
    expect(seen.body.refund_state).toBe('done');
    expect(seen.body.timeline.map((e: { event: string }) => e.event)).toContain('refunded');
    // the refund job leaves it alone
    await app.services.payments.refundPending(app.services.systemContext('lifecycle-test'));
    expect(standIn.refunds.get((await t.db('payments').where({ id: c.paymentId }).first('trade_no')).trade_no)).toBeUndefined();
    expect((await listRefunds(staff(), { state: 'settled' })).results.map((r) => r.payment_id)).toContain(c.paymentId);
    expect(await refusal(retryRefund(staff(), 999_999_999))).toEqual([404, 'REFUND_NOT_FOUND', expect.any(String)]);
  });
});
