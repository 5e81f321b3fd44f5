import { db } from '../db/transaction.ts';
import { defineRoute } from './define.ts';

export const healthRoutes = [
  defineRoute({
    method: 'get',
    path: '/api/health',
    auth: 'public',
    cacheControl: 'no-store',
    handler: async ({ context, services }) => {
      const [, , searchIndex] = await Promise.all([db(context).raw('select 1'), services.cache.get('health'), services.search.publishedIndex(context)]);
      return {
        status: 'ok',
        database: services.config.database.client,
        cache: services.cache.kind,
        search_index: searchIndex,
      };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/api/capabilities',
    auth: 'public',
    summary: 'Which optional features this shop has configured (the pages hide what is missing)',
    handler: async ({ services }) => ({ qq_login: services.providers.qq !== null, alipay: services.providers.alipay !== null }),
  }),
];
