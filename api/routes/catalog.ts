import { z } from 'zod';
import type { Config } from '../config.ts';
import { ORDERING_TO_SORT } from '../services/catalog/sorting.ts';
import { idSchema, pageSchema, pageSizeSchema } from '../validation.ts';
import { defineRoute } from './define.ts';

const idOnly = z.object({ id: idSchema });
const orderings = Object.keys(ORDERING_TO_SORT) as [string, ...string[]];

/**
 * Menu, breadcrumbs, lists and best sellers are the same for every shopper and may already be
 * CATALOG_CACHE_MS old (api/services/catalog). A CDN or proxy may reuse them for that long too: it
 * takes bursts off the API, and an edit still shows within two such windows. SKU detail is not
 * among them: stock changes with every order.
 */
export const sharedCatalogCache = (config: Pick<Config, 'catalogCacheMs'>) =>
  config.catalogCacheMs >= 1000 ? `public, max-age=${Math.floor(config.catalogCacheMs / 1000)}` : 'no-store';

export const catalogRoutes = [
  defineRoute({
    method: 'get',
    path: '/api/categories',
    auth: 'public',
    cacheControl: sharedCatalogCache,
    handler: async ({ context, services }) => services.catalog.menu(context),
  }),
  defineRoute({
    method: 'get',
    path: '/api/categories/:id',
    auth: 'public',
    cacheControl: sharedCatalogCache,
    params: idOnly,
    handler: async ({ params, context, services }) => services.catalog.category(context, params.id),
  }),
  defineRoute({
    method: 'get',
    path: '/api/categories/:id/skus',
    auth: 'public',
    cacheControl: sharedCatalogCache,
    params: idOnly,
    query: z.object({
      ordering: z.enum(orderings, { message: `必须是 ${orderings.join(' | ')} 之一` }).default('-create_time'),
      page: pageSchema.default(1),
      page_size: pageSizeSchema.default(20),
    }),
    handler: async ({ params, query, context, services }) =>
      services.catalog.listSkus(context, params.id, ORDERING_TO_SORT[query.ordering]!, query.page, query.page_size),
  }),
  defineRoute({
    method: 'get',
    path: '/api/categories/:id/hotskus',
    auth: 'public',
    cacheControl: sharedCatalogCache,
    params: idOnly,
    handler: async ({ params, context, services }) => services.catalog.hotSkus(context, params.id),
  }),
  defineRoute({
    method: 'get',
    path: '/api/skus/:id',
    auth: 'public',
    params: idOnly,
    cacheControl: 'no-store', // stock changes with every order
    handler: async ({ params, context, services }) => services.catalog.sku(context, params.id),
  }),
];
