import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../api/clock.ts';
import { systemContext } from '../../api/context.ts';
import { waitUntilApplied } from '../../api/services/catalog/outbox.ts';
import { goodsUrl, listUrl, urlToFile } from '../../api/services/catalog/paths.ts';
import { SKUS_PER_SHARD, goodsSitemapUrl, w3cDatetime } from '../../api/services/seo/sitemap.ts';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { ROOT, run } from '../helpers/cli.ts';
import { createTestDb, type TestDb } from '../helpers/db.ts';
import { DB_KINDS } from '../helpers/env.ts';
import { parseRobots, readSitemaps } from '../helpers/sitemaps.ts';

// An admin edit through the API goes live the way a CLI edit does (tests/e2e/rebuild.test.ts): the
// write's outbox record is applied by the job worker, and the built static pages show it — exactly
// the pages the answer listed are re-rendered — and the sitemaps naming them are rewritten in the same
// run (docs/sitemaps.md).

const SITE = 'https://shop.example.com';

/** Modification times of every built .html page, by URL. */
function htmlTimes(client: string): Map<string, number> {
  const out = new Map<string, number>();
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.html')) {
        const rel = '/' + path.relative(client, p);
        out.set(rel === '/index.html' ? '/' : rel, fs.statSync(p).mtimeMs);
      }
    }
  };
  walk(client);
  return out;
}

describe.each(DB_KINDS)('an admin SKU price edit on %s', (kind) => {
  let t: TestDb;
  let app: TestApp;
  let distDir: string;
  const far = 2 * SKUS_PER_SHARD + 17; // a SKU of its own in the third goods sitemap (the demo's ids are all in the first)

  beforeAll(async () => {
    t = await createTestDb(kind, { seed: true });
    const now = Date.now();
    const [adminId] = await t.db('users').insert({ username: 'admin', password_hash: 'x', mobile: '13900000001', email_active: false, is_active: true, created_at: now, updated_at: now });
    const source = await t.db('skus').where('is_launched', true).orderBy('id').first();
    await t.db('skus').insert({ ...source, id: far, name: `${source.name} 典藏版` });
    distDir = path.join(ROOT, '.test-dist', `admin-live-${kind}-${process.pid}-${crypto.randomBytes(3).toString('hex')}`);
    await run(['build'], { DATABASE_URL: t.url, DIST_DIR: distDir, MEDIA_DIR: t.mediaDir, LOG_LEVEL: 'warn', SITE_URL: SITE });
    app = await startTestApp(t, {
      distDir,
      config: { siteUrl: SITE },
      worker: true,
      overrides: { authenticator: { authenticate: async () => ({ kind: 'admin', userId: Number(adminId), permissions: new Set(['goods.change_sku']) }) } },
    });
  }, 240_000);
  afterAll(async () => {
    await app?.close();
    await t?.drop();
    if (distDir) fs.rmSync(distDir, { recursive: true, force: true });
  });

  it('shows on the static /goods/{id}.html and its list page once the worker applied it; the pages re-rendered are the ones listed', async () => {
    const homeSkus = await t.db('contents').whereNotNull('sku_id').pluck('sku_id');
    const sku = await t.db('skus').where('is_launched', true).whereNotIn('id', homeSkus).orderBy('sales').first('id', 'category_id');
    const client = path.join(distDir, 'client');
    const before = htmlTimes(client);
    const r = await app.json(`/api/admin/skus/${sku.id}`, { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ price: '1.23' }) });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.price).toBe('1.23');
    expect(r.body.pages).toContain(`/goods/${sku.id}.html`);
    expect(r.body.pages).toContain(listUrl(sku.category_id, 'price', 1));

    await waitUntilApplied(systemContext('admin-live-test', { db: t.db, clock: systemClock }), r.body.change_id, { timeoutMs: 60_000 });
    const goods = await app.get(`/goods/${sku.id}.html`);
    expect(goods.status).toBe(200);
    expect(await goods.text()).toContain('¥1.23');
    // the cheapest of its category now: first on the price-sorted list
    expect(await (await app.get(listUrl(sku.category_id, 'price', 1))).text()).toContain('¥1.23');
    const after = htmlTimes(client);
    const rewritten = [...after.keys()].filter((url) => after.get(url) !== before.get(url));
    expect(new Set(rewritten)).toEqual(new Set(r.body.pages));
  }, 120_000);

  it('the build publishes sitemap.xml, its children and robots.txt: valid, naming exactly the built SKU pages and default-sort list pages; served as XML and text', async () => {
    const client = path.join(distDir, 'client');
    const { index, children } = readSitemaps(client, SITE); // xmllint against the sitemaps.org schemas
    expect(index.map((e) => e.loc)).toEqual([`${SITE}/sitemap-pages-0.xml`, `${SITE}/sitemap-goods-0.xml`, `${SITE}/sitemap-goods-2.xml`]);
    const locs = [...children.values()].flat().map((e) => e.loc.slice(SITE.length));
    for (const loc of locs) expect(fs.existsSync(path.join(client, urlToFile(loc))), loc).toBe(true);
    const built = fs.readdirSync(path.join(client, 'goods')).filter((f) => f.endsWith('.html')).map((f) => `/goods/${f}`);
    expect(new Set(locs.filter((l) => l.startsWith('/goods/')))).toEqual(new Set(built));
    expect(locs.filter((l) => l.startsWith('/list/')).every((l) => /^\/list\/\d+\/default\/\d+\.html$/.test(l))).toBe(true);
    expect(parseRobots(fs.readFileSync(path.join(client, 'robots.txt'), 'utf8')).sitemaps).toEqual([`${SITE}/sitemap.xml`]);

    const sitemap = await app.get('/sitemap.xml');
    expect(sitemap.status).toBe(200);
    expect(sitemap.headers.get('content-type')).toBe('application/xml');
    const child = await app.get('/sitemap-goods-0.xml', { headers: { 'accept-encoding': 'br' } });
    expect(child.headers.get('content-type')).toBe('application/xml');
    expect(child.headers.get('content-encoding')).toBe('br');
    expect(await child.text()).toBe(fs.readFileSync(path.join(client, 'sitemap-goods-0.xml'), 'utf8'));
    const robots = await app.get('/robots.txt');
    expect(robots.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(await robots.text()).toContain('Disallow: /api/');
  });

  it('an admin unlaunch and rename update the sitemap in the run that re-renders the pages: gone, lastmod moved, index lastmod moved, another sitemap untouched', async () => {
    const client = path.join(distDir, 'client');
    const ctx = systemContext('admin-live-test', { db: t.db, clock: systemClock });
    // two SKUs of the first sitemap in categories that keep other launched SKUs (else a full rebuild)
    const homeSkus = await t.db('contents').whereNotNull('sku_id').pluck('sku_id');
    const roomy = await t.db('skus').where('is_launched', true).groupBy('category_id').havingRaw('count(*) >= 3').pluck('category_id');
    const [gone, renamed] = await t.db('skus').where('is_launched', true).whereIn('category_id', roomy).whereNotIn('id', [...homeSkus, far]).orderBy('id', 'desc').limit(2).pluck('id');
    const farFile = path.join(client, 'sitemap-goods-2.xml');
    const farMtime = fs.statSync(farFile).mtimeMs;
    const before = readSitemaps(client, SITE);
    const goods0 = (s: typeof before) => s.index.find((e) => e.loc === SITE + goodsSitemapUrl(0))!.lastmod;
    await new Promise((r) => setTimeout(r, 1100)); // update times are whole seconds

    const off = await app.json(`/api/admin/skus/${gone}`, { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ is_launched: false }) });
    expect(off.status, JSON.stringify(off.body)).toBe(200);
    expect(off.body.pages).toContain(goodsUrl(gone));
    await waitUntilApplied(ctx, off.body.change_id, { timeoutMs: 60_000 });
    const afterOff = readSitemaps(client, SITE);
    expect(afterOff.children.get(goodsSitemapUrl(0))!.map((e) => e.loc)).not.toContain(SITE + goodsUrl(gone));
    expect(fs.existsSync(path.join(client, urlToFile(goodsUrl(gone))))).toBe(false);
    expect(goods0(afterOff) > goods0(before)).toBe(true);

    await new Promise((r) => setTimeout(r, 1100));
    const re = await app.json(`/api/admin/skus/${renamed}`, { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: '华为 HUAWEI 典藏纪念版' }) });
    expect(re.status, JSON.stringify(re.body)).toBe(200);
    await waitUntilApplied(ctx, re.body.change_id, { timeoutMs: 60_000 });
    expect(fs.readFileSync(path.join(client, urlToFile(goodsUrl(renamed))), 'utf8')).toContain('华为 HUAWEI 典藏纪念版');
    const afterRename = readSitemaps(client, SITE);
    const updated = w3cDatetime((await t.db('skus').where('id', renamed).first('update_time')).update_time)!;
    const entry = afterRename.children.get(goodsSitemapUrl(0))!.find((e) => e.loc === SITE + goodsUrl(renamed))!;
    expect(entry.lastmod).toBe(updated);
    expect(entry.lastmod > before.children.get(goodsSitemapUrl(0))!.find((e) => e.loc === SITE + goodsUrl(renamed))!.lastmod).toBe(true);
    expect(goods0(afterRename)).toBe(updated);
    expect(goods0(afterRename) > goods0(afterOff)).toBe(true);

    // the other goods sitemap: not rewritten, its index entry as it was
    expect(fs.statSync(farFile).mtimeMs).toBe(farMtime);
    const farEntry = (s: typeof before) => s.index.find((e) => e.loc === SITE + goodsSitemapUrl(2));
    expect(farEntry(afterRename)).toEqual(farEntry(before));
  }, 180_000);
});
