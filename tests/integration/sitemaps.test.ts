import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import robotsParser from 'robots-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../api/clock.ts';
import { systemContext, type RequestContext } from '../../api/context.ts';
import { updateSku } from '../../api/services/catalog/catalog-editor.ts';
import { goodsPageIds, listPage, listPageParams } from '../../api/services/catalog/pages.ts';
import { goodsUrl, homeUrl, listUrl } from '../../api/services/catalog/paths.ts';
import { loadSnapshot } from '../../api/services/catalog/snapshot.ts';
import { DISALLOWED, MAX_URLS_PER_SITEMAP, SKUS_PER_SHARD, goodsSitemapUrl, pagesSitemapUrl, updateSitemaps, w3cDatetime, writeSitemaps } from '../../api/services/seo/sitemap.ts';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { createTestDb, type TestDb } from '../helpers/db.ts';
import { DB_KINDS } from '../helpers/env.ts';
import { parseRobots, readSitemaps, SITEMAP_XSD, validateXml } from '../helpers/sitemaps.ts';

// sitemap.xml (an index), its children and robots.txt (api/services/seo/sitemap.ts, docs/sitemaps.md):
// what they list, that they are valid per the sitemaps.org schemas and RFC 9309, that the incremental
// update of a few SKUs and categories gives the same files as writing everything, and how the
// embedded server sends them. The rebuild job's use of it is tested in tests/e2e/admin-catalog-live.

const SITE = 'https://shop.example.com';

/** A copy of a SKU under another id (and name): the demo catalog's ids are all in the first shard. */
async function cloneSku(t: TestDb, fromId: number, id: number, changes: Record<string, unknown>) {
  const row = await t.db('skus').where('id', fromId).first();
  await t.db('skus').insert({ ...row, ...changes, id, name: `${row.name} ${id}` });
}

const dbTime = async (t: TestDb, table: string, id: number) => w3cDatetime((await t.db(table).where('id', id).first('update_time')).update_time)!;

// node:http shows the bytes on the wire (fetch() decodes them)
function raw(app: TestApp, p: string, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
    http.get(app.url + p, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
    }).on('error', reject);
  });
}

describe.each(DB_KINDS)('sitemaps and robots.txt on %s', (kind) => {
  let t: TestDb;
  let ctx: RequestContext;
  let dir: string;
  const far = 2 * SKUS_PER_SHARD + 17; // a SKU in the third shard, goods-2
  const farHidden = 2 * SKUS_PER_SHARD + 18; // unlaunched: in no sitemap

  beforeAll(async () => {
    t = await createTestDb(kind, { seed: true });
    ctx = systemContext('sitemap-test', { db: t.db, clock: systemClock });
    const first = await t.db('skus').where('is_launched', true).orderBy('id').first('id');
    await cloneSku(t, first.id, far, { is_launched: true });
    await cloneSku(t, first.id, farHidden, { is_launched: false });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'meiduo-sitemaps-'));
  }, 60_000);
  afterAll(async () => {
    await t?.drop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('an index of child sitemaps (default-sort list pages; SKU pages by id range) that lists every page with a lastmod, valid per the sitemaps.org schemas', async () => {
    const out = path.join(dir, 'full');
    fs.mkdirSync(out);
    const r = await writeSitemaps(ctx, out, SITE);
    expect(r.written).toEqual(['/sitemap-pages-0.xml', '/sitemap-goods-0.xml', '/sitemap-goods-2.xml', '/sitemap.xml', '/robots.txt']);
    const { index, children } = readSitemaps(out, SITE); // xmllint: well-formed and valid, index and children
    expect(index.map((e) => e.loc)).toEqual([SITE + pagesSitemapUrl(0), SITE + goodsSitemapUrl(0), SITE + goodsSitemapUrl(2)]);

    const s = await loadSnapshot(t.db);
    // the SKU pages the build writes, each in the file of its id range, in id order
    const goods = goodsPageIds(s);
    expect(goods).toContain(far);
    expect(goods).not.toContain(farHidden);
    expect(children.get(goodsSitemapUrl(0))!.map((e) => e.loc)).toEqual(goods.filter((id) => id < SKUS_PER_SHARD).map((id) => SITE + goodsUrl(id)));
    expect(children.get(goodsSitemapUrl(2))!.map((e) => e.loc)).toEqual([SITE + goodsUrl(far)]);
    // each SKU page's lastmod: the later of its SKU's and its SPU's update time
    for (const id of [goods[0]!, goods[goods.length - 1]!]) {
      const spuId = s.skus.get(id)!.spuId;
      const expected = [await dbTime(t, 'skus', id), await dbTime(t, 'spus', spuId)].sort().pop();
      expect(children.get(goodsSitemapUrl(shardOfTest(id)))!.find((e) => e.loc === SITE + goodsUrl(id))!.lastmod).toBe(expected);
    }

    // the homepage, then every page of every list that has goods, in the default sort only
    const pages = children.get(pagesSitemapUrl(0))!;
    expect(pages[0]!.loc).toBe(SITE + homeUrl());
    const lists = listPageParams(s).filter((p) => p.sort === 'default' && s.filledCategories.has(p.categoryId));
    expect(pages.slice(1).map((e) => e.loc)).toEqual(lists.map((p) => SITE + listUrl(p.categoryId, 'default', p.page)));
    expect(pages.some((e) => /\/(price|hot)\//.test(e.loc))).toBe(false);
    // a list page's lastmod: the newest of the SKUs it shows
    const several = lists.find((p) => p.page === 2) ?? lists[0]!;
    const shown = listPage(s, several.categoryId, 'default', several.page)!.skus.map((k) => k.id);
    const times = await t.db('skus').whereIn('id', shown).pluck('update_time');
    expect(pages.find((e) => e.loc === SITE + listUrl(several.categoryId, 'default', several.page))!.lastmod).toBe(times.map(w3cDatetime).sort().pop());

    // the index's lastmod of each child: the newest in it
    for (const e of index) {
      const child = children.get(e.loc.slice(SITE.length))!;
      expect(child.length).toBeGreaterThan(0);
      expect(child.length).toBeLessThanOrEqual(MAX_URLS_PER_SITEMAP);
      expect(e.lastmod).toBe(child.map((c) => c.lastmod).sort().pop());
    }
    // precompressed like every published file
    const goods0 = path.join(out, 'sitemap-goods-0.xml');
    expect(gunzipSync(fs.readFileSync(goods0 + '.gz')).equals(fs.readFileSync(goods0))).toBe(true);
    expect(brotliDecompressSync(fs.readFileSync(goods0 + '.br')).equals(fs.readFileSync(goods0))).toBe(true);
    // written again from the same catalog: nothing changes, nothing is rewritten
    expect((await writeSitemaps(ctx, out, SITE)).written).toEqual([]);
  });

  it('escapes what XML needs escaped in a location, and the schema still holds', async () => {
    const out = path.join(dir, 'escaped');
    fs.mkdirSync(out);
    const site = "https://shop.example.com/o'neil&co";
    await writeSitemaps(ctx, out, site);
    const xml = fs.readFileSync(path.join(out, 'sitemap-goods-2.xml'), 'utf8');
    expect(xml).toContain(`<loc>https://shop.example.com/o&apos;neil&amp;co/goods/${far}.html</loc>`);
    validateXml(path.join(out, 'sitemap-goods-2.xml'), SITEMAP_XSD);
    const { index } = readSitemaps(out, site);
    expect(index[0]!.loc).toBe(`${site}/sitemap-pages-0.xml`);
  });

  it('robots.txt: one group for every crawler keeping the API, console, customer pages and search index files out, and the sitemap index', async () => {
    const text = fs.readFileSync(path.join(dir, 'full', 'robots.txt'), 'utf8');
    const { groups, sitemaps } = parseRobots(text); // RFC 9309 records, line by line
    expect(groups).toHaveLength(1);
    expect(groups[0]!.userAgents).toEqual(['*']);
    expect(groups[0]!.rules).toEqual(DISALLOWED.map((p) => ({ allow: false, path: p })));
    expect(sitemaps).toEqual([`${SITE}/sitemap.xml`]);

    const robots = robotsParser(`${SITE}/robots.txt`, text);
    expect(robots.getSitemaps()).toEqual([`${SITE}/sitemap.xml`]);
    const blocked = [
      '/api/skus/1', '/api/search?q=iPhone', '/admin', '/admin/', '/admin/login.html', '/admin/skus.html?page=2',
      '/user_center_info.html', '/user_center_site.html', '/user_center_pass.html', '/user_center_order.html', '/user_center_order_detail.html?order_id=1',
      '/cart.html', '/place_order.html', '/order_success.html?order_id=1', '/pay_success.html?out_trade_no=1', '/goods_judge.html?order_id=1',
      '/oauth_callback.html?code=x', '/success_verify_email.html?token=x', '/search/manifest.json', '/search/0123456789abcdef/s7.json',
    ];
    // the catalog, and the pages the heads leave indexable: the account forms and the search page (docs/seo.md)
    const open = [
      '/', '/goods/1.html', `/goods/${far}.html`, '/list/115/default/1.html', '/list/115/price/2.html', '/media/goods/1.jpg', '/_astro/app.js',
      '/sitemap.xml', '/sitemap-goods-0.xml', '/administration.html', '/login.html', '/register.html', '/find_password.html',
      '/search.html', '/search.html?q=%E5%8D%8E%E4%B8%BA',
    ];
    for (const agent of ['Googlebot', 'Bingbot', 'Baiduspider']) {
      for (const p of blocked) expect(robots.isDisallowed(SITE + p, agent), `${agent} ${p}`).toBe(true);
      for (const p of open) expect(robots.isAllowed(SITE + p, agent), `${agent} ${p}`).toBe(true);
    }
  });

  it('an edit’s incremental update rewrites only the files holding what changed, ending where writing everything would', async () => {
    const out = path.join(dir, 'incremental');
    fs.mkdirSync(out);
    await writeSitemaps(ctx, out, SITE);
    const farFile = path.join(out, 'sitemap-goods-2.xml');
    const farBefore = fs.statSync(farFile).mtimeMs;
    const indexBefore = readSitemaps(out, SITE).index;
    const skus = await t.db('skus').where('is_launched', true).where('id', '<', SKUS_PER_SHARD).orderBy('id', 'desc').limit(2).select('id', 'category_id');
    await new Promise((r) => setTimeout(r, 1100)); // update times are whole seconds

    // unlaunched: gone from its sitemap; renamed: its lastmod moves to the edit's time
    await updateSku(ctx, skus[0].id, { isLaunched: false });
    await updateSku(ctx, skus[1].id, { name: '改名后的商品' });
    const r = await updateSitemaps(ctx, out, SITE, { skuIds: [skus[0].id, skus[1].id], categoryIds: [skus[0].category_id, skus[1].category_id], home: false });
    expect(r.written).toEqual(expect.arrayContaining(['/sitemap-goods-0.xml', '/sitemap.xml']));
    expect(r.written).not.toContain('/sitemap-goods-2.xml');
    expect(fs.statSync(farFile).mtimeMs).toBe(farBefore); // another shard: untouched
    const { index, children } = readSitemaps(out, SITE);
    const goods0 = children.get(goodsSitemapUrl(0))!;
    expect(goods0.map((e) => e.loc)).not.toContain(SITE + goodsUrl(skus[0].id));
    const renamed = goods0.find((e) => e.loc === SITE + goodsUrl(skus[1].id))!;
    expect(renamed.lastmod).toBe(await dbTime(t, 'skus', skus[1].id));
    const before0 = indexBefore.find((e) => e.loc === SITE + goodsSitemapUrl(0))!.lastmod;
    const after0 = index.find((e) => e.loc === SITE + goodsSitemapUrl(0))!.lastmod;
    expect(after0 > before0).toBe(true);
    expect(index.find((e) => e.loc === SITE + goodsSitemapUrl(2))).toEqual(indexBefore.find((e) => e.loc === SITE + goodsSitemapUrl(2)));

    // the same children as writing everything afresh
    const fresh = path.join(dir, 'fresh');
    fs.mkdirSync(fresh);
    await writeSitemaps(ctx, fresh, SITE);
    for (const name of fs.readdirSync(fresh).filter((n) => /^sitemap-.*\.xml$/.test(n))) {
      expect(fs.readFileSync(path.join(out, name), 'utf8'), name).toBe(fs.readFileSync(path.join(fresh, name), 'utf8'));
    }
    expect(fs.readdirSync(out).filter((n) => n.endsWith('.xml')).sort()).toEqual(fs.readdirSync(fresh).filter((n) => n.endsWith('.xml')).sort());

    // the last SKU of a shard unlaunched: its file goes, and its index entry with it
    await updateSku(ctx, far, { isLaunched: false });
    const gone = await updateSitemaps(ctx, out, SITE, { skuIds: [far], categoryIds: [], home: false });
    expect(gone.removed).toEqual(['/sitemap-goods-2.xml']);
    for (const ext of ['', '.gz', '.br']) expect(fs.existsSync(farFile + ext)).toBe(false);
    expect(readSitemaps(out, SITE).index.map((e) => e.loc)).toEqual([SITE + pagesSitemapUrl(0), SITE + goodsSitemapUrl(0)]);
    // launched again: back
    await updateSku(ctx, far, { isLaunched: true });
    await updateSitemaps(ctx, out, SITE, { skuIds: [far], categoryIds: [], home: false });
    expect(readSitemaps(out, SITE).children.get(goodsSitemapUrl(2))!.map((e) => e.loc)).toEqual([SITE + goodsUrl(far)]);
  });

  it('another SITE_URL, or no index yet: the incremental update writes everything', async () => {
    const out = path.join(dir, 'moved');
    fs.mkdirSync(out);
    await writeSitemaps(ctx, out, 'http://localhost:8000');
    const r = await updateSitemaps(ctx, out, SITE, { skuIds: [far], categoryIds: [], home: false });
    expect(r.written).toEqual(expect.arrayContaining(['/sitemap-pages-0.xml', '/sitemap-goods-0.xml', '/sitemap.xml', '/robots.txt']));
    const { index, children } = readSitemaps(out, SITE);
    expect(index.every((e) => e.loc.startsWith(SITE + '/'))).toBe(true);
    expect([...children.values()].flat().every((e) => e.loc.startsWith(SITE + '/'))).toBe(true);
    expect(fs.readFileSync(path.join(out, 'robots.txt'), 'utf8')).toContain(`Sitemap: ${SITE}/sitemap.xml`);
  });

  it('the embedded server sends them as application/xml and text/plain, precompressed', async () => {
    const app = await startTestApp(t);
    try {
      const client = path.join(app.distDir, 'client');
      fs.mkdirSync(client, { recursive: true });
      await writeSitemaps(ctx, client, SITE);
      const index = await raw(app, '/sitemap.xml');
      expect(index.status).toBe(200);
      expect(index.headers['content-type']).toBe('application/xml');
      expect(index.body.toString()).toContain('<sitemapindex');
      const child = await raw(app, '/sitemap-goods-0.xml', { 'accept-encoding': 'br, gzip' });
      expect(child.status).toBe(200);
      expect(child.headers['content-type']).toBe('application/xml');
      expect(child.headers['content-encoding']).toBe('br');
      expect(brotliDecompressSync(child.body).equals(fs.readFileSync(path.join(client, 'sitemap-goods-0.xml')))).toBe(true);
      const gz = await raw(app, '/sitemap-pages-0.xml', { 'accept-encoding': 'gzip' });
      expect(gz.headers['content-encoding']).toBe('gzip');
      expect(gunzipSync(gz.body).toString()).toContain(`<loc>${SITE}/</loc>`);
      const robots = await raw(app, '/robots.txt');
      expect(robots.status).toBe(200);
      expect(robots.headers['content-type']).toBe('text/plain; charset=utf-8');
      expect(robots.body.toString()).toContain(`Sitemap: ${SITE}/sitemap.xml`);
      expect((await raw(app, '/sitemap-goods-0.xml.gz')).status).toBe(404); // a sibling is no URL of its own
    } finally {
      await app.close();
    }
  });
});

const shardOfTest = (id: number) => Math.floor(id / SKUS_PER_SHARD);
