import { z } from 'zod';
import type { Config } from '../config.ts';
import { ORDERING_TO_SORT } from '../services/catalog/sorting.ts';
import { maxPerOrder } from '../services/orders/order-rules.ts';
import { idSchema, pageSchema, pageSizeSchema } from '../validation.ts';
import { defineRoute } from './define.ts';
import * as answer from './answers/catalog.ts';

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
    summary: 'The category menu: channel groups, their channels and second- and third-level categories',
    response: answer.menu,
    auth: 'public',
    cacheControl: sharedCatalogCache,
    handler: async ({ context, services }) => services.catalog.menu(context),
  }),
  defineRoute({
    method: 'get',
    path: '/api/categories/:id',
    summary: 'A category of any level with its breadcrumb',
    response: answer.category,
    errors: [404],
    auth: 'public',
    cacheControl: sharedCatalogCache,
    params: idOnly,
    handler: async ({ params, context, services }) => services.catalog.category(context, params.id),
  }),
  defineRoute({
    method: 'get',
    path: '/api/categories/:id/skus',
    summary: 'A page of a third-level category’s launched SKUs (404 past the last page)',
    response: answer.skuPage,
    errors: [404],
    examples: { response: { count: 1, results: [{ id: 1, name: 'Apple iPhone 8 Plus (A1864) 64GB 金色 移动联通电信4G手机', price: '6499.00', default_image_url: '/media/goods/1.jpg', comments: 3 }] } },
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
    summary: 'The category’s two best sellers',
    response: answer.skuList,
    errors: [404],
    auth: 'public',
    cacheControl: sharedCatalogCache,
    params: idOnly,
    handler: async ({ params, context, services }) => services.catalog.hotSkus(context, params.id),
  }),
  defineRoute({
    method: 'get',
    path: '/api/skus/:id',
    summary: 'One SKU with its live stock, the most one customer can buy (max_per_order), sales and launched flag (not cached)',
    response: answer.skuDetail,
    errors: [404],
    examples: { response: { id: 1, name: 'Apple iPhone 8 Plus (A1864) 64GB 金色 移动联通电信4G手机', price: '6499.00', default_image_url: '/media/goods/1.jpg', comments: 3, caption: '选【移动优惠购】新机配新卡，198优质靓号，流量不限量！', market_price: '6699.00', stock: 5, max_per_order: 5, sales: 120, is_launched: true, spu_id: 1, category_id: 115, url: '/goods/1.html' } },
    auth: 'public',
    params: idOnly,
    cacheControl: 'no-store', // stock changes with every order
    handler: async ({ params, context, services }) => {
      const sku = await services.catalog.sku(context, params.id);
      // the cart's rule (order-rules.ts), so the page says the number the cart will accept
      return { ...sku, max_per_order: sku.is_launched ? maxPerOrder(sku.stock, services.config.orders.maxUnitsPerSku) : 0 };
    },
  }),
];
