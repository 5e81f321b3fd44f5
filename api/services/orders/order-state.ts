import { ORDER_STATUS, PAY_METHOD, type OrderStatus } from './order-rules.ts';

// What a customer can do with an order in each state, and what its detail page shows of its past —
// decided here once, so the list, the detail page and the routes agree.

/** 待支付 and 待发货 (cash, or paid: the payment is refunded) can be cancelled; once shipped, no more. */
export const CUSTOMER_CANCELABLE: readonly OrderStatus[] = [ORDER_STATUS.unpaid, ORDER_STATUS.unsent];

/** Staff may cancel what the customer may: an order not yet shipped (a paid one is refunded). */
export const STAFF_CANCELABLE: readonly OrderStatus[] = CUSTOMER_CANCELABLE;
/** Only an order 待发货 (paid, or cash on delivery) ships. */
export const SHIPPABLE: readonly OrderStatus[] = [ORDER_STATUS.unsent];
/** Only a shipped order (待收货) is received — by the customer, or by the auto-receive job. */
export const RECEIVABLE: readonly OrderStatus[] = [ORDER_STATUS.unreceived];

export type OrderAction = 'pay' | 'cancel' | 'receive' | 'comment' | 'reorder';

export function actionsOf(o: { status: number; pay_method: number; pay_deadline_ms: number | null }, now: number): OrderAction[] {
  const acts: OrderAction[] = [];
  // the unpaid-order job cancels it at its deadline: past it a payment would only become a refund
  if (o.status === ORDER_STATUS.unpaid && o.pay_method === PAY_METHOD.alipay && (o.pay_deadline_ms === null || o.pay_deadline_ms > now)) acts.push('pay');
  if ((CUSTOMER_CANCELABLE as readonly number[]).includes(o.status)) acts.push('cancel');
  if ((RECEIVABLE as readonly number[]).includes(o.status)) acts.push('receive');
  if (o.status === ORDER_STATUS.uncommented) acts.push('comment');
  acts.push('reorder');
  return acts;
}

export type StaffAction = 'ship' | 'cancel';

/** What staff may do with an order now: the admin console shows these buttons, the routes decide. */
export function staffActionsOf(status: number): StaffAction[] {
  const acts: StaffAction[] = [];
  if ((SHIPPABLE as readonly number[]).includes(status)) acts.push('ship');
  if ((STAFF_CANCELABLE as readonly number[]).includes(status)) acts.push('cancel');
  return acts;
}

export type RefundState = 'pending' | 'done' | 'failed';

/**
 * A payment's refund_state: 'pending' (the refund job's), 'done' (refunded through Alipay),
 * 'failed' (a human's turn), 'settled' (a human dealt with it — refunded by hand, or found it
 * refunded — and said how in refund_note).
 */
export const PAYMENT_REFUND_STATES = ['pending', 'done', 'failed', 'settled'] as const;
export type PaymentRefundState = (typeof PAYMENT_REFUND_STATES)[number];

/**
 * The order's refund as the customer sees it, from its payments recorded for refund: failed if any
 * failed (a human must act), pending while any is still to do, done when all are given back
 * (by Alipay, or settled by hand).
 */
export function refundStateOf(states: (string | null)[]): RefundState | null {
  if (states.length === 0) return null;
  if (states.includes('failed')) return 'failed';
  if (states.some((s) => s !== 'done' && s !== 'settled')) return 'pending';
  return 'done';
}

export const TIMELINE_EVENTS = { placed: '提交订单', paid: '支付成功', shipped: '已发货', received: '确认收货', commented: '已评价', canceled: '已取消', refunded: '退款完成' } as const;
export type TimelineEvent = keyof typeof TIMELINE_EVENTS;

export interface TimelineEntry {
  event: TimelineEvent;
  name: string;
  at: string;
  /** what the customer should know with it: the carrier and tracking number, why it was cancelled */
  detail: string | null;
}

/** The events that happened, oldest first (epoch ms in, ISO out), with their details. */
export function timelineOf(times: Partial<Record<TimelineEvent, number | null>>, details: Partial<Record<TimelineEvent, string | null>> = {}): TimelineEntry[] {
  return (Object.keys(TIMELINE_EVENTS) as TimelineEvent[])
    .flatMap((event) => {
      const at = times[event];
      return at === null || at === undefined ? [] : [{ event, name: TIMELINE_EVENTS[event], at: Number(at), detail: details[event] ?? null }];
    })
    .sort((a, b) => a.at - b.at)
    .map((e) => ({ ...e, at: new Date(e.at).toISOString() }));
}

/** Who cancelled an order (orders.canceled_by). */
export type CanceledBy = 'customer' | 'staff' | 'system';

/** The cancel's line on the timeline: by whom, and why when staff said so. */
export function cancelDetail(by: string | null, reason: string | null): string | null {
  if (by === 'staff') return reason ? `商家取消：${reason}` : '商家取消';
  if (by === 'system') return '超时未支付，系统自动取消';
  return null;
}
