import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Knex } from 'knex';
import { centsFromDb, formatCents } from '../../money.ts';
import { buildSearchIndex, type SearchDisplayRow, type SearchDoc } from './search-index.ts';

// The index is published as content-hashed files behind a small manifest that is swapped last with
// rename(), so a reader (browser or API) sees either the old index or the new one, never a mix.

export const SEARCH_DIR = 'search';
export const MANIFEST = 'manifest.json';

export interface SearchManifest {
  version: 1;
  index: string; // file names inside /search/
  docs: string;
  count: number;
}

export async function loadSearchDocs(db: Knex): Promise<{ docs: SearchDoc[]; display: SearchDisplayRow[] }> {
  const rows = await db('skus as k')
    .join('spus as p', 'p.id', 'k.spu_id')
    .join('brands as b', 'b.id', 'p.brand_id')
    .join('goods_categories as c', 'c.id', 'k.category_id')
    .where('k.is_launched', true)
    .orderBy('k.id')
    .select('k.id', 'k.name', 'k.caption', 'k.price', 'k.default_image', 'k.comments', 'k.category_id', 'c.name as category', 'b.name as brand');
  return {
    docs: rows.map((r) => ({ id: r.id, name: r.name, caption: r.caption ?? '', categoryId: r.category_id, category: r.category, brand: r.brand })),
    display: rows.map((r) => [r.id, r.name, formatCents(centsFromDb(r.price)), r.default_image ?? '', Number(r.comments)]),
  };
}

async function writeAtomic(file: string, data: string | Buffer) {
  const tmp = `${file}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`;
  await fs.writeFile(tmp, data);
  await fs.rename(tmp, file);
}

const hashOf = (s: string) => crypto.createHash('sha256').update(s).digest('hex').slice(0, 16);

/** Build the index from the database and publish it under clientDir/search/. */
export async function publishSearchIndex(db: Knex, clientDir: string): Promise<SearchManifest & { bytes: number }> {
  const { docs, display } = await loadSearchDocs(db);
  const indexJson = JSON.stringify(buildSearchIndex(docs));
  const docsJson = JSON.stringify(display);
  const dir = path.join(clientDir, SEARCH_DIR);
  await fs.mkdir(dir, { recursive: true });

  const manifest: SearchManifest = {
    version: 1,
    index: `index.${hashOf(indexJson)}.json`,
    docs: `docs.${hashOf(docsJson)}.json`,
    count: docs.length,
  };
  // (no .gz siblings: the static server compresses and caches, and so does nginx or a CDN)
  for (const [name, body] of [
    [manifest.index, indexJson],
    [manifest.docs, docsJson],
  ] as const) {
    await writeAtomic(path.join(dir, name), body);
  }
  await writeAtomic(path.join(dir, MANIFEST), JSON.stringify(manifest));
  await removeStale(dir, manifest);
  return { ...manifest, bytes: Buffer.byteLength(indexJson) };
}

/** Keep the current and the previous generation (a page may still be reading it); drop older ones. */
async function removeStale(dir: string, keep: SearchManifest) {
  const entries = await fs.readdir(dir, { withFileTypes: true });
  const files = entries.filter((e) => e.isFile() && /^(index|docs)\.[0-9a-f]{16}\.json$/.test(e.name));
  const withTime = await Promise.all(files.map(async (f) => ({ name: f.name, mtime: (await fs.stat(path.join(dir, f.name))).mtimeMs })));
  const current = new Set([keep.index, keep.docs]);
  for (const kind of ['index', 'docs']) {
    const old = withTime
      .filter((f) => f.name.startsWith(kind + '.') && f.name.endsWith('.json') && !current.has(f.name))
      .sort((a, b) => b.mtime - a.mtime)
      .slice(1); // the newest non-current one is the previous generation
    for (const f of old) await fs.rm(path.join(dir, f.name), { force: true });
  }
}
