import type { Knex } from 'knex';
import type { RequestContext } from '../../context.ts';
import { z } from 'zod';
import { forUpdate, violatedUnique } from '../../db/dialect.ts';
import { sqlNow } from '../../db/knex.ts';
import { db, withTransaction, type TxContext } from '../../db/transaction.ts';
import { ConflictError, NotFoundError, ValidationError } from '../../errors.ts';
import { recordAudit } from '../admin/audit.ts';
import { formatAliases } from '../search/brand-aliases.ts';
import {
  getBrand, getCategory, getChannel, getChannelGroup, getContent, getContentCategory, getOption, getSku, getSpec, getSpu,
  type AdminBrand, type AdminCategory, type AdminChannel, type AdminChannelGroup, type AdminContent, type AdminContentCategory,
  type AdminOption, type AdminSku, type AdminSpec, type AdminSpu,
} from './admin-reads.ts';
import type { CatalogChange } from './dependencies.ts';
import { planFor, planUrls } from './plan-pages.ts';
import { validate } from '../../validation.ts';
import { formatCents, parseMoney } from '../../money.ts';
import { SAFE_LINK_MESSAGE, isSafeLink } from './links.ts';
import { recordChanges } from './outbox.ts';
import { SKU_COLUMNS, toContent, toSku } from './rows.ts';
import type { Content, Sku } from './types.ts';

// Catalog writes, for the CLI and the admin API alike. Each edit runs in the request's transaction
// (joined when the caller has one open, so an admin route's audit entry commits with it) and records
// its change in the outbox (outbox.ts) in that same transaction; a job worker picks it up from there,
// so the caller enqueues nothing. Validation rules for edits live here, once.

const money = z.string().refine((v) => {
  const c = parseMoney(v);
  return c !== null && c >= 0;
}, '必须是非负金额，最多两位小数，如 2999.00');

export const skuPatchSchema = z
  .object({
    name: z.string().trim().min(1, '不能为空').max(100, '不能超过 100 个字符'),
    caption: z.string().trim().max(200, '不能超过 200 个字符'),
    price: money,
    marketPrice: money,
    costPrice: money,
    stock: z.number().int('必须是整数').min(0, '不能为负').max(1_000_000_000, '超出范围'),
    isLaunched: z.boolean(),
  })
  .partial()
  .strict()
  .refine((p) => Object.keys(p).length > 0, '没有要修改的字段');

export const contentPatchSchema = z
  .object({
    title: z.string().trim().min(1, '不能为空').max(100, '不能超过 100 个字符'),
    url: z.string().trim().max(300, '不能超过 300 个字符').refine(isSafeLink, SAFE_LINK_MESSAGE),
    text: z.string().max(2000, '不能超过 2000 个字符'),
    sequence: z.number().int('必须是整数').min(0).max(100_000),
    status: z.boolean(),
    skuId: z.number().int().positive().nullable(),
  })
  .partial()
  .strict()
  .refine((p) => Object.keys(p).length > 0, '没有要修改的字段');

/** The CLI's and the tests' SKU edit in its original shape (camelCase, the Sku rows before and after): editSku's rules and record. */
export async function updateSku(context: RequestContext, id: number, patch: unknown): Promise<{ before: Sku; after: Sku; changeId: number }> {
  const p = validate(skuPatchSchema, patch, '修改内容有误');
  const r = await editSkuRows(context, id, {
    name: p.name, caption: p.caption, price: p.price, market_price: p.marketPrice, cost_price: p.costPrice, stock: p.stock, is_launched: p.isLaunched,
  });
  return { before: r.before, after: r.after, changeId: r.written.change_id };
}

export async function listContents(context: RequestContext): Promise<(Content & { key: string; slot: string })[]> {
  const rows = await db(context)('contents as c')
    .join('content_categories as k', 'k.id', 'c.category_id')
    .select('c.*', 'k.key as key', 'k.name as slot')
    .orderBy([{ column: 'k.key' }, { column: 'c.sequence' }, { column: 'c.id' }]);
  return rows.map((r) => ({ ...toContent(r), key: r.key, slot: r.slot }));
}

/** The CLI's content edit in its original shape (camelCase): editContent's rules and record. */
export async function updateContent(context: RequestContext, id: number, patch: unknown): Promise<{ content: Content; changeId: number }> {
  const p = validate(contentPatchSchema, patch, '修改内容有误');
  const r = await editContent(context, id, { title: p.title, url: p.url, text: p.text, sequence: p.sequence, status: p.status, sku_id: p.skuId });
  return { content: toContent(await db(context)('contents').where('id', id).first()), changeId: r.change_id };
}

// ---------------------------------------------------------------------------------------------
// The admin catalog (docs/admin-catalog.md): create, update and delete of every catalog resource.
// Each write, in one transaction: the rows, the audit entry (recordAudit, old → new), and the
// outbox record of what it makes stale; it answers with the resource, the pages the pages.rebuild
// job will re-render for it (the same plan the job computes: plan-pages.ts) and the change id to
// wait for. Shapes of bodies: the schemas below (the routes declare them); the rules that need the
// database: the functions.

/** What every write adds to its answer. */
export interface Written {
  /** The pages the write makes stale, which a worker re-renders (['*']: every page). */
  pages: string[];
  /** waitUntilApplied(context, change_id) resolves once they are live. */
  change_id: number;
}

/** Records `changes` with the write, and lists their pages as the job will see them. */
async function settle(tx: TxContext, changes: CatalogChange[]): Promise<Written> {
  const change_id = await recordChanges(tx, changes);
  const pages = changes.length > 0 ? await planUrls(tx, await planFor(tx, changes)) : [];
  return { pages, change_id };
}

/** The fields whose values differ, old → new (the audit entry's `changes`). */
function changed(before: object | null, after: object | null): Record<string, [unknown, unknown]> {
  const b = (before ?? {}) as Record<string, unknown>;
  const a = (after ?? {}) as Record<string, unknown>;
  const out: Record<string, [unknown, unknown]> = {};
  for (const k of new Set([...Object.keys(b), ...Object.keys(a)])) {
    if (JSON.stringify(b[k]) !== JSON.stringify(a[k])) out[k] = [b[k] ?? null, a[k] ?? null];
  }
  return out;
}

/** The audit trail names resources as the permissions do: goods.sku, contents.content … */
const AUDIT_APP: Record<string, string> = { content: 'contents', content_category: 'contents' };

async function audit(tx: TxContext, action: 'create' | 'update' | 'delete', resource: string, id: number, before: object | null, after: object | null) {
  await recordAudit(tx, { action, resource: `${AUDIT_APP[resource] ?? 'goods'}.${resource}`, resourceId: id, changes: changed(before, after) });
}

/** Inserts a row and returns its id, on both databases. */
async function insertId(trx: Knex.Transaction, table: string, row: Record<string, unknown>): Promise<number> {
  const [id] = await trx(table).insert(row);
  return Number(id);
}

/** A unique index violated by the write: 409 naming the field, instead of a 500. */
async function uniquely<T>(work: () => Promise<T>, indexes: Record<string, string>, field: string, message: string): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (violatedUnique(err, indexes)) throw new ConflictError(message, 'DUPLICATE', { [field]: message });
    throw err;
  }
}

/** 409 when something still uses the row: `uses` are [count, what] pairs, e.g. [3, '个 SPU']. */
function refuseIfUsed(what: string, uses: [number, string][]) {
  const used = uses.filter(([n]) => n > 0);
  if (used.length > 0) throw new ConflictError(`${what}仍被使用：${used.map(([n, w]) => `${n} ${w}`).join('，')}，不能删除`, 'IN_USE');
}

const countOf = async (q: Knex.QueryBuilder) => Number((await q.count({ n: '*' }).first())?.n ?? 0);

const name = (max: number) => z.string().trim().min(1, '不能为空').max(max, `不能超过 ${max} 个字符`);
const id = z.number({ message: '必须是正整数' }).int('必须是正整数').positive('必须是正整数').max(2_147_483_647, '超出范围');
const sequence = z.number({ message: '必须是整数' }).int('必须是整数').min(0, '不能为负').max(100_000, '超出范围');
const description = z.string().max(20_000, '不能超过 20000 个字符');
const nonEmpty = (p: object) => Object.keys(p).length > 0;
/** A field given as undefined (updateSku's and updateContent's mapping from camelCase) is a field not given. */
const given = (input: unknown) =>
  input !== null && typeof input === 'object' && !Array.isArray(input) ? Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined)) : input;
const NOTHING = '没有要修改的字段';

// ---- SKUs

const specChoice = z.object({ spec_id: id, option_id: id }).strict();
const skuFields = {
  name: skuPatchSchema.shape.name.unwrap(),
  caption: skuPatchSchema.shape.caption.unwrap(),
  price: money,
  market_price: money,
  cost_price: money,
  stock: skuPatchSchema.shape.stock.unwrap(),
  is_launched: z.boolean({ message: '必须是 true 或 false' }),
  category_id: id,
  /** One option for each spec of the SPU. */
  specs: z.array(specChoice).max(20, '规格太多'),
};

export const skuCreateSchema = z
  .object({ spu_id: id, ...skuFields })
  .partial({ caption: true, market_price: true, cost_price: true, stock: true, is_launched: true, specs: true })
  .strict();
export const skuUpdateSchema = z.object(skuFields).partial().strict().refine(nonEmpty, NOTHING);

/** A third-level category (one with a parent that has a parent), or a 400 naming `field`. */
async function requireLeafCategory(trx: Knex.Transaction, categoryId: number, field: string) {
  const row = await trx('goods_categories as c')
    .leftJoin('goods_categories as p', 'p.id', 'c.parent_id')
    .where('c.id', categoryId)
    .first('c.id', 'p.parent_id as grandparent');
  if (!row) throw new ValidationError('分类有误', { [field]: '分类不存在' });
  if (row.grandparent == null) throw new ValidationError('分类有误', { [field]: '必须是三级分类' });
}

/**
 * The spec rules of a SKU's options: each option belongs to its spec, each spec to the SKU's SPU,
 * exactly one option per spec of the SPU, and no other SKU of the SPU has the same options. The
 * caller holds the SPU's row lock (SQLite: the database's write lock), so two concurrent writes
 * of the same combination take turns and the second sees the first.
 */
async function checkSpecs(trx: Knex.Transaction, spuId: number, specs: { spec_id: number; option_id: number }[], skuId: number | null) {
  const spuSpecs: { id: number; name: string }[] = await trx('spu_specs').where('spu_id', spuId).select('id', 'name');
  const wanted = new Set(spuSpecs.map((s) => Number(s.id)));
  const seen = new Set<number>();
  for (const [i, c] of specs.entries()) {
    if (!wanted.has(c.spec_id)) throw new ValidationError('规格有误', { [`specs.${i}.spec_id`]: '该规格不属于这个 SPU' });
    if (seen.has(c.spec_id)) throw new ValidationError('规格有误', { [`specs.${i}.spec_id`]: '每个规格只能选一个选项' });
    seen.add(c.spec_id);
    const option = await trx('spec_options').where({ id: c.option_id }).first('spec_id');
    if (!option || Number(option.spec_id) !== c.spec_id) throw new ValidationError('规格有误', { [`specs.${i}.option_id`]: '该选项不属于这个规格' });
  }
  const missing = spuSpecs.filter((s) => !seen.has(Number(s.id)));
  if (missing.length > 0) throw new ValidationError('规格有误', { specs: `缺少规格：${missing.map((s) => s.name).join('、')}` });
  if (specs.length === 0) {
    // an SPU without specs has one SKU
    const others = await countOf(trx('skus').where('spu_id', spuId).modify((q) => (skuId ? q.whereNot('id', skuId) : q)));
    if (others > 0) throw new ConflictError('该 SPU 没有规格，只能有一个 SKU', 'DUPLICATE_SPECS', { specs: '没有规格的 SPU 只能有一个 SKU' });
    return;
  }
  const key = (ids: number[]) => [...ids].sort((a, b) => a - b).join(',');
  const mine = key(specs.map((c) => c.option_id));
  const rows = await trx('sku_options as o').join('skus as s', 's.id', 'o.sku_id').where('s.spu_id', spuId).select('o.sku_id', 'o.option_id');
  const combos = new Map<number, number[]>();
  for (const r of rows) {
    const sid = Number(r.sku_id);
    if (sid === skuId) continue;
    combos.set(sid, [...(combos.get(sid) ?? []), Number(r.option_id)]);
  }
  for (const [other, options] of combos) {
    if (key(options) === mine) throw new ConflictError(`SKU ${other} 已经是这个规格组合`, 'DUPLICATE_SPECS', { specs: `与 SKU ${other} 的规格组合相同` });
  }
}

/** Locks the SPU row for the rest of the transaction; 400 naming `field` when there is none. */
async function lockSpu(trx: Knex.Transaction, spuId: number, field: string | null) {
  const row = await forUpdate(trx, trx('spus').where('id', spuId).select('id')).first();
  if (!row) {
    if (field) throw new ValidationError('SPU 有误', { [field]: 'SPU 不存在' });
    throw new NotFoundError('SPU 不存在', 'SPU_NOT_FOUND');
  }
}

const cents = (v: string) => formatCents(parseMoney(v)!);

export async function createSku(context: RequestContext, input: unknown): Promise<AdminSku & Written> {
  const p = validate(skuCreateSchema, input, '商品信息有误');
  return withTransaction(context, async (tx) => {
    const { trx } = tx;
    await lockSpu(trx, p.spu_id, 'spu_id');
    await requireLeafCategory(trx, p.category_id, 'category_id');
    const specs = p.specs ?? [];
    await checkSpecs(trx, p.spu_id, specs, null);
    const now = sqlNow(tx.clock.now());
    const id = await insertId(trx, 'skus', {
      spu_id: p.spu_id, category_id: p.category_id, name: p.name, caption: p.caption ?? '',
      price: cents(p.price), market_price: cents(p.market_price ?? p.price), cost_price: cents(p.cost_price ?? '0'),
      stock: p.stock ?? 0, is_launched: p.is_launched ?? true, create_time: now, update_time: now,
    });
    if (specs.length > 0) await trx('sku_options').insert(specs.map((c) => ({ sku_id: id, spec_id: c.spec_id, option_id: c.option_id })));
    const after = toSku(await trx('skus').select(SKU_COLUMNS).where('id', id).first());
    const sku = await getSku(tx, id);
    await audit(tx, 'create', 'sku', id, null, sku);
    const changes: CatalogChange[] = [{ kind: 'sku', before: null, after }];
    // the siblings' spec selectors offer the new combination
    if (specs.length > 0) changes.push({ kind: 'pages', spuIds: [p.spu_id] });
    return { ...sku, ...(await settle(tx, changes)) };
  });
}

export async function editSku(context: RequestContext, skuId: number, input: unknown): Promise<AdminSku & Written> {
  const r = await editSkuRows(context, skuId, input);
  return { ...r.sku, ...r.written };
}

/** editSku, also answering the Sku rows before and after (updateSku's shape). */
async function editSkuRows(context: RequestContext, skuId: number, input: unknown): Promise<{ before: Sku; after: Sku; sku: AdminSku; written: Written }> {
  const p = validate(skuUpdateSchema, given(input), '修改内容有误');
  return withTransaction(context, async (tx) => {
    const { trx } = tx;
    const row = await trx('skus').where('id', skuId).first('spu_id');
    if (!row) throw new NotFoundError('商品不存在', 'SKU_NOT_FOUND');
    const spuId = Number(row.spu_id);
    // the SPU's lock before the SKU's, in the order createSku takes them
    await lockSpu(trx, spuId, null);
    const beforeRow = await forUpdate(trx, trx('skus').select(SKU_COLUMNS).where('id', skuId)).first();
    const before = toSku(beforeRow);
    const shownBefore = await getSku(tx, skuId);
    if (p.category_id !== undefined) await requireLeafCategory(trx, p.category_id, 'category_id');
    if (p.specs !== undefined) await checkSpecs(trx, spuId, p.specs, skuId);
    const update: Record<string, unknown> = { update_time: sqlNow(tx.clock.now()) };
    if (p.name !== undefined) update.name = p.name;
    if (p.caption !== undefined) update.caption = p.caption;
    if (p.price !== undefined) update.price = cents(p.price);
    if (p.market_price !== undefined) update.market_price = cents(p.market_price);
    if (p.cost_price !== undefined) update.cost_price = cents(p.cost_price);
    if (p.stock !== undefined) update.stock = p.stock;
    if (p.is_launched !== undefined) update.is_launched = p.is_launched;
    if (p.category_id !== undefined) update.category_id = p.category_id;
    await trx('skus').where('id', skuId).update(update);
    const optionsChanged = p.specs !== undefined && JSON.stringify([...p.specs].sort((a, b) => a.spec_id - b.spec_id)) !== JSON.stringify(shownBefore.specs);
    if (optionsChanged) {
      await trx('sku_options').where('sku_id', skuId).del();
      if (p.specs!.length > 0) await trx('sku_options').insert(p.specs!.map((c) => ({ sku_id: skuId, spec_id: c.spec_id, option_id: c.option_id })));
    }
    const after = toSku(await trx('skus').select(SKU_COLUMNS).where('id', skuId).first());
    const sku = await getSku(tx, skuId);
    await audit(tx, 'update', 'sku', skuId, shownBefore, sku);
    const changes: CatalogChange[] = [{ kind: 'sku', before, after }];
    if (optionsChanged) changes.push({ kind: 'pages', spuIds: [spuId] });
    return { before, after, sku, written: await settle(tx, changes) };
  });
}

export async function deleteSku(context: RequestContext, skuId: number): Promise<{ id: number } & Written> {
  return withTransaction(context, async (tx) => {
    const { trx } = tx;
    const row = await trx('skus').where('id', skuId).first('spu_id');
    if (!row) throw new NotFoundError('商品不存在', 'SKU_NOT_FOUND');
    await lockSpu(trx, Number(row.spu_id), null);
    // orders keep a copy of what was bought, but their lines link the SKU: take it off sale instead
    refuseIfUsed('该商品', [[await countOf(trx('order_lines').where('sku_id', skuId)), '个订单商品行（请下架而不是删除）']]);
    const before = toSku(await trx('skus').select(SKU_COLUMNS).where('id', skuId).first());
    const shown = await getSku(tx, skuId);
    const onHome = (await countOf(trx('contents').where('sku_id', skuId))) > 0;
    await trx('sku_options').where('sku_id', skuId).del();
    await trx('skus').where('id', skuId).del();
    await audit(tx, 'delete', 'sku', skuId, shown, null);
    const changes: CatalogChange[] = [{ kind: 'sku', before, after: null }];
    // the homepage slot that showed it loses its SKU (ON DELETE SET NULL): homeSkuIds no longer says so
    if (onHome) changes.push({ kind: 'content' });
    return { id: skuId, ...(await settle(tx, changes)) };
  });
}

// ---- SPUs

const spuFields = {
  name: name(100),
  brand_id: id,
  category1_id: id,
  category2_id: id,
  category3_id: id,
  desc_detail: description,
  desc_pack: description,
  desc_service: description,
};
export const spuCreateSchema = z.object(spuFields).partial({ desc_detail: true, desc_pack: true, desc_service: true }).strict();
export const spuUpdateSchema = z.object(spuFields).partial().strict().refine(nonEmpty, NOTHING);

/** category1 → category2 → category3, each the parent of the next, the first without one. */
async function checkSpuCategories(trx: Knex.Transaction, c: { category1_id: number; category2_id: number; category3_id: number }) {
  const rows = await trx('goods_categories').whereIn('id', [c.category1_id, c.category2_id, c.category3_id]).select('id', 'parent_id');
  const parent = new Map(rows.map((r) => [Number(r.id), r.parent_id == null ? null : Number(r.parent_id)]));
  for (const f of ['category1_id', 'category2_id', 'category3_id'] as const) {
    if (!parent.has(c[f])) throw new ValidationError('分类有误', { [f]: '分类不存在' });
  }
  if (parent.get(c.category1_id) !== null) throw new ValidationError('分类有误', { category1_id: '必须是一级分类' });
  if (parent.get(c.category2_id) !== c.category1_id) throw new ValidationError('分类有误', { category2_id: '必须是一级分类的子分类' });
  if (parent.get(c.category3_id) !== c.category2_id) throw new ValidationError('分类有误', { category3_id: '必须是二级分类的子分类' });
}

async function requireBrand(trx: Knex.Transaction, brandId: number) {
  if (!(await trx('brands').where('id', brandId).first('id'))) throw new ValidationError('品牌有误', { brand_id: '品牌不存在' });
}

export async function createSpu(context: RequestContext, input: unknown): Promise<AdminSpu & Written> {
  const p = validate(spuCreateSchema, input, 'SPU 信息有误');
  return withTransaction(context, async (tx) => {
    const { trx } = tx;
    await requireBrand(trx, p.brand_id);
    await checkSpuCategories(trx, p);
    const now = sqlNow(tx.clock.now());
    const spuId = await insertId(trx, 'spus', {
      name: p.name, brand_id: p.brand_id, category1_id: p.category1_id, category2_id: p.category2_id, category3_id: p.category3_id,
      desc_detail: p.desc_detail ?? '', desc_pack: p.desc_pack ?? '', desc_service: p.desc_service ?? '', create_time: now, update_time: now,
    });
    const spu = await getSpu(tx, spuId);
    await audit(tx, 'create', 'spu', spuId, null, spu);
    // no SKU yet: no page shows it
    return { ...spu, ...(await settle(tx, [])) };
  });
}

export async function editSpu(context: RequestContext, spuId: number, input: unknown): Promise<AdminSpu & Written> {
  const p = validate(spuUpdateSchema, input, '修改内容有误');
  return withTransaction(context, async (tx) => {
    const { trx } = tx;
    await lockSpu(trx, spuId, null);
    const before = await getSpu(tx, spuId);
    if (p.brand_id !== undefined) await requireBrand(trx, p.brand_id);
    if (p.category1_id !== undefined || p.category2_id !== undefined || p.category3_id !== undefined) {
      await checkSpuCategories(trx, { category1_id: p.category1_id ?? before.category1_id, category2_id: p.category2_id ?? before.category2_id, category3_id: p.category3_id ?? before.category3_id });
    }
    await trx('spus').where('id', spuId).update({ ...p, update_time: sqlNow(tx.clock.now()) });
    const spu = await getSpu(tx, spuId);
    await audit(tx, 'update', 'spu', spuId, before, spu);
    // its SKUs' pages show the brand and the descriptions; the search index matches the brand
    const changes: CatalogChange[] = [{ kind: 'pages', spuIds: [spuId] }];
    if (spu.brand_id !== before.brand_id) changes.push({ kind: 'search' });
    return { ...spu, ...(await settle(tx, changes)) };
  });
}

export async function deleteSpu(context: RequestContext, spuId: number): Promise<{ id: number } & Written> {
  return withTransaction(context, async (tx) => {
    const { trx } = tx;
    await lockSpu(trx, spuId, null);
    const before = await getSpu(tx, spuId);
    refuseIfUsed('该 SPU', [[await countOf(trx('skus').where('spu_id', spuId)), '个 SKU']]);
    // its specs and their options belong to it: they go with it (no SKU uses them)
    const specIds = await trx('spu_specs').where('spu_id', spuId).pluck('id');
    if (specIds.length > 0) await trx('spec_options').whereIn('spec_id', specIds).del();
    await trx('spu_specs').where('spu_id', spuId).del();
    await trx('spus').where('id', spuId).del();
    await audit(tx, 'delete', 'spu', spuId, before, null);
    return { id: spuId, ...(await settle(tx, [])) };
  });
}

// ---- specs and options

export const specCreateSchema = z.object({ spu_id: id, name: name(20), sequence }).partial({ sequence: true }).strict();
export const specUpdateSchema = z.object({ name: name(20), sequence }).partial().strict().refine(nonEmpty, NOTHING);
export const optionCreateSchema = z.object({ spec_id: id, value: name(40), sequence }).partial({ sequence: true }).strict();
export const optionUpdateSchema = z.object({ value: name(40), sequence }).partial().strict().refine(nonEmpty, NOTHING);

const SPEC_UNIQUE = { spu_specs_spu_id_name_unique: 'name' };
const OPTION_UNIQUE = { spec_options_spec_id_value_unique: 'value' };

export async function createSpec(context: RequestContext, input: unknown): Promise<AdminSpec & Written> {
  const p = validate(specCreateSchema, input, '规格信息有误');
  return withTransaction(context, async (tx) => {
    const { trx } = tx;
    await lockSpu(trx, p.spu_id, 'spu_id');
    // every SKU has one option per spec: a new spec would leave the existing ones without
    const skus = await countOf(trx('skus').where('spu_id', p.spu_id));
    if (skus > 0) throw new ConflictError(`该 SPU 已有 ${skus} 个 SKU，新增规格会使它们缺少这个规格的选项`, 'SPU_HAS_SKUS', { spu_id: `已有 ${skus} 个 SKU` });
    const now = sqlNow(tx.clock.now());
    const specId = await uniquely(() => insertId(trx, 'spu_specs', { spu_id: p.spu_id, name: p.name, sequence: p.sequence ?? 0, create_time: now, update_time: now }), SPEC_UNIQUE, 'name', '该 SPU 已有同名规格');
    const spec = await getSpec(tx, specId);
    await audit(tx, 'create', 'spec', specId, null, spec);
    return { ...spec, ...(await settle(tx, [])) };
  });
}

export async function editSpec(context: RequestContext, specId: number, input: unknown): Promise<AdminSpec & Written> {
  const p = validate(specUpdateSchema, input, '修改内容有误');
  return withTransaction(context, async (tx) => {
    const { trx } = tx;
    const before = await getSpec(tx, specId);
    await uniquely(() => trx('spu_specs').where('id', specId).update({ ...p, update_time: sqlNow(tx.clock.now()) }), SPEC_UNIQUE, 'name', '该 SPU 已有同名规格');
    const spec = await getSpec(tx, specId);
    await audit(tx, 'update', 'spec', specId, before, spec);
    // the spec selectors on its SKUs' pages
    return { ...spec, ...(await settle(tx, [{ kind: 'pages', spuIds: [spec.spu_id] }])) };
  });
}

export async function deleteSpec(context: RequestContext, specId: number): Promise<{ id: number } & Written> {
  return withTransaction(context, async (tx) => {
    const { trx } = tx;
    const before = await getSpec(tx, specId);
    await lockSpu(trx, before.spu_id, null);
    refuseIfUsed('该规格', [[await countOf(trx('sku_options').where('spec_id', specId)), '个 SKU']]);
    await trx('spec_options').where('spec_id', specId).del();
    await trx('spu_specs').where('id', specId).del();
    await audit(tx, 'delete', 'spec', specId, before, null);
    return { id: specId, ...(await settle(tx, [])) };
  });
}

export async function createOption(context: RequestContext, input: unknown): Promise<AdminOption & Written> {
  const p = validate(optionCreateSchema, input, '规格选项有误');
  return withTransaction(context, async (tx) => {
    const { trx } = tx;
    const spec = await trx('spu_specs').where('id', p.spec_id).first('spu_id');
    if (!spec) throw new ValidationError('规格有误', { spec_id: '规格不存在' });
    const now = sqlNow(tx.clock.now());
    const optionId = await uniquely(() => insertId(trx, 'spec_options', { spec_id: p.spec_id, value: p.value, sequence: p.sequence ?? 0, create_time: now, update_time: now }), OPTION_UNIQUE, 'value', '该规格已有这个选项');
    const option = await getOption(tx, optionId);
    await audit(tx, 'create', 'spec_option', optionId, null, option);
    // the selectors on the SPU's pages offer it (greyed out until a SKU has it)
    return { ...option, ...(await settle(tx, [{ kind: 'pages', spuIds: [Number(spec.spu_id)] }])) };
  });
}

export async function editOption(context: RequestContext, optionId: number, input: unknown): Promise<AdminOption & Written> {
  const p = validate(optionUpdateSchema, input, '修改内容有误');
  return withTransaction(context, async (tx) => {
    const { trx } = tx;
    const before = await getOption(tx, optionId);
    await uniquely(() => trx('spec_options').where('id', optionId).update({ ...p, update_time: sqlNow(tx.clock.now()) }), OPTION_UNIQUE, 'value', '该规格已有这个选项');
    const option = await getOption(tx, optionId);
    await audit(tx, 'update', 'spec_option', optionId, before, option);
    const spuId = Number((await trx('spu_specs').where('id', option.spec_id).first('spu_id')).spu_id);
    return { ...option, ...(await settle(tx, [{ kind: 'pages', spuIds: [spuId] }])) };
  });
}

export async function deleteOption(context: RequestContext, optionId: number): Promise<{ id: number } & Written> {
  return withTransaction(context, async (tx) => {
    const { trx } = tx;
    const before = await getOption(tx, optionId);
    const spuId = Number((await trx('spu_specs').where('id', before.spec_id).first('spu_id')).spu_id);
    await lockSpu(trx, spuId, null);
    refuseIfUsed('该规格选项', [[await countOf(trx('sku_options').where('option_id', optionId)), '个 SKU']]);
    await trx('spec_options').where('id', optionId).del();
    await audit(tx, 'delete', 'spec_option', optionId, before, null);
    return { id: optionId, ...(await settle(tx, [{ kind: 'pages', spuIds: [spuId] }])) };
  });
}

// ---- brands

const aliases = z
  .array(z.string().trim().min(1, '别名不能为空').max(40, '别名不能超过 40 个字符'))
  .max(30, '别名不能超过 30 个')
  .refine((a) => formatAliases(a).length <= 500, '别名总长不能超过 500 个字符');
const brandFields = {
  name: name(40),
  first_letter: z.string().regex(/^[A-Z]$/, '必须是一个大写字母 A-Z'),
  aliases,
};
export const brandCreateSchema = z.object(brandFields).partial({ aliases: true }).strict();
export const brandUpdateSchema = z.object(brandFields).partial().strict().refine(nonEmpty, NOTHING);
const BRAND_UNIQUE = { brands_name_unique: 'name' };

export async function createBrand(context: RequestContext, input: unknown): Promise<AdminBrand & Written> {
  const p = validate(brandCreateSchema, input, '品牌信息有误');
  return withTransaction(context, async (tx) => {
    const now = sqlNow(tx.clock.now());
    const brandId = await uniquely(
      () => insertId(tx.trx, 'brands', { name: p.name, first_letter: p.first_letter, aliases: formatAliases(p.aliases ?? []), logo: '', create_time: now, update_time: now }),
      BRAND_UNIQUE, 'name', '品牌名已存在',
    );
    const brand = await getBrand(tx, brandId);
    await audit(tx, 'create', 'brand', brandId, null, brand);
    return { ...brand, ...(await settle(tx, [])) };
  });
}

export async function editBrand(context: RequestContext, brandId: number, input: unknown): Promise<AdminBrand & Written> {
  const p = validate(brandUpdateSchema, input, '修改内容有误');
  return withTransaction(context, async (tx) => {
    const { trx } = tx;
    const before = await getBrand(tx, brandId);
    const update: Record<string, unknown> = { update_time: sqlNow(tx.clock.now()) };
    if (p.name !== undefined) update.name = p.name;
    if (p.first_letter !== undefined) update.first_letter = p.first_letter;
    if (p.aliases !== undefined) update.aliases = formatAliases(p.aliases);
    await uniquely(() => trx('brands').where('id', brandId).update(update), BRAND_UNIQUE, 'name', '品牌名已存在');
    const brand = await getBrand(tx, brandId);
    await audit(tx, 'update', 'brand', brandId, before, brand);
    const changes: CatalogChange[] = [];
    // detail pages show the brand's name; the search index matches its name and aliases
    if (brand.name !== before.name) changes.push({ kind: 'pages', spuIds: (await trx('spus').where('brand_id', brandId).pluck('id')).map(Number) });
    if (brand.name !== before.name || formatAliases(brand.aliases) !== formatAliases(before.aliases)) changes.push({ kind: 'search' });
    return { ...brand, ...(await settle(tx, changes)) };
  });
}

export async function deleteBrand(context: RequestContext, brandId: number): Promise<{ id: number } & Written> {
  return withTransaction(context, async (tx) => {
    const { trx } = tx;
    const before = await getBrand(tx, brandId);
    refuseIfUsed('该品牌', [[await countOf(trx('spus').where('brand_id', brandId)), '个 SPU']]);
    await trx('brands').where('id', brandId).del();
    await audit(tx, 'delete', 'brand', brandId, before, null);
    return { id: brandId, ...(await settle(tx, [])) };
  });
}

// ---- categories (three levels)

export const categoryCreateSchema = z.object({ name: name(20), parent_id: id.nullable(), sequence }).partial({ parent_id: true, sequence: true }).strict();
export const categoryUpdateSchema = z.object({ name: name(20), parent_id: id.nullable(), sequence }).partial().strict().refine(nonEmpty, NOTHING);

/** The level a category gets under `parentId` (1 without one); 400 past the third. */
async function levelUnder(trx: Knex.Transaction, parentId: number | null): Promise<number> {
  if (parentId === null) return 1;
  const parent = await trx('goods_categories as c').leftJoin('goods_categories as p', 'p.id', 'c.parent_id').leftJoin('goods_categories as g', 'g.id', 'p.parent_id')
    .where('c.id', parentId).first('c.id', 'p.id as p_id', 'g.id as g_id');
  if (!parent) throw new ValidationError('上级分类有误', { parent_id: '分类不存在' });
  const level = parent.g_id != null ? 3 : parent.p_id != null ? 2 : 1;
  if (level === 3) throw new ValidationError('上级分类有误', { parent_id: '分类最多三级，三级分类下不能再建分类' });
  return level + 1;
}

/** What still uses a category: its children, SKUs, SPUs (at any level) and its channel. */
async function categoryUses(trx: Knex.Transaction, categoryId: number): Promise<[number, string][]> {
  return [
    [await countOf(trx('goods_categories').where('parent_id', categoryId)), '个子分类'],
    [await countOf(trx('skus').where('category_id', categoryId)), '个 SKU'],
    [await countOf(trx('spus').where((w) => w.where('category1_id', categoryId).orWhere('category2_id', categoryId).orWhere('category3_id', categoryId))), '个 SPU'],
    [await countOf(trx('goods_channels').where('category_id', categoryId)), '个频道'],
  ];
}

export async function createCategory(context: RequestContext, input: unknown): Promise<AdminCategory & Written> {
  const p = validate(categoryCreateSchema, input, '分类信息有误');
  return withTransaction(context, async (tx) => {
    await levelUnder(tx.trx, p.parent_id ?? null);
    const now = sqlNow(tx.clock.now());
    const categoryId = await insertId(tx.trx, 'goods_categories', { name: p.name, parent_id: p.parent_id ?? null, sequence: p.sequence ?? 0, create_time: now, update_time: now });
    const category = await getCategory(tx, categoryId);
    await audit(tx, 'create', 'category', categoryId, null, category);
    // the menu links only categories with a launched SKU (nav.ts): a new one shows nowhere yet
    return { ...category, ...(await settle(tx, [])) };
  });
}

export async function editCategory(context: RequestContext, categoryId: number, input: unknown): Promise<AdminCategory & Written> {
  const p = validate(categoryUpdateSchema, input, '修改内容有误');
  return withTransaction(context, async (tx) => {
    const { trx } = tx;
    const before = await getCategory(tx, categoryId);
    if (p.parent_id !== undefined && p.parent_id !== before.parent_id) {
      if (p.parent_id === categoryId) throw new ValidationError('上级分类有误', { parent_id: '不能是自己' });
      // a category keeps its level, so its children's and its SKUs' and SPUs' levels stay consistent
      if ((await levelUnder(trx, p.parent_id)) !== before.level) throw new ValidationError('上级分类有误', { parent_id: `必须是${before.level === 1 ? '空（一级分类）' : `${before.level - 1}级分类`}` });
      // SPUs name all three levels: moving a category under another parent would contradict them
      const spus = await countOf(trx('spus').where((w) => w.where('category1_id', categoryId).orWhere('category2_id', categoryId).orWhere('category3_id', categoryId)));
      if (spus > 0) throw new ConflictError(`该分类下有 ${spus} 个 SPU，不能移动到其他上级分类`, 'CATEGORY_IN_USE', { parent_id: `有 ${spus} 个 SPU` });
    }
    await trx('goods_categories').where('id', categoryId).update({ ...p, update_time: sqlNow(tx.clock.now()) });
    const category = await getCategory(tx, categoryId);
    await audit(tx, 'update', 'category', categoryId, before, category);
    // names are in the menu, breadcrumbs and the search index: every page
    return { ...category, ...(await settle(tx, [{ kind: 'full', reason: `category ${categoryId} edited` }])) };
  });
}

export async function deleteCategory(context: RequestContext, categoryId: number): Promise<{ id: number } & Written> {
  return withTransaction(context, async (tx) => {
    const { trx } = tx;
    const before = await getCategory(tx, categoryId);
    refuseIfUsed('该分类', await categoryUses(trx, categoryId));
    await trx('goods_categories').where('id', categoryId).del();
    await audit(tx, 'delete', 'category', categoryId, before, null);
    // nothing used it, so no page showed it
    return { id: categoryId, ...(await settle(tx, [])) };
  });
}

// ---- channel groups and channels (the menu on every page: a full rebuild)

export const channelGroupCreateSchema = z.object({ name: name(20), sequence }).partial({ sequence: true }).strict();
export const channelGroupUpdateSchema = z.object({ name: name(20), sequence }).partial().strict().refine(nonEmpty, NOTHING);
const channelFields = {
  group_id: id,
  category_id: id,
  url: z.string().trim().max(200, '不能超过 200 个字符').refine(isSafeLink, SAFE_LINK_MESSAGE),
  sequence,
};
export const channelCreateSchema = z.object(channelFields).partial({ url: true, sequence: true }).strict();
export const channelUpdateSchema = z.object(channelFields).partial().strict().refine(nonEmpty, NOTHING);
const CHANNEL_UNIQUE = { goods_channels_category_id_unique: 'category_id' };
const menuChanged = (what: string): CatalogChange[] => [{ kind: 'full', reason: `${what} edited` }];

export async function createChannelGroup(context: RequestContext, input: unknown): Promise<AdminChannelGroup & Written> {
  const p = validate(channelGroupCreateSchema, input, '频道组信息有误');
  return withTransaction(context, async (tx) => {
    const groupId = await insertId(tx.trx, 'channel_groups', { name: p.name, sequence: p.sequence ?? 0 });
    const group = await getChannelGroup(tx, groupId);
    await audit(tx, 'create', 'channel_group', groupId, null, group);
    // an empty group shows nowhere
    return { ...group, ...(await settle(tx, [])) };
  });
}

export async function editChannelGroup(context: RequestContext, groupId: number, input: unknown): Promise<AdminChannelGroup & Written> {
  const p = validate(channelGroupUpdateSchema, input, '修改内容有误');
  return withTransaction(context, async (tx) => {
    const before = await getChannelGroup(tx, groupId);
    await tx.trx('channel_groups').where('id', groupId).update(p);
    const group = await getChannelGroup(tx, groupId);
    await audit(tx, 'update', 'channel_group', groupId, before, group);
    return { ...group, ...(await settle(tx, menuChanged(`channel group ${groupId}`))) };
  });
}

export async function deleteChannelGroup(context: RequestContext, groupId: number): Promise<{ id: number } & Written> {
  return withTransaction(context, async (tx) => {
    const before = await getChannelGroup(tx, groupId);
    refuseIfUsed('该频道组', [[await countOf(tx.trx('goods_channels').where('group_id', groupId)), '个频道']]);
    await tx.trx('channel_groups').where('id', groupId).del();
    await audit(tx, 'delete', 'channel_group', groupId, before, null);
    return { id: groupId, ...(await settle(tx, [])) };
  });
}

async function checkChannel(trx: Knex.Transaction, p: { group_id?: number; category_id?: number }) {
  if (p.group_id !== undefined && !(await trx('channel_groups').where('id', p.group_id).first('id'))) throw new ValidationError('频道组有误', { group_id: '频道组不存在' });
  if (p.category_id !== undefined) {
    const c = await trx('goods_categories').where('id', p.category_id).first('parent_id');
    if (!c) throw new ValidationError('分类有误', { category_id: '分类不存在' });
    if (c.parent_id != null) throw new ValidationError('分类有误', { category_id: '频道必须对应一级分类' });
  }
}

export async function createChannel(context: RequestContext, input: unknown): Promise<AdminChannel & Written> {
  const p = validate(channelCreateSchema, input, '频道信息有误');
  return withTransaction(context, async (tx) => {
    await checkChannel(tx.trx, p);
    const now = sqlNow(tx.clock.now());
    const channelId = await uniquely(
      () => insertId(tx.trx, 'goods_channels', { group_id: p.group_id, category_id: p.category_id, url: p.url ?? '', sequence: p.sequence ?? 0, create_time: now, update_time: now }),
      CHANNEL_UNIQUE, 'category_id', '该一级分类已有频道',
    );
    const channel = await getChannel(tx, channelId);
    await audit(tx, 'create', 'channel', channelId, null, channel);
    return { ...channel, ...(await settle(tx, menuChanged(`channel ${channelId}`))) };
  });
}

export async function editChannel(context: RequestContext, channelId: number, input: unknown): Promise<AdminChannel & Written> {
  const p = validate(channelUpdateSchema, input, '修改内容有误');
  return withTransaction(context, async (tx) => {
    const before = await getChannel(tx, channelId);
    await checkChannel(tx.trx, p);
    await uniquely(() => tx.trx('goods_channels').where('id', channelId).update({ ...p, update_time: sqlNow(tx.clock.now()) }), CHANNEL_UNIQUE, 'category_id', '该一级分类已有频道');
    const channel = await getChannel(tx, channelId);
    await audit(tx, 'update', 'channel', channelId, before, channel);
    return { ...channel, ...(await settle(tx, menuChanged(`channel ${channelId}`))) };
  });
}

export async function deleteChannel(context: RequestContext, channelId: number): Promise<{ id: number } & Written> {
  return withTransaction(context, async (tx) => {
    const before = await getChannel(tx, channelId);
    await tx.trx('goods_channels').where('id', channelId).del();
    await audit(tx, 'delete', 'channel', channelId, before, null);
    return { id: channelId, ...(await settle(tx, menuChanged(`channel ${channelId}`))) };
  });
}

// ---- content categories (homepage slots) and contents

export const contentCategoryCreateSchema = z.object({ name: name(50), key: z.string().regex(/^[a-z][a-z0-9_-]{0,49}$/, '必须是小写字母开头的字母、数字、_ 或 -，最多 50 个') }).strict();
export const contentCategoryUpdateSchema = contentCategoryCreateSchema.partial().strict().refine(nonEmpty, NOTHING);
const SLOT_UNIQUE = { content_categories_key_unique: 'key' };
const contentFields = {
  category_id: id,
  title: contentPatchSchema.shape.title.unwrap(),
  url: contentPatchSchema.shape.url.unwrap(),
  // the picture the slot shows (a site path such as /media/… or an http(s) address); '' = none
  image: z.string().trim().max(200, '不能超过 200 个字符').refine(isSafeLink, SAFE_LINK_MESSAGE),
  text: contentPatchSchema.shape.text.unwrap(),
  sequence,
  status: z.boolean({ message: '必须是 true 或 false' }),
  sku_id: id.nullable(),
};
export const contentCreateSchema = z.object(contentFields).partial({ url: true, image: true, text: true, sequence: true, status: true, sku_id: true }).strict();
export const contentUpdateSchema = z.object(contentFields).partial().strict().refine(nonEmpty, NOTHING);
const homeChanged: CatalogChange[] = [{ kind: 'content' }];

export async function createContentCategory(context: RequestContext, input: unknown): Promise<AdminContentCategory & Written> {
  const p = validate(contentCategoryCreateSchema, input, '内容类别有误');
  return withTransaction(context, async (tx) => {
    const now = sqlNow(tx.clock.now());
    const slotId = await uniquely(() => insertId(tx.trx, 'content_categories', { ...p, create_time: now, update_time: now }), SLOT_UNIQUE, 'key', '这个 key 已被使用');
    const slot = await getContentCategory(tx, slotId);
    await audit(tx, 'create', 'content_category', slotId, null, slot);
    return { ...slot, ...(await settle(tx, [])) };
  });
}

export async function editContentCategory(context: RequestContext, slotId: number, input: unknown): Promise<AdminContentCategory & Written> {
  const p = validate(contentCategoryUpdateSchema, input, '修改内容有误');
  return withTransaction(context, async (tx) => {
    const before = await getContentCategory(tx, slotId);
    await uniquely(() => tx.trx('content_categories').where('id', slotId).update({ ...p, update_time: sqlNow(tx.clock.now()) }), SLOT_UNIQUE, 'key', '这个 key 已被使用');
    const slot = await getContentCategory(tx, slotId);
    await audit(tx, 'update', 'content_category', slotId, before, slot);
    return { ...slot, ...(await settle(tx, homeChanged)) };
  });
}

export async function deleteContentCategory(context: RequestContext, slotId: number): Promise<{ id: number } & Written> {
  return withTransaction(context, async (tx) => {
    const before = await getContentCategory(tx, slotId);
    refuseIfUsed('该内容类别', [[await countOf(tx.trx('contents').where('category_id', slotId)), '条内容']]);
    await tx.trx('content_categories').where('id', slotId).del();
    await audit(tx, 'delete', 'content_category', slotId, before, null);
    return { id: slotId, ...(await settle(tx, [])) };
  });
}

async function checkContent(trx: Knex.Transaction, p: { category_id?: number; sku_id?: number | null }) {
  if (p.category_id !== undefined && !(await trx('content_categories').where('id', p.category_id).first('id'))) throw new ValidationError('内容类别有误', { category_id: '内容类别不存在' });
  if (p.sku_id != null && !(await trx('skus').where('id', p.sku_id).first('id'))) throw new ValidationError('修改内容有误', { sku_id: '商品不存在' });
}

export async function createContent(context: RequestContext, input: unknown): Promise<AdminContent & Written> {
  const p = validate(contentCreateSchema, input, '内容信息有误');
  return withTransaction(context, async (tx) => {
    await checkContent(tx.trx, p);
    const now = sqlNow(tx.clock.now());
    const contentId = await insertId(tx.trx, 'contents', {
      category_id: p.category_id, title: p.title, url: p.url ?? '', image: p.image ?? '', text: p.text ?? '', sequence: p.sequence ?? 0,
      status: p.status ?? true, sku_id: p.sku_id ?? null, create_time: now, update_time: now,
    });
    const content = await getContent(tx, contentId);
    await audit(tx, 'create', 'content', contentId, null, content);
    return { ...content, ...(await settle(tx, homeChanged)) };
  });
}

export async function editContent(context: RequestContext, contentId: number, input: unknown): Promise<AdminContent & Written> {
  const p = validate(contentUpdateSchema, given(input), '修改内容有误');
  return withTransaction(context, async (tx) => {
    const before = await getContent(tx, contentId);
    await checkContent(tx.trx, p);
    await tx.trx('contents').where('id', contentId).update({ ...p, update_time: sqlNow(tx.clock.now()) });
    const content = await getContent(tx, contentId);
    await audit(tx, 'update', 'content', contentId, before, content);
    return { ...content, ...(await settle(tx, homeChanged)) };
  });
}

export async function deleteContent(context: RequestContext, contentId: number): Promise<{ id: number } & Written> {
  return withTransaction(context, async (tx) => {
    const before = await getContent(tx, contentId);
    await tx.trx('contents').where('id', contentId).del();
    await audit(tx, 'delete', 'content', contentId, before, null);
    return { id: contentId, ...(await settle(tx, homeChanged)) };
  });
}
