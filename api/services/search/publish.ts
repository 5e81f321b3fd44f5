import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Knex } from 'knex';
import { centsFromDb, formatCents } from '../../money.ts';
import { publishFile, removePublished } from '../../published-files.ts';
import { parseAliases } from './brand-aliases.ts';
import { buildSearchIndex, type SearchDisplayRow, type SearchDoc } from './search-index.ts';

// The index is published as content-hashed files behind a small manifest that is swapped last with
// rename(), so a reader (browser or API) sees either the old index or the new one, never a mix.
// Two files: the Lunr index (what queries match: seconds of CPU to build) and the display rows
// (what results show). A change that touches only the display republishes just the display file
// beside the same index (publishSearchDisplay).

export const SEARCH_DIR = 'search';
export const MANIFEST = 'manifest.json';

export interface SearchManifest {
  version: 1;
  index: string; // file names inside /search/
  docs: string;
  count: number;
}

export type Published = SearchManifest & { bytes: number };

/** Launched SKUs, in id order, with the columns `pick` needs. */
function launchedSkus(db: Knex, ...columns: string[]) {
  return db('skus as k').where('k.is_launched', true).orderBy('k.id').select('k.id', 'k.name', 'k.price', 'k.default_image', 'k.comments', ...columns);
}

const displayRow = (r: Record<string, any>): SearchDisplayRow => [r.id, r.name, formatCents(centsFromDb(r.price)), r.default_image ?? '', Number(r.comments)];

export async function loadSearchDocs(db: Knex): Promise<{ docs: SearchDoc[]; display: SearchDisplayRow[] }> {
  // The SPU's first- and second-level categories too: '电脑' finds laptops and tablets alike.
  const rows = await launchedSkus(db, 'k.caption', 'k.category_id', 'c.name as category', 'c1.name as category1', 'c2.name as category2', 'b.name as brand', 'b.aliases')
    .join('spus as p', 'p.id', 'k.spu_id')
    .join('brands as b', 'b.id', 'p.brand_id')
    .join('goods_categories as c', 'c.id', 'k.category_id')
    .leftJoin('goods_categories as c1', 'c1.id', 'p.category1_id')
    .leftJoin('goods_categories as c2', 'c2.id', 'p.category2_id');
  return {
    docs: rows.map((r) => ({
      id: r.id,
      name: r.name,
      caption: r.caption ?? '',
      categoryId: r.category_id,
      category: r.category,
      parentCategories: [r.category1, r.category2].filter((n): n is string => !!n),
      brand: r.brand,
      brandAliases: parseAliases(r.aliases),
    })),
    display: rows.map(displayRow),
  };
}

export async function loadDisplayRows(db: Knex): Promise<SearchDisplayRow[]> {
  return (await launchedSkus(db)).map(displayRow);
}

const hashOf = (s: string) => crypto.createHash('sha256').update(s).digest('hex').slice(0, 16);
const docsName = (json: string) => `docs.${hashOf(json)}.json`;

/**
 * Where to write: the release the link points at now, resolved once, so a release swap in the middle
 * of a publish cannot leave a manifest in one release naming files written into another.
 */
async function searchDir(clientDir: string): Promise<string> {
  const dir = path.join(await fs.realpath(clientDir).catch(() => clientDir), SEARCH_DIR);
  await fs.mkdir(dir, { recursive: true });
  return dir;
}

async function swapManifest(dir: string, manifest: SearchManifest) {
  await publishFile(path.join(dir, MANIFEST), JSON.stringify(manifest));
  await removeStale(dir, manifest);
}

/** Build the index from the database and publish it, with the display file, under clientDir/search/. */
export async function publishSearchIndex(db: Knex, clientDir: string): Promise<Published> {
  const { docs, display } = await loadSearchDocs(db);
  const indexJson = JSON.stringify(buildSearchIndex(docs));
  const docsJson = JSON.stringify(display);
  const dir = await searchDir(clientDir);
  const manifest: SearchManifest = { version: 1, index: `index.${hashOf(indexJson)}.json`, docs: docsName(docsJson), count: docs.length };
  await publishFile(path.join(dir, manifest.index), indexJson);
  await publishFile(path.join(dir, manifest.docs), docsJson);
  await swapManifest(dir, manifest);
  return { ...manifest, bytes: Buffer.byteLength(indexJson) };
}

export async function readManifest(clientDir: string): Promise<SearchManifest | null> {
  try {
    return JSON.parse(await fs.readFile(path.join(clientDir, SEARCH_DIR, MANIFEST), 'utf8')) as SearchManifest;
  } catch {
    return null;
  }
}

/**
 * Republishes only the display file, beside the index the manifest names now; no Lunr build. Null
 * when that is not enough — no index published yet, or the index does not hold exactly the SKUs
 * that are launched now — and the caller must publish the index.
 */
export async function publishSearchDisplay(db: Knex, clientDir: string): Promise<Published | null> {
  const dir = await searchDir(clientDir);
  const current = await readManifest(path.dirname(dir));
  if (!current) return null;
  const indexFile = path.join(dir, current.index);
  const bytes = (await fs.stat(indexFile).catch(() => null))?.size;
  if (bytes === undefined) return null;
  const display = await loadDisplayRows(db);
  if (display.length !== current.count) return null;
  const docsJson = JSON.stringify(display);
  const manifest: SearchManifest = { ...current, docs: docsName(docsJson) };
  if (manifest.docs !== current.docs) {
    await publishFile(path.join(dir, manifest.docs), docsJson);
    await swapManifest(dir, manifest);
  }
  return { ...manifest, bytes };
}

const GENERATION = /^(index|docs)\.[0-9a-f]{16}\.json$/;

/** Keep the current and the previous generation (a page may still be reading it); drop older ones. */
async function removeStale(dir: string, keep: SearchManifest) {
  const entries = await fs.readdir(dir, { withFileTypes: true });
  const files = entries.filter((e) => e.isFile() && GENERATION.test(e.name));
  const withTime = await Promise.all(
    files.map(async (f) => ({ name: f.name, mtime: (await fs.stat(path.join(dir, f.name)).catch(() => null))?.mtimeMs ?? 0 })),
  );
  const current = new Set([keep.index, keep.docs]);
  for (const kind of ['index', 'docs']) {
    const old = withTime
      .filter((f) => f.name.startsWith(kind + '.') && !current.has(f.name))
      .sort((a, b) => b.mtime - a.mtime)
      .slice(1); // the newest non-current one is the previous generation
    for (const f of old) await removePublished(path.join(dir, f.name)); // with its .gz/.br siblings
  }
}
