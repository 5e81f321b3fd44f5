import { z } from 'zod';
import { diff, recordAudit } from '../../services/admin/audit.ts';
import { cancelByStaff, shipOrder } from '../../services/orders/fulfilment.ts';
import { ORDER_ID, ORDER_STATUS } from '../../services/orders/order-rules.ts';
import { listRefunds, retryRefund, settleRefund } from '../../services/payments/refund-admin.ts';
import { idSchema } from '../../validation.ts';
import { defineRoute } from '../define.ts';
import * as answer from '../answers/order-admin.ts';
import { orderStatusQuery, staffInputs } from '../orders.ts';
import { dateRange, listQuery, shopDates } from './common.ts';

const orderParams = z.object({ order_id: z.string().regex(ORDER_ID, '订单号是 24 位数字') });
const paymentParams = z.object({ payment_id: idSchema });

/**
 * PUT …/status: the state staff move an order to — 3 (待收货) ships it with its carrier and tracking
 * number, 6 (已取消) cancels it with a reason. Other moves are not staff's: receipt is the
 * customer's (or the auto-receive job's), completion follows the last comment.
 */
const statusBody = z.discriminatedUnion(
  'status',
  [
    staffInputs.ship.extend({ status: z.literal(ORDER_STATUS.unreceived) }).strict(),
    staffInputs.cancel.extend({ status: z.literal(ORDER_STATUS.canceled) }).strict(),
  ],
  { message: 'status 只能是 3（发货）或 6（取消）' },
);

// Orders and refunds for staff (docs/admin.md): the moves are the services' conditional UPDATEs
// (api/services/orders/fulfilment.ts, payments/refund-admin.ts); each write's audit entry commits
// in its transaction.
export const adminOrderRoutes = [
  defineRoute({
    method: 'get',
    path: '/api/admin/orders',
    auth: { permission: 'orders.view_order' },
    summary: 'Orders, newest first; by status, a keyword (order number, the start of a username, a mobile) and the shop’s dates placed (inclusive)',
    query: listQuery.extend({ status: orderStatusQuery.optional(), ...shopDates }),
    response: answer.staffOrderPage,
    handler: async ({ query, context, services }) =>
      services.orders.listForStaff(context, {
        page: query.page,
        pageSize: query.page_size,
        status: query.status,
        keyword: query.keyword || undefined,
        ...dateRange(services.config, query),
      }),
  }),
  defineRoute({
    method: 'get',
    path: '/api/admin/orders/:order_id',
    auth: { permission: 'orders.view_order' },
    summary: 'One order with its customer, lines, address, payments and refund state',
    params: orderParams,
    response: answer.staffOrder,
    errors: [404],
    handler: async ({ params, context, services }) => services.orders.getForStaff(context, params.order_id),
  }),
  defineRoute({
    method: 'put',
    path: '/api/admin/orders/:order_id/status',
    auth: { permission: 'orders.change_order' },
    summary: 'Ship (status 3, with express_company and tracking_no: 待发货 only) or cancel (status 6, with a reason: 待支付 or 待发货; a paid one is refunded). 409 names the state the order is in.',
    params: orderParams,
    body: statusBody,
    transaction: true,
    response: answer.staffOrder,
    errors: [404, 409],
    examples: { body: { status: 3, express_company: '顺丰速运', tracking_no: 'SF1234567890' } },
    handler: async ({ params, body, context, services }) => {
      if (body.status === ORDER_STATUS.unreceived) {
        const shipped = await shipOrder(context, params.order_id, { expressCompany: body.express_company, trackingNo: body.tracking_no });
        await recordAudit(context, { action: 'ship', resource: 'orders.order', resourceId: params.order_id, changes: diff(shipped.before, shipped.after) });
      } else {
        const canceled = await cancelByStaff(context, params.order_id, body.reason);
        await recordAudit(context, { action: 'cancel', resource: 'orders.order', resourceId: params.order_id, changes: diff(canceled.before, canceled.after) });
      }
      return services.orders.getForStaff(context, params.order_id);
    },
  }),
  defineRoute({
    method: 'get',
    path: '/api/admin/refunds',
    auth: { permission: 'orders.view_refund' },
    summary: 'Payments to give back, newest first; state=failed lists those a human must handle',
    query: staffInputs.refundList,
    response: answer.refundPage,
    handler: async ({ query, context }) => listRefunds(context, query),
  }),
  defineRoute({
    method: 'post',
    path: '/api/admin/refunds/:payment_id/retry',
    auth: { permission: 'orders.change_refund' },
    summary: 'Hand a failed refund back to the refund job (its tries start again)',
    params: paymentParams,
    transaction: true,
    response: answer.refundRetried,
    errors: [404, 409],
    handler: async ({ params, context }) => {
      const r = await retryRefund(context, params.payment_id);
      await recordAudit(context, { action: 'retry', resource: 'orders.refund', resourceId: params.payment_id, changes: diff(r.before, r.after) });
      return r;
    },
  }),
  defineRoute({
    method: 'post',
    path: '/api/admin/refunds/:payment_id/settle',
    auth: { permission: 'orders.change_refund' },
    summary: 'Mark a failed refund as settled by hand (the money was given back another way), with a note',
    params: paymentParams,
    body: staffInputs.refundSettle.strict(),
    transaction: true,
    response: answer.refundSettled,
    errors: [404, 409],
    examples: { body: { note: '已通过银行转账退款，流水号 20261204001' } },
    handler: async ({ params, body, context }) => {
      const r = await settleRefund(context, params.payment_id, body.note);
      await recordAudit(context, { action: 'settle', resource: 'orders.refund', resourceId: params.payment_id, changes: diff(r.before, r.after) });
      return r;
    },
  }),
];

