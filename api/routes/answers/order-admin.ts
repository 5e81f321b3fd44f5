import { z } from 'zod';
import { CANCEL_REASON_MAX } from '../../services/orders/fulfilment.ts';
import { ORDER_ID, ORDER_STATUS } from '../../services/orders/order-rules.ts';
import { PAYMENT_REFUND_STATES } from '../../services/orders/order-state.ts';
import { REFUND_NOTE_MAX } from '../../services/payments/refund-admin.ts';
import { count, id, instant, money } from './common.ts';
import { order as customerOrder } from './orders.ts';

// What staff's order and refund services return (api/services/orders/fulfilment.ts,
// payments/refund-admin.ts), for the admin routes that answer with them: each change with the
// fields' values before and after (times in epoch ms, as stored), which is also what the audit
// entry records. tests/integration/order-lifecycle parses every service result with these.

const orderId = z.string().regex(ORDER_ID);
const ms = z.int().min(0).meta({ description: 'epoch ms' });
const status = (...s: number[]) => z.literal(s).meta({ description: '1 待支付, 2 待发货, 3 待收货, 4 待评价, 5 已完成, 6 已取消' });

export const shipment = z.strictObject({
  order_id: orderId,
  before: z.strictObject({ status: status(ORDER_STATUS.unsent), express_company: z.null(), tracking_no: z.null(), shipped_at: z.null() }),
  after: z.strictObject({ status: status(ORDER_STATUS.unreceived), express_company: z.string(), tracking_no: z.string(), shipped_at: ms }),
});

export const staffCancel = z.strictObject({
  order_id: orderId,
  before: z.strictObject({ status: status(ORDER_STATUS.unpaid, ORDER_STATUS.unsent), cancel_reason: z.null() }),
  after: z.strictObject({ status: status(ORDER_STATUS.canceled), canceled_at: ms, cancel_reason: z.string().max(CANCEL_REASON_MAX), canceled_by: z.literal('staff') }),
  refunds: z.array(z.strictObject({ payment_id: id, amount: money })).meta({ description: 'payments now pending refund (the payments.refund job gives them back)' }),
});

export const receipt = z.strictObject({
  order_id: orderId,
  before: z.strictObject({ status: status(ORDER_STATUS.unreceived), received_at: z.null() }),
  after: z.strictObject({ status: status(ORDER_STATUS.uncommented), received_at: ms }),
});

export const refundState = z.enum(PAYMENT_REFUND_STATES).meta({ description: 'pending 退款中, done 已退款 (Alipay), failed 退款失败 (a human’s turn), settled 已人工处理' });

export const refundPage = z.strictObject({
  count,
  page: z.int().min(1),
  page_size: z.int().min(1),
  results: z.array(
    z.strictObject({
      payment_id: id,
      order_id: orderId,
      trade_no: z.string(),
      amount: money,
      refund_state: refundState,
      refund_state_name: z.string(),
      refund_attempts: count,
      refund_error: z.string().nullable(),
      refund_next_at: instant.nullable(),
      refunded_at: instant.nullable(),
      refund_note: z.string().nullable(),
      created_at: instant,
    }),
  ),
});

const failedBefore = z.strictObject({ refund_state: z.literal('failed'), refund_attempts: count, refund_error: z.string().nullable(), refund_note: z.string().nullable() });

export const refundRetried = z.strictObject({
  payment_id: id,
  order_id: orderId,
  before: failedBefore,
  after: z.strictObject({ refund_state: z.literal('pending'), refund_attempts: z.literal(0), refund_error: z.null() }),
});

export const refundSettled = z.strictObject({
  payment_id: id,
  order_id: orderId,
  before: failedBefore,
  after: z.strictObject({ refund_state: z.literal('settled'), refund_note: z.string().max(REFUND_NOTE_MAX), refunded_at: ms }),
});

/** An order as staff see it (OrderService.getForStaff): the customer's view without its buttons, plus the customer, payments and staff's moves. */
export const staffOrder = customerOrder
  .omit({ actions: true })
  .extend({
    customer: z.strictObject({ id, username: z.string(), mobile: z.string().nullable() }),
    payments: z.array(
      z.strictObject({
        id,
        trade_no: z.string(),
        amount: money,
        outcome: z.enum(['settled', 'refund']).meta({ description: 'settled: it paid the order; refund: money to give back' }),
        refund_state: refundState.nullable(),
        created_at: instant,
      }),
    ),
    staff_actions: z.array(z.enum(['ship', 'cancel'])).meta({ description: 'what staff may do now: ship (待发货), cancel (待支付, 待发货)' }),
  });

export const staffOrderPage = z.strictObject({
  count: count.meta({ description: 'the orders that match, counted up to 10,000' }),
  count_capped: z.boolean().meta({ description: 'true: more than 10,000 match (count is 10,000)' }),
  results: z.array(staffOrder),
});
