import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ORDER_STATUS } from '../../api/services/orders/order-rules.ts';
import { run } from '../helpers/cli.ts';
import { createTestDb, type TestDb } from '../helpers/db.ts';
import { DB_KINDS } from '../helpers/env.ts';

// Staff's order and refund commands as a person types them (docs/orders.md, "From the shell"): ship,
// cancel with a reason, receive what is due, and the refunds left to a human — listed, retried,
// settled. A bad argument, an unknown order or a move its state does not allow exits 2 and changes
// nothing.

const fail = (args: string[], env: Record<string, string>) => run(args, env).then(() => null, (e: Error) => e.message);
const DAY = 86_400_000;

describe.each(DB_KINDS)('meiduo orders and refunds on %s', (kind) => {
  let t: TestDb;
  let env: Record<string, string>;
  let userId: number;
  let skuId: number;
  let serial = 0;

  beforeAll(async () => {
    t = await createTestDb(kind, { seed: true });
    env = { DATABASE_URL: t.url, MEDIA_DIR: t.mediaDir, LOG_LEVEL: 'warn', ORDER_AUTO_RECEIVE_DAYS: '3' };
    [userId] = await t.db('users').insert({ username: 'cli_orders', password_hash: 'x', mobile: '13900000009', created_at: 1, updated_at: 1 });
    skuId = Number((await t.db('skus').where('is_launched', true).orderBy('id').first('id')).id);
    await t.db('skus').where({ id: skuId }).update({ stock: 10 });
  }, 120_000);
  afterAll(() => t?.drop());

  /** An order of 2 units of the SKU, in `status`, its stock already taken as placing it would. */
  async function order(status: number, extra: Record<string, unknown> = {}) {
    serial++;
    const id = `2026120400000000000${String(serial).padStart(5, '0')}`;
    await t.db('orders').insert({
      order_id: id, user_id: userId, receiver: '张三', province: '北京市', city: '北京市', district: '海淀区', place: '1号', mobile: '13900000009',
      total_count: 2, total_amount: '20.00', freight: '10.00', payment_amount: '30.00', pay_method: 1, status, created_at: Date.now(), updated_at: Date.now(), ...extra,
    });
    await t.db('order_lines').insert({ order_id: id, sku_id: skuId, name: 'x', count: 2, price: '10.00', is_anonymous: false, is_commented: false });
    await t.db('skus').where({ id: skuId }).decrement('stock', 2);
    return id;
  }
  const row = (id: string) => t.db('orders').where({ order_id: id }).first('status', 'express_company', 'tracking_no', 'cancel_reason', 'canceled_by');
  const stock = async () => Number((await t.db('skus').where({ id: skuId }).first('stock')).stock);

  it('ships an order 待发货 → 待收货; refuses bad arguments and other states with exit 2, changing nothing', async () => {
    const id = await order(ORDER_STATUS.unsent);
    const shipped = await order(ORDER_STATUS.unreceived);
    const bad: [string[], RegExp][] = [
      [['orders', 'ship', id, '--company', '顺丰速运'], /--company and --tracking/],
      [['orders', 'ship', id, '--tracking', 'SF12345678'], /--company and --tracking/],
      [['orders', 'ship', '12345', '--company', '顺丰', '--tracking', 'SF12345678'], /24 digits/],
      [['orders', 'ship', '--company', '顺丰', '--tracking', 'SF12345678'], /which order/],
      [['orders', 'ship', id, '--company', '', '--tracking', 'SF12345678'], /快递公司/],
      [['orders', 'ship', id, '--company', '顺丰', '--tracking', 'SF 1'], /快递单号/],
      [['orders', 'ship', id, '--company', '顺丰', '--tracking', 'SF12345678', '--carrier', 'x'], /Unknown option/],
      [['orders', 'ship', '209901010000000000000000', '--company', '顺丰', '--tracking', 'SF12345678'], /订单不存在/],
      [['orders', 'ship', shipped, '--company', '顺丰', '--tracking', 'SF12345678'], /订单当前状态为「待收货」，不能发货/],
      [['orders', 'deliver', id], /usage: meiduo orders/],
    ];
    for (const [args, message] of bad) {
      const err = await fail(args, env);
      expect(err, args.join(' ')).toMatch(/→ 2\n/);
      expect(err, args.join(' ')).toMatch(message);
    }
    expect(await row(id)).toMatchObject({ status: ORDER_STATUS.unsent, express_company: null, tracking_no: null });
    expect(await row(shipped)).toMatchObject({ status: ORDER_STATUS.unreceived, express_company: null });

    const text = await run(['orders', 'ship', id, '--company', '顺丰速运', '--tracking', 'SF1234567890'], env);
    expect(text).toContain(`order ${id} shipped: 顺丰速运 SF1234567890`);
    expect(await row(id)).toMatchObject({ status: ORDER_STATUS.unreceived, express_company: '顺丰速运', tracking_no: 'SF1234567890' });
    const again = await fail(['orders', 'ship', id, '--company', '顺丰速运', '--tracking', 'SF1234567890', '--json'], env);
    expect(again).toMatch(/订单当前状态为「待收货」，不能发货[\s\S]*→ 2|→ 2[\s\S]*订单当前状态为「待收货」/);
  });

  it('cancels an order not yet shipped with a reason (stock back), and receives what is due', async () => {
    const id = await order(ORDER_STATUS.unsent);
    const before = await stock();
    expect(await fail(['orders', 'cancel', id], env)).toMatch(/--reason is needed[\s\S]*→ 2|→ 2[\s\S]*--reason is needed/);
    expect(await fail(['orders', 'cancel', id, '--reason', '   '], env)).toMatch(/取消原因/);
    expect(await row(id)).toMatchObject({ status: ORDER_STATUS.unsent });
    const r = JSON.parse(await run(['orders', 'cancel', id, '--reason', '缺货', '--json'], env));
    expect(r).toMatchObject({ order_id: id, before: { status: ORDER_STATUS.unsent }, after: { status: ORDER_STATUS.canceled, cancel_reason: '缺货', canceled_by: 'staff' }, refunds: [] });
    expect(await row(id)).toMatchObject({ status: ORDER_STATUS.canceled, cancel_reason: '缺货', canceled_by: 'staff' });
    expect(await stock()).toBe(before + 2);
    expect(await fail(['orders', 'cancel', id, '--reason', '缺货'], env)).toMatch(/订单当前状态为「已取消」，不能取消/);
    expect(await stock()).toBe(before + 2);

    // ORDER_AUTO_RECEIVE_DAYS=3 for this command: 4 days ago is due, 2 days ago is not
    const due = await order(ORDER_STATUS.unreceived, { shipped_at: Date.now() - 4 * DAY });
    const notYet = await order(ORDER_STATUS.unreceived, { shipped_at: Date.now() - 2 * DAY });
    const received = JSON.parse(await run(['orders', 'receive-due', '--json'], env));
    expect(received).toEqual({ received: [due], days: 3 });
    expect([(await row(due)).status, (await row(notYet)).status].map(Number)).toEqual([ORDER_STATUS.uncommented, ORDER_STATUS.unreceived]);
    expect(await run(['orders', 'receive-due'], env)).toContain('0 order(s) shipped more than 3 days ago received');
    expect(await fail(['orders', 'receive-due', '--days', '1'], env)).toMatch(/→ 2\n/);
    expect(await fail(['orders', 'receive-due'], { ...env, ORDER_AUTO_RECEIVE_DAYS: '0' })).toMatch(/ORDER_AUTO_RECEIVE_DAYS[\s\S]*→ 2|→ 2[\s\S]*ORDER_AUTO_RECEIVE_DAYS/);
  });

  it('lists the refunds left to a human, retries one and settles another with a note', async () => {
    const payment = async (tradeNo: string) => {
      const id = await order(ORDER_STATUS.canceled);
      const [pid] = await t.db('payments').insert({
        order_id: id, trade_no: tradeNo, amount: '30.00', source: 'notify', outcome: 'refund', created_at: Date.now(),
        refund_state: 'failed', refund_attempts: 20, refund_error: 'ACQ.SYSTEM_ERROR',
      });
      return { orderId: id, paymentId: Number(pid) };
    };
    const a = await payment('T-cli-1');
    const b = await payment('T-cli-2');
    const list = JSON.parse(await run(['refunds', 'list', '--state', 'failed', '--json'], env));
    expect(list.results.map((r: { payment_id: number }) => r.payment_id).sort()).toEqual([a.paymentId, b.paymentId].sort());
    expect(await run(['refunds', 'list', '--state', 'failed'], env)).toContain(`${a.paymentId}  order ${a.orderId}  trade T-cli-1  ¥30.00  failed (退款失败)  tries 20  error: ACQ.SYSTEM_ERROR`);
    for (const args of [['refunds', 'list', '--state', 'lost'], ['refunds', 'list', '--page', '0'], ['refunds', 'retry', '0x1'], ['refunds', 'retry'], ['refunds', 'settle', String(b.paymentId)], ['refunds', 'settle', String(b.paymentId), '--note', ' '], ['refunds', 'retry', '999999']]) {
      expect(await fail(args, env), args.join(' ')).toMatch(/→ 2\n/);
    }
    expect(await t.db('payments').whereIn('id', [a.paymentId, b.paymentId]).pluck('refund_state')).toEqual(['failed', 'failed']);

    expect(await run(['refunds', 'retry', String(a.paymentId)], env)).toContain('is pending again');
    expect(await t.db('payments').where({ id: a.paymentId }).first('refund_state', 'refund_attempts', 'refund_error')).toMatchObject({ refund_state: 'pending', refund_error: null });
    expect(await fail(['refunds', 'retry', String(a.paymentId)], env)).toMatch(/退款当前状态为「退款中」/);

    const settled = JSON.parse(await run(['refunds', 'settle', String(b.paymentId), '--note', '已通过银行转账退回', '--json'], env));
    expect(settled).toMatchObject({ payment_id: b.paymentId, order_id: b.orderId, before: { refund_state: 'failed' }, after: { refund_state: 'settled', refund_note: '已通过银行转账退回' } });
    expect(await fail(['refunds', 'settle', String(b.paymentId), '--note', '再来'], env)).toMatch(/已人工处理/);
    expect(JSON.parse(await run(['refunds', 'list', '--state', 'failed', '--json'], env)).count).toBe(0);
  });
});
