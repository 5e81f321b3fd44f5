import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Knex } from 'knex';
import type { Config } from '../api/config.ts';
import { publishSearchIndex } from '../api/services/search/publish.ts';

// Full builds: Astro prerenders every page into dist/client, then the search index is published
// beside them. A stamp records what the build was made from, so `npm start` rebuilds only when the
// code or the catalog changed.

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const STAMP = '.meiduo-build.json';

// Files whose change changes pages.
const SOURCE_DIRS = ['site', 'templates', 'api/services/catalog', 'api/services/search', 'api/money.ts', 'astro.config.mjs', 'package-lock.json'];

async function* walk(p: string): AsyncGenerator<string> {
  const stat = await fs.stat(p).catch(() => null);
  if (!stat) return;
  if (stat.isFile()) {
    yield p;
    return;
  }
  for (const e of (await fs.readdir(p)).sort()) yield* walk(path.join(p, e));
}

export async function sourceHash(): Promise<string> {
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
}

export async function readStamp(distDir: string): Promise<BuildStamp | null> {
  try {
    return JSON.parse(await fs.readFile(path.join(distDir, STAMP), 'utf8')) as BuildStamp;
  } catch {
    return null;
  }
}

export async function currentStamp(config: Config, db: Knex): Promise<BuildStamp> {
  return { source: await sourceHash(), database: config.database.url, catalog: await catalogFingerprint(db) };
}

export async function isBuildStale(config: Config, db: Knex): Promise<string | null> {
  const stamp = await readStamp(config.distDir);
  if (!stamp) return 'no build yet';
  const now = await currentStamp(config, db);
  if (stamp.source !== now.source) return 'the page code changed';
  if (stamp.database !== now.database) return 'DATABASE_URL changed';
  if (stamp.catalog !== now.catalog) return 'the catalog changed';
  return null;
}

export interface BuildSummary {
  pages: number;
  seconds: number;
  pagesPerSecond: number;
  peakRssMb: number;
  searchDocs: number;
  searchIndexBytes: number;
  searchIndexGzipBytes: number;
}

async function countHtml(dir: string): Promise<number> {
  let n = 0;
  for await (const f of walk(dir)) if (f.endsWith('.html')) n++;
  return n;
}

export async function buildSite(config: Config, db: Knex, opts: { logLevel?: 'info' | 'warn' | 'error' | 'silent' } = {}): Promise<BuildSummary> {
  process.env.ASTRO_TELEMETRY_DISABLED = '1';
  const stamp = await currentStamp(config, db); // before building: an edit during the build makes it stale
  const started = performance.now();
  const { build } = await import('astro');
  await build({ root: ROOT, outDir: config.distDir, logLevel: opts.logLevel ?? 'warn' });
  const clientDir = path.join(config.distDir, 'client');
  const search = await publishSearchIndex(db, clientDir);
  await fs.writeFile(path.join(config.distDir, STAMP), JSON.stringify(stamp));
  const seconds = (performance.now() - started) / 1000;
  const pages = await countHtml(clientDir);
  return {
    pages,
    seconds,
    pagesPerSecond: pages / seconds,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
    searchDocs: search.count,
    searchIndexBytes: search.bytes,
    searchIndexGzipBytes: search.gzipBytes,
  };
}
