import { z } from 'zod';
import { idSchema } from '../validation.ts';
import { defineRoute } from './define.ts';

// The SKU page's script reports each view (statistics: today's views per category). Counted in the
// cache, never written to the database per view; throttled per client address
// (api/services/statistics/views.ts) — an uncounted view is answered alike, so a bot learns nothing.

export const skuViewRoutes = [
  defineRoute({
    method: 'post',
    path: '/api/skus/:id/views',
    auth: 'public',
    summary: 'Count a view of a launched SKU’s page (at most once per address and SKU every 10 minutes)',
    params: z.object({ id: idSchema }),
    statusCode: 204,
    errors: [404],
    handler: async ({ params, context, services }) => {
      await services.views.record(context, params.id);
      return undefined;
    },
  }),
];
