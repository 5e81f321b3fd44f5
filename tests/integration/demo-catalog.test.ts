import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../api/clock.ts';
import { systemContext } from '../../api/context.ts';
import { CatalogService } from '../../api/services/catalog/catalog-service.ts';
import { planNeeds, planRebuild, type CatalogChange } from '../../api/services/catalog/dependencies.ts';
import { listCategoryOf } from '../../api/services/catalog/nav.ts';
import type { Nav } from '../../api/services/catalog/page-models.ts';
import { filledCategories, goodsPage, homePage, listPage } from '../../api/services/catalog/pages.ts';
import { loadSnapshot } from '../../api/services/catalog/snapshot.ts';
import { seedCatalog } from '../../api/services/seed/seed.ts';
import { call } from '../helpers/api-client.ts';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { createTestDb, type TestDb } from '../helpers/db.ts';
import { DB_KINDS } from '../helpers/env.ts';

// The seeded demo catalog tells one story: a SKU's 累计评价 count is the number of comments its
// comments tab lists, for every SKU; the homepage and the menu link no category with nothing in it,
// and every category the demo homepage names has goods; a category that gains or loses its last
// launched SKU re-renders every page (the menu is on all of them).

/** Every list-page link of a menu: channels, third-level categories. */
const menuLinks = (nav: Nav) => nav.flatMap((g) => [...g.channels.map((c) => c.url), ...g.subs.flatMap((c2) => [c2.url, ...c2.subs.map((c3) => c3.url)])]);

describe.each(DB_KINDS)('the demo catalog on %s', (kind) => {
  let t: TestDb;
  let app: TestApp;
  beforeAll(async () => {
    t = await createTestDb(kind, { seed: true });
    app = await startTestApp(t);
  });
  afterAll(async () => {
    await app?.close();
    await t?.drop();
  });

  it('every SKU has as many comments listed as its counter says, and its SPU the sum', async () => {
    const skus = await t.db('skus').orderBy('id').select('id', 'spu_id', 'comments');
    expect(skus.length).toBeGreaterThan(150);
    expect(skus.filter((s) => Number(s.comments) > 0).length).toBeGreaterThan(100);
    for (const s of skus) {
      const r = await call(app, 'GET', `/api/skus/${s.id}/comments?page=1&page_size=5`);
      expect(r.status).toBe(200);
      expect(r.body.count, `SKU ${s.id}`).toBe(Number(s.comments));
      expect(r.body.results.length).toBe(Math.min(5, Number(s.comments)));
      for (const c of r.body.results) expect(c.comment).toMatch(/[\u4e00-\u9fff]/);
    }
    const spus = await t.db('spus').orderBy('id').select('id', 'comments');
    for (const p of spus) {
      const sum = skus.filter((s) => s.spu_id === p.id).reduce((n, s) => n + Number(s.comments), 0);
      expect(Number(p.comments), `SPU ${p.id}`).toBe(sum);
    }
  });

  it('the demo shoppers behind the comments cannot log in', async () => {
    for (const password of ['!', 'password123']) {
      const r = await call(app, 'POST', '/api/sessions', { body: { account: 'xiaolin_2017', password } });
      expect(r.status).not.toBe(201);
    }
  });

  it('the homepage and the menu link only categories with goods, and the demo fills every one the homepage names', async () => {
    const snap = await loadSnapshot(t.db);
    const filled = filledCategories(snap);
    const home = homePage(snap);
    const homeLinks = [
      ...home.carousel, ...home.news, ...home.topAds,
      ...home.floors.flatMap((f) => [...f.logo, ...f.channels, ...f.tags, ...f.tabs.flatMap((tab) => tab.items)]),
    ].map((i) => i.url);
    for (const url of [...homeLinks, ...menuLinks(home.nav)]) {
      const id = listCategoryOf(url);
      if (id !== null) expect(filled.has(id), url).toBe(true);
      if (id !== null) expect(listPage(snap, id, 'default', 1)!.total).toBeGreaterThan(0);
    }
    // nothing the demo homepage names was left out: every floor category link has goods
    const named = await t.db('contents as c').join('content_categories as k', 'k.id', 'c.category_id').where('k.key', 'like', 'index_%f_pd').orWhere('k.key', 'like', 'index_%f_bq').count({ n: '*' }).first();
    expect(home.floors.reduce((n, f) => n + f.channels.length + f.tags.length, 0)).toBe(Number(named?.n));
    expect(home.floors[0]!.channels.map((c) => c.title)).toContain('游戏手机');
    // a menu with channels and third-level links, but none to an empty list; every channel of the demo that has goods is linked
    const nav = home.nav;
    expect(nav.flatMap((g) => g.subs.flatMap((c2) => c2.subs)).length).toBe(filled.size);
    const linkedChannels = nav.flatMap((g) => g.channels).filter((c) => c.url !== '');
    expect(linkedChannels.map((c) => c.name)).toEqual(expect.arrayContaining(['手机', '运营商', '电脑', '家居', '家具']));
    // the API's menu says the same as the pages'
    const api = await call(app, 'GET', '/api/categories');
    expect(api.status).toBe(200);
    expect(menuLinks(api.body).filter((u) => u !== '').sort()).toEqual(menuLinks(nav).filter((u) => u !== '').sort());
    // breadcrumbs of a goods page link its channel to a list with goods
    const anySku = [...snap.skus.values()].find((k) => k.isLaunched)!;
    const crumb = goodsPage(snap, anySku.id)!.breadcrumb[0]!;
    expect(filled.has(listCategoryOf(crumb.url) ?? -1) || !crumb.url.startsWith('/list/')).toBe(true);
  });

  it('a category losing its last launched SKU, or gaining its first, re-renders every page; and then is linked nowhere', async () => {
    const catalog = new CatalogService();
    const ctx = systemContext('demo-catalog-test', { db: t.db, clock: systemClock });
    const cat = (await t.db('goods_categories').where({ name: '沙发' }).first('id')).id as number;
    const all = await catalog.skusWhere(ctx, { categoryIds: [cat] });
    expect(all.length).toBe(2);
    const plan = async (changes: CatalogChange[]) => {
      const needs = planNeeds(changes);
      const skus = await catalog.skusWhere(ctx, { categoryIds: needs.categoryIds, spuIds: needs.spuIds });
      const by = (key: 'categoryId' | 'spuId', ids: number[]) => new Map(ids.map((id) => [id, skus.filter((k) => k[key] === id)]));
      return planRebuild(changes, { categorySkus: by('categoryId', needs.categoryIds), spuSkus: by('spuId', needs.spuIds), homeSkuIds: await catalog.homeSkuIds(ctx) });
    };
    const unlaunch = async (sku: (typeof all)[number]): Promise<CatalogChange> => {
      await t.db('skus').where({ id: sku.id }).update({ is_launched: false });
      return { kind: 'sku', before: sku, after: { ...sku, isLaunched: false } };
    };
    // the first of two: the category keeps goods, so only its own pages
    const first = await plan([await unlaunch(all[0]!)]);
    expect(first.full).toBe(false);
    // the last one: the menu and the homepage lose the category
    const last = await plan([await unlaunch(all[1]!)]);
    expect(last.full).toBe(true);
    let snap = await loadSnapshot(t.db);
    expect(menuLinks(homePage(snap).nav)).not.toContain(`/list/${cat}/default/1.html`);
    expect(homePage(snap).floors[2]!.tags.map((i) => i.title)).not.toContain('沙发');
    // relaunched: linked again, and again every page
    await t.db('skus').where({ id: all[1]!.id }).update({ is_launched: true });
    const back = await plan([{ kind: 'sku', before: { ...all[1]!, isLaunched: false }, after: all[1]! }]);
    expect(back.full).toBe(true);
    snap = await loadSnapshot(t.db);
    expect(menuLinks(homePage(snap).nav)).toContain(`/list/${cat}/default/1.html`);
    expect(homePage(snap).floors[2]!.tags.map((i) => i.title)).toContain('沙发');
    await t.db('skus').where({ id: all[0]!.id }).update({ is_launched: true });
  });

  it('seeds its comments after accounts and orders that are already there', async () => {
    const empty = await createTestDb(kind);
    try {
      const now = Date.now();
      const [userId] = await empty.db('users').insert({ username: 'early_bird', password_hash: '!', mobile: '13900000001', email_active: false, is_active: true, created_at: now, updated_at: now });
      await seedCatalog(empty.db, { mediaDir: empty.mediaDir });
      const early = await empty.db('users').where({ id: userId }).first('username');
      expect(early.username).toBe('early_bird');
      expect(await empty.db('orders').where({ user_id: userId }).count({ n: '*' }).first()).toEqual({ n: 0 });
      const lines = Number((await empty.db('order_lines').count({ n: '*' }).first())?.n);
      const counted = Number((await empty.db('skus').sum({ n: 'comments' }).first())?.n);
      expect(lines).toBe(counted);
    } finally {
      await empty.drop();
    }
  });
});
