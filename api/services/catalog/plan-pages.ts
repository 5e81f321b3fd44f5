import type { RequestContext } from '../../context.ts';
import { db } from '../../db/transaction.ts';
import { planNeeds, planRebuild, type CatalogChange, type RebuildPlan } from './dependencies.ts';
import { pageCountOf } from './pages.ts';
import { LIST_SORTS, goodsUrl, homeUrl, listUrl } from './paths.ts';
import { SKU_COLUMNS, toSku } from './rows.ts';
import type { Sku } from './types.ts';

// The dependency map's inputs read from the database, so the pages.rebuild job (jobs/pages-rebuild.ts)
// and an admin write telling its caller which pages it made stale ask one question the same way.
// Read inside the write's transaction, the answer is what the job will compute for that write
// (unless another edit of the same SKUs lands before the job runs).

/** The SKUs of these categories and SPUs, and any with these ids. */
export async function skusWhere(context: RequestContext, by: { ids?: number[]; categoryIds?: number[]; spuIds?: number[] }): Promise<Sku[]> {
  const { ids = [], categoryIds = [], spuIds = [] } = by;
  if (ids.length + categoryIds.length + spuIds.length === 0) return [];
  const rows = await db(context)('skus')
    .select(SKU_COLUMNS)
    .where((w) => {
      if (ids.length) w.orWhereIn('id', ids);
      if (categoryIds.length) w.orWhereIn('category_id', categoryIds);
      if (spuIds.length) w.orWhereIn('spu_id', spuIds);
    });
  return rows.map(toSku);
}

/** The SKUs the homepage's live content slots show. */
export async function homeSkuIds(context: RequestContext): Promise<Set<number>> {
  const ids = await db(context)('contents').where('status', true).whereNotNull('sku_id').pluck('sku_id');
  return new Set(ids.map(Number));
}

/** What these changes make stale, against the catalog as `context` sees it now. */
export async function planFor(context: RequestContext, changes: CatalogChange[]): Promise<RebuildPlan> {
  const needs = planNeeds(changes);
  const skus = await skusWhere(context, { categoryIds: needs.categoryIds, spuIds: needs.spuIds });
  const by = (key: 'categoryId' | 'spuId', ids: number[]) => {
    const m = new Map<number, Sku[]>(ids.map((id) => [id, []]));
    for (const s of skus) m.get(s[key])?.push(s);
    return m;
  };
  return planRebuild(changes, {
    categorySkus: by('categoryId', needs.categoryIds),
    spuSkus: by('spuId', needs.spuIds),
    homeSkuIds: await homeSkuIds(context),
  });
}

/** Every page: what a plan that needs a full rebuild lists. */
export const ALL_PAGES = '*';

/**
 * The URLs a plan re-renders, sorted: detail pages (a SKU without a page any more is listed too: its
 * page is removed), every sort and page of its list categories, the homepage; ['*'] for a full
 * rebuild.
 */
export async function planUrls(context: RequestContext, plan: RebuildPlan): Promise<string[]> {
  if (plan.full) return [ALL_PAGES];
  const urls: string[] = [];
  if (plan.home) urls.push(homeUrl());
  for (const id of [...plan.goods].sort((a, b) => a - b)) urls.push(goodsUrl(id));
  for (const categoryId of [...plan.listCategories].sort((a, b) => a - b)) {
    const row = await db(context)('skus').where({ category_id: categoryId, is_launched: true }).count({ n: '*' }).first();
    const pages = pageCountOf(Number(row?.n ?? 0));
    for (const sort of LIST_SORTS) for (let p = 1; p <= pages; p++) urls.push(listUrl(categoryId, sort, p));
  }
  return urls;
}
