import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Knex } from 'knex';
import type { Config } from '../api/config.ts';
import { COMPRESSIBLE } from '../api/published-files.ts';
import { systemClock } from '../api/clock.ts';
import { systemContext } from '../api/context.ts';
import { publishSearchIndex } from '../api/services/search/publish.ts';
import { ROBOTS_URL, writeSitemaps } from '../api/services/seo/sitemap.ts';
import { CATALOG_PAGES_OUTSIDE_ENV } from '../site/lib/catalog-pages-outside.ts';
import { startCatalogPages, type PagesSummary } from './build-pages.ts';
import { linkPackages } from './dist-packages.ts';
import { ROOT, threadEntry } from './runtime.ts';

// Full builds: Astro bundles the site and prerenders the few pages that are not per SKU or per list
// page; threads render the goods and list pages through the new release's on-demand twins
// (jobs/build-pages.ts) while the search index is built; then sitemaps, and the release swap. A stamp records what the build was made from, so `npm start` rebuilds only when the
// code or the catalog changed.

const STAMP = '.meiduo-build.json';

// Files whose change changes pages.
const SOURCE_DIRS = ['site', 'templates', 'api/services/catalog', 'api/services/search', 'api/services/seo', 'api/money.ts', 'api/published-files.ts', 'jobs/build.ts', 'astro.config.mjs', 'package-lock.json'];

async function* walk(p: string): AsyncGenerator<string> {
  const stat = await fs.stat(p).catch(() => null);
  if (!stat) return;
  if (stat.isFile()) {
    yield p;
    return;
  }
  for (const e of (await fs.readdir(p)).sort()) yield* walk(path.join(p, e));
}

let sourceHashOnce: Promise<string> | null = null;

/** Hash of the files pages are made from; they do not change while a process runs, so it is computed once. */
export function sourceHash(): Promise<string> {
  sourceHashOnce ??= computeSourceHash();
  return sourceHashOnce;
}

async function computeSourceHash(): Promise<string> {
  const h = crypto.createHash('sha256');
  for (const rel of SOURCE_DIRS) {
    for await (const file of walk(path.join(ROOT, rel))) {
      h.update(path.relative(ROOT, file));
      h.update(await fs.readFile(file));
    }
  }
  return h.digest('hex').slice(0, 16);
}

/** Changes whenever catalog rows are added, removed or edited. */
export async function catalogFingerprint(db: Knex): Promise<string> {
  const parts: string[] = [];
  for (const table of ['goods_categories', 'goods_channels', 'spus', 'skus', 'sku_images', 'contents', 'content_categories']) {
    const row = await db(table).count({ n: '*' }).max({ t: 'update_time' }).first();
    parts.push(`${table}:${row?.n}:${row?.t}`);
  }
  return crypto.createHash('sha256').update(parts.join('|')).digest('hex').slice(0, 16);
}

export interface BuildStamp {
  source: string;
  database: string;
  catalog: string;
  /** SITE_URL the pages were built on: their canonical URLs, JSON-LD and sitemaps all carry it. */
  siteUrl?: string;
}

export async function readStamp(distDir: string): Promise<BuildStamp | null> {
  try {
    return JSON.parse(await fs.readFile(path.join(distDir, STAMP), 'utf8')) as BuildStamp;
  } catch {
    return null;
  }
}

export async function currentStamp(config: Config, db: Knex): Promise<BuildStamp> {
  // the database by a hash of its URL: a MySQL URL carries its password, and this file sits in dist/
  const database = crypto.createHash('sha256').update(config.database.url).digest('hex').slice(0, 16);
  return { source: await sourceHash(), database, catalog: await catalogFingerprint(db), siteUrl: config.siteUrl };
}

export async function writeStamp(distDir: string, stamp: BuildStamp): Promise<void> {
  await fs.writeFile(path.join(distDir, STAMP), JSON.stringify(stamp));
}

/** `meiduo build` in a child process: the caller keeps neither Astro's memory nor a blocked loop. */
export function buildInChildProcess(env: NodeJS.ProcessEnv = process.env, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    // an aborted build is killed; its half-written release folder is pruned by the next build
    const child = spawn(process.execPath, [path.join(ROOT, 'bin/meiduo.mjs'), 'build'], { stdio: 'inherit', env, signal });
    child.on('exit', (code, sig) => (code === 0 ? resolve() : reject(new Error(`build failed (${sig ? `killed by ${sig}` : `exit ${code}`})`))));
    child.on('error', reject);
  });
}

export async function isBuildStale(config: Config, db: Knex): Promise<string | null> {
  const stamp = await readStamp(config.distDir);
  if (!stamp) return 'no build yet';
  const now = await currentStamp(config, db);
  if (stamp.source !== now.source) return 'the page code changed';
  if (stamp.database !== now.database) return 'DATABASE_URL changed';
  if (stamp.catalog !== now.catalog) return 'the catalog changed';
  if (stamp.siteUrl !== now.siteUrl) return 'SITE_URL changed';
  return null;
}

export interface BuildSummary {
  pages: number;
  /** From the start to the new release being live (the swap). */
  seconds: number;
  /**
   * Writing the .gz/.br siblings: of Astro's files before the swap, and of the goods and list pages
   * after it (the build returns when they are written; until then a page without its siblings is
   * compressed per request: the embedded server caches it, nginx has gzip on).
   */
  compressSeconds: number;
  /** Of compressSeconds, after the swap. */
  compressAfterLiveSeconds: number;
  /** From the start to the last sibling written. */
  totalSeconds: number;
  compressedFiles: number;
  pagesPerSecond: number;
  /** Of this process, its threads included; Astro's build runs in a child before them (bench/build.mjs measures the whole tree). */
  peakRssMb: number;
  searchDocs: number;
  searchIndexBytes: number;
  searchIndexGzipBytes: number;
  /** sitemap.xml and its children (robots.txt is written beside them). */
  sitemapFiles: number;
  /** Wall seconds of each step; pages and search run at the same time (docs/architecture.md). */
  phases: { astro: number; pages: number; search: number; sitemaps: number };
}

/** Resolves with the promise's value and how long it took, in seconds. */
async function timed<T>(p: Promise<T>): Promise<[T, number]> {
  const started = performance.now();
  const value = await p;
  return [value, (performance.now() - started) / 1000];
}

/**
 * Gives compressible files of a release their .gz/.br siblings: one thread per core, each with its
 * share. Without `only`, every compressible file of `clientDir` (Astro's output, before the page
 * threads start: assets and ~50 pages, under a second; or `bench/build.mjs` on a whole release);
 * with it, those files (relative to clientDir): the goods and list pages, after the swap. Files whose
 * siblings are current are skipped (compressInPlaceSync), so a rebuild job publishing meanwhile is
 * never undone.
 */
export async function compressRelease(clientDir: string, threads = os.availableParallelism(), only?: string[]): Promise<number> {
  const files: string[] = [];
  if (only) for (const rel of only) files.push(path.join(clientDir, rel));
  else for await (const f of walk(clientDir)) if (COMPRESSIBLE.test(f)) files.push(f);
  const shares = Array.from({ length: Math.min(threads, files.length) }, (_, i) => files.filter((_, j) => j % threads === i));
  const counts = await Promise.all(shares.map((share) => new Promise<number>((resolve, reject) => {
    let count: number | null = null;
    const w = new Worker(threadEntry('compress'), { workerData: { files: share } });
    w.on('message', (n: number) => (count = n));
    w.on('error', reject);
    w.on('exit', (code) => (count === null ? reject(new Error(`compression thread exited with ${code}`)) : resolve(count)));
  })));
  return counts.reduce((a, b) => a + b, 0);
}

async function countHtml(dir: string): Promise<number> {
  let n = 0;
  for await (const f of walk(dir)) if (f.endsWith('.html')) n++;
  return n;
}

/**
 * dist/client and dist/server are symlinks to the newest release in dist/releases/<id>/. A build
 * writes a new release while the old one keeps being served, then swaps the links by rename(), so a
 * full rebuild never leaves the shop without pages (Astro empties its outDir before it builds).
 */
async function swapLink(distDir: string, name: 'client' | 'server', target: string) {
  const link = path.join(distDir, name);
  const stat = await fs.lstat(link).catch(() => null);
  if (stat && !stat.isSymbolicLink()) await fs.rm(link, { recursive: true, force: true }); // a pre-release layout
  const tmp = `${link}.${process.pid}.tmp`;
  await fs.rm(tmp, { force: true });
  await fs.symlink(path.relative(distDir, target), tmp);
  await fs.rename(tmp, link);
}

async function pruneReleases(releasesDir: string, keep: string[]) {
  for (const name of await fs.readdir(releasesDir).catch(() => [] as string[])) {
    if (!keep.includes(name)) await fs.rm(path.join(releasesDir, name), { recursive: true, force: true });
  }
}

export async function currentRelease(distDir: string): Promise<string | null> {
  const target = await fs.readlink(path.join(distDir, 'client')).catch(() => null);
  return target ? path.basename(path.dirname(target)) : null;
}

/** Astro's build in a child process (jobs/astro-build.mjs says why); rejects when it fails. */
function astroBuild(outDir: string, logLevel: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'jobs/astro-build.mjs'), ROOT, outDir, logLevel], {
      cwd: ROOT,
      env: { ...process.env, ASTRO_TELEMETRY_DISABLED: '1', [CATALOG_PAGES_OUTSIDE_ENV]: '1' },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'], // the channel tells the child when this process dies
    });
    child.on('error', reject);
    child.on('exit', (code, sig) => (code === 0 ? resolve() : reject(new Error(`astro build failed (${sig ? `killed by ${sig}` : `exit ${code}`})`))));
  });
}

export async function buildSite(config: Config, db: Knex, opts: { logLevel?: 'info' | 'warn' | 'error' | 'silent' } = {}): Promise<BuildSummary> {
  process.env.ASTRO_TELEMETRY_DISABLED = '1';
  const stamp = await currentStamp(config, db); // before building: an edit during the build makes it stale
  const started = performance.now();
  const releasesDir = path.join(config.distDir, 'releases');
  const id = `${new Date().toISOString().replace(/[-:.TZ]/g, '').slice(0, 14)}-${crypto.randomBytes(3).toString('hex')}`;
  const outDir = path.join(releasesDir, id);
  const previous = await currentRelease(config.distDir);

  await linkPackages(config.distDir); // before Astro prerenders from the new release's server bundle
  // Astro bundles and prerenders the pages that are not per SKU or per list page (a few dozen)
  const [, astroSeconds] = await timed(astroBuild(outDir, opts.logLevel ?? 'warn'));
  // its files' siblings, before the page threads start writing beside them
  const compressStarted = performance.now();
  const astroCompressed = await compressRelease(path.join(outDir, 'client'));
  const astroPages = await countHtml(path.join(outDir, 'client')); // now, not over 350,000 files at the end
  const compressSeconds = (performance.now() - compressStarted) / 1000;
  // The goods and list pages in a thread per core, while this thread builds and publishes the search
  // index (it compresses its own files). The pages' siblings wait for the swap: compressing them is a
  // third of their CPU (docs/architecture.md, "The full build").
  const pagesStarted = performance.now();
  const catalogPagesRun = await startCatalogPages(config, db, outDir); // before the index build blocks this thread
  const [pagesDone, searchDone] = await Promise.allSettled([
    catalogPagesRun.finished.then((summary): [PagesSummary, number] => [summary, (performance.now() - pagesStarted) / 1000]),
    timed(publishSearchIndex(db, path.join(outDir, 'client'))),
  ]);
  if (pagesDone.status === 'rejected') throw pagesDone.reason;
  if (searchDone.status === 'rejected') throw searchDone.reason;
  const [catalogPages, pagesSeconds] = pagesDone.value;
  const [search, searchSeconds] = searchDone.value;
  // sitemap.xml, its child sitemaps and robots.txt (compressed as they are written); docs/sitemaps.md
  const [sitemaps, sitemapsSeconds] = await timed(writeSitemaps(systemContext('build', { db, clock: systemClock }), path.join(outDir, 'client'), config.siteUrl));

  await swapLink(config.distDir, 'server', path.join(outDir, 'server'));
  await swapLink(config.distDir, 'client', path.join(outDir, 'client'));
  await writeStamp(config.distDir, stamp);
  // keep the previous release a while: a page loaded from it may still fetch its hashed assets
  await pruneReleases(releasesDir, [id, ...(previous ? [previous] : [])]);

  const seconds = (performance.now() - started) / 1000;
  const [pagesCompressed, compressAfterLiveSeconds] = await timed(compressRelease(path.join(outDir, 'client'), undefined, catalogPages.files));
  const pages = astroPages + catalogPages.files.length;
  return {
    pages,
    seconds,
    compressSeconds: compressSeconds + compressAfterLiveSeconds,
    compressAfterLiveSeconds,
    totalSeconds: (performance.now() - started) / 1000,
    compressedFiles: astroCompressed + pagesCompressed,
    pagesPerSecond: pages / seconds,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
    searchDocs: search.count,
    searchIndexBytes: search.bytes,
    searchIndexGzipBytes: search.gzipBytes,
    sitemapFiles: sitemaps.written.filter((url) => url !== ROBOTS_URL).length,
    phases: { astro: astroSeconds, pages: pagesSeconds, search: searchSeconds, sitemaps: sitemapsSeconds },
  };
}
