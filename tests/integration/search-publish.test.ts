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
import { updateSku } from '../../api/services/catalog/catalog-editor.ts';
import { CatalogService } from '../../api/services/catalog/catalog-service.ts';
import { markApplied, readChanges } from '../../api/services/catalog/outbox.ts';
import { publishSearchDisplay, publishSearchIndex } from '../../api/services/search/publish.ts';
import { SearchService } from '../../api/services/search/search-service.ts';
import { PageRebuilder } from '../../jobs/pages-rebuild.ts';
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
  const read = (name: string) => JSON.parse(fs.readFileSync(path.join(search(), name), 'utf8'));

  it('a crash before the manifest swap leaves the previous index served, and no temp file', async () => {
    await publishSearchIndex(t.db, client);
    const first = manifest();
    const service = new SearchService(client, new CatalogService(), 0);
    expect((await service.search(ctx, '华为', 1, 5)).index).toBe(first.index);

    await updateSku(ctx, 1, { name: 'Apple iPhone 8 Plus 月球漫步版' });
    const rename = fsp.rename;
    const spy = vi.spyOn(fsp, 'rename').mockImplementation(async (from, to) => {
      if (String(to).endsWith('manifest.json')) throw new Error('simulated crash');
      return rename(from, to);
    });
    await expect(publishSearchIndex(t.db, client)).rejects.toThrow('simulated crash');
    spy.mockRestore();

    expect(manifest()).toEqual(first);
    for (const f of [first.index, first.docs]) expect(fs.existsSync(path.join(search(), f))).toBe(true);
    expect(fs.readdirSync(search()).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    const r = await service.search(ctx, '月球漫步', 1, 5);
    expect(r.index).toBe(first.index); // still the old generation: the rename never happened
    expect(r.count).toBe(0);

    await publishSearchIndex(t.db, client); // the next run publishes it
    expect(manifest().index).not.toBe(first.index);
    expect((await service.search(ctx, '月球漫步', 1, 5)).results.map((x) => x.id)).toEqual([1]);
  });

  it('publishes precompressed siblings of the index and the display file', async () => {
    const m = manifest();
    for (const name of [m.index, m.docs]) {
      const body = fs.readFileSync(path.join(search(), name));
      expect(gunzipSync(fs.readFileSync(path.join(search(), name + '.gz'))).equals(body)).toBe(true);
      expect(brotliDecompressSync(fs.readFileSync(path.join(search(), name + '.br'))).equals(body)).toBe(true);
    }
  });

  it('keeps the previous generation for pages still loading it, and no older ones, siblings included', async () => {
    const gens: string[] = [];
    for (const name of ['一代', '二代', '三代']) {
      await updateSku(ctx, 2, { name: `Apple iPhone 8 Plus ${name}` });
      await publishSearchIndex(t.db, client);
      gens.push(manifest().index);
      await new Promise((r) => setTimeout(r, 20)); // distinct mtimes
    }
    const files = fs.readdirSync(search());
    expect(files.filter((f) => /^index\..*\.json$/.test(f)).sort()).toEqual([gens[1], gens[2]].sort());
    const kept = files.filter((f) => /^(index|docs)\..*\.json$/.test(f));
    expect(files.filter((f) => /\.(gz|br)$/.test(f)).sort()).toEqual(kept.flatMap((f) => [f + '.br', f + '.gz']).sort());
  });

  it('a display-only publish writes a new display file beside the same index', async () => {
    const before = manifest();
    const indexMtime = fs.statSync(path.join(search(), before.index)).mtimeMs;
    await updateSku(ctx, 3, { price: '1234.56' });
    const published = await publishSearchDisplay(t.db, client);
    const after = manifest();
    expect(published).toMatchObject(after);
    expect(after.index).toBe(before.index);
    expect(fs.statSync(path.join(search(), before.index)).mtimeMs).toBe(indexMtime);
    expect(after.docs).not.toBe(before.docs);
    expect(read(after.docs).find((row: unknown[]) => row[0] === 3)[2]).toBe('1234.56');
    expect(fs.existsSync(path.join(search(), after.docs + '.br'))).toBe(true);
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
      expect(await rebuilder.drainSearch()).toBe(true);
      const priced = manifest();
      expect(priced.index).toBe(before.index);
      expect(read(priced.docs).find((row: unknown[]) => row[0] === 5)[2]).toBe('55.55');

      await updateSku(ctx, 5, { name: 'Apple iPhone 8 Plus 火星版' });
      await markApplied(ctx, (await readChanges(ctx, 10_000))?.ids ?? [], 'display');
      await markApplied(ctx, (await readChanges(ctx, 10_000))?.ids ?? [], 'index');
      expect(await rebuilder.drainSearch()).toBe(true); // one publish, the wider one, in a thread
      const renamed = manifest();
      expect(renamed.index).not.toBe(priced.index);
      expect(await new SearchService(client, new CatalogService(), 0).search(ctx, '火星版', 1, 5)).toMatchObject({ count: 1, index: renamed.index });
      expect(await rebuilder.drainSearch()).toBe(false);
    } finally {
      await rebuilder.close();
    }
  }, 60_000);
});
