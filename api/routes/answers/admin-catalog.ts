import { z } from 'zod';
import { count, id, money } from './common.ts';

// Answers of the admin catalog routes (api/routes/admin/catalog.ts; services: admin-reads.ts and
// catalog-editor.ts).

/** A URL of a prebuilt page, or '*' for all of them. */
const pageUrl = z.string().meta({ description: 'a page URL such as /goods/7.html, or * for every page (a full rebuild)' });

/** What every write adds: the pages it made stale (a worker re-renders them) and the change to wait for. */
export const written = {
  pages: z.array(pageUrl),
  change_id: z.int().min(0),
};

export const deleted = z.strictObject({ id, ...written });

export const list = <T extends z.ZodType>(item: T) => z.strictObject({ count, results: z.array(item) });

export const sku = z.strictObject({
  id,
  spu_id: id,
  spu: z.string(),
  category_id: id,
  category: z.string(),
  name: z.string(),
  caption: z.string(),
  price: money,
  market_price: money,
  cost_price: money,
  stock: count,
  sales: count,
  comments: count,
  is_launched: z.boolean(),
  default_image: z.string(),
  specs: z.array(z.strictObject({ spec_id: id, option_id: id })),
});

export const spu = z.strictObject({
  id,
  name: z.string(),
  brand_id: id,
  brand: z.string(),
  category1_id: id,
  category2_id: id,
  category3_id: id,
  desc_detail: z.string(),
  desc_pack: z.string(),
  desc_service: z.string(),
});

export const spec = z.strictObject({ id, spu_id: id, spu: z.string(), name: z.string(), sequence: count });
export const specOption = z.strictObject({ id, spec_id: id, spec: z.string(), value: z.string(), sequence: count });
export const brand = z.strictObject({ id, name: z.string(), first_letter: z.string(), aliases: z.array(z.string()), logo: z.string() });
export const category = z.strictObject({ id, name: z.string(), parent_id: id.nullable(), sequence: count, level: z.int().min(1).max(3) });
export const channelGroup = z.strictObject({ id, name: z.string(), sequence: count });
export const channel = z.strictObject({ id, group_id: id, group: z.string(), category_id: id, category: z.string(), url: z.string(), sequence: count });
export const contentCategory = z.strictObject({ id, name: z.string(), key: z.string() });
export const content = z.strictObject({
  id,
  category_id: id,
  category: z.string(),
  title: z.string(),
  url: z.string(),
  image: z.string(),
  text: z.string(),
  sequence: count,
  status: z.boolean(),
  sku_id: id.nullable(),
});
