import type { RequestContext } from '../../context.ts';
import { forUpdate } from '../../db/dialect.ts';
import { db, withTransaction } from '../../db/transaction.ts';
import { ConflictError, NotFoundError, ValidationError } from '../../errors.ts';
import { centsFromDb, formatCents } from '../../money.ts';
import { cancelOrderIn } from './order-service.ts';
import { ORDER_STATUS, STATUS_NAMES, type OrderStatus } from './order-rules.ts';
import { RECEIVABLE, SHIPPABLE, STAFF_CANCELABLE } from './order-state.ts';

// The order's life after it is placed and paid (docs/orders.md, "The order's life"): staff ship it
// (待发货 → 待收货) or cancel it (待支付/待发货 → 已取消, a paid one refunded), the customer — or the
// orders.auto-receive job, ORDER_AUTO_RECEIVE_DAYS after shipping — confirms receipt (待收货 →
// 待评价), and the last line's comment finishes it (待评价 → 已完成, comments.ts).
//
// Every move is ONE conditional UPDATE from the states it is allowed from (`… WHERE order_id = ? AND
// status IN (…)`), never a read and then a write: of a shipment and the customer's cancel at the same
// moment, or a receipt and the auto-receive job, the second to commit changes nothing and is told the
// order's state now (409, in Chinese). The staff functions return what changed — the values before
// and after — for the caller's audit entry (the admin routes, the CLI).

const now = (c: RequestContext) => c.clock.now().getTime();

/** A 409 naming the order's state now: 订单当前状态为「已取消」，不能发货. */
function notAllowed(status: number, what: string, code: string) {
  return new ConflictError(`订单当前状态为「${STATUS_NAMES[status as OrderStatus] ?? status}」，不能${what}`, code);
}

async function currentStatus(context: RequestContext, orderId: string, userId?: number): Promise<number> {
  const q = db(context)('orders').where({ order_id: orderId });
  const row = await (userId === undefined ? q : q.where('user_id', userId)).first('status');
  if (!row) throw new NotFoundError('订单不存在', 'ORDER_NOT_FOUND');
  return Number(row.status);
}

/** What a transition changed, for an audit entry: the order's fields before and after. */
export interface OrderChange<B, A> {
  order_id: string;
  before: B;
  after: A;
}

/** The bounds of a shipment's fields, checked here for every caller (admin route, CLI). */
export const SHIPMENT_LIMITS = { expressCompany: 30, trackingNo: /^[A-Za-z0-9-]{4,40}$/ } as const;
export const CANCEL_REASON_MAX = 200;

export function checkShipment(input: { expressCompany: string; trackingNo: string }): { expressCompany: string; trackingNo: string } {
  const expressCompany = String(input.expressCompany ?? '').trim();
  const trackingNo = String(input.trackingNo ?? '').trim();
  const fields: Record<string, string> = {};
  if (!expressCompany || expressCompany.length > SHIPMENT_LIMITS.expressCompany) fields.express_company = `请填写快递公司（最多 ${SHIPMENT_LIMITS.expressCompany} 个字）`;
  if (!SHIPMENT_LIMITS.trackingNo.test(trackingNo)) fields.tracking_no = '快递单号是 4-40 位字母、数字或 -';
  if (Object.keys(fields).length) throw new ValidationError(Object.values(fields).join('；'), fields);
  return { expressCompany, trackingNo };
}

export function checkCancelReason(reason: string): string {
  const r = String(reason ?? '').trim();
  if (!r || r.length > CANCEL_REASON_MAX) throw new ValidationError(`请填写取消原因（最多 ${CANCEL_REASON_MAX} 个字）`, { reason: `取消原因是 1-${CANCEL_REASON_MAX} 个字` });
  return r;
}

export type Shipment = OrderChange<
  { status: OrderStatus; express_company: null; tracking_no: null; shipped_at: null },
  { status: OrderStatus; express_company: string; tracking_no: string; shipped_at: number }
>;

/** Staff ship an order: 待发货 → 待收货 with its carrier and tracking number; from any other state 409. */
export async function shipOrder(context: RequestContext, orderId: string, input: { expressCompany: string; trackingNo: string }): Promise<Shipment> {
  const { expressCompany, trackingNo } = checkShipment(input);
  const at = now(context);
  const changed = await db(context)('orders')
    .where({ order_id: orderId })
    .whereIn('status', SHIPPABLE)
    .update({ status: ORDER_STATUS.unreceived, express_company: expressCompany, tracking_no: trackingNo, shipped_at: at, updated_at: at });
  if (changed !== 1) throw notAllowed(await currentStatus(context, orderId), '发货', 'ORDER_NOT_SHIPPABLE');
  return {
    order_id: orderId,
    before: { status: ORDER_STATUS.unsent, express_company: null, tracking_no: null, shipped_at: null },
    after: { status: ORDER_STATUS.unreceived, express_company: expressCompany, tracking_no: trackingNo, shipped_at: at },
  };
}

export type Receipt = OrderChange<{ status: OrderStatus; received_at: null }, { status: OrderStatus; received_at: number }>;

/**
 * The customer confirms receipt of their shipped order: 待收货 → 待评价. Another customer's order, or
 * none, is 404; one in any other state 409 naming it.
 */
export async function confirmReceipt(context: RequestContext, userId: number, orderId: string): Promise<Receipt> {
  const at = now(context);
  const changed = await db(context)('orders')
    .where({ order_id: orderId, user_id: userId })
    .whereIn('status', RECEIVABLE)
    .update({ status: ORDER_STATUS.uncommented, received_at: at, updated_at: at });
  if (changed !== 1) throw notAllowed(await currentStatus(context, orderId, userId), '确认收货', 'ORDER_NOT_RECEIVABLE');
  return { order_id: orderId, before: { status: ORDER_STATUS.unreceived, received_at: null }, after: { status: ORDER_STATUS.uncommented, received_at: at } };
}

/**
 * The orders.auto-receive job (and `meiduo orders receive-due`): orders shipped more than `days` ago
 * and still 待收货 are received now. One conditional UPDATE per batch: a customer confirming the same
 * order at the same moment makes one of the two a no-op. Returns the orders it received.
 */
export async function autoReceive(context: RequestContext, days: number, limit = 500): Promise<{ received: string[] }> {
  if (!Number.isInteger(days) || days < 1) throw new RangeError(`autoReceive: days must be a whole number ≥ 1 (got ${days})`);
  const at = now(context);
  const cutoff = at - days * 86_400_000;
  const q = db(context);
  const due: string[] = await q('orders').where('status', ORDER_STATUS.unreceived).where('shipped_at', '<=', cutoff).orderBy('shipped_at').limit(limit).pluck('order_id');
  if (due.length === 0) return { received: [] };
  const received: string[] = [];
  // one by one: the UPDATE's count tells which this run received (a customer may have just done it)
  for (const id of due) {
    const changed = await q('orders')
      .where({ order_id: id })
      .whereIn('status', RECEIVABLE)
      .where('shipped_at', '<=', cutoff)
      .update({ status: ORDER_STATUS.uncommented, received_at: at, updated_at: at });
    if (changed === 1) received.push(id);
  }
  return { received };
}

export type StaffCancel = OrderChange<
  { status: OrderStatus; cancel_reason: null },
  { status: OrderStatus; canceled_at: number; cancel_reason: string; canceled_by: 'staff' }
> & {
  /** the order's payments now to be given back by the payments.refund job (refund_state 'pending') */
  refunds: { payment_id: number; amount: string }[];
};

/**
 * Staff cancel an order not yet shipped (待支付 or 待发货), saying why — the same cancel as the
 * customer's (cancelOrderIn): stock and sales go back once, a settled payment becomes a refund the
 * payments.refund job gives back. The reason is on the customer's timeline. Otherwise 409.
 */
export async function cancelByStaff(context: RequestContext, orderId: string, reason: string): Promise<StaffCancel> {
  const why = checkCancelReason(reason);
  const at = now(context);
  return withTransaction(context, async ({ trx }) => {
    // read under the row's lock only to say what it was (the audit's "before"); the UPDATE decides
    const row = await forUpdate(trx, trx('orders').where({ order_id: orderId }).select('status')).first();
    if (!row) throw new NotFoundError('订单不存在', 'ORDER_NOT_FOUND');
    const paid = await trx('payments').where({ order_id: orderId, outcome: 'settled' }).orderBy('id').select('id', 'amount');
    if (!(await cancelOrderIn(trx, orderId, at, { from: STAFF_CANCELABLE, by: 'staff', reason: why }))) {
      throw notAllowed(Number(row.status), '取消', 'ORDER_NOT_CANCELABLE');
    }
    return {
      order_id: orderId,
      before: { status: Number(row.status) as OrderStatus, cancel_reason: null },
      after: { status: ORDER_STATUS.canceled, canceled_at: at, cancel_reason: why, canceled_by: 'staff' as const },
      refunds: paid.map((p) => ({ payment_id: Number(p.id), amount: formatCents(centsFromDb(p.amount)) })),
    };
  });
}
