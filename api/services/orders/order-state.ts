import { ORDER_STATUS, PAY_METHOD, type OrderStatus } from './order-rules.ts';

// What a customer can do with an order in each state, and what its detail page shows of its past —
// decided here once, so the list, the detail page and the routes agree.

/** 待支付 and 待发货 (cash, or paid: the payment is refunded) can be cancelled; once shipped, no more. */
export const CUSTOMER_CANCELABLE: readonly OrderStatus[] = [ORDER_STATUS.unpaid, ORDER_STATUS.unsent];

export type OrderAction = 'pay' | 'cancel' | 'comment' | 'reorder';

export function actionsOf(o: { status: number; pay_method: number; pay_deadline_ms: number | null }, now: number): OrderAction[] {
  const acts: OrderAction[] = [];
  // the unpaid-order job cancels it at its deadline: past it a payment would only become a refund
  if (o.status === ORDER_STATUS.unpaid && o.pay_method === PAY_METHOD.alipay && (o.pay_deadline_ms === null || o.pay_deadline_ms > now)) acts.push('pay');
  if ((CUSTOMER_CANCELABLE as readonly number[]).includes(o.status)) acts.push('cancel');
  if (o.status === ORDER_STATUS.uncommented) acts.push('comment');
  acts.push('reorder');
  return acts;
}

export type RefundState = 'pending' | 'done' | 'failed';

/**
 * The order's refund as the customer sees it, from its payments recorded for refund: failed if any
 * failed (a human must act), pending while any is still to do, done when all are given back.
 */
export function refundStateOf(states: (string | null)[]): RefundState | null {
  if (states.length === 0) return null;
  if (states.includes('failed')) return 'failed';
  if (states.some((s) => s !== 'done')) return 'pending';
  return 'done';
}

export const TIMELINE_EVENTS = { placed: '提交订单', paid: '支付成功', shipped: '已发货', received: '确认收货', commented: '已评价', canceled: '已取消', refunded: '退款完成' } as const;
export type TimelineEvent = keyof typeof TIMELINE_EVENTS;

/** The events that happened, oldest first (epoch ms in, ISO out). */
export function timelineOf(times: Partial<Record<TimelineEvent, number | null>>): { event: TimelineEvent; name: string; at: string }[] {
  return (Object.keys(TIMELINE_EVENTS) as TimelineEvent[])
    .flatMap((event) => {
      const at = times[event];
      return at === null || at === undefined ? [] : [{ event, name: TIMELINE_EVENTS[event], at: Number(at) }];
    })
    .sort((a, b) => a.at - b.at)
    .map((e) => ({ ...e, at: new Date(e.at).toISOString() }));
}
