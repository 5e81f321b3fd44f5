import { HOT_SKU_COUNT } from './paths.ts';
import { compareFor } from './sorting.ts';
import type { Sku } from './types.ts';

// The dependency map: which prebuilt pages a catalog change makes stale. One module, so the rule
// "what shows what" lives in one place (DESIGN.md). It is precise rather than generous — a stock
// change rebuilds nothing, a price change does not touch sibling pages — and the rebuild tests check
// that every page is still identical to a fresh render afterwards. (The one trace of stock on a page:
// its JSON-LD availability, which changes only when the stock reaches or leaves zero.)

export type CatalogChange =
  /** A SKU was inserted (before null), edited, or deleted (after null). */
  | { kind: 'sku'; before: Sku | null; after: Sku | null }
  /** A homepage content slot changed. */
  | { kind: 'content' }
  /** Categories, channels, brands or navigation changed: every page. */
  | { kind: 'full'; reason: string }
  /** Only the search index (e.g. after an import). */
  | { kind: 'search' }
  /** Pages asked for by name (`meiduo rebuild --sku/--spu/--category/--home`). */
  | { kind: 'pages'; skuIds?: number[]; spuIds?: number[]; categoryIds?: number[]; home?: boolean };

/**
 * What a search publish must redo. The index (docs/search.md) matches on name, caption, brand and
 * category of launched SKUs; the display file beside it holds what a result shows (name, price,
 * picture, comments). 'index' rebuilds both — seconds of CPU at 10,000 SKUs —, 'display' only the
 * small display file, so a price edit never rebuilds the index.
 */
export type SearchScope = 'index' | 'display';

/** The wider of two needs: an index publish rewrites the display file too. */
export const widerSearch = (a: SearchScope | null, b: SearchScope | null): SearchScope | null =>
  a === 'index' || b === 'index' ? 'index' : (a ?? b);

export interface RebuildPlan {
  full: boolean;
  home: boolean;
  search: SearchScope | null;
  /** Detail pages to re-render, or to remove when the SKU no longer has a page. */
  goods: Set<number>;
  /** Categories whose every list page (all sorts, all pages) is re-rendered. */
  listCategories: Set<number>;
}

export const emptyPlan = (): RebuildPlan => ({
  full: false,
  home: false,
  search: null,
  goods: new Set(),
  listCategories: new Set(),
});

/** Several changes to one SKU fold into one: the first before, the last after. */
export function foldChanges(changes: CatalogChange[]) {
  const skus = new Map<number, { before: Sku | null; after: Sku | null }>();
  let content = false;
  let full: string | null = null;
  let search = false;
  const asked = { skuIds: new Set<number>(), spuIds: new Set<number>(), categoryIds: new Set<number>() };
  for (const c of changes) {
    if (c.kind === 'content') content = true;
    else if (c.kind === 'pages') {
      c.skuIds?.forEach((id) => asked.skuIds.add(id));
      c.spuIds?.forEach((id) => asked.spuIds.add(id));
      c.categoryIds?.forEach((id) => asked.categoryIds.add(id));
      if (c.home) content = true;
    }
    else if (c.kind === 'full') full ??= c.reason;
    else if (c.kind === 'search') search = true;
    else {
      const id = (c.after ?? c.before)!.id;
      const prev = skus.get(id);
      skus.set(id, { before: prev ? prev.before : c.before, after: c.after });
    }
  }
  return { skus, content, full, search, asked };
}

// What each kind of page shows of a SKU.
const CARD_FIELDS = ['name', 'priceCents', 'defaultImage', 'comments'] as const; // lists, hot boxes, home slots
const LIST_FIELDS = [...CARD_FIELDS, 'sales', 'createTime', 'isLaunched', 'categoryId'] as const; // + ordering and membership
const PAGE_FIELDS = [...CARD_FIELDS, 'caption', 'marketPriceCents', 'isLaunched', 'categoryId', 'spuId'] as const; // its own page
// What the search index is built from (its brand comes through the SPU, its category's name through
// the category), and what the display file shows: the card.
const INDEX_FIELDS = ['name', 'caption', 'isLaunched', 'categoryId', 'spuId'] as const;
const DISPLAY_FIELDS = CARD_FIELDS;

const differs = (a: Sku | null, b: Sku | null, fields: readonly (keyof Sku)[]) => {
  if (!a || !b) return a !== b;
  return fields.some((f) => a[f] !== b[f]);
};

const shown = (s: Sku | null): s is Sku => s !== null && s.isLaunched;
/** Its page's JSON-LD says InStock or OutOfStock (seo.ts): only stock crossing zero changes the page. */
const inStock = (s: Sku | null) => shown(s) && s.stock > 0;

function topHot(skus: Iterable<Sku>): number[] {
  return [...skus].sort(compareFor('hot')).slice(0, HOT_SKU_COUNT).map((s) => s.id);
}

export interface PlanInputs {
  /** Current SKUs (launched or not) of every category a changed SKU is or was in. */
  categorySkus: Map<number, Sku[]>;
  /** Current SKUs of every SPU a changed SKU is or was in. */
  spuSkus: Map<number, Sku[]>;
  /** SKU ids that active homepage content slots show. */
  homeSkuIds: Set<number>;
}

/** The categories and SPUs whose current SKUs planRebuild() needs. */
export function planNeeds(changes: CatalogChange[]): { categoryIds: number[]; spuIds: number[] } {
  const { skus, asked } = foldChanges(changes);
  const categoryIds = new Set<number>();
  const spuIds = new Set<number>(asked.spuIds);
  for (const { before, after } of skus.values()) {
    for (const s of [before, after]) {
      if (!s) continue;
      categoryIds.add(s.categoryId);
      spuIds.add(s.spuId);
    }
  }
  return { categoryIds: [...categoryIds], spuIds: [...spuIds] };
}

export function planRebuild(changes: CatalogChange[], inputs: PlanInputs): RebuildPlan {
  const plan = emptyPlan();
  const folded = foldChanges(changes);
  if (folded.full !== null) return { ...plan, full: true, home: true, search: 'index' };
  plan.home = folded.content;
  plan.search = folded.search ? 'index' : null;
  folded.asked.skuIds.forEach((id) => plan.goods.add(id));
  folded.asked.categoryIds.forEach((id) => plan.listCategories.add(id));
  for (const spuId of folded.asked.spuIds) for (const s of inputs.spuSkus.get(spuId) ?? []) plan.goods.add(s.id);

  for (const [id, { before, after }] of folded.skus) {
    // its own page
    if (differs(before, after, PAGE_FIELDS) || inStock(before) !== inStock(after)) plan.goods.add(id);
    // siblings link to it from their spec selectors only while it has a page
    if (shown(before) !== shown(after) || before?.spuId !== after?.spuId) {
      for (const spuId of new Set([before?.spuId, after?.spuId])) {
        for (const s of inputs.spuSkus.get(spuId!) ?? []) plan.goods.add(s.id);
      }
    }
    // the list pages it is or was on
    if ((shown(before) || shown(after)) && differs(before, after, LIST_FIELDS)) {
      if (shown(before)) plan.listCategories.add(before.categoryId);
      if (shown(after)) plan.listCategories.add(after.categoryId);
    }
    // only launched SKUs are searchable or shown in results
    if (shown(before) || shown(after)) {
      if (differs(before, after, INDEX_FIELDS)) plan.search = 'index';
      else if (differs(before, after, DISPLAY_FIELDS)) plan.search = widerSearch(plan.search, 'display');
    }
    if (inputs.homeSkuIds.has(id) && (shown(before) !== shown(after) || differs(before, after, CARD_FIELDS))) plan.home = true;
  }

  // Hot-seller boxes: every page of a category shows its best sellers. When they change — or one
  // of them changed how it looks — every detail page of that category is stale.
  for (const [categoryId, current] of inputs.categorySkus) {
    const now = current.filter((s) => s.isLaunched);
    const beforeSet = now.filter((s) => !folded.skus.has(s.id));
    for (const { before } of folded.skus.values()) {
      if (shown(before) && before.categoryId === categoryId) beforeSet.push(before);
    }
    // The menu on every page and the homepage link only categories with a launched SKU (nav.ts): a
    // category gaining its first or losing its last one changes every page.
    if ((now.length > 0) !== (beforeSet.length > 0)) return { ...emptyPlan(), full: true, home: true, search: 'index' };
    const hotNow = topHot(now);
    const hotBefore = topHot(beforeSet);
    const changedLook = [...new Set([...hotNow, ...hotBefore])].some((id) => {
      const c = folded.skus.get(id);
      return c !== undefined && differs(c.before, c.after, CARD_FIELDS);
    });
    if (changedLook || hotNow.join() !== hotBefore.join()) {
      plan.listCategories.add(categoryId);
      for (const s of now) plan.goods.add(s.id);
    }
  }
  return plan;
}

export function isEmptyPlan(p: RebuildPlan): boolean {
  return !p.full && !p.home && !p.search && p.goods.size === 0 && p.listCategories.size === 0;
}
