import { z } from 'zod';
import { userIdOf } from '../services/accounts/accounts-service.ts';
import { ORDER_ID } from '../services/orders/order-rules.ts';
import { defineRoute } from './define.ts';
import * as answer from './answers/orders.ts';
import { orderIdParams } from './orders.ts';

// Alipay (api/services/payments). The return and the notify are public: Alipay's signature over
// the parameters is the proof, checked by the service, not a session. The notify answers the
// plain text `success` Alipay waits for — also for a replay, or Alipay keeps retrying for a day;
// anything it must retry gets a 400 with the usual JSON error (not `success` is all Alipay reads).

// Every parameter is kept (the signature covers them all); the ones the service reads are checked
// here too. A repeated key arrives as an array and is refused.
const alipayParams = z
  .object({
    out_trade_no: z.string().regex(ORDER_ID, '订单号是24位数字'),
    trade_no: z.string().regex(/^[0-9A-Za-z_-]{1,64}$/, '交易号格式错误'),
    total_amount: z.string().max(16),
    app_id: z.string().max(32),
    sign: z.string().min(1).max(2048),
  })
  .catchall(z.string().max(4096));

export const paymentRoutes = [
  defineRoute({
    method: 'get',
    path: '/api/orders/:order_id/payment',
    response: answer.paymentUrl,
    errors: [404, 409],
    auth: 'user',
    summary: 'The Alipay page-pay URL of the caller’s unpaid Alipay order',
    params: orderIdParams,
    handler: async ({ params, context, services }) => services.payments.paymentUrl(context, userIdOf(context), params.order_id),
  }),
  defineRoute({
    method: 'put',
    path: '/api/payment/status',
    response: answer.paymentReturn,
    errors: [404],
    auth: 'public',
    summary: 'The browser back from Alipay, with the signed query Alipay appended to return_url; answers the order’s status',
    query: alipayParams,
    handler: async ({ query, context, services }) => services.payments.handleReturn(context, query),
  }),
  defineRoute({
    method: 'post',
    path: '/api/payment/alipay/notify',
    response: z.literal('success'),
    errors: [404],
    auth: 'public',
    summary: 'Alipay’s async notify (a signed form); answers the plain text `success` once handled',
    body: alipayParams,
    bodyKinds: ['form'],
    responseType: 'text',
    handler: async ({ body, context, services }) => {
      await services.payments.handleNotify(context, body);
      return 'success';
    },
  }),
];
