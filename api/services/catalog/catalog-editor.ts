import type { Knex } from 'knex';
import { z } from 'zod';
import { forUpdate } from '../../db/dialect.ts';
import { sqlNow } from '../../db/knex.ts';
import { NotFoundError, ValidationError } from '../../errors.ts';
import { validate } from '../../validation.ts';
import { formatCents, parseMoney } from '../../money.ts';
import { SAFE_LINK_MESSAGE, isSafeLink } from './links.ts';
import { recordChanges } from './outbox.ts';
import { SKU_COLUMNS, toContent, toSku } from './rows.ts';
import type { Content, Sku } from './types.ts';

// Catalog writes used by the CLI now and the admin API later. Each edit records its change in the
// outbox (outbox.ts) in the same transaction; a job worker picks it up from there, so the caller
// enqueues nothing. Validation rules for edits live here, once.


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

export async function updateSku(db: Knex, id: number, patch: unknown): Promise<{ before: Sku; after: Sku; changeId: number }> {
  const p = validate(skuPatchSchema, patch, '修改内容有误');
  return db.transaction(async (trx) => {
    const row = await forUpdate(db, trx('skus').select(SKU_COLUMNS).where('id', id)).first();
    if (!row) throw new NotFoundError('商品不存在', 'SKU_NOT_FOUND');
    const before = toSku(row);
    const update: Record<string, unknown> = { update_time: sqlNow() };
    if (p.name !== undefined) update.name = p.name;
    if (p.caption !== undefined) update.caption = p.caption;
    if (p.price !== undefined) update.price = formatCents(parseMoney(p.price)!);
    if (p.marketPrice !== undefined) update.market_price = formatCents(parseMoney(p.marketPrice)!);
    if (p.costPrice !== undefined) update.cost_price = formatCents(parseMoney(p.costPrice)!);
    if (p.stock !== undefined) update.stock = p.stock;
    if (p.isLaunched !== undefined) update.is_launched = p.isLaunched;
    await trx('skus').where('id', id).update(update);
    const after = toSku(await trx('skus').select(SKU_COLUMNS).where('id', id).first());
    const changeId = await recordChanges(trx, [{ kind: 'sku', before, after }]);
    return { before, after, changeId };
  });
}

export async function listContents(db: Knex): Promise<(Content & { key: string; slot: string })[]> {
  const rows = await db('contents as c')
    .join('content_categories as k', 'k.id', 'c.category_id')
    .select('c.*', 'k.key as key', 'k.name as slot')
    .orderBy([{ column: 'k.key' }, { column: 'c.sequence' }, { column: 'c.id' }]);
  return rows.map((r) => ({ ...toContent(r), key: r.key, slot: r.slot }));
}

export async function updateContent(db: Knex, id: number, patch: unknown): Promise<{ content: Content; changeId: number }> {
  const p = validate(contentPatchSchema, patch, '修改内容有误');
  return db.transaction(async (trx) => {
    const row = await trx('contents').where('id', id).first('id');
    if (!row) throw new NotFoundError('内容不存在', 'CONTENT_NOT_FOUND');
    if (p.skuId != null && !(await trx('skus').where('id', p.skuId).first('id'))) {
      throw new ValidationError('修改内容有误', { skuId: '商品不存在' });
    }
    const update: Record<string, unknown> = { update_time: sqlNow() };
    if (p.title !== undefined) update.title = p.title;
    if (p.url !== undefined) update.url = p.url;
    if (p.text !== undefined) update.text = p.text;
    if (p.sequence !== undefined) update.sequence = p.sequence;
    if (p.status !== undefined) update.status = p.status;
    if (p.skuId !== undefined) update.sku_id = p.skuId;
    await trx('contents').where('id', id).update(update);
    const changeId = await recordChanges(trx, [{ kind: 'content' }]);
    return { content: toContent(await trx('contents').where('id', id).first()), changeId };
  });
}
