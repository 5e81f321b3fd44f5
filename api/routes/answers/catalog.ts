import { z } from 'zod';
import { count, id, sitePath, skuSummary } from './common.ts';

// Answers of the catalog, search and shop-wide routes (api/services/catalog, search; health).

export const health = z.strictObject({
  status: z.literal('ok'),
  database: z.enum(['sqlite', 'mysql']),
  cache: z.enum(['memory', 'redis']),
  search_index: z.string().nullable().meta({ description: 'file name of the published search index; null before the first build' }),
});

export const healthLive = z.strictObject({ status: z.literal('live') });

const check = z.literal('ok');
export const healthReady = z.strictObject({
  status: z.literal('ready'),
  checks: z.strictObject({ database: check, cache: check, site: check }).meta({ description: 'each dependency checked; a 503 (HEALTH_NOT_READY) names the failed ones in error.fields' }),
});

export const capabilities = z.strictObject({ qq_login: z.boolean(), alipay: z.boolean() });

const link = z.strictObject({ id, name: z.string(), url: sitePath });

export const menu = z.array(
  z.strictObject({
    id: z.int().meta({ description: 'channel group' }),
    channels: z.array(link),
    subs: z.array(z.strictObject({ id, name: z.string(), url: sitePath, subs: z.array(link) })),
  }),
);

const named = z.strictObject({ id, name: z.string() });

export const category = z.strictObject({
  id,
  name: z.string(),
  level: z.int().min(1).max(3),
  breadcrumb: z.array(link),
  cat1: link.nullable(),
  cat2: named.nullable(),
  cat3: named.nullable(),
});

export const skuPage = z.strictObject({ count, results: z.array(skuSummary) });

export const skuList = z.array(skuSummary);

export const skuDetail = skuSummary.extend({
  caption: z.string(),
  market_price: skuSummary.shape.price,
  stock: count,
  max_per_order: count.meta({ description: 'the most one customer can put in the cart and order: min(stock, 99, ORDER_MAX_UNITS_PER_SKU); 0 when off sale' }),
  sales: count,
  is_launched: z.boolean(),
  spu_id: id,
  category_id: id,
  url: z.string().nullable().meta({ description: 'the SKU page; null while the SKU is not launched' }),
});

export const searchResults = skuPage.extend({ index: z.string().nullable().meta({ description: 'the published index answered from; null before the first build' }) });
