import { describe, expect, it } from 'vitest';
import { foldChanges, planRebuild, widerSearch, type CatalogChange, type PlanInputs } from '../../api/services/catalog/dependencies.ts';
import type { Sku } from '../../api/services/catalog/types.ts';

const sku = (id: number, over: Partial<Sku> = {}): Sku => ({
  id, spuId: 1, categoryId: 10, name: `SKU ${id}`, caption: '', priceCents: 100_00, costPriceCents: 50_00,
  marketPriceCents: 120_00, stock: 5, sales: id * 10, comments: 0, isLaunched: true, defaultImage: `/m/${id}.svg`,
  createTime: '2026-01-01 00:00:00', ...over,
});

// Category 10 holds SKUs 1-5 (SPU 1: 1-3, SPU 2: 4-5); sales = id × 10, so 5 and 4 are the best sellers.
const current = [1, 2, 3].map((id) => sku(id)).concat([4, 5].map((id) => sku(id, { spuId: 2 })));
function inputs(skus: Sku[] = current, home: number[] = []): PlanInputs {
  const by = (k: 'categoryId' | 'spuId') => {
    const m = new Map<number, Sku[]>();
    for (const s of skus) m.set(s[k], [...(m.get(s[k]) ?? []), s]);
    return m;
  };
  return { categorySkus: by('categoryId'), spuSkus: by('spuId'), homeSkuIds: new Set(home) };
}
const edit = (before: Sku, after: Sku): CatalogChange => ({ kind: 'sku', before, after });

describe('dependency map', () => {
  const planFor = (before: Sku, after: Sku) => planRebuild([edit(before, after)], inputs(current.map((s) => (s.id === after.id ? after : s))));

  it('a price change: its page, its lists and the search display file, not the index', () => {
    const p = planFor(sku(1), sku(1, { priceCents: 99_00 }));
    expect([...p.goods]).toEqual([1]);
    expect([...p.listCategories]).toEqual([10]);
    expect(p.search).toBe('display');
    expect(p.home).toBe(false);
  });

  it('what results show (picture, comments) republishes the display file; what queries match, the index', () => {
    expect(planFor(sku(1), sku(1, { defaultImage: '/m/new.svg' })).search).toBe('display');
    expect(planFor(sku(1), sku(1, { comments: 7 })).search).toBe('display');
    expect(planFor(sku(1), sku(1, { name: 'SKU 一' })).search).toBe('index');
    expect(planFor(sku(1), sku(1, { caption: '新品' })).search).toBe('index');
    expect(planFor(sku(1), sku(1, { isLaunched: false })).search).toBe('index');
    expect(planFor(sku(1), sku(1, { categoryId: 11 })).search).toBe('index');
    expect(planFor(sku(1), sku(1, { spuId: 2 })).search).toBe('index'); // the brand comes with the SPU
    expect(planFor(sku(1), sku(1, { marketPriceCents: 1 })).search).toBe(null); // on its page only
    expect(planFor(sku(1), sku(1, { sales: 11 })).search).toBe(null);
  });

  it('an unlaunched SKU is in neither file: its edits publish nothing', () => {
    const hidden = sku(1, { isLaunched: false });
    expect(planFor(hidden, { ...hidden, name: '新名字', priceCents: 1 }).search).toBe(null);
  });

  it('edits folded together need the widest publish', () => {
    const p = planRebuild([edit(sku(1), sku(1, { priceCents: 1 })), edit(sku(2), sku(2, { name: '新名字' }))], inputs());
    expect(p.search).toBe('index');
    expect(planRebuild([{ kind: 'search' }], inputs()).search).toBe('index');
    expect(widerSearch('display', null)).toBe('display');
    expect(widerSearch(null, null)).toBe(null);
    expect(widerSearch('display', 'index')).toBe('index');
  });

  it('a stock change: nothing, unless it sells out or restocks (its page says InStock / OutOfStock)', () => {
    const after = sku(1, { stock: 2 });
    const p = planRebuild([edit(sku(1), after)], inputs(current.map((s) => (s.id === 1 ? after : s))));
    expect(p.goods.size + p.listCategories.size).toBe(0);
    expect(p.search).toBe(null);
    expect(p.home || p.full).toBe(false);
    for (const [from, to] of [[5, 0], [0, 3]] as const) {
      const q = planRebuild([edit(sku(1, { stock: from }), sku(1, { stock: to }))], inputs(current.map((s) => (s.id === 1 ? sku(1, { stock: to }) : s))));
      expect([...q.goods], `${from} → ${to}`).toEqual([1]); // its own page only
      expect(q.listCategories.size).toBe(0);
      expect(q.search).toBe(null);
    }
  });

  it('a best seller’s price change: every page of the category shows it', () => {
    const after = sku(5, { spuId: 2, priceCents: 1_00 });
    const p = planRebuild([edit(sku(5, { spuId: 2 }), after)], inputs(current.map((s) => (s.id === 5 ? after : s))));
    expect([...p.goods].sort()).toEqual([1, 2, 3, 4, 5]);
  });

  it('sales that change who the best sellers are: every page of the category', () => {
    const after = sku(1, { sales: 1000 });
    const p = planRebuild([edit(sku(1), after)], inputs(current.map((s) => (s.id === 1 ? after : s))));
    expect([...p.goods].sort()).toEqual([1, 2, 3, 4, 5]);
    expect(p.search).toBe(null); // sales are neither searched nor shown in results
  });

  it('unlaunching: its page goes, its siblings’ selectors change', () => {
    const after = sku(2, { isLaunched: false });
    const p = planRebuild([edit(sku(2), after)], inputs(current.map((s) => (s.id === 2 ? after : s))));
    expect([...p.goods].sort()).toEqual([1, 2, 3]);
    expect([...p.listCategories]).toEqual([10]);
  });

  it('moving a SKU to another category: both categories’ lists', () => {
    const after = sku(1, { categoryId: 11 });
    const moved = current.map((s) => (s.id === 1 ? after : s)).concat([sku(6, { categoryId: 11, spuId: 3, sales: 0 })]); // 11 had goods already
    const p = planRebuild([edit(sku(1), after)], inputs(moved));
    expect([...p.listCategories].sort()).toEqual([10, 11]);
  });

  it('a category emptied or filled: every page (the menu on each links only categories with goods)', () => {
    const alone = [sku(9, { categoryId: 20, spuId: 3 })];
    const off = sku(9, { categoryId: 20, spuId: 3, isLaunched: false });
    expect(planRebuild([edit(alone[0]!, off)], inputs([off])).full).toBe(true);
    expect(planRebuild([edit(off, alone[0]!)], inputs(alone)).full).toBe(true);
    // moving the only SKU of 20 into 10 empties 20 (the worker asks for every category a change touches)
    const moved = sku(9, { categoryId: 10, spuId: 3 });
    const touched = inputs([...current, moved]);
    touched.categorySkus.set(20, []);
    expect(planRebuild([edit(alone[0]!, moved)], touched).full).toBe(true);
    // one of five unlaunched: the category still has goods
    const after = sku(2, { isLaunched: false });
    expect(planRebuild([edit(sku(2), after)], inputs(current.map((s) => (s.id === 2 ? after : s)))).full).toBe(false);
  });

  it('the homepage when a slot shows the SKU', () => {
    const after = sku(3, { name: '新名字' });
    const p = planRebuild([edit(sku(3), after)], inputs(current.map((s) => (s.id === 3 ? after : s)), [3]));
    expect(p.home).toBe(true);
  });

  it('content edits: the homepage only; category edits: everything', () => {
    expect(planRebuild([{ kind: 'content' }], inputs())).toMatchObject({ home: true, full: false, search: null });
    expect(planRebuild([{ kind: 'content' }, { kind: 'full', reason: 'channel renamed' }], inputs())).toMatchObject({ full: true });
  });

  it('folds repeated edits of one SKU to first-before and last-after', () => {
    const a = sku(1);
    const b = sku(1, { priceCents: 1 });
    const c = sku(1, { priceCents: 2 });
    expect(foldChanges([edit(a, b), edit(b, c)]).skus.get(1)).toEqual({ before: a, after: c });
    // and an edit undone before the worker ran changes nothing
    expect(planRebuild([edit(a, b), edit(b, a)], inputs()).goods.size).toBe(0);
  });
});
