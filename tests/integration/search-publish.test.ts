import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync, brotliDecompressSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { systemClock } from '../../api/clock.ts';
import { loadConfig } from '../../api/config.ts';
import { systemContext, type RequestContext } from '../../api/context.ts';
import { createLogger } from '../../api/logger.ts';
import { editBrand, editCategory, updateSku } from '../../api/services/catalog/catalog-editor.ts';
import { CatalogService } from '../../api/services/catalog/catalog-service.ts';
import { markApplied, markPublished, readChanges, readSearchRequests } from '../../api/services/catalog/outbox.ts';
import { SearchPublisher, publishSearchDisplay, publishSearchIndex } from '../../api/services/search/publish.ts';
import { SearchService } from '../../api/services/search/search-service.ts';
import { PageRebuilder } from '../../jobs/pages-rebuild.ts';
import { createJobQueue } from '../../jobs/queue.ts';
import { publishSearchIndexOffThread, searchThreadIdles, stopSearchThread, type WarmedThread } from '../../jobs/search-publish.ts';
import { createTestDb, type TestDb } from '../helpers/db.ts';

describe('publishing the search index', () => {
  let t: TestDb;
  let dist: string;
  let client: string;
  let ctx: RequestContext;
  beforeAll(async () => {
    t = await createTestDb('sqlite', { seed: true });
    ctx = systemContext('search-publish-test', { db: t.db, clock: systemClock });
    dist = fs.mkdtempSync(path.join(os.tmpdir(), 'meiduo-dist-'));
    client = path.join(dist, 'client');
    fs.mkdirSync(client);
  });
  afterAll(async () => {
    vi.restoreAllMocks();
    await t.drop();
    fs.rmSync(dist, { recursive: true, force: true });
  });

  const search = () => path.join(client, 'search');
  const manifest = () => JSON.parse(fs.readFileSync(path.join(search(), 'manifest.json'), 'utf8'));
  const read = (gen: string, name: string) => JSON.parse(fs.readFileSync(path.join(search(), gen, name), 'utf8'));
  const generations = () => fs.readdirSync(search()).filter((f) => /^[0-9a-f]{16}$/.test(f));
  /** The display row of a SKU in a generation (ordinals are ids in ascending order). */
  const rowOf = (gen: string, id: number) => {
    for (const f of fs.readdirSync(path.join(search(), gen)).filter((n) => /^d\d+\.json$/.test(n))) {
      const row = read(gen, f).find((r: unknown[]) => r[0] === id);
      if (row) return row;
    }
    return null;
  };

  it('a crash before the manifest swap leaves the previous generation served, and no temp folder', async () => {
    await publishSearchIndex(t.db, client);
    const first = manifest();
    expect(first).toMatchObject({ version: 2, generation: expect.stringMatching(/^[0-9a-f]{16}$/), shards: expect.any(Number) });
    const service = new SearchService(client, new CatalogService(), 0);
    expect((await service.search(ctx, '华为', 1, 5)).index).toBe(first.generation);

    await updateSku(ctx, 1, { name: 'Apple iPhone 8 Plus 月球漫步版' });
    const rename = fsp.rename;
    let generationRenamed = false;
    const spy = vi.spyOn(fsp, 'rename').mockImplementation(async (from, to) => {
      if (String(to).endsWith('manifest.json')) throw new Error('simulated crash');
      if (/[0-9a-f]{16}$/.test(String(to))) generationRenamed = true;
      return rename(from, to);
    });
    await expect(publishSearchIndex(t.db, client)).rejects.toThrow('simulated crash');
    spy.mockRestore();
    expect(generationRenamed).toBe(true); // the new folder was complete before the manifest's turn

    expect(manifest()).toEqual(first);
    expect(fs.existsSync(path.join(search(), first.generation, 'table.json'))).toBe(true);
    expect(fs.readdirSync(search()).filter((f) => f.endsWith('.tmp') || f.startsWith('.building'))).toEqual([]);
    const r = await service.search(ctx, '月球漫步', 1, 5);
    expect(r.index).toBe(first.generation); // still the old generation: the manifest never changed
    expect(r.count).toBe(0);

    await publishSearchIndex(t.db, client); // the next run publishes it
    expect(manifest().generation).not.toBe(first.generation);
    expect((await service.search(ctx, '月球漫步', 1, 5)).results.map((x) => x.id)).toEqual([1]);
  });

  it('publishes a gzip sibling of each generation file (no brotli: dearer and no smaller on these files)', async () => {
    const m = manifest();
    const dir = path.join(search(), m.generation);
    const big = fs.readdirSync(dir).filter((f) => f.endsWith('.json') && fs.statSync(path.join(dir, f)).size >= 1024);
    expect(big.length).toBeGreaterThan(0);
    for (const name of big) {
      const body = fs.readFileSync(path.join(dir, name));
      expect(gunzipSync(fs.readFileSync(path.join(dir, name + '.gz'))).equals(body)).toBe(true);
      expect(fs.existsSync(path.join(dir, name + '.br'))).toBe(false);
    }
  });

  it('swaps the manifest last, keeps the previous generation for pages still reading it, and removes older ones', async () => {
    const gens: string[] = [];
    for (const name of ['一代', '二代', '三代']) {
      await updateSku(ctx, 2, { name: `Apple iPhone 8 Plus ${name}` });
      const rename = fsp.rename;
      const order: string[] = [];
      const spy = vi.spyOn(fsp, 'rename').mockImplementation(async (from, to) => {
        order.push(path.basename(String(to)));
        return rename(from, to);
      });
      await publishSearchIndex(t.db, client);
      spy.mockRestore();
      gens.push(manifest().generation);
      expect(order.at(-1)).toBe('manifest.json');
      expect(order).toContain(manifest().generation);
      expect(order.indexOf(manifest().generation)).toBeLessThan(order.length - 1);
      await new Promise((r) => setTimeout(r, 20)); // distinct mtimes
    }
    expect(generations().sort()).toEqual([gens[1], gens[2]].sort());
  });

  it('a display-only publish makes a generation that shares the searchable files', async () => {
    const before = manifest();
    await updateSku(ctx, 3, { price: '1234.56' });
    const published = await publishSearchDisplay(t.db, client);
    const after = manifest();
    expect(published).toMatchObject(after);
    expect(after.generation).not.toBe(before.generation);
    const inode = (gen: string, f: string) => fs.statSync(path.join(search(), gen, f)).ino;
    for (const f of ['table.json', 's0.json']) expect(inode(after.generation, f)).toBe(inode(before.generation, f)); // hard links, not rewritten
    expect(rowOf(after.generation, 3)[2]).toBe('1234.56');
    // nothing changed: nothing written
    await publishSearchDisplay(t.db, client);
    expect(manifest()).toEqual(after);
  });

  it('refuses a display-only publish the index would not match', async () => {
    await updateSku(ctx, 4, { isLaunched: false }); // one SKU fewer than the index holds
    expect(await publishSearchDisplay(t.db, client)).toBeNull();
    await updateSku(ctx, 4, { isLaunched: true });
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'meiduo-client-'));
    try {
      expect(await publishSearchDisplay(t.db, empty)).toBeNull(); // nothing published yet
    } finally {
      fs.rmSync(empty, { recursive: true, force: true });
    }
  });

  it('the search job publishes what the requests need: the display file for a price, the index for a name', async () => {
    const rebuilder = new PageRebuilder(t.db, new CatalogService(), loadConfig({ DATABASE_URL: t.url, DIST_DIR: dist, MEDIA_DIR: t.mediaDir, LOG_LEVEL: 'silent' }), createLogger('silent'));
    try {
      const before = manifest();
      await updateSku(ctx, 5, { price: '55.55' });
      await markApplied(ctx, (await readChanges(ctx, 10_000))?.ids ?? [], 'display');
      expect(await rebuilder.drainSearch()).toMatchObject({ scope: 'display' });
      const priced = manifest();
      expect(priced.generation).not.toBe(before.generation);
      expect(fs.statSync(path.join(search(), priced.generation, 's0.json')).ino).toBe(fs.statSync(path.join(search(), before.generation, 's0.json')).ino);
      expect(rowOf(priced.generation, 5)[2]).toBe('55.55');

      await updateSku(ctx, 5, { name: 'Apple iPhone 8 Plus 火星版' });
      await markApplied(ctx, (await readChanges(ctx, 10_000))?.ids ?? [], 'display');
      await markApplied(ctx, (await readChanges(ctx, 10_000))?.ids ?? [], 'index');
      expect(await rebuilder.drainSearch()).toMatchObject({ scope: 'index', tokenized: expect.any(Number) }); // one publish, the wider one, in a thread
      const renamed = manifest();
      expect(renamed.generation).not.toBe(priced.generation);
      expect(await new SearchService(client, new CatalogService(), 0).search(ctx, '火星版', 1, 5)).toMatchObject({ count: 1, index: renamed.generation });
      expect(await rebuilder.drainSearch()).toBe(false);
    } finally {
      await rebuilder.close();
    }
  }, 60_000);

  it('asks for the search publish before the pages render: an edit is searchable a render sooner', async () => {
    const rebuilder = new PageRebuilder(t.db, new CatalogService(), loadConfig({ DATABASE_URL: t.url, DIST_DIR: dist, MEDIA_DIR: t.mediaDir, LOG_LEVEL: 'silent' }), createLogger('silent'));
    try {
      await markApplied(ctx, (await readChanges(ctx, 10_000))?.ids ?? [], null);
      await t.db('search_requests').del();
      await updateSku(ctx, 6, { name: 'Apple iPhone 8 Plus 先搜到版' });
      // the render, as the job sees it: what the search job could pick up meanwhile
      let duringRender: unknown = 'no render';
      (rebuilder as unknown as { apply: () => Promise<void> }).apply = async () => {
        duringRender = await readSearchRequests(ctx);
      };
      expect(await rebuilder.drain()).toMatchObject({ changes: 1, full: false, search: 'index' });
      expect(duringRender).toMatchObject({ scope: 'index' });
      expect(await readChanges(ctx, 10_000)).toBeNull();
      const pending = await readSearchRequests(ctx);
      expect(pending).toMatchObject({ scope: 'index', ids: [expect.any(Number)] }); // one request, not a second at markApplied
      // published here, or the next test's worker would find it at start and publish beside that test's own publish
      await markPublished(ctx, pending!.ids);
    } finally {
      await rebuilder.close();
    }
  });

  it('a worker that warms its publisher at start: the first publish re-tokenizes only the edit, links by hash, and the thread is kept', async () => {
    const config = loadConfig({ DATABASE_URL: t.url, DIST_DIR: dist, MEDIA_DIR: t.mediaDir, LOG_LEVEL: 'silent', JOBS_POLL_MS: '60000' });
    const fresh = fs.mkdtempSync(path.join(os.tmpdir(), 'meiduo-client-'));
    await publishSearchIndex(t.db, client); // a current generation, published by another publisher (a build)
    const count = manifest().count;
    // nothing pending: a search request left over would have the worker's own search.rebuild publish at start, beside this test's publish
    expect(await readSearchRequests(ctx)).toBeNull();
    const lazy = await createJobQueue(config, t.db, createLogger('silent'));
    const warm = await createJobQueue(config, t.db, createLogger('silent'), { warmSearch: true });
    try {
      // the default (the web process's embedded worker): nothing started, the thread idles out
      await lazy.startWorker();
      expect(await lazy.started).toEqual([null]);
      expect(searchThreadIdles()).toBe(true);
      await lazy.close();

      await warm.startWorker();
      const [warmed] = (await warm.started) as [WarmedThread];
      expect(warmed).toMatchObject({ docs: count, tokenized: count });
      expect(warmed.files).toBe(fs.readdirSync(path.join(search(), manifest().generation)).filter((f) => !f.endsWith('.gz')).length);
      expect(searchThreadIdles()).toBe(false); // kept: no edit meets a publisher from nothing

      await updateSku(ctx, 10, { name: 'Apple iPhone 8 Plus 冥王星预热版' });
      const published = await publishSearchIndexOffThread(config, client); // what search.rebuild runs
      expect(published.stats.tokenized).toBe(1); // the edited SKU only: the rest was tokenized at start
      // the current generation's hashes, read at start: unchanged files linked, none compared on disk
      expect(published.stats.linked).toBeGreaterThan(0);
      const scratch = await publishSearchIndex(t.db, fresh);
      expect(published.generation).toBe(scratch.generation); // byte for byte a fresh publish
      expect(await new SearchService(client, new CatalogService(), 0).search(ctx, '冥王星预热版', 1, 5)).toMatchObject({ count: 1 });

      // warmed while an edit waits (the catalog no longer gives the current generation): the current
      // files are read back and hashed, the edit is tokenized then, and the publish is still exact
      const publisher = new SearchPublisher();
      const nowhere = path.join(fresh, 'no-build-yet', 'client');
      expect(await publisher.warm(t.db, nowhere)).toMatchObject({ docs: count, files: 0 }); // no shop built: nothing to hash
      expect(fs.existsSync(nowhere)).toBe(false); // and nothing created where a build will link its release
      await updateSku(ctx, 11, { name: 'Apple iPhone 8 Plus 谷神星预热版' });
      const w = await publisher.warm(t.db, client);
      expect(w).toMatchObject({ docs: count, tokenized: 1, files: warmed.files }); // the edit only: the first warm tokenized the rest
      const next = await publisher.publish(t.db, client);
      expect(next.stats).toMatchObject({ tokenized: 0, linked: expect.any(Number) });
      expect(next.stats.linked).toBeGreaterThan(0);
      expect(next.generation).toBe((await publishSearchIndex(t.db, fresh)).generation);
    } finally {
      await warm.close();
      await lazy.close();
      await stopSearchThread();
      fs.rmSync(fresh, { recursive: true, force: true });
    }
  }, 60_000);

  it('a long-lived publisher, after edits, publishes byte for byte what a fresh one does, and links unchanged files', async () => {
    const publisher = new SearchPublisher();
    const fresh = fs.mkdtempSync(path.join(os.tmpdir(), 'meiduo-client-'));
    /** Every generation file, siblings decompressed: name → bytes. */
    const filesOf = (root: string, gen: string) => {
      const dir = path.join(root, 'search', gen);
      const out = new Map<string, string>();
      for (const f of fs.readdirSync(dir).sort()) {
        const body = fs.readFileSync(path.join(dir, f));
        out.set(f, (f.endsWith('.gz') ? gunzipSync(body) : f.endsWith('.br') ? brotliDecompressSync(body) : body).toString('base64'));
      }
      return out;
    };
    const check = async (edit: () => Promise<unknown>) => {
      await edit();
      const kept = await publisher.publish(t.db, client);
      const scratch = await publishSearchIndex(t.db, fresh); // a new publisher: tokenizes everything
      expect(kept.generation).toBe(scratch.generation);
      expect(filesOf(client, kept.generation)).toEqual(filesOf(fresh, scratch.generation));
      return kept;
    };
    try {
      const first = await check(async () => {});
      expect(first.stats.tokenized).toBe(first.count);
      const inode = (gen: string, f: string) => fs.statSync(path.join(search(), gen, f)).ino;

      const renamed = await check(() => updateSku(ctx, 6, { name: 'Apple iPhone 8 Plus 土星环限定版' }));
      expect(renamed.stats.tokenized).toBe(1); // only the edited SKU
      expect(renamed.stats.linked).toBeGreaterThan(0);
      // a display chunk without SKU 6 is the previous generation's file, not a copy
      const chunks = fs.readdirSync(path.join(search(), renamed.generation)).filter((f) => /^d\d+\.json$/.test(f));
      const untouched = chunks.find((f) => !read(renamed.generation, f).some((r: unknown[]) => r[0] === 6))!;
      expect(inode(renamed.generation, untouched)).toBe(inode(first.generation, untouched));
      expect(inode(renamed.generation, 'table.json')).toBe(inode(first.generation, 'table.json'));
      expect(rowOf(renamed.generation, 6)[1]).toBe('Apple iPhone 8 Plus 土星环限定版');

      const unlaunched = await check(() => updateSku(ctx, 7, { isLaunched: false }));
      expect(unlaunched.count).toBe(renamed.count - 1);
      expect(unlaunched.stats.tokenized).toBe(0);
      const relaunched = await check(() => updateSku(ctx, 7, { isLaunched: true }));
      expect(relaunched.stats.tokenized).toBe(1);

      const brand = (await t.db('skus as k').join('spus as p', 'p.id', 'k.spu_id').where('k.id', 1).first('p.brand_id as id')).id;
      const aliased = await check(() => editBrand(ctx, brand, { aliases: ['苹果手机', 'iphone-fan'] }));
      expect(aliased.stats.tokenized).toBeGreaterThan(0);
      const category = (await t.db('skus').where('id', 1).first('category_id')).category_id;
      await check(() => editCategory(ctx, category, { name: '智能手机改名' }));
      await check(() => t.db('skus').where('id', 8).update({ caption: '写在数据库里的新副标题' })); // no update_time: content decides
      // a display-only publish in between: the next index publish compares with the files on disk
      await updateSku(ctx, 9, { price: '99.99' });
      await publishSearchDisplay(t.db, client);
      const afterDisplay = await check(() => updateSku(ctx, 9, { name: 'Apple iPhone 8 Plus 木星版' }));
      expect(afterDisplay.stats.linked).toBeGreaterThan(0);
    } finally {
      fs.rmSync(fresh, { recursive: true, force: true });
    }
  }, 60_000);
});
