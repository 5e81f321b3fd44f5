import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, type Config } from '../../api/config.ts';
import { goodsPageIds, listPageParams } from '../../api/services/catalog/pages.ts';
import { goodsUrl, homeUrl, listUrl, urlToFile } from '../../api/services/catalog/paths.ts';
import { loadSnapshot, type CatalogSnapshot } from '../../api/services/catalog/snapshot.ts';
import { createRenderer } from '../../jobs/render/astro-renderer.ts';
import { ROOT, run } from '../helpers/cli.ts';
import { createTestDb, type TestDb } from '../helpers/db.ts';
import { DB_KINDS } from '../helpers/env.ts';

// `meiduo build` renders the goods and list pages in threads through the on-demand twins
// (jobs/build-pages.ts) and leaves Astro only the others. Its pages must be the ones Astro alone
// prerenders (a bare `astro build` of the same catalog, the reference), file for file and byte for
// byte, and the ones the rebuild job renders for the same URLs.

function tree(dir: string): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else files.set(path.relative(dir, p), crypto.createHash('sha1').update(fs.readFileSync(p)).digest('hex'));
    }
  };
  walk(dir);
  return files;
}

describe.each(DB_KINDS)('full build on %s', (kind) => {
  let t: TestDb;
  let config: Config;
  let env: Record<string, string>;
  let client: string;
  let reference: string;
  let snapshot: CatalogSnapshot;

  beforeAll(async () => {
    t = await createTestDb(kind, { seed: true });
    // kinds of pages the demo catalog lacks: a SKU taken off sale (no page), a category emptied
    // of launched SKUs (list pages with nothing on them), an SPU whose SKUs span two categories
    const spu = await t.db('skus').groupBy('spu_id').havingRaw('count(*) >= 3').first('spu_id');
    const [, second, third] = await t.db('skus').where('spu_id', spu.spu_id).orderBy('id').pluck('id');
    await t.db('skus').where('id', second).update({ is_launched: false });
    const other = await t.db('skus').whereNot('category_id', (await t.db('skus').where('id', third).first('category_id')).category_id).first('category_id');
    await t.db('skus').where('id', third).update({ category_id: other.category_id });

    const tag = `${kind}-${process.pid}-${crypto.randomBytes(3).toString('hex')}`;
    const distDir = path.join(ROOT, '.test-dist', `build-pages-${tag}`);
    env = { DATABASE_URL: t.url, DIST_DIR: distDir, MEDIA_DIR: t.mediaDir, LOG_LEVEL: 'warn', SITE_URL: 'https://build.example.com', ASTRO_TELEMETRY_DISABLED: '1' };
    config = loadConfig(env);
    await run(['build'], { ...env, BUILD_ITEM_SKUS: '7' }); // many small items: pages needing data outside theirs would show
    client = fs.realpathSync(path.join(distDir, 'client'));
    // the reference: Astro prerendering every page itself, as before the page threads
    reference = path.join(ROOT, '.test-dist', `build-pages-ref-${tag}`);
    const astro = spawnSync(process.execPath, [path.join(ROOT, 'node_modules/astro/astro.js'), 'build', '--outDir', reference], {
      cwd: ROOT, env: { ...process.env, ...env }, encoding: 'utf8',
    });
    if (astro.status !== 0) throw new Error(`astro build failed:\n${astro.stdout}\n${astro.stderr}`);
    snapshot = await loadSnapshot(t.db, undefined, { siteUrl: config.siteUrl });
  }, 300_000);

  afterAll(async () => {
    await t?.drop();
    if (config) fs.rmSync(config.distDir, { recursive: true, force: true });
    if (reference) fs.rmSync(reference, { recursive: true, force: true });
  });

  it('writes the pages Astro alone writes, byte for byte, and gives each its compressed siblings', () => {
    const built = tree(client);
    const ref = tree(path.join(reference, 'client'));
    const pages = [...ref.keys()].filter((f) => f.endsWith('.html'));
    expect(pages.length).toBeGreaterThan(400);
    const differ = pages.filter((f) => built.get(f) !== ref.get(f));
    expect(differ).toEqual([]);
    // and nothing else besides what the build adds after Astro: siblings, search index, sitemaps, robots.txt
    const extra = [...built.keys()].filter((f) => !ref.has(f) && !/\.(gz|br)$/.test(f) && !f.startsWith('search/') && !/^(sitemap.*\.xml|robots\.txt)$/.test(f));
    expect(extra).toEqual([]);
    expect([...ref.keys()].filter((f) => !built.has(f))).toEqual([]);
    for (const f of pages) if (fs.statSync(path.join(client, f)).size >= 1024) expect(built.has(f + '.gz') && built.has(f + '.br'), f).toBe(true);
  });

  it('writes every goods and list page the catalog has, and none for a SKU off sale', async () => {
    const expected = [...goodsPageIds(snapshot).map(goodsUrl), ...listPageParams(snapshot).map((p) => listUrl(p.categoryId, p.sort, p.page))];
    const onDisk = [...tree(client).keys()].filter((f) => /^(goods|list)\/.*\.html$/.test(f)).map((f) => '/' + f);
    expect(new Set(onDisk)).toEqual(new Set(expected));
    const off = await t.db('skus').where('is_launched', false).pluck('id');
    expect(off.length).toBeGreaterThan(0);
    for (const id of off) expect(fs.existsSync(path.join(client, urlToFile(goodsUrl(id))))).toBe(false);
  });

  it('writes the pages the rebuild job renders for the same URLs', async () => {
    const ids = goodsPageIds(snapshot);
    const multi = [...snapshot.specs.keys()].find((spuId) => (snapshot.specs.get(spuId)?.length ?? 0) >= 2);
    const rated = [...snapshot.ratings.keys()].find((id) => ids.includes(id));
    const spanning = (await t.db('skus').where('is_launched', true).select('spu_id').groupBy('spu_id').havingRaw('count(distinct category_id) > 1').first())?.spu_id;
    const goods = [ids[0]!, ids.at(-1)!, rated, ...ids.filter((id) => [multi, spanning].includes(snapshot.skus.get(id)!.spuId))].filter((id): id is number => id !== undefined);
    const lists = listPageParams(snapshot);
    const deepest = lists.reduce((a, b) => (b.page > a.page ? b : a));
    const empty = lists.find((p) => ![...snapshot.skus.values()].some((s) => s.isLaunched && s.categoryId === p.categoryId));
    const sample = [
      homeUrl(),
      ...goods.map(goodsUrl),
      listUrl(lists[0]!.categoryId, 'default', 1),
      listUrl(deepest.categoryId, 'price', deepest.page),
      listUrl(deepest.categoryId, 'hot', 1),
      ...(empty ? [listUrl(empty.categoryId, 'default', 1)] : []),
    ];
    expect(sample.length).toBeGreaterThanOrEqual(8);
    const renderer = await createRenderer(config.distDir);
    try {
      for (const url of sample) {
        const r = await renderer.render(url, snapshot);
        expect(r.status, url).toBe(200);
        expect(r.html === fs.readFileSync(path.join(client, urlToFile(url)), 'utf8'), url).toBe(true);
      }
    } finally {
      await renderer.close();
    }
  }, 60_000);
});
