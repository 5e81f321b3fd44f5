import type { Knex } from 'knex';
import type { RequestContext } from '../../context.ts';
import { db } from '../../db/transaction.ts';
import { NotFoundError } from '../../errors.ts';
import { centsFromDb, formatCents } from '../../money.ts';
import { parseAliases } from '../search/brand-aliases.ts';

// The admin catalog's reads (docs/admin-catalog.md): one page of a resource, filtered by a keyword,
// and single rows, in the admin API's shape (snake_case, money as '2999.00'). The writes that answer
// with these shapes are in catalog-editor.ts. A keyword matches a name by substring (or an id);
// name indexes (migration 2026-12-04-03) keep those scans small.

export interface ListQuery {
  page?: number;
  page_size?: number;
  keyword?: string;
}

export interface Page<T> {
  count: number;
  results: T[];
}

type Row = Record<string, any>;
const DEFAULT_PAGE_SIZE = 20;

/** `%keyword%` with LIKE's own wildcards taken literally. */
const containing = (keyword: string) => `%${keyword.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** Rows whose `columns` contain the keyword (or whose id is it, when it is a number). */
function matching(q: Knex.QueryBuilder, keyword: string | undefined, columns: string[], idColumn?: string) {
  const k = keyword?.trim();
  if (!k) return q;
  return q.where((w) => {
    // the escape character as a parameter: the same backslash on both databases (SQLite has no default)
    for (const c of columns) w.orWhereRaw('?? LIKE ? ESCAPE ?', [c, containing(k), '\\']);
    if (idColumn && /^\d{1,9}$/.test(k)) w.orWhere(idColumn, Number(k));
  });
}

type Order = string | { column: string; order: 'asc' | 'desc' }[];

async function paged<T>(base: Knex.QueryBuilder, query: ListQuery, order: Order, select: (q: Knex.QueryBuilder) => Knex.QueryBuilder, map: (r: Row) => T): Promise<Page<T>> {
  const size = query.page_size ?? DEFAULT_PAGE_SIZE;
  const page = query.page ?? 1;
  const [countRow, rows] = await Promise.all([
    base.clone().clearSelect().clearOrder().count({ n: '*' }).first(),
    select(base.clone()).orderBy(typeof order === 'string' ? [order] : order).limit(size).offset((page - 1) * size),
  ]);
  return { count: Number(countRow?.n ?? 0), results: (rows as Row[]).map(map) };
}

function found<T>(row: T | undefined, message: string, code: string): T {
  if (!row) throw new NotFoundError(message, code);
  return row;
}

const money = (v: unknown) => formatCents(centsFromDb(v));

// ---- SKUs

export interface AdminSku {
  id: number;
  spu_id: number;
  spu: string;
  category_id: number;
  category: string;
  name: string;
  caption: string;
  price: string;
  market_price: string;
  cost_price: string;
  stock: number;
  sales: number;
  comments: number;
  is_launched: boolean;
  default_image: string;
  specs: { spec_id: number; option_id: number }[];
}

const skuBase = (q: Knex) => q('skus as s').join('spus as p', 'p.id', 's.spu_id').join('goods_categories as c', 'c.id', 's.category_id');
const skuSelect = (q: Knex.QueryBuilder) => q.select('s.*', 'p.name as spu_name', 'c.name as category_name');
const toAdminSku = (r: Row, specs: AdminSku['specs']): AdminSku => ({
  id: r.id,
  spu_id: r.spu_id,
  spu: r.spu_name,
  category_id: r.category_id,
  category: r.category_name,
  name: r.name,
  caption: r.caption ?? '',
  price: money(r.price),
  market_price: money(r.market_price),
  cost_price: money(r.cost_price),
  stock: Number(r.stock),
  sales: Number(r.sales),
  comments: Number(r.comments),
  is_launched: Boolean(r.is_launched),
  default_image: r.default_image ?? '',
  specs,
});

async function specsOf(q: Knex, skuIds: number[]): Promise<Map<number, AdminSku['specs']>> {
  const m = new Map<number, AdminSku['specs']>(skuIds.map((id) => [id, []]));
  if (skuIds.length === 0) return m;
  const rows = await q('sku_options').whereIn('sku_id', skuIds).select('sku_id', 'spec_id', 'option_id').orderBy(['sku_id', 'spec_id']);
  for (const r of rows) m.get(Number(r.sku_id))?.push({ spec_id: Number(r.spec_id), option_id: Number(r.option_id) });
  return m;
}

/** The SKU list's `ordering` values: a column the console's list shows, `-` for descending. */
export const SKU_ORDERINGS = ['id', '-id', 'price', '-price', 'stock', '-stock', 'sales', '-sales'] as const;
export type SkuOrdering = (typeof SKU_ORDERINGS)[number];

/** ORDER BY for an ordering; ties go by id in the same direction, so a page never reshuffles (and an index on (column, id) serves both ways). */
export function skuOrderBy(ordering: SkuOrdering = 'id'): { column: string; order: 'asc' | 'desc' }[] {
  const desc = ordering.startsWith('-');
  const column = ordering.replace(/^-/, '');
  const order = desc ? 'desc' : 'asc';
  return column === 'id' ? [{ column: 's.id', order }] : [{ column: `s.${column}`, order }, { column: 's.id', order }];
}

export async function listSkus(context: RequestContext, query: ListQuery & { spu_id?: number; category_id?: number; brand_id?: number; ordering?: SkuOrdering }): Promise<Page<AdminSku>> {
  const q = db(context);
  const base = matching(skuBase(q), query.keyword, ['s.name'], 's.id');
  if (query.spu_id) base.where('s.spu_id', query.spu_id);
  if (query.category_id) base.where('s.category_id', query.category_id);
  // a SKU's brand is its SPU's (the console's SKU list filters by it)
  if (query.brand_id) base.where('p.brand_id', query.brand_id);
  const page = await paged(base, query, skuOrderBy(query.ordering), skuSelect, (r) => r);
  const specs = await specsOf(q, page.results.map((r) => Number(r.id)));
  return { count: page.count, results: page.results.map((r) => toAdminSku(r, specs.get(Number(r.id)) ?? [])) };
}

export async function getSku(context: RequestContext, id: number): Promise<AdminSku> {
  const q = db(context);
  const row = found(await skuSelect(skuBase(q).where('s.id', id)).first(), '商品不存在', 'SKU_NOT_FOUND');
  return toAdminSku(row, (await specsOf(q, [id])).get(id) ?? []);
}

// ---- SPUs

export interface AdminSpu {
  id: number;
  name: string;
  brand_id: number;
  brand: string;
  category1_id: number;
  category2_id: number;
  category3_id: number;
  desc_detail: string;
  desc_pack: string;
  desc_service: string;
}

const spuBase = (q: Knex) => q('spus as p').join('brands as b', 'b.id', 'p.brand_id');
const spuSelect = (q: Knex.QueryBuilder) => q.select('p.*', 'b.name as brand_name');
const toAdminSpu = (r: Row): AdminSpu => ({
  id: r.id,
  name: r.name,
  brand_id: r.brand_id,
  brand: r.brand_name,
  category1_id: r.category1_id,
  category2_id: r.category2_id,
  category3_id: r.category3_id,
  desc_detail: r.desc_detail ?? '',
  desc_pack: r.desc_pack ?? '',
  desc_service: r.desc_service ?? '',
});

export async function listSpus(context: RequestContext, query: ListQuery & { brand_id?: number }): Promise<Page<AdminSpu>> {
  const base = matching(spuBase(db(context)), query.keyword, ['p.name'], 'p.id');
  if (query.brand_id) base.where('p.brand_id', query.brand_id);
  return paged(base, query, 'p.id', spuSelect, toAdminSpu);
}

export async function getSpu(context: RequestContext, id: number): Promise<AdminSpu> {
  return toAdminSpu(found(await spuSelect(spuBase(db(context)).where('p.id', id)).first(), 'SPU 不存在', 'SPU_NOT_FOUND'));
}

// ---- specs and their options

export interface AdminSpec {
  id: number;
  spu_id: number;
  spu: string;
  name: string;
  sequence: number;
}

const specBase = (q: Knex) => q('spu_specs as g').join('spus as p', 'p.id', 'g.spu_id');
const specSelect = (q: Knex.QueryBuilder) => q.select('g.*', 'p.name as spu_name');
const toAdminSpec = (r: Row): AdminSpec => ({ id: r.id, spu_id: r.spu_id, spu: r.spu_name, name: r.name, sequence: Number(r.sequence) });

export async function listSpecs(context: RequestContext, query: ListQuery & { spu_id?: number }): Promise<Page<AdminSpec>> {
  const base = matching(specBase(db(context)), query.keyword, ['g.name', 'p.name']);
  if (query.spu_id) base.where('g.spu_id', query.spu_id);
  return paged(base, query, 'g.id', specSelect, toAdminSpec);
}

export async function getSpec(context: RequestContext, id: number): Promise<AdminSpec> {
  return toAdminSpec(found(await specSelect(specBase(db(context)).where('g.id', id)).first(), '规格不存在', 'SPEC_NOT_FOUND'));
}

export interface AdminOption {
  id: number;
  spec_id: number;
  spec: string;
  value: string;
  sequence: number;
}

const optionBase = (q: Knex) => q('spec_options as o').join('spu_specs as g', 'g.id', 'o.spec_id');
const optionSelect = (q: Knex.QueryBuilder) => q.select('o.*', 'g.name as spec_name');
const toAdminOption = (r: Row): AdminOption => ({ id: r.id, spec_id: r.spec_id, spec: r.spec_name, value: r.value, sequence: Number(r.sequence) });

export async function listOptions(context: RequestContext, query: ListQuery & { spec_id?: number }): Promise<Page<AdminOption>> {
  const base = matching(optionBase(db(context)), query.keyword, ['o.value']);
  if (query.spec_id) base.where('o.spec_id', query.spec_id);
  return paged(base, query, 'o.id', optionSelect, toAdminOption);
}

export async function getOption(context: RequestContext, id: number): Promise<AdminOption> {
  return toAdminOption(found(await optionSelect(optionBase(db(context)).where('o.id', id)).first(), '规格选项不存在', 'SPEC_OPTION_NOT_FOUND'));
}

// ---- brands

export interface AdminBrand {
  id: number;
  name: string;
  first_letter: string;
  aliases: string[];
  /** Uploaded elsewhere; read-only here. */
  logo: string;
}

const toAdminBrand = (r: Row): AdminBrand => ({ id: r.id, name: r.name, first_letter: r.first_letter, aliases: parseAliases(r.aliases), logo: r.logo ?? '' });

export async function listBrands(context: RequestContext, query: ListQuery): Promise<Page<AdminBrand>> {
  return paged(matching(db(context)('brands'), query.keyword, ['name', 'aliases'], 'id'), query, 'id', (q) => q.select('*'), toAdminBrand);
}

export async function getBrand(context: RequestContext, id: number): Promise<AdminBrand> {
  return toAdminBrand(found(await db(context)('brands').where('id', id).first(), '品牌不存在', 'BRAND_NOT_FOUND'));
}

// ---- categories

export interface AdminCategory {
  id: number;
  name: string;
  parent_id: number | null;
  sequence: number;
  /** 1, 2 or 3. */
  level: number;
}

// A category's level is how many ancestors it has plus one (at most three levels, catalog-editor.ts).
const categoryBase = (q: Knex) =>
  q('goods_categories as c').leftJoin('goods_categories as p', 'p.id', 'c.parent_id').leftJoin('goods_categories as g', 'g.id', 'p.parent_id');
const categorySelect = (q: Knex.QueryBuilder) => q.select('c.*', 'p.id as p_id', 'g.id as g_id');
export const toAdminCategory = (r: Row): AdminCategory => ({
  id: r.id,
  name: r.name,
  parent_id: r.parent_id ?? null,
  sequence: Number(r.sequence),
  level: r.g_id != null ? 3 : r.p_id != null ? 2 : 1,
});

export async function listCategories(context: RequestContext, query: ListQuery & { parent_id?: number }): Promise<Page<AdminCategory>> {
  const base = matching(categoryBase(db(context)), query.keyword, ['c.name'], 'c.id');
  if (query.parent_id) base.where('c.parent_id', query.parent_id);
  return paged(base, query, 'c.id', categorySelect, toAdminCategory);
}

export async function getCategory(context: RequestContext, id: number): Promise<AdminCategory> {
  return toAdminCategory(found(await categorySelect(categoryBase(db(context)).where('c.id', id)).first(), '分类不存在', 'CATEGORY_NOT_FOUND'));
}

// ---- channels and channel groups

export interface AdminChannelGroup {
  id: number;
  name: string;
  sequence: number;
}

const toAdminGroup = (r: Row): AdminChannelGroup => ({ id: r.id, name: r.name, sequence: Number(r.sequence) });

export async function listChannelGroups(context: RequestContext, query: ListQuery): Promise<Page<AdminChannelGroup>> {
  return paged(matching(db(context)('channel_groups'), query.keyword, ['name'], 'id'), query, 'id', (q) => q.select('*'), toAdminGroup);
}

export async function getChannelGroup(context: RequestContext, id: number): Promise<AdminChannelGroup> {
  return toAdminGroup(found(await db(context)('channel_groups').where('id', id).first(), '频道组不存在', 'CHANNEL_GROUP_NOT_FOUND'));
}

export interface AdminChannel {
  id: number;
  group_id: number;
  group: string;
  category_id: number;
  category: string;
  url: string;
  sequence: number;
}

const channelBase = (q: Knex) =>
  q('goods_channels as h').join('channel_groups as r', 'r.id', 'h.group_id').join('goods_categories as c', 'c.id', 'h.category_id');
const channelSelect = (q: Knex.QueryBuilder) => q.select('h.*', 'r.name as group_name', 'c.name as category_name');
const toAdminChannel = (r: Row): AdminChannel => ({
  id: r.id,
  group_id: r.group_id,
  group: r.group_name,
  category_id: r.category_id,
  category: r.category_name,
  url: r.url ?? '',
  sequence: Number(r.sequence),
});

export async function listChannels(context: RequestContext, query: ListQuery): Promise<Page<AdminChannel>> {
  return paged(matching(channelBase(db(context)), query.keyword, ['c.name', 'r.name'], 'h.id'), query, 'h.id', channelSelect, toAdminChannel);
}

export async function getChannel(context: RequestContext, id: number): Promise<AdminChannel> {
  return toAdminChannel(found(await channelSelect(channelBase(db(context)).where('h.id', id)).first(), '频道不存在', 'CHANNEL_NOT_FOUND'));
}

// ---- content categories and contents

export interface AdminContentCategory {
  id: number;
  name: string;
  key: string;
}

const toAdminContentCategory = (r: Row): AdminContentCategory => ({ id: r.id, name: r.name, key: r.key });

export async function listContentCategories(context: RequestContext, query: ListQuery): Promise<Page<AdminContentCategory>> {
  return paged(matching(db(context)('content_categories'), query.keyword, ['name', 'key'], 'id'), query, 'id', (q) => q.select('*'), toAdminContentCategory);
}

export async function getContentCategory(context: RequestContext, id: number): Promise<AdminContentCategory> {
  return toAdminContentCategory(found(await db(context)('content_categories').where('id', id).first(), '内容类别不存在', 'CONTENT_CATEGORY_NOT_FOUND'));
}

export interface AdminContent {
  id: number;
  category_id: number;
  category: string;
  title: string;
  url: string;
  /** Uploaded elsewhere; read-only here. */
  image: string;
  text: string;
  sequence: number;
  status: boolean;
  sku_id: number | null;
}

const contentBase = (q: Knex) => q('contents as t').join('content_categories as k', 'k.id', 't.category_id');
const contentSelect = (q: Knex.QueryBuilder) => q.select('t.*', 'k.name as category_name');
const toAdminContent = (r: Row): AdminContent => ({
  id: r.id,
  category_id: r.category_id,
  category: r.category_name,
  title: r.title,
  url: r.url ?? '',
  image: r.image ?? '',
  text: r.text ?? '',
  sequence: Number(r.sequence),
  status: Boolean(r.status),
  sku_id: r.sku_id ?? null,
});

export async function listAdminContents(context: RequestContext, query: ListQuery & { category_id?: number }): Promise<Page<AdminContent>> {
  const base = matching(contentBase(db(context)), query.keyword, ['t.title'], 't.id');
  if (query.category_id) base.where('t.category_id', query.category_id);
  return paged(base, query, 't.id', contentSelect, toAdminContent);
}

export async function getContent(context: RequestContext, id: number): Promise<AdminContent> {
  return toAdminContent(found(await contentSelect(contentBase(db(context)).where('t.id', id)).first(), '内容不存在', 'CONTENT_NOT_FOUND'));
}
