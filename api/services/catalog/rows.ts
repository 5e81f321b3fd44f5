import { centsFromDb } from '../../money.ts';
import type { Brand, Category, Channel, ChannelGroup, Content, ContentCategory, Sku, Spec, SpecOption, Spu } from './types.ts';

// Database rows → catalog types. Drivers differ (SQLite 0/1 and numbers, MySQL strings for DECIMAL),
// the types do not.

type Row = Record<string, any>;

export const toCategory = (r: Row): Category => ({
  id: r.id,
  name: r.name,
  parentId: r.parent_id ?? null,
  sequence: r.sequence,
});
export const toGroup = (r: Row): ChannelGroup => ({ id: r.id, name: r.name });
export const toChannel = (r: Row): Channel => ({
  id: r.id,
  groupId: r.group_id,
  categoryId: r.category_id,
  url: r.url,
  sequence: r.sequence,
});
export const toBrand = (r: Row): Brand => ({ id: r.id, name: r.name, logo: r.logo, firstLetter: r.first_letter });
export const toSpu = (r: Row): Spu => ({
  id: r.id,
  name: r.name,
  brandId: r.brand_id,
  category1Id: r.category1_id,
  category2Id: r.category2_id,
  category3Id: r.category3_id,
  descDetail: r.desc_detail ?? '',
  descPack: r.desc_pack ?? '',
  descService: r.desc_service ?? '',
});
export const toSpec = (r: Row): Spec => ({ id: r.id, spuId: r.spu_id, name: r.name, sequence: r.sequence });
export const toOption = (r: Row): SpecOption => ({ id: r.id, specId: r.spec_id, value: r.value, sequence: r.sequence });
export const toSku = (r: Row): Sku => ({
  id: r.id,
  spuId: r.spu_id,
  categoryId: r.category_id,
  name: r.name,
  caption: r.caption ?? '',
  priceCents: centsFromDb(r.price),
  costPriceCents: centsFromDb(r.cost_price),
  marketPriceCents: centsFromDb(r.market_price),
  stock: Number(r.stock),
  sales: Number(r.sales),
  comments: Number(r.comments),
  isLaunched: Boolean(r.is_launched),
  defaultImage: r.default_image ?? '',
  createTime: String(r.create_time),
});
export const toContentCategory = (r: Row): ContentCategory => ({ id: r.id, name: r.name, key: r.key });
export const toContent = (r: Row): Content => ({
  id: r.id,
  categoryId: r.category_id,
  title: r.title,
  url: r.url ?? '',
  image: r.image ?? '',
  text: r.text ?? '',
  sequence: r.sequence,
  status: Boolean(r.status),
  skuId: r.sku_id ?? null,
});

/** The columns toSku() reads: a whole Sku. Lists and summaries select fewer (catalog-service.ts). */
export const SKU_COLUMNS = [
  'id',
  'spu_id',
  'category_id',
  'name',
  'caption',
  'price',
  'cost_price',
  'market_price',
  'stock',
  'sales',
  'comments',
  'is_launched',
  'default_image',
  'create_time',
] as const;
