import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { systemClock } from '../../api/clock.ts';
import { loadConfig, type Config } from '../../api/config.ts';
import { systemContext, type RequestContext } from '../../api/context.ts';
import { createLogger } from '../../api/logger.ts';
import { updateContent, updateSku } from '../../api/services/catalog/catalog-editor.ts';
import { CatalogService } from '../../api/services/catalog/catalog-service.ts';
import { pendingCount, requestRebuild, waitUntilApplied } from '../../api/services/catalog/outbox.ts';
import { goodsPageIds, listPageParams } from '../../api/services/catalog/pages.ts';
import { goodsUrl, homeUrl, listUrl, urlToFile } from '../../api/services/catalog/paths.ts';
import { loadSnapshot } from '../../api/services/catalog/snapshot.ts';
import { writeSitemaps } from '../../api/services/seo/sitemap.ts';
import { MediaService } from '../../api/services/media/media-service.ts';
import { LocalMediaStorage } from '../../api/services/media/storage.ts';
import sharp from 'sharp';
import { currentRelease } from '../../jobs/build.ts';
import { PageRebuilder } from '../../jobs/pages-rebuild.ts';
import { createJobQueue } from '../../jobs/queue.ts';
import { createRenderer, type Renderer } from '../../jobs/render/astro-renderer.ts';
import { startTestApp } from '../helpers/app.ts';
import { ROOT, meiduo, run } from '../helpers/cli.ts';
import { createTestDb, type TestDb } from '../helpers/db.ts';
import { DB_KINDS } from '../helpers/env.ts';

// every render thread the rebuilder starts, to see that the ones it replaced have ended
const renderers = vi.hoisted(() => [] as Renderer[]);
vi.mock('../../jobs/render/astro-renderer.ts', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../jobs/render/astro-renderer.ts')>();
  return {
    ...real,
    createRenderer: async (distDir: string) => {
      const r = await real.createRenderer(distDir);
      renderers.push(r);
      return r;
    },
  };
});

/** The page and its .gz/.br siblings say the same (search generation files: .gz only, docs/search.md). */
function expectSiblings(file: string, codings: ('gz' | 'br')[] = ['gz', 'br']) {
  const body = fs.readFileSync(file);
  expect(gunzipSync(fs.readFileSync(file + '.gz')).equals(body), file).toBe(true);
  if (codings.includes('br')) expect(brotliDecompressSync(fs.readFileSync(file + '.br')).equals(body), file).toBe(true);
  else expect(fs.existsSync(file + '.br'), file).toBe(false);
}

type Files = Map<string, { hash: string; mtimeMs: number }>;
function htmlFiles(clientDir: string): Files {
  const files: Files = new Map();
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.html')) {
        const rel = '/' + path.relative(clientDir, p);
        files.set(rel === '/index.html' ? '/' : rel, { hash: crypto.createHash('sha1').update(fs.readFileSync(p)).digest('hex'), mtimeMs: fs.statSync(p).mtimeMs });
      }
    }
  };
  walk(clientDir);
  return files;
}
const changed = (a: Files, b: Files, by: 'hash' | 'mtimeMs') =>
  new Set([...new Set([...a.keys(), ...b.keys()])].filter((k) => a.get(k)?.[by] !== b.get(k)?.[by]));

// Incremental rebuilds against a real full build: each edit must re-render exactly the pages the
// dependency map names, and afterwards every page must equal a fresh render of the whole catalog.
describe.each(DB_KINDS)('incremental page rebuilds on %s', (kind) => {
  let t: TestDb;
  let config: Config;
  let env: Record<string, string>;
  let rebuilder: PageRebuilder;
  let client: string;
  let ctx: RequestContext;

  beforeAll(async () => {
    t = await createTestDb(kind, { seed: true });
    ctx = systemContext('rebuild-test', { db: t.db, clock: systemClock });
    const distDir = path.join(ROOT, '.test-dist', `rebuild-${kind}-${process.pid}-${crypto.randomBytes(3).toString('hex')}`);
    // a storefront origin of its own: re-rendered pages must carry the same absolute URLs as built ones
    env = { DATABASE_URL: t.url, DIST_DIR: distDir, MEDIA_DIR: t.mediaDir, LOG_LEVEL: 'warn', JOBS_POLL_MS: '100', JOBS_LOCK_MS: '2000', SITE_URL: 'https://rebuild.example.com' };
    config = loadConfig(env);
    await run(['build'], env);
    client = path.join(distDir, 'client');
    rebuilder = new PageRebuilder(t.db, new CatalogService(0, { siteUrl: config.siteUrl }), config, createLogger('silent'));
  }, 240_000);

  afterAll(async () => {
    await rebuilder?.close();
    await t?.drop();
    if (config) fs.rmSync(config.distDir, { recursive: true, force: true });
  });

  const phones = async () =>
    (await t.db('goods_categories as c').join('goods_categories as p', 'p.id', 'c.parent_id').where({ 'c.name': '手机', 'p.name': '手机通讯' }).first('c.id')).id as number;

  it('a price edit re-renders its page and its category’s lists, nothing else', async () => {
    const cat = await phones();
    const homeSkus = await t.db('contents').whereNotNull('sku_id').pluck('sku_id');
    const hot = await t.db('skus').where({ category_id: cat, is_launched: true }).orderBy([{ column: 'sales', order: 'desc' }, { column: 'id' }]).limit(2).pluck('id');
    const sku = await t.db('skus').where({ category_id: cat, is_launched: true }).whereNotIn('id', [...homeSkus, ...hot]).orderBy('sales').first('id', 'price');
    const before = htmlFiles(client);
    const manifest = JSON.parse(fs.readFileSync(path.join(client, 'search/manifest.json'), 'utf8'));

    await updateSku(ctx, sku.id, { price: '1.23' });
    const s = await rebuilder.drain();

    const pages = listPageParams(await loadSnapshot(t.db)).filter((p) => p.categoryId === cat).map((p) => listUrl(cat, p.sort, p.page));
    expect(new Set(s.rendered)).toEqual(new Set([goodsUrl(sku.id), ...pages]));
    expect(s.removed).toEqual([]);
    // its goods sitemap (its lastmod), the pages sitemap (its list pages'), then the index
    expect(new Set(s.sitemaps)).toEqual(new Set(['/sitemap-goods-0.xml', '/sitemap-pages-0.xml', '/sitemap.xml']));
    const after = htmlFiles(client);
    expect(changed(before, after, 'mtimeMs')).toEqual(new Set(s.rendered)); // written: exactly the plan
    const contentChanged = changed(before, after, 'hash');
    expect(contentChanged.has(goodsUrl(sku.id))).toBe(true);
    for (const url of contentChanged) expect(s.rendered).toContain(url);
    expect(fs.readFileSync(path.join(client, urlToFile(goodsUrl(sku.id))), 'utf8')).toContain('¥1.23');
    expect(fs.readFileSync(path.join(client, urlToFile(listUrl(cat, 'price', 1))), 'utf8')).toContain('¥1.23');
    for (const url of s.rendered) expectSiblings(path.join(client, urlToFile(url)));
    // search results show the price, queries never match it: the display file changes, not the index
    expect(s.search).toBe('display');
    expect(await rebuilder.drainSearch()).toBeTruthy();
    expect(await rebuilder.drainSearch()).toBe(false); // and done once
    const now = JSON.parse(fs.readFileSync(path.join(client, 'search/manifest.json'), 'utf8'));
    expect(now.generation).not.toBe(manifest.generation);
    const gen = (m: { generation: string }, f: string) => path.join(client, 'search', m.generation, f);
    expect(fs.statSync(gen(now, 'table.json')).ino).toBe(fs.statSync(gen(manifest, 'table.json')).ino); // the index's files shared, not rebuilt
    const chunks = fs.readdirSync(path.join(client, 'search', now.generation)).filter((f) => /^d\d+\.json$/.test(f));
    const chunk = chunks.find((f) => (JSON.parse(fs.readFileSync(gen(now, f), 'utf8')) as unknown[][]).some((row) => row[0] === sku.id))!;
    expect((JSON.parse(fs.readFileSync(gen(now, chunk), 'utf8')) as unknown[][]).find((row) => row[0] === sku.id)?.[2]).toBe('1.23');
    if (fs.statSync(gen(now, chunk)).size >= 1024) expectSiblings(gen(now, chunk), ['gz']);
    expect(await pendingCount(ctx)).toBe(0);
  });

  it('the full build gives every page and asset precompressed siblings', () => {
    expectSiblings(path.join(client, 'index.html'));
    expectSiblings(path.join(client, 'goods/1.html'));
    const assets = fs.readdirSync(path.join(client, '_astro')).filter((f) => /\.(css|js)$/.test(f));
    expect(assets.length).toBeGreaterThan(0);
    for (const f of assets) {
      const file = path.join(client, '_astro', f);
      if (fs.statSync(file).size >= 1024) expectSiblings(file);
    }
  });

  it('a stock change re-renders nothing (stock is fetched by the page)', async () => {
    const before = htmlFiles(client);
    await updateSku(ctx, 1, { stock: 3 });
    const s = await rebuilder.drain();
    expect(s.changes).toBe(1);
    expect(s.rendered).toEqual([]);
    expect(s.sitemaps).toEqual([]);
    expect(changed(before, htmlFiles(client), 'mtimeMs').size).toBe(0);
  });

  it('stock reaching or leaving zero re-renders its page only: its JSON-LD availability', async () => {
    const sku = await t.db('skus').where('is_launched', true).where('stock', '>', 0).orderBy('id', 'desc').first('id', 'stock');
    const file = path.join(client, urlToFile(goodsUrl(sku.id)));
    expect(fs.readFileSync(file, 'utf8')).toContain('"availability":"https://schema.org/InStock"');
    expect(fs.readFileSync(file, 'utf8')).toContain(`<link rel="canonical" href="https://rebuild.example.com${goodsUrl(sku.id)}">`);
    for (const [stock, availability] of [[0, 'OutOfStock'], [sku.stock, 'InStock']] as const) {
      const before = htmlFiles(client);
      await updateSku(ctx, sku.id, { stock });
      const s = await rebuilder.drain();
      expect(s.rendered).toEqual([goodsUrl(sku.id)]);
      expect(changed(before, htmlFiles(client), 'mtimeMs')).toEqual(new Set([goodsUrl(sku.id)]));
      const html = fs.readFileSync(file, 'utf8');
      expect(html).toContain(`"availability":"https://schema.org/${availability}"`);
      expect(html).toContain(`<link rel="canonical" href="https://rebuild.example.com${goodsUrl(sku.id)}">`);
    }
  });

  it('unlaunching a SKU removes its page, updates its siblings’ spec selectors and leaves every list', async () => {
    const sku = await t.db('skus').where('name', 'like', 'Apple iPhone 8 Plus%64GB 银色%').first('id', 'spu_id', 'category_id');
    const siblings = await t.db('skus').where({ spu_id: sku.spu_id, is_launched: true }).whereNot('id', sku.id).pluck('id');
    await updateSku(ctx, sku.id, { isLaunched: false });
    const s = await rebuilder.drain();
    expect(s.removed).toEqual([goodsUrl(sku.id)]);
    expect(s.sitemaps).toContain('/sitemap-goods-0.xml');
    expect(fs.readFileSync(path.join(client, 'sitemap-goods-0.xml'), 'utf8')).not.toContain(goodsUrl(sku.id));
    for (const ext of ['', '.gz', '.br']) expect(fs.existsSync(path.join(client, urlToFile(goodsUrl(sku.id)) + ext))).toBe(false);
    expect(s.search).toBe('index'); // it leaves the index
    for (const id of siblings) expect(s.rendered).toContain(goodsUrl(id));
    const gold64 = await t.db('skus').where('name', 'like', 'Apple iPhone 8 Plus%64GB 金色%').first('id');
    expect(fs.readFileSync(path.join(client, urlToFile(goodsUrl(gold64.id))), 'utf8')).toMatch(/<span class="disabled"[^>]*>银色<\/span>/);
    for (const p of listPageParams(await loadSnapshot(t.db)).filter((x) => x.categoryId === sku.category_id)) {
      expect(fs.readFileSync(path.join(client, urlToFile(listUrl(p.categoryId, p.sort, p.page))), 'utf8')).not.toContain(`href="${goodsUrl(sku.id)}"`);
    }
  });

  it('a content slot edit re-renders the homepage only', async () => {
    const before = htmlFiles(client);
    const item = await t.db('contents as c').join('content_categories as k', 'k.id', 'c.category_id').where('k.key', 'index_kx').first('c.id');
    await updateContent(ctx, item.id, { title: '美多双十二 全场满减' });
    const s = await rebuilder.drain();
    expect(s.rendered).toEqual([homeUrl()]);
    expect(changed(before, htmlFiles(client), 'mtimeMs')).toEqual(new Set([homeUrl()]));
    expect(fs.readFileSync(path.join(client, 'index.html'), 'utf8')).toContain('美多双十二 全场满减');
  });

  it('a picture uploaded, then made the default, re-renders exactly the pages its answers listed, in the pages’ sizes', async () => {
    const media = new MediaService(new LocalMediaStorage(t.mediaDir), new CatalogService(), createLogger('silent'));
    const sku = await t.db('skus').where('is_launched', true).orderBy('id', 'desc').first('id', 'category_id');
    const picture = await sharp({ create: { width: 600, height: 600, channels: 3, background: '#2f6fd6' } }).jpeg().toBuffer();

    const added = await media.addSkuImage(ctx, sku.id, picture);
    let s = await rebuilder.drain();
    expect(new Set(s.rendered)).toEqual(new Set(added.rebuild.pages));
    expect(s.rendered).toContain(goodsUrl(sku.id));
    const page = fs.readFileSync(path.join(client, urlToFile(goodsUrl(sku.id))), 'utf8');
    expect(page).toContain(`data-src="${added.sizes.detail}"`); // in the gallery, its thumbnail small
    expect(page).toContain(`src="${added.sizes.thumb}"`);

    const arranged = await media.arrangeSkuImages(ctx, sku.id, { defaultImageId: added.id });
    s = await rebuilder.drain();
    expect(new Set(s.rendered)).toEqual(new Set(arranged.rebuild.pages));
    expect(s.rendered).toContain(listUrl(sku.category_id, 'default', 1));
    expect(fs.readFileSync(path.join(client, urlToFile(goodsUrl(sku.id))), 'utf8')).toContain(`id="main-img" src="${added.sizes.detail}"`);
    const lists = s.rendered.filter((u) => u.startsWith('/list/')).map((u) => fs.readFileSync(path.join(client, urlToFile(u)), 'utf8'));
    expect(lists.some((html) => html.includes(`src="${added.sizes.card}"`))).toBe(true); // the card size on the list
  }, 60_000);

  it('leaves every page identical to a fresh render of the whole catalog', async () => {
    const s = await loadSnapshot(t.db, undefined, { siteUrl: config.siteUrl });
    const expected = [homeUrl(), ...goodsPageIds(s).map(goodsUrl), ...listPageParams(s).map((p) => listUrl(p.categoryId, p.sort, p.page))];
    const onDisk = htmlFiles(client);
    // pages that show no catalog data besides the menu (a menu change is a full build)
    const fixed = ['/search.html', '/404.html', '/register.html', '/login.html', '/find_password.html', '/oauth_callback.html', '/user_center_info.html', '/user_center_site.html', '/user_center_pass.html', '/success_verify_email.html', '/cart.html', '/place_order.html', '/order_success.html', '/pay_success.html', '/user_center_order.html', '/user_center_order_detail.html', '/goods_judge.html'];
    for (const extra of fixed) expect(onDisk.delete(extra), extra).toBe(true);
    // the admin console (every page under /admin/): no catalog data at all, so no incremental rebuild writes it (docs/admin-console.md)
    const console_ = [...onDisk.keys()].filter((u) => u.startsWith('/admin/'));
    expect(console_).toEqual(expect.arrayContaining(['/admin/index.html', '/admin/login.html', '/admin/site.html']));
    for (const u of console_) onDisk.delete(u);
    expect(new Set(onDisk.keys())).toEqual(new Set(expected));
    const renderer = await createRenderer(config.distDir);
    try {
      const stale: string[] = [];
      for (const url of expected) {
        const r = await renderer.render(url, s);
        if (r.html !== fs.readFileSync(path.join(client, urlToFile(url)), 'utf8')) stale.push(url);
      }
      expect(stale).toEqual([]);
    } finally {
      await renderer.close();
    }
    // and the sitemaps, updated edit by edit, say what writing them afresh says (docs/sitemaps.md)
    const fresh = fs.mkdtempSync(path.join(os.tmpdir(), 'meiduo-sitemaps-'));
    try {
      await writeSitemaps(ctx, fresh, config.siteUrl);
      const children = (dir: string) => fs.readdirSync(dir).filter((f) => /^sitemap-.*\.xml$/.test(f)).sort();
      expect(children(client)).toEqual(children(fresh));
      for (const f of children(fresh)) expect(fs.readFileSync(path.join(client, f), 'utf8'), f).toBe(fs.readFileSync(path.join(fresh, f), 'utf8'));
      expect(fs.readFileSync(path.join(client, 'robots.txt'), 'utf8')).toBe(fs.readFileSync(path.join(fresh, 'robots.txt'), 'utf8'));
    } finally {
      fs.rmSync(fresh, { recursive: true, force: true });
    }
  }, 120_000);

  it('a worker applies an edit made elsewhere within about a second', async () => {
    const queue = await createJobQueue(config, t.db, createLogger('silent'));
    await queue.startWorker();
    try {
      const started = Date.now();
      const { changeId } = await updateSku(ctx, 2, { price: '2222.22' });
      await waitUntilApplied(ctx, changeId, { timeoutMs: 10_000 });
      expect(Date.now() - started).toBeLessThan(3000);
      expect(fs.readFileSync(path.join(client, 'goods/2.html'), 'utf8')).toContain('¥2222.22');
    } finally {
      await queue.close();
    }
  });

  it('serves a renamed SKU from /api/search once the search job has published, without a restart', async () => {
    const app = await startTestApp(t, { distDir: config.distDir });
    try {
      const q = `/api/search?q=${encodeURIComponent('星际穿越限量版')}`;
      expect((await app.json(q)).body.count).toBe(0);
      const index = JSON.parse(fs.readFileSync(path.join(client, 'search/manifest.json'), 'utf8')).generation;
      await updateSku(ctx, 3, { name: 'Apple iPhone 8 Plus 星际穿越限量版' });
      expect((await rebuilder.drain()).search).toBe('index');
      expect(await rebuilder.drainSearch()).toBeTruthy();
      expect(JSON.parse(fs.readFileSync(path.join(client, 'search/manifest.json'), 'utf8')).generation).not.toBe(index);
      await new Promise((r) => setTimeout(r, 1100)); // the API re-reads the manifest at most once a second
      const r = await app.json(q);
      expect(r.body.results.map((x: { id: number }) => x.id)).toEqual([3]);
    } finally {
      await app.close();
    }
  });

  it('the CLI edits, rebuilds and reports, and refuses bad arguments changing nothing', async () => {
    const before = htmlFiles(client);
    const bad: [string[], RegExp][] = [
      [['sku', 'update', '4', '--price', 'abc'], /price/],
      [['sku', 'update', '4', '--price', '-1'], /price/],
      [['sku', 'update', '4', '--stock', '1.5'], /--stock/],
      [['sku', 'update', '4', '--launched', 'maybe'], /--launched/],
      [['sku', 'update', '999999', '--price', '1.00'], /商品不存在/],
      [['sku', 'update', '4'], /没有要修改的字段/],
      [['sku', 'update', '--price', '1.00'], /which SKU/],
      [['rebuild'], /say what to rebuild/],
      [['rebuild', '--sku', 'x'], /--sku/],
      [['content', 'update', '1', '--status', 'sometimes'], /--status/],
      [['sku', 'frobnicate'], /usage/],
      [['nonsense'], /unknown command/],
    ];
    for (const [args, message] of bad) {
      const err = await run(args, env).then(() => null, (e: Error) => e.message);
      expect(err, args.join(' ')).toMatch(/→ 2\n/);
      expect(err, args.join(' ')).toMatch(message);
    }
    expect(Number((await t.db('page_changes').count({ n: '*' }).first())?.n)).toBe(0);
    expect(changed(before, htmlFiles(client), 'mtimeMs').size).toBe(0);

    const edited = JSON.parse(await run(['sku', 'update', '4', '--price', '4444.00', '--json'], env));
    expect(edited).toMatchObject({ id: 4, price: '4444.00' });
    // rebuild waits: with no worker running, the command works the queue itself
    const rebuilt = JSON.parse((await run(['rebuild', '--sku', '4', '--json'], env)).trim().split('\n').pop()!);
    expect(rebuilt).toMatchObject({ applied: true });
    expect(fs.readFileSync(path.join(client, 'goods/4.html'), 'utf8')).toContain('¥4444.00');
    // waiting means the search index is live too, not only the pages
    const renamed = JSON.parse((await run(['sku', 'update', '4', '--name', 'Apple iPhone 8 Plus 银河漫游版', '--wait', '--json'], env)).trim().split('\n').pop()!);
    expect(renamed).toMatchObject({ id: 4 });
    const app = await startTestApp(t, { distDir: config.distDir });
    try {
      expect((await app.json(`/api/search?q=${encodeURIComponent('银河漫游版')}`)).body.results.map((x: { id: number }) => x.id)).toEqual([4]);
    } finally {
      await app.close();
    }
    JSON.parse((await run(['rebuild', '--search', '--json'], env)).trim().split('\n').pop()!);
    expect(Number((await t.db('search_requests').count({ n: '*' }).first())?.n)).toBe(0);
    const jobs = JSON.parse(await run(['jobs', '--json'], env));
    expect(jobs).toMatchObject({ backend: 'sql', pendingPageChanges: 0 });
    expect(jobs.jobs.map((j: { name: string }) => j.name)).toContain('pages.rebuild');
  }, 60_000);

  it('a full rebuild swaps in a new release without ever leaving the site empty', async () => {
    const release = await currentRelease(config.distDir);
    const app = await startTestApp(t, { distDir: config.distDir });
    let failures = 0;
    let requests = 0;
    let polling = true;
    const poll = (async () => {
      while (polling) {
        requests++;
        if ((await app.get('/goods/1.html')).status !== 200) failures++;
        await new Promise((r) => setTimeout(r, 5));
      }
    })();
    try {
      await requestRebuild(ctx, [{ kind: 'full', reason: 'test' }]);
      const s = await rebuilder.drain();
      expect(s.full).toBe(true);
    } finally {
      polling = false;
      await poll;
      await app.close();
    }
    expect(await currentRelease(config.distDir)).not.toBe(release);
    expect(requests).toBeGreaterThan(10);
    expect(failures).toBe(0);
    // the job's build child had this process's storefront origin, not its own default
    expect(fs.readFileSync(path.join(client, 'goods/1.html'), 'utf8')).toContain('<link rel="canonical" href="https://rebuild.example.com/goods/1.html">');
  }, 240_000);

  it('follows release swaps made by another process, ending the render thread of the old release', async () => {
    // a homepage edit: the render thread has loaded only the homepage's part of its release's bundle
    const before = renderers.length;
    const slot = await t.db('contents').orderBy('id').first('id');
    await updateContent(ctx, slot.id, { title: '换版前' });
    expect((await rebuilder.drain()).rendered).toEqual([homeUrl()]);
    const first = renderers.at(-1)!;
    expect(renderers.length).toBe(before + 1);
    expect(first.alive).toBe(true);
    const oldRelease = path.dirname(first.release);

    // two full builds elsewhere: the release this rebuilder rendered with is deleted
    await run(['build'], env);
    await run(['build'], env);
    expect(fs.existsSync(oldRelease)).toBe(false);

    // a detail page now needs bundle modules the old thread never loaded
    const id = (await t.db('skus').where('is_launched', true).orderBy('id', 'desc').first('id')).id as number;
    await updateSku(ctx, id, { price: '5556.00' });
    const s = await rebuilder.drain();
    expect(s.rendered).toContain(goodsUrl(id));
    expect(fs.readFileSync(path.join(client, urlToFile(goodsUrl(id))), 'utf8')).toContain('¥5556.00');
    expect(renderers.length).toBe(before + 2); // one new thread, for the new release
    expect(first.alive).toBe(false); // the old one ended, and its module graph with it
    expect(renderers.at(-1)!.release).toBe(fs.realpathSync(path.join(config.distDir, 'server')));
    await updateSku(ctx, id, { price: '5557.00' });
    await rebuilder.drain(); // same release: the same thread
    expect(renderers.length).toBe(before + 2);
  }, 300_000);

  it('survives a worker killed mid-rebuild: pages are whole, the rebuild reruns', async () => {
    // enough pages that the worker is certainly in the middle when it dies
    const categories = [...new Set(listPageParams(await loadSnapshot(t.db)).map((p) => p.categoryId))];
    const changeId = await requestRebuild(ctx, [{ kind: 'pages', categoryIds: categories }]);
    const before = htmlFiles(client);
    const worker = meiduo(['worker'], env);
    const listFiles = () => [...htmlFiles(client).entries()].filter(([k]) => k.startsWith('/list/'));
    await new Promise<void>((resolve, reject) => {
      const deadline = Date.now() + 60_000;
      const tick = () => {
        const touched = listFiles().filter(([k, v]) => before.get(k)?.mtimeMs !== v.mtimeMs).length;
        if (touched > 20) return resolve();
        if (Date.now() > deadline) return reject(new Error('worker never started rendering'));
        setTimeout(tick, 20);
      };
      tick();
    });
    worker.kill('SIGKILL');
    await new Promise((r) => worker.once('exit', r));
    for (const [url] of htmlFiles(client)) {
      const html = fs.readFileSync(path.join(client, urlToFile(url)), 'utf8');
      expect(html.trimEnd().endsWith('</html>'), url).toBe(true);
    }
    expect(Number((await t.db('page_changes').where('id', '<=', changeId).count({ n: '*' }).first())?.n)).toBeGreaterThan(0);
    // a restarted worker takes the job over once the dead one's lock expires (2 s here) and reruns it
    const queue = await createJobQueue({ ...config, jobs: { ...config.jobs, lockMs: 2000 } }, t.db, createLogger('silent'));
    await queue.startWorker();
    try {
      await waitUntilApplied(ctx, changeId, { timeoutMs: 60_000 });
    } finally {
      await queue.close();
    }
    expect(Number((await t.db('page_changes').count({ n: '*' }).first())?.n)).toBe(0);
  }, 120_000);
});
