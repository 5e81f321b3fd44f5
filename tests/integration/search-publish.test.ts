import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { updateSku } from '../../api/services/catalog/catalog-editor.ts';
import { CatalogService } from '../../api/services/catalog/catalog-service.ts';
import { publishSearchIndex } from '../../api/services/search/publish.ts';
import { SearchService } from '../../api/services/search/search-service.ts';
import { createTestDb, type TestDb } from '../helpers/db.ts';

describe('publishing the search index', () => {
  let t: TestDb;
  let client: string;
  beforeAll(async () => {
    t = await createTestDb('sqlite', { seed: true });
    client = fs.mkdtempSync(path.join(os.tmpdir(), 'meiduo-client-'));
  });
  afterAll(async () => {
    vi.restoreAllMocks();
    await t.drop();
    fs.rmSync(client, { recursive: true, force: true });
  });

  const manifest = () => JSON.parse(fs.readFileSync(path.join(client, 'search', 'manifest.json'), 'utf8'));

  it('a crash before the manifest swap leaves the previous index served', async () => {
    await publishSearchIndex(t.db, client);
    const first = manifest();
    const search = new SearchService(client, new CatalogService(t.db), 0);
    expect((await search.search('华为', 1, 5)).index).toBe(first.index);

    await updateSku(t.db, 1, { name: 'Apple iPhone 8 Plus 月球漫步版' });
    const rename = fsp.rename;
    const spy = vi.spyOn(fsp, 'rename').mockImplementation(async (from, to) => {
      if (String(to).endsWith('manifest.json')) throw new Error('simulated crash');
      return rename(from, to);
    });
    await expect(publishSearchIndex(t.db, client)).rejects.toThrow('simulated crash');
    spy.mockRestore();

    expect(manifest()).toEqual(first);
    for (const f of [first.index, first.docs]) expect(fs.existsSync(path.join(client, 'search', f))).toBe(true);
    const r = await search.search('月球漫步', 1, 5);
    expect(r.index).toBe(first.index); // still the old generation: the rename never happened
    expect(r.count).toBe(0);

    await publishSearchIndex(t.db, client); // the next run publishes it
    expect(manifest().index).not.toBe(first.index);
    expect((await search.search('月球漫步', 1, 5)).results.map((x) => x.id)).toEqual([1]);
  });

  it('keeps the previous generation for pages still loading it, and no older ones', async () => {
    const gens: string[] = [];
    for (const name of ['一代', '二代', '三代']) {
      await updateSku(t.db, 2, { name: `Apple iPhone 8 Plus ${name}` });
      await publishSearchIndex(t.db, client);
      gens.push(manifest().index);
      await new Promise((r) => setTimeout(r, 20)); // distinct mtimes
    }
    const files = fs.readdirSync(path.join(client, 'search')).filter((f) => /^index\..*\.json$/.test(f));
    expect(files.sort()).toEqual([gens[1], gens[2]].sort());
  });
});
