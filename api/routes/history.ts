import { z } from 'zod';
import { LIMITS } from '../numbers.ts';
import { userIdOf } from '../services/accounts/accounts-service.ts';
import { defineRoute } from './define.ts';
import * as answer from './answers/addresses.ts';
import { skuSummary } from './answers/common.ts';

// The SKUs the caller looked at last (api/services/history): the detail page posts each visit.

export const historyRoutes = [
  defineRoute({
    method: 'post',
    path: '/api/browse_histories',
    response: answer.historyRecorded,
    errors: [404],
    auth: 'user',
    summary: 'Record a visit to a SKU page (launched SKUs only); the history keeps the 5 latest',
    body: z.object({
      sku_id: z.number({ message: '请指定商品' }).int('请指定商品').min(LIMITS.id.min, '请指定商品').max(LIMITS.id.max, '请指定商品'),
    }),
    transaction: true,
    statusCode: 201,
    handler: async ({ body, context, services }) =>
      services.history.record(context, userIdOf(context), body.sku_id, context.clock.now().getTime()),
  }),
  defineRoute({
    method: 'get',
    path: '/api/browse_histories',
    response: z.array(skuSummary),
    auth: 'user',
    summary: 'The caller’s last 5 visited SKUs, newest first',
    handler: async ({ context, services }) => services.history.recent(context, userIdOf(context)),
  }),
];
