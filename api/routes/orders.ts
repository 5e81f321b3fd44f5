import { z } from 'zod';
import { userIdOf } from '../services/accounts/accounts-service.ts';
import { ORDER_ID, ORDER_STATUS, PAY_METHOD, type OrderStatus } from '../services/orders/order-rules.ts';
import { idSchema, pageSchema, pageSizeSchema } from '../validation.ts';
import { reorder } from '../services/orders/reorder.ts';
import { CANCEL_REASON_MAX, confirmReceipt, SHIPMENT_LIMITS } from '../services/orders/fulfilment.ts';
import { PAYMENT_REFUND_STATES } from '../services/orders/order-state.ts';
import { REFUND_NOTE_MAX } from '../services/payments/refund-admin.ts';
import { visibleLength } from '../text.ts';
import { defineRoute } from './define.ts';
import * as answer from './answers/orders.ts';

/** `{order_id}` in a path: the orders' and the payments' routes. */
/** An order status in a query (`status=2`): one of the states' decimal digits, nothing Number() would also read as one ('0x2', '2e0', ' 2'). */
export const orderStatusQuery = z.enum(Object.values(ORDER_STATUS).map(String) as [string, ...string[]], { message: '订单状态是 1-6' }).transform((s) => Number(s) as OrderStatus);
export const orderIdParams = z.object({ order_id: z.string().regex(ORDER_ID, '订单号是24位数字') });

/**
 * Inputs of staff's order and refund routes (the admin API, wired on top of
 * api/services/orders/fulfilment.ts and payments/refund-admin.ts). The bounds are the services' own
 * constants; the services check them again for callers without a schema (the CLI).
 */
export const staffInputs = {
  ship: z.object({
    express_company: z.string({ message: '请填写快递公司' }).trim().min(1, '请填写快递公司').max(SHIPMENT_LIMITS.expressCompany, `快递公司最多 ${SHIPMENT_LIMITS.expressCompany} 个字`),
    tracking_no: z.string({ message: '请填写快递单号' }).trim().regex(SHIPMENT_LIMITS.trackingNo, '快递单号是 4-40 位字母、数字或 -'),
  }),
  cancel: z.object({ reason: z.string({ message: '请填写取消原因' }).trim().min(1, '请填写取消原因').max(CANCEL_REASON_MAX, `取消原因最多 ${CANCEL_REASON_MAX} 个字`) }),
  refundList: z.object({
    state: z.enum(PAYMENT_REFUND_STATES, { message: `退款状态是 ${PAYMENT_REFUND_STATES.join('、')} 之一` }).optional(),
    page: pageSchema.default(1),
    page_size: pageSizeSchema.default(20),
  }),
  refundSettle: z.object({ note: z.string({ message: '请说明如何处理了这笔退款' }).trim().min(1, '请说明如何处理了这笔退款').max(REFUND_NOTE_MAX, `说明最多 ${REFUND_NOTE_MAX} 个字`) }),
};

// Checkout and the customer's orders (docs/orders.md). Placing an order takes an Idempotency-Key
// header: a client that lost the answer retries with the same key and gets the same order.
export const orderRoutes = [
  defineRoute({
    method: 'get',
    path: '/api/orders/settlement',
    response: answer.settlement,
    auth: 'user',
    summary: 'The selected cart lines priced now, addresses, freight and totals',
    handler: async ({ context, services }) => services.orders.settlement(context, userIdOf(context)),
  }),
  defineRoute({
    method: 'post',
    path: '/api/orders',
    idempotencyKey: true,
    response: answer.orderPlaced,
    errors: [409, 503], // 503 CART_UNAVAILABLE: the cart (Redis) could not be read; no order placed
    examples: { body: { address_id: 3, pay_method: 1 }, response: { order_id: '202611251600001234567890', cart_cleared: true } },
    auth: 'user',
    summary: 'Place the order of the selected cart lines (send an Idempotency-Key header)',
    body: z.object({
      address_id: z.number({ message: '请选择收货地址' }).int('收货地址错误').positive('收货地址错误').max(2 ** 31 - 1, '收货地址错误'),
      pay_method: z.union([z.literal(PAY_METHOD.cash), z.literal(PAY_METHOD.alipay)], { message: '支付方式是 1 (货到付款) 或 2 (支付宝)' }),
    }),
    statusCode: 201,
    handler: async ({ body, context, services, cookies }) => {
      const r = await services.orders.commit(context, userIdOf(context), body, context.idempotencyKey);
      // the ordered lines left the cart: the header's count cookie follows (header-cookies.ts)
      if (r.cart_cleared) await services.cart.showCountOf(context, cookies, userIdOf(context));
      return { order_id: r.order_id, cart_cleared: r.cart_cleared };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/api/orders',
    response: answer.orderPage,
    auth: 'user',
    summary: 'The customer’s orders, newest first, with their lines',
    query: z.object({
      page: pageSchema.default(1),
      page_size: pageSizeSchema.default(10),
      status: orderStatusQuery.optional(),
    }),
    handler: async ({ query, context, services }) => services.orders.list(context, userIdOf(context), { page: query.page, pageSize: query.page_size, status: query.status }),
  }),
  defineRoute({
    method: 'get',
    path: '/api/orders/counts',
    response: answer.orderCounts,
    auth: 'user',
    summary: 'How many orders the customer has in each status (the tabs of 我的订单)',
    handler: async ({ context, services }) => services.orders.counts(context, userIdOf(context)),
  }),
  defineRoute({
    method: 'get',
    path: '/api/orders/:order_id',
    summary: 'One of the caller’s orders with its lines',
    response: answer.order,
    errors: [404],
    auth: 'user',
    params: orderIdParams,
    handler: async ({ params, context, services }) => services.orders.get(context, userIdOf(context), params.order_id),
  }),
  defineRoute({
    method: 'post',
    path: '/api/orders/:order_id/cancel',
    response: answer.order,
    errors: [404, 409],
    auth: 'user',
    summary: 'Cancel an order not yet shipped (待支付 or 待发货): its stock goes back, a payment is refunded',
    params: orderIdParams,
    handler: async ({ params, context, services }) => services.orders.cancel(context, userIdOf(context), params.order_id),
  }),
  defineRoute({
    method: 'post',
    path: '/api/orders/:order_id/receipt',
    response: answer.order,
    errors: [404, 409],
    auth: 'user',
    summary: 'Confirm receipt of a shipped order (待收货 → 待评价)',
    params: orderIdParams,
    handler: async ({ params, context, services }) => {
      await confirmReceipt(context, userIdOf(context), params.order_id);
      return services.orders.get(context, userIdOf(context), params.order_id);
    },
  }),
  defineRoute({
    method: 'post',
    path: '/api/orders/:order_id/reorder',
    response: answer.reordered,
    errors: [404],
    auth: 'user',
    summary: '再次购买: put the order’s lines back in the cart (lines no longer for sale are skipped and reported)',
    params: orderIdParams,
    handler: async ({ params, context, services, cookies }) => {
      const order = await services.orders.get(context, userIdOf(context), params.order_id);
      return reorder(context, cookies, services.cart, order.skus);
    },
  }),
];

export const commentRoutes = [
  defineRoute({
    method: 'get',
    path: '/api/orders/:order_id/uncommentgoods',
    response: answer.uncommented,
    errors: [404],
    auth: 'user',
    summary: 'The goods of a delivered order not yet commented',
    params: orderIdParams,
    handler: async ({ params, context, services }) => services.comments.uncommented(context, userIdOf(context), params.order_id),
  }),
  defineRoute({
    method: 'post',
    path: '/api/orders/:order_id/comments',
    response: answer.commented,
    errors: [404, 409],
    auth: 'user',
    summary: 'Comment on one line of a delivered order (once)',
    params: orderIdParams,
    body: z.object({
      sku_id: z.number({ message: '缺少商品' }).int('商品错误').positive('商品错误').max(2 ** 31 - 1, '商品错误'),
      comment: z.string({ message: '请填写评价' }).trim().max(200, '评价是5-200个字').refine((c) => visibleLength(c) >= 5, '评价是5-200个字'), // five zero-width spaces are no comment
      score: z.number({ message: '请打分' }).int('评分是0-5的整数').min(0, '评分是0-5的整数').max(5, '评分是0-5的整数'),
      is_anonymous: z.boolean({ message: '必须是 true 或 false' }).default(false),
    }),
    statusCode: 201,
    handler: async ({ params, body, context, services }) => services.comments.comment(context, userIdOf(context), params.order_id, body),
  }),
  defineRoute({
    method: 'get',
    path: '/api/skus/:id/comments',
    response: answer.skuComments,
    auth: 'public',
    summary: 'A SKU’s comments, newest first (anonymous authors masked)',
    params: z.object({ id: idSchema }),
    query: z.object({ page: pageSchema.default(1), page_size: pageSizeSchema.default(10) }),
    handler: async ({ params, query, context, services }) => services.comments.forSku(context, params.id, query.page, query.page_size),
  }),
];
