import { z } from 'zod';
import { ORDERING_TO_SORT } from '../services/catalog/sorting.ts';
import { defineRoute, idParam, pageParam, pageSizeParam } from './define.ts';

const idOnly = z.object({ id: idParam });
const orderings = Object.keys(ORDERING_TO_SORT) as [string, ...string[]];

export const catalogRoutes = [
  defineRoute({
    method: 'get',
    path: '/api/categories',
    permissions: 'public',
    handler: async ({ services }) => services.catalog.menu(),
  }),
  defineRoute({
    method: 'get',
    path: '/api/categories/:id',
    permissions: 'public',
    params: idOnly,
    handler: async ({ params, services }) => services.catalog.category(params.id),
  }),
  defineRoute({
    method: 'get',
    path: '/api/categories/:id/skus',
    permissions: 'public',
    params: idOnly,
    query: z.object({
      ordering: z.enum(orderings, { message: `必须是 ${orderings.join(' | ')} 之一` }).default('-create_time'),
      page: pageParam.default(1),
      page_size: pageSizeParam.default(20),
    }),
    handler: async ({ params, query, services }) =>
      services.catalog.listSkus(params.id, ORDERING_TO_SORT[query.ordering]!, query.page, query.page_size),
  }),
  defineRoute({
    method: 'get',
    path: '/api/categories/:id/hotskus',
    permissions: 'public',
    params: idOnly,
    handler: async ({ params, services }) => services.catalog.hotSkus(params.id),
  }),
  defineRoute({
    method: 'get',
    path: '/api/skus/:id',
    permissions: 'public',
    params: idOnly,
    cacheControl: 'no-store', // stock changes with every order
    handler: async ({ params, services }) => services.catalog.sku(params.id),
  }),
];
