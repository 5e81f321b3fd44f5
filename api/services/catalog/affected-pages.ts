import type { RequestContext } from '../../context.ts';
import { db } from '../../db/transaction.ts';
import type { CatalogService } from './catalog-service.ts';
import { planNeeds, planRebuild, type CatalogChange, type RebuildPlan, type SearchScope } from './dependencies.ts';
import { pageCountOf } from './pages.ts';
import { LIST_SORTS, goodsUrl, homeUrl, listUrl } from './paths.ts';
import type { Sku } from './types.ts';

// What an edit's answer tells the editor: the pages the pages.rebuild job will re-render for the
// changes the edit recorded, worked out by the same dependency map (dependencies.ts) from the
// catalog as the edit's transaction sees it. The job plans again when it runs (other edits may
// have come since); this is the edit's own share.

export interface AffectedPages {
  /** The outbox id the edit's changes are recorded at or before (outbox.ts waitUntilApplied). */
  change_id: number;
  /** Every page is rebuilt (a category gained its first or lost its last launched SKU …). */
  full: boolean;
  /** The pages re-rendered (site paths); empty when `full`. */
  pages: string[];
  /** The search publish asked for: the whole index, the display file only, or none. */
  search: SearchScope | null;
}

/** The plan the job would make of `changes` now (PageRebuilder.plan does the same in the job). */
export async function planFor(context: RequestContext, catalog: CatalogService, changes: CatalogChange[]): Promise<RebuildPlan> {
  const needs = planNeeds(changes);
  const skus = await catalog.skusWhere(context, { categoryIds: needs.categoryIds, spuIds: needs.spuIds });
  const by = (key: 'categoryId' | 'spuId', ids: number[]) => {
    const m = new Map<number, Sku[]>(ids.map((id) => [id, []]));
    for (const s of skus) m.get(s[key])?.push(s);
    return m;
  };
  return planRebuild(changes, {
    categorySkus: by('categoryId', needs.categoryIds),
    spuSkus: by('spuId', needs.spuIds),
    homeSkuIds: await catalog.homeSkuIds(context),
  });
}

export async function affectedPages(context: RequestContext, catalog: CatalogService, changes: CatalogChange[], changeId: number): Promise<AffectedPages> {
  const plan = await planFor(context, catalog, changes);
  if (plan.full) return { change_id: changeId, full: true, pages: [], search: plan.search };
  const pages: string[] = [];
  if (plan.home) pages.push(homeUrl());
  // a SKU without a page (not launched) has nothing to re-render; the job removes a stale one
  const goods = await catalog.skusWhere(context, { ids: [...plan.goods] });
  for (const s of goods.sort((a, b) => a.id - b.id)) if (s.isLaunched) pages.push(goodsUrl(s.id));
  for (const categoryId of [...plan.listCategories].sort((a, b) => a - b)) {
    const row = await db(context)('skus').where({ category_id: categoryId, is_launched: true }).count({ n: '*' }).first();
    const count = pageCountOf(Number(row?.n ?? 0));
    for (const sort of LIST_SORTS) for (let p = 1; p <= count; p++) pages.push(listUrl(categoryId, sort, p));
  }
  return { change_id: changeId, full: false, pages, search: plan.search };
}
