import { defineRoute } from './define.ts';

export const healthRoutes = [
  defineRoute({
    method: 'get',
    path: '/api/health',
    permissions: 'public',
    cacheControl: 'no-store',
    handler: async ({ services }) => {
      await services.db.raw('select 1');
      await services.cache.get('health');
      return {
        status: 'ok',
        database: services.config.database.client,
        cache: services.cache.kind,
        search_index: services.search.indexVersion,
      };
    },
  }),
];
