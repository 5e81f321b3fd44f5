import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../api/clock.ts';
import { systemContext } from '../../api/context.ts';
import { CatalogService } from '../../api/services/catalog/catalog-service.ts';
import {
  goodsPage, goodsPageIds, homePage, leafCategoryIds, listPage, listPageParams,
} from '../../api/services/catalog/pages.ts';
import { loadSnapshot, type CatalogSnapshot } from '../../api/services/catalog/snapshot.ts';
import { createTestDb, type TestDb } from '../helpers/db.ts';
import { DB_KINDS } from '../helpers/env.ts';

describe.each(DB_KINDS)('page models from the demo catalog on %s', (kind) => {
  let t: TestDb;
  let s: CatalogSnapshot;
  let phones: number;
  let iphone8Plus: { id: number; name: string }[];

  beforeAll(async () => {
    t = await createTestDb(kind, { seed: true });
    s = await loadSnapshot(t.db);
    phones = (await t.db('goods_categories as c').join('goods_categories as p', 'p.id', 'c.parent_id').where({ 'c.name': '手机', 'p.name': '手机通讯' }).first('c.id')).id;
    iphone8Plus = await t.db('skus').where('name', 'like', 'Apple iPhone 8 Plus%').orderBy('id').select('id', 'name');
  });
  afterAll(() => t.drop());

  it('plans a list page for every leaf category, sort and page', () => {
    const params = listPageParams(s);
    const leaves = leafCategoryIds(s);
    expect(leaves.length).toBeGreaterThan(400);
    for (const sort of ['default', 'price', 'hot'] as const) {
      expect(params.filter((p) => p.sort === sort && p.page === 1).length).toBe(leaves.length);
    }
    const launchedPhones = [...s.skus.values()].filter((k) => k.categoryId === phones && k.isLaunched).length;
    expect(params.filter((p) => p.categoryId === phones && p.sort === 'price').length).toBe(Math.ceil(launchedPhones / 20));
  });

  it('sorts list pages like the API does, page by page', async () => {
    const catalog = new CatalogService();
    const ctx = systemContext('pages-test', { db: t.db, clock: systemClock });
    for (const [sort, ordering] of [['default', '-create_time'], ['price', 'price'], ['hot', '-sales']] as const) {
      for (const page of [1, 2, 3]) {
        const model = listPage(s, phones, sort, page)!;
        const api = await catalog.listSkus(ctx, phones, sort, page, 20);
        expect(model.skus.map((k) => k.id), `${ordering} page ${page}`).toEqual(api.results.map((k) => k.id));
        expect(model.total).toBe(api.count);
      }
    }
    const byPrice = listPage(s, phones, 'price', 1)!.skus.map((k) => Number(k.price));
    expect(byPrice).toEqual([...byPrice].sort((a, b) => a - b));
    const hot = listPage(s, phones, 'hot', 1)!;
    const sales = hot.skus.map((k) => s.skus.get(k.id)!.sales);
    expect(sales).toEqual([...sales].sort((a, b) => b - a));
    expect(hot.hot.map((k) => k.id)).toEqual(hot.skus.slice(0, 2).map((k) => k.id));
  });

  it('builds the breadcrumb, sort tabs and paging links', () => {
    const m = listPage(s, phones, 'price', 2)!;
    expect(m.breadcrumb.map((c) => c.name)).toEqual(['手机', '手机通讯', '手机']);
    expect(m.sortLinks.map((l) => [l.label, l.url, l.current])).toEqual([
      ['默认', `/list/${phones}/default/1.html`, false],
      ['价格', `/list/${phones}/price/1.html`, true],
      ['人气', `/list/${phones}/hot/1.html`, false],
    ]);
    expect(m.prevUrl).toBe(`/list/${phones}/price/1.html`);
    expect(m.nextUrl).toBe(`/list/${phones}/price/3.html`);
    expect(listPage(s, phones, 'price', 99)).toBeNull();
    expect(listPage(s, m.breadcrumb[0]!.id, 'price', 1)).toBeNull(); // not a leaf
  });

  it('leaves unlaunched SKUs out of pages and lists', () => {
    const unlaunched = [...s.skus.values()].filter((k) => !k.isLaunched);
    expect(unlaunched.length).toBeGreaterThan(0);
    const ids = new Set(goodsPageIds(s));
    const listed = new Set(listPageParams(s).flatMap((p) => listPage(s, p.categoryId, p.sort, p.page)!.skus.map((k) => k.id)));
    for (const k of unlaunched) {
      expect(ids.has(k.id)).toBe(false);
      expect(goodsPage(s, k.id)).toBeNull();
      expect(listed.has(k.id)).toBe(false);
    }
    expect(ids.size).toBe(s.skus.size - unlaunched.length);
  });

  it('links spec options to sibling SKUs and disables missing combinations', () => {
    const gold64 = iphone8Plus.find((k) => k.name.includes('64GB') && k.name.includes('金色'))!;
    const m = goodsPage(s, gold64.id)!;
    const color = m.specs.find((x) => x.name === '颜色')!;
    const memory = m.specs.find((x) => x.name === '内存')!;
    expect(color.options.find((o) => o.current)!.value).toBe('金色');
    const silver = color.options.find((o) => o.value === '银色')!;
    expect(silver.url).toMatch(/^\/goods\/\d+\.html$/);
    const silverId = Number(silver.url!.match(/\d+/)![0]);
    const silverPage = goodsPage(s, silverId)!;
    expect(silverPage.specs.find((x) => x.name === '内存')!.options.find((o) => o.value === '256GB')!.url).toBeNull();
    const to256 = memory.options.find((o) => o.value === '256GB')!;
    expect(s.skus.get(Number(to256.url!.match(/\d+/)![0]))!.name).toContain('256GB');
  });

  it('sanitises descriptions', () => {
    const m = goodsPage(s, iphone8Plus[0]!.id)!;
    const html = Object.values(m.descriptions).join('');
    expect(html).not.toMatch(/<script|onerror|javascript:/i);
    expect(html).toMatch(/<p>/);
  });

  it('fills the homepage slots', () => {
    const h = homePage(s);
    expect(h.nav.length).toBe(11);
    expect(h.nav.reduce((n, g) => n + g.channels.length, 0)).toBe(37);
    expect(h.carousel.length).toBeGreaterThanOrEqual(3);
    expect(h.news.length).toBeGreaterThanOrEqual(5);
    expect(h.floors.map((f) => f.tabs.map((x) => x.name))).toEqual([
      ['时尚新品', '畅想低价', '手机配件'],
      ['畅想低价', '加价换购'],
      ['生活用品', '厨房用品'],
    ]);
    for (const f of h.floors) for (const tab of f.tabs) for (const it of tab.items) {
      expect(it.price).toMatch(/^\d+\.\d{2}$/);
      expect(it.url).toMatch(/^\/goods\/\d+\.html$/);
    }
  });

  it('gives the same models from a scoped snapshot as from the whole catalog', async () => {
    const sku = s.skus.get(iphone8Plus[0]!.id)!;
    const scoped = await loadSnapshot(t.db, { spuIds: [sku.spuId], categoryIds: [sku.categoryId], home: true });
    expect(goodsPage(scoped, sku.id)).toEqual(goodsPage(s, sku.id));
    expect(listPage(scoped, sku.categoryId, 'hot', 2)).toEqual(listPage(s, sku.categoryId, 'hot', 2));
    expect(homePage(scoped)).toEqual(homePage(s));
  });
});
