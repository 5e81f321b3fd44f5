import crypto from 'node:crypto';
import fsSync from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Knex } from 'knex';
import { centsFromDb, formatCents } from '../../money.ts';
import { SIBLINGS, SIBLING_EXT, compress, publishFile, wantsSiblings } from '../../published-files.ts';
import { parseAliases } from './brand-aliases.ts';
import { FIELDS, fieldTexts, type SearchDisplayRow, type SearchDoc } from './search-index.ts';
import { ShardBuilder, TermCache, displayChunks, tokenizeDoc, type TokenizedDoc } from './shard-builder.ts';
import { TABLE_FILE, decodeTable, type DocTableJson, type SearchManifest } from './shards.ts';

// The index is published as a generation: a folder search/<generation>/ of shard, table, big-list
// and display files (format: shards.ts), behind search/manifest.json, which is swapped last with
// rename(); a reader (browser or API) reads the manifest once per query and then only that
// generation's files, so it sees the old index or the new one, never a mix. The folder is written
// under a temporary name and renamed whole, and its name is a hash of its content. A change that
// touches only the display (a price) makes a new generation that hard-links the searchable files of
// the current one and writes only new display chunks (publishSearchDisplay).

export const SEARCH_DIR = 'search';
export const MANIFEST = 'manifest.json';

export type { SearchManifest };

export type Published = SearchManifest & { gzipBytes: number };

/** Launched SKUs, in id order, with the columns `pick` needs. */
function launchedSkus(db: Knex, ...columns: string[]) {
  return db('skus as k').where('k.is_launched', true).orderBy('k.id').select('k.id', 'k.name', 'k.price', 'k.default_image', 'k.comments', ...columns);
}

const displayRow = (r: Record<string, any>): SearchDisplayRow => [r.id, r.name, formatCents(centsFromDb(r.price)), r.default_image ?? '', Number(r.comments)];

const DOC_COLUMNS = ['k.caption', 'k.category_id', 'c.name as category', 'c1.name as category1', 'c2.name as category2', 'b.name as brand', 'b.aliases'];

function searchRows(db: Knex) {
  // The SPU's first- and second-level categories too: '电脑' finds laptops and tablets alike.
  return launchedSkus(db, ...DOC_COLUMNS)
    .join('spus as p', 'p.id', 'k.spu_id')
    .join('brands as b', 'b.id', 'p.brand_id')
    .join('goods_categories as c', 'c.id', 'k.category_id')
    .leftJoin('goods_categories as c1', 'c1.id', 'p.category1_id')
    .leftJoin('goods_categories as c2', 'c2.id', 'p.category2_id');
}

const searchDoc = (r: Record<string, any>): SearchDoc => ({
  id: r.id,
  name: r.name,
  caption: r.caption ?? '',
  categoryId: r.category_id,
  category: r.category,
  parentCategories: [r.category1, r.category2].filter((n): n is string => !!n),
  brand: r.brand,
  brandAliases: parseAliases(r.aliases),
});

export async function loadSearchDocs(db: Knex): Promise<{ docs: SearchDoc[]; display: SearchDisplayRow[] }> {
  const rows = await searchRows(db);
  return { docs: rows.map(searchDoc), display: rows.map(displayRow) };
}

/** The launched SKUs in id order, BATCH rows per query (keyset paging): the publisher never holds them all. */
const BATCH = 5000;
async function* searchDocBatches(db: Knex): AsyncGenerator<{ doc: SearchDoc; row: SearchDisplayRow }[]> {
  let after = 0;
  for (;;) {
    const rows = await searchRows(db).where('k.id', '>', after).limit(BATCH);
    if (rows.length === 0) return;
    yield rows.map((r) => ({ doc: searchDoc(r), row: displayRow(r) }));
    after = rows[rows.length - 1].id;
  }
}

export async function loadDisplayRows(db: Knex): Promise<SearchDisplayRow[]> {
  return (await launchedSkus(db)).map(displayRow);
}

const hashOf = (h: crypto.Hash) => h.digest('hex').slice(0, 16);

/**
 * Where to write: the release the link points at now, resolved once, so a release swap in the middle
 * of a publish cannot leave a manifest in one release naming files written into another.
 */
async function searchDir(clientDir: string): Promise<string> {
  const dir = path.join(await fs.realpath(clientDir).catch(() => clientDir), SEARCH_DIR);
  await fs.mkdir(dir, { recursive: true });
  return dir;
}

/** Files written at once: compression runs on libuv's pool (4 threads), so more would only queue. */
const WRITERS = 8;

/** The files of a published generation by content hash: the next publish links the ones it would write again. */
export interface GenerationFiles {
  /** Folder of the generation (an absolute path). */
  dir: string;
  /**
   * By file name: its content hash and the bytes a gzip client downloads; null: compare with the
   * files themselves (read back).
   */
  hashes: Map<string, { hash: string; gz: number }> | null;
}

const fileHash = (body: Buffer) => crypto.createHash('sha1').update(body).digest('base64');

/** A generation's name: the hash of `seed`, then of each file's name and content hash, in order. */
function generationName(seed = '') {
  const hash = crypto.createHash('sha256').update(seed);
  return {
    file: (name: string, contentHash: string) => void hash.update(name).update('\0').update(contentHash).update('\0'),
    done: () => hashOf(hash),
  };
}

/**
 * Writes a generation's files (precompressed, publishFile) into a temporary folder, then renames it
 * to the hash of its content; the same content already published is kept as it is. A file whose
 * bytes equal the same-named file of `previous` (the current generation) is hard-linked from there
 * with its compressed siblings: an edit changes most shards (BM25 statistics are catalog-wide) but
 * few display chunks, and compressing and writing those again was a third of the publish.
 */
async function writeGeneration(
  dir: string,
  files: Iterable<[string, string]>,
  seed = '',
  previous: GenerationFiles | null = null,
): Promise<{ generation: string; bytes: number; gzipBytes: number; files: GenerationFiles; linked: number }> {
  const tmp = path.join(dir, `${BUILDING}${process.pid}-${crypto.randomBytes(4).toString('hex')}`);
  await fs.mkdir(tmp);
  try {
    const naming = generationName(seed);
    const hashes = new Map<string, { hash: string; gz: number }>();
    let bytes = 0;
    let gzipBytes = 0;
    let linked = 0;
    const running = new Set<Promise<void>>();
    for (const [name, text] of files) {
      const body = Buffer.from(text);
      bytes += body.length;
      const h = fileHash(body);
      naming.file(name, h); // the files' hashes: one pass over the bytes
      // The publisher's own previous generation (hashes at hand, in the publisher's thread): linked
      // synchronously, 3 link() calls a file for most of 17,000 files at 100,000 SKUs, which through
      // the thread pool cost more in promises and queueing than the system calls themselves.
      const known = previous?.hashes?.get(name);
      if (known?.hash === h && linkFromSync(previous!.dir, tmp, name, body)) {
        linked++;
        gzipBytes += known.gz;
        hashes.set(name, known);
        continue;
      }
      const job: Promise<void> = sameAs(previous, name, h, body)
        .then((same) => (same ? linkFrom(previous!.dir, tmp, name, body) : -1))
        .then((n) => (n < 0 ? writeNew(path.join(tmp, name), body) : (linked++, n)))
        .then((gz) => void ((gzipBytes += gz), hashes.set(name, { hash: h, gz })))
        .finally(() => running.delete(job));
      running.add(job);
      if (running.size >= WRITERS) await Promise.race(running);
    }
    await Promise.all(running);
    const generation = naming.done();
    const final = path.join(dir, generation);
    if (await exists(final)) await fs.rm(tmp, { recursive: true, force: true });
    else await fs.rename(tmp, final);
    return { generation, bytes, gzipBytes, files: { dir: final, hashes }, linked };
  } catch (err) {
    await fs.rm(tmp, { recursive: true, force: true });
    throw err;
  }
}

/** Whether `previous` has a file `name` of these bytes. */
async function sameAs(previous: GenerationFiles | null, name: string, hash: string, body: Buffer): Promise<boolean> {
  if (!previous) return false;
  if (previous.hashes) return previous.hashes.get(name)?.hash === hash;
  const old = await fs.readFile(path.join(previous.dir, name)).catch(() => null);
  return old !== null && old.equals(body);
}

/**
 * Generation files get a gzip sibling only. On the shard files at 100,000 SKUs (39 MB), brotli at
 * publishFile's quality 5 came out larger than gzip 6 (11.6% against 11.2%) for 0.56 CPU-s more per
 * publish, quality 9 saved 4% more bytes for 3.2 CPU-s, 11 took 45 CPU-s: a publish per edit cannot
 * pay for it. nginx's brotli_static falls back to gzip_static, and the embedded server (middleware/
 * static.ts) sends the sibling there is before compressing.
 */
const GENERATION_SIBLINGS = [SIBLING_EXT.gzip];

/** The file and the siblings writeNew writes for it. */
const formsOf = (name: string, body: Buffer) => (wantsSiblings(name, body.length) ? [name, ...GENERATION_SIBLINGS.map((s) => name + s)] : [name]);

/**
 * linkFrom, synchronous; false when the file is gone there. Only where the publisher's own hashes say
 * the file is unchanged, which happens in its thread; linkFrom stays asynchronous because a display
 * publish (publishSearchDisplay) runs on the job process's loop, the web process's in the embedded shop.
 */
function linkFromSync(from: string, to: string, name: string, body: Buffer): boolean {
  const names = formsOf(name, body);
  try {
    for (const f of names) fsSync.linkSync(path.join(from, f), path.join(to, f));
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    for (const f of names) fsSync.rmSync(path.join(to, f), { force: true });
    return false;
  }
}

/**
 * Hard-links a file and the siblings writeNew would write for it from folder `from`; -1 when the
 * file is gone there (a generation removed meanwhile), and the caller writes it. Returns the bytes a
 * gzip client downloads, as writeNew.
 */
async function linkFrom(from: string, to: string, name: string, body: Buffer): Promise<number> {
  const names = formsOf(name, body);
  try {
    for (const f of names) await fs.link(path.join(from, f), path.join(to, f));
    return names.length === 1 ? body.length : (await fs.stat(path.join(to, name + SIBLING_EXT.gzip))).size;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    for (const f of names) await fs.rm(path.join(to, f), { force: true });
    return -1;
  }
}

/**
 * A file and its gzip sibling (GENERATION_SIBLINGS) in a folder no reader sees yet: no temporary
 * names, half the file operations of publishFile. The sibling comes after the file, as publishFile
 * writes them. Returns the bytes a gzip client downloads.
 */
async function writeNew(file: string, body: Buffer): Promise<number> {
  const gz = wantsSiblings(file, body.length) ? await compress('gzip', body) : null;
  await fs.writeFile(file, body);
  if (!gz) return body.length;
  await fs.writeFile(file + SIBLING_EXT.gzip, gz);
  return gz.length;
}

const exists = (p: string) => fs.stat(p).then(() => true, () => false);

async function swapManifest(dir: string, manifest: SearchManifest) {
  await publishFile(path.join(dir, MANIFEST), JSON.stringify(manifest));
  await removeStale(dir, manifest.generation);
}

/** Timings of a publish, for the job's log and the benchmarks. */
export interface PublishStats {
  /** Documents tokenized this time (the rest came from the publisher's cache). */
  tokenized: number;
  /** Generation files hard-linked from the current generation rather than written. */
  linked: number;
  written: number;
  readMs: number;
  buildMs: number;
  writeMs: number;
}

export type PublishedIndex = Published & { stats: PublishStats };

/** What warm() did: documents cached, of which tokenized now, generation files hashed. */
export interface WarmStats {
  docs: number;
  tokenized: number;
  files: number;
  ms: number;
}

/**
 * The content hashes of a published generation's files, as writeGeneration records them (with the
 * size of the gzip sibling where the file has one); null when the folder is gone or incomplete.
 */
async function hashesOf(dir: string): Promise<Map<string, { hash: string; gz: number }> | null> {
  const names = await fs.readdir(dir).catch(() => null);
  if (!names) return null;
  const present = new Set(names);
  const hashes = new Map<string, { hash: string; gz: number }>();
  for (const name of names) {
    if (SIBLINGS.some((s) => name.endsWith(s))) continue;
    const body = await fs.readFile(path.join(dir, name)).catch(() => null);
    if (!body) return null;
    const siblings = formsOf(name, body).slice(1);
    if (siblings.some((f) => !present.has(f))) continue; // not linkable as it is: written anew
    const gz = siblings.length === 0 ? body.length : (await fs.stat(path.join(dir, name + SIBLING_EXT.gzip))).size;
    hashes.set(name, { hash: fileHash(body), gz });
  }
  return hashes;
}

interface CachedDoc {
  /** The texts it was tokenized from: the same texts, the same terms. */
  key: string;
  doc: TokenizedDoc;
}

/**
 * Publishes the index again and again, keeping what the next publish can reuse: every launched SKU's
 * tokenized fields (per-field term counts and lengths — tokenizing was a fifth of a publish at
 * 100,000 SKUs) and the content hashes of the generation it published last. Each publish still reads
 * every launched SKU (so nothing depends on update_time, which has whole-second precision) and
 * rebuilds every shard (BM25 statistics are catalog-wide), but re-tokenizes only SKUs whose indexed
 * texts differ from the cached ones, and hard-links files whose bytes did not change. The output is
 * byte for byte what a fresh publisher writes (tests/integration/search-publish.test.ts).
 */
export class SearchPublisher {
  private docs = new Map<number, CachedDoc>();
  private terms = new TermCache();
  private last: GenerationFiles & { generation: string } | null = null;

  /** Documents cached (for the RSS report). */
  get cached() {
    return this.docs.size;
  }

  /** The cached tokenized fields of a document, tokenized anew (and `fresh` called) when its texts differ. */
  private tokenized(doc: SearchDoc, fresh: () => void): CachedDoc {
    const texts = fieldTexts(doc);
    const key = FIELDS.map((f) => texts[f]).join('\u0001') + '\u0001' + doc.categoryId + '\u0001' + doc.brand;
    const cached = this.docs.get(doc.id);
    if (cached?.key === key) return cached;
    fresh();
    return { key, doc: tokenizeDoc(doc, this.terms) };
  }

  /**
   * Gets ready for the next publish without publishing: tokenizes every launched SKU, builds the
   * generation in memory and hashes its files — the work a publisher from nothing adds to its first
   * publish (at 100,000 SKUs a first publish through the job queue took ~5.6 s against ~3 s for the
   * next ones: tokenizing, reading the current generation back, and code run for the first time).
   * When the catalog still gives the current generation (nothing changed since it was published),
   * those hashes are the current generation's and the next publish links by them; otherwise the
   * current generation's files are read back and hashed (hashesOf). A worker does this when it
   * starts (jobs/search-publish.ts). What changes meanwhile is caught by the publish itself: texts
   * are compared, and hashes are used only while that generation is current.
   */
  async warm(db: Knex, clientDir: string): Promise<WarmStats> {
    const t0 = performance.now();
    const { built, tokenized } = await this.tokenizeAll(db);
    // not searchDir(): warming creates nothing (a worker may start before the first build made dist/client)
    const dir = path.join(await fs.realpath(clientDir).catch(() => clientDir), SEARCH_DIR);
    const current = await readManifest(path.dirname(dir));
    let files = 0;
    if (current) {
      const currentDir = path.join(dir, current.generation);
      // the generation's name as writeGeneration makes it (the index's: no seed)
      const naming = generationName();
      const hashes = new Map<string, { hash: string; gz: number }>();
      for (const [file, text] of built.files) {
        const body = Buffer.from(text);
        const h = fileHash(body);
        naming.file(file, h);
        hashes.set(file, { hash: h, gz: wantsSiblings(file, body.length) ? -1 : body.length });
      }
      let known: GenerationFiles['hashes'] = null;
      if (naming.done() === current.generation) {
        known = hashes; // the same files: their gzip sizes from the siblings on disk
        for (const [file, h] of hashes) if (h.gz < 0) h.gz = (await fs.stat(path.join(currentDir, file + SIBLING_EXT.gzip)).catch(() => null))?.size ?? -1;
        for (const [file, h] of hashes) if (h.gz < 0) hashes.delete(file); // a sibling missing: written anew
      } else {
        known = await hashesOf(currentDir);
      }
      if (known) {
        this.last = { dir: currentDir, hashes: known, generation: current.generation };
        files = known.size;
      }
    }
    return { docs: this.docs.size, tokenized, files, ms: Math.round(performance.now() - t0) };
  }

  /** Reads every launched SKU, tokenizes those whose texts changed, and adds them all to a builder. */
  private async tokenizeAll(db: Knex) {
    const t0 = performance.now();
    const builder = new ShardBuilder();
    const next = new Map<number, CachedDoc>();
    let tokenized = 0;
    let readMs = 0;
    let r0 = performance.now();
    for await (const batch of searchDocBatches(db)) {
      readMs += performance.now() - r0;
      for (const { doc, row } of batch) {
        const cached = this.tokenized(doc, () => tokenized++);
        next.set(doc.id, cached);
        builder.addTokenized(cached.doc, row);
      }
      r0 = performance.now();
    }
    // SKUs no longer launched drop out (the term strings of TermCache stay: the vocabulary grows only
    // with new words, and a full reload — a new publisher — starts it afresh)
    this.docs = next;
    return { built: builder.build(), tokenized, readMs, buildMs: performance.now() - t0 - readMs };
  }

  async publish(db: Knex, clientDir: string): Promise<PublishedIndex> {
    const { built, tokenized, readMs, buildMs } = await this.tokenizeAll(db);
    const t1 = performance.now();
    const dir = await searchDir(clientDir);
    const current = await readManifest(path.dirname(dir));
    // the current generation's files: by the hashes kept from writing them when this publisher wrote
    // it, else read back (a display-only publish or another process made it)
    const currentDir = current ? path.join(dir, current.generation) : null;
    const previous: GenerationFiles | null = !currentDir ? null : this.last?.dir === currentDir ? this.last : { dir: currentDir, hashes: null };
    const { generation, bytes, gzipBytes, files, linked } = await writeGeneration(dir, built.files, '', previous);
    const manifest: SearchManifest = {
      version: 2, generation, shards: built.shards, count: built.count, terms: built.terms, fields: built.fields, chunkRows: built.chunkRows, bytes,
    };
    await swapManifest(dir, manifest);
    this.last = { ...files, generation };
    const t2 = performance.now();
    const stats: PublishStats = { tokenized, linked, written: files.hashes!.size - linked, readMs: Math.round(readMs), buildMs: Math.round(buildMs), writeMs: Math.round(t2 - t1) };
    return { ...manifest, gzipBytes, stats };
  }
}

/** Build the index from the database and publish it, with the display rows, under clientDir/search/. */
export async function publishSearchIndex(db: Knex, clientDir: string, publisher = new SearchPublisher()): Promise<PublishedIndex> {
  return publisher.publish(db, clientDir);
}

export async function readManifest(clientDir: string): Promise<SearchManifest | null> {
  try {
    const m = JSON.parse(await fs.readFile(path.join(clientDir, SEARCH_DIR, MANIFEST), 'utf8')) as SearchManifest;
    return m.version === 2 ? m : null;
  } catch {
    return null;
  }
}

const isChunk = (name: string) => /^d\d+\.json/.test(name);

/**
 * Publishes a generation with new display rows beside the current searchable files (hard-linked, not
 * rebuilt). Null when that is not enough — no index published yet, or the index does not hold
 * exactly the SKUs that are launched now — and the caller must publish the index.
 */
export async function publishSearchDisplay(db: Knex, clientDir: string): Promise<Published | null> {
  const dir = await searchDir(clientDir);
  const current = await readManifest(path.dirname(dir));
  if (!current) return null;
  const from = path.join(dir, current.generation);
  const table = await fs.readFile(path.join(from, TABLE_FILE), 'utf8').catch(() => null);
  if (table === null) return null;
  const display = await loadDisplayRows(db);
  const ids = decodeTable(JSON.parse(table) as DocTableJson).ids;
  if (display.length !== ids.length || display.some((r, i) => r[0] !== ids[i])) return null;
  const chunks = [...displayChunks(display, current.chunkRows)];
  // the new generation's name: the searchable files' (the current generation's name) and the new rows
  const unchanged = await Promise.all(chunks.map(async ([name, text]) => (await fs.readFile(path.join(from, name), 'utf8').catch(() => null)) === text));
  if (unchanged.every(Boolean)) return { ...current, gzipBytes: 0 };
  const linked = (await fs.readdir(from)).filter((f) => !isChunk(f));
  const { generation, bytes } = await writeGeneration(dir, chunks, current.generation, { dir: from, hashes: null }); // unchanged chunks linked
  const to = path.join(dir, generation);
  for (const f of linked) await fs.link(path.join(from, f), path.join(to, f)).catch((err) => (err.code === 'EEXIST' ? undefined : Promise.reject(err)));
  const shared = (await Promise.all(linked.filter((f) => !SIBLINGS.some((s) => f.endsWith(s))).map((f) => fs.stat(path.join(from, f))))).reduce((n, s) => n + s.size, 0);
  const manifest: SearchManifest = { ...current, generation, bytes: bytes + shared };
  await swapManifest(dir, manifest);
  return { ...manifest, gzipBytes: 0 };
}

const BUILDING = '.building-';
const GENERATION = /^[0-9a-f]{16}$/;
/** A temporary folder this old is left from a crashed publish, not one under way. */
const ABANDONED_MS = 10 * 60_000;

/** Keep the current and the previous generation (a page may still be reading it); drop older ones. */
async function removeStale(dir: string, keep: string) {
  const entries = await fs.readdir(dir, { withFileTypes: true });
  const withTime = await Promise.all(
    entries.filter((e) => e.isDirectory()).map(async (e) => ({ name: e.name, mtime: (await fs.stat(path.join(dir, e.name)).catch(() => null))?.mtimeMs ?? 0 })),
  );
  const old = withTime
    .filter((f) => GENERATION.test(f.name) && f.name !== keep)
    .sort((a, b) => b.mtime - a.mtime)
    .slice(1); // the newest non-current one is the previous generation
  const abandoned = withTime.filter((f) => f.name.startsWith(BUILDING) && Date.now() - f.mtime > ABANDONED_MS);
  for (const f of [...old, ...abandoned]) await fs.rm(path.join(dir, f.name), { recursive: true, force: true });
}
