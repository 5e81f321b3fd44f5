import fs from 'node:fs/promises';
import { constants as fsConstants, type Stats } from 'node:fs';
import type { Readable } from 'node:stream';
import path from 'node:path';
import type { Context, Middleware } from 'koa';
import { COMPRESSIBLE, SIBLING_EXT, compress, wantsSiblings } from '../published-files.ts';
import { acceptedCodings, type Coding } from './encoding.ts';

// Serves the prebuilt site (and product pictures). Hand-written rather than koa-static because the
// shop's pages are many small files read over and over: bodies and their gzip/brotli forms are kept in
// a bounded in-memory cache, checked against the file's inode, size and mtime on every request, so an
// atomically renamed page is picked up at once. Cache policy differs per path (hashed assets are
// immutable; HTML and the search manifest must revalidate).
//
// What is served: regular files whose real path (symlinks resolved) lies inside the real path of the
// root, with no name starting with '.'. A symlink inside the root to a file inside the root is
// followed; one that leads outside is not. Both real paths are resolved whenever a path's file is
// new to the cache or has changed (dist/client is a symlink that a full rebuild swaps to a new
// release, so that is every file after a swap); a hit costs one stat(), as before: the same inode
// that was checked is still what the path leads to.
//
// Compressed forms: the publisher (api/published-files.ts) writes `<file>.br` and `<file>.gz` after
// `<file>`; a sibling not older than its file is current and is sent as is (the 11 MB search index
// goes out as 0.5 MB of brotli). Without one, files up to MAX_CACHED_FILE are compressed here once;
// bigger ones go out raw. Every coding of a file shares one weak ETag: they are the same
// representation, and `Vary: Accept-Encoding` (on 304s too) keeps caches from mixing them up.

export interface StaticOptions {
  root: string;
  /** URL prefix this root is mounted at, e.g. '/media'. */
  prefix?: string;
  /** Paths under the root never served, e.g. '/render-internal'. */
  hidden?: readonly string[];
  cacheControl(urlPath: string): string;
  /** Bytes of bodies kept in memory (raw + compressed). */
  maxCacheBytes?: number;
}

interface CachedFile {
  /** Where the bytes are read from: the checked real path. */
  real: string;
  dev: number;
  ino: number;
  size: number;
  mtimeMs: number;
  // Dropped once a compressed form exists: almost every client takes gzip or br, and 10,000
  // product pages fit in memory compressed but not raw.
  body: Buffer | null;
  gzip?: Buffer;
  br?: Buffer;
  bytes: number;
}

/** A body too big to keep in memory, streamed from an open file. */
interface Streamed {
  stream: Readable;
  length: number;
}

const MAX_CACHED_FILE = 4 * 1024 * 1024;
/** `/x.html.gz`: a compressed sibling is an implementation detail of `/x.html`, not a URL of its own. */
const SIBLING_URL = new RegExp(COMPRESSIBLE.source.replace(/\$$/, '') + '\\.(gz|br)$');

const isStreamed = (b: Buffer | Streamed): b is Streamed => !Buffer.isBuffer(b);

export class FileCache {
  private readonly entries = new Map<string, CachedFile>();
  private bytes = 0;

  /** onLookup: told whether each lookup found a current entry (the shop's metrics count hits and misses). */
  constructor(private readonly maxBytes: number, private readonly onLookup?: (hit: boolean) => void) {}

  /** The file's current identity and its cache entry; null when it is not a regular file inside the root. */
  async get(root: StaticRoot, file: string): Promise<{ entry: CachedFile; stat: Stats } | null> {
    let stat;
    try {
      stat = await fs.stat(file);
    } catch {
      return null;
    }
    if (!stat.isFile()) return null;
    const hit = this.entries.get(file);
    if (hit && sameFile(hit, stat)) {
      this.onLookup?.(true);
      this.entries.delete(file); // most recently used goes last
      this.entries.set(file, hit);
      return { entry: hit, stat };
    }
    this.onLookup?.(false);
    if (hit) this.drop(file);
    const real = await root.realPathInside(file);
    if (!real) return null;
    // the stat above must describe the file we just checked, not one renamed in between
    const check = await fs.stat(real).catch(() => null);
    if (!check || !sameFile(stat, check)) return null;
    const entry: CachedFile = { real, dev: stat.dev, ino: stat.ino, size: stat.size, mtimeMs: stat.mtimeMs, body: null, bytes: 0 };
    this.entries.set(file, entry);
    return { entry, stat };
  }

  /** The file's bytes, kept until a compressed form replaces them; streamed when too big to keep. */
  async raw(file: string, entry: CachedFile): Promise<Buffer | Streamed | null> {
    if (entry.body) return entry.body;
    if (entry.size > MAX_CACHED_FILE) return openStream(entry);
    let body: Buffer;
    try {
      body = await fs.readFile(entry.real);
    } catch {
      return null;
    }
    if (body.length !== entry.size) return null; // replaced between stat and read
    if (!entry.body && !entry.br && !entry.gzip) {
      entry.body = body;
      this.account(file, entry, body.length);
    }
    return body;
  }

  /** The file in `coding`: its current sibling, else compressed here; null for a big file without one. */
  async encoded(file: string, entry: CachedFile, coding: Coding, siblingOnly = false): Promise<Buffer | Streamed | null> {
    const cached = entry[coding];
    if (cached) return cached;
    const sibling = await readSibling(entry.real + SIBLING_EXT[coding], entry);
    if (sibling && isStreamed(sibling)) return sibling;
    let out = sibling;
    if (!out && siblingOnly) return null;
    if (!out) {
      if (entry.size > MAX_CACHED_FILE) return null;
      const body = await this.raw(file, entry);
      if (!body || isStreamed(body)) return null;
      out = await compress(coding, body); // the same settings as the siblings publishing writes
    }
    if (entry[coding]) return entry[coding]; // a concurrent request got there first
    entry[coding] = out;
    const freed = entry.body ? entry.body.length : 0;
    entry.body = null;
    this.account(file, entry, out.length - freed);
    return out;
  }

  private account(file: string, entry: CachedFile, delta: number) {
    entry.bytes += delta;
    if (this.entries.get(file) !== entry) return; // evicted or replaced meanwhile
    this.bytes += delta;
    this.evict();
  }

  private drop(file: string) {
    const e = this.entries.get(file);
    if (e) {
      this.bytes -= e.bytes;
      this.entries.delete(file);
    }
  }

  private evict() {
    while (this.bytes > this.maxBytes && this.entries.size > 0) {
      this.drop(this.entries.keys().next().value as string);
    }
  }
}

// O_NONBLOCK: opening a stray FIFO must not park a thread-pool thread forever.
const OPEN_READ = fsConstants.O_RDONLY | fsConstants.O_NONBLOCK;

/**
 * A compressed sibling, if it is a regular file (never a symlink: O_NOFOLLOW) at least as new as the
 * main file it was written after. Small ones are read, big ones streamed from the same descriptor.
 */
async function readSibling(file: string, main: CachedFile): Promise<Buffer | Streamed | null> {
  let fh: fs.FileHandle;
  try {
    fh = await fs.open(file, OPEN_READ | fsConstants.O_NOFOLLOW);
  } catch {
    return null;
  }
  try {
    const stat = await fh.stat();
    if (!stat.isFile() || stat.mtimeMs < main.mtimeMs || stat.size === 0) {
      await fh.close();
      return null;
    }
    if (stat.size > MAX_CACHED_FILE) return { stream: fh.createReadStream(), length: stat.size };
    const body = await fh.readFile();
    await fh.close();
    return body.length === stat.size ? body : null;
  } catch {
    await fh.close().catch(() => {});
    return null;
  }
}

type Identity = Pick<CachedFile, 'dev' | 'ino' | 'size' | 'mtimeMs'>;
const sameFile = (a: Identity, b: Identity) => a.ino === b.ino && a.dev === b.dev && a.size === b.size && a.mtimeMs === b.mtimeMs;

async function openStream(entry: CachedFile): Promise<Streamed | null> {
  let fh: fs.FileHandle;
  try {
    fh = await fs.open(entry.real, OPEN_READ);
  } catch {
    return null;
  }
  const stat = await fh.stat().catch(() => null);
  if (!stat || !sameFile(entry, stat)) {
    await fh.close().catch(() => {});
    return null;
  }
  return { stream: fh.createReadStream(), length: stat.size };
}

/** Paths never served: hidden names (and so '..'), backslashes, NUL, temp files, compressed siblings. */
function servable(rel: string, hidden: readonly string[]): boolean {
  if (rel.includes('/.') || rel.includes('\\') || rel.includes('\0')) return false;
  if (rel.endsWith('.tmp') || SIBLING_URL.test(rel)) return false;
  for (const h of hidden) if (rel === h || rel.startsWith(h + '/')) return false;
  return true;
}

/** A folder served over HTTP. */
export class StaticRoot {
  readonly dir: string;

  constructor(dir: string, private readonly hidden: readonly string[] = []) {
    this.dir = path.resolve(dir);
  }

  /** The file a URL path ('/goods/1.html', still percent-encoded) names, if it may be served at all; no I/O. */
  file(urlPath: string): string | null {
    let rel: string;
    try {
      rel = decodeURIComponent(urlPath);
    } catch {
      return null;
    }
    if (!rel.startsWith('/')) return null;
    if (rel.endsWith('/')) rel += 'index.html';
    return servable(rel, this.hidden) ? this.dir + rel : null;
  }

  /** The file's real path when it lies inside the root's real path (resolved now: releases swap). */
  async realPathInside(file: string): Promise<string | null> {
    const [root, real] = await Promise.all([fs.realpath(this.dir).catch(() => null), fs.realpath(file).catch(() => null)]);
    if (!root || !real) return null;
    const base = root.endsWith(path.sep) ? root : root + path.sep;
    if (!real.startsWith(base)) return null;
    return servable(real.slice(base.length - 1), this.hidden) ? real : null;
  }
}

function setBody(ctx: Context, body: Buffer | Streamed) {
  if (isStreamed(body)) {
    ctx.body = body.stream;
    ctx.length = body.length;
  } else {
    ctx.body = body;
  }
}

/** Sends a file of the root (see StaticRoot.file); false when it is missing or may not be served. */
export async function sendFile(ctx: Context, cache: FileCache, root: StaticRoot, file: string, cacheControl: string, status = 200): Promise<boolean> {
  const found = await cache.get(root, file);
  if (!found) return false;
  const { entry, stat } = found;
  ctx.status = status;
  ctx.type = path.extname(file);
  ctx.set('Cache-Control', cacheControl);
  ctx.set('Last-Modified', stat.mtime.toUTCString());
  ctx.etag = `W/"${stat.size.toString(16)}-${Math.floor(stat.mtimeMs).toString(16)}-${stat.ino.toString(16)}"`;
  const compressible = wantsSiblings(file, stat.size);
  if (compressible) ctx.vary('Accept-Encoding'); // before the 304: it describes the 200 it stands for
  if (status === 200 && ctx.fresh) {
    ctx.status = 304;
    return true;
  }
  if (compressible) {
    // A coding the publisher wrote (or this cache holds) first, as nginx's brotli_static falls back
    // to gzip_static: search generation files have a .gz and no .br (api/services/search/publish.ts);
    // compressing here only when the file has no form at all for this client.
    const codings = acceptedCodings(ctx.get('Accept-Encoding'));
    for (const siblingOnly of [true, false]) {
      for (const coding of codings) {
        const body = await cache.encoded(file, entry, coding, siblingOnly);
        if (!body) continue;
        ctx.set('Content-Encoding', coding);
        setBody(ctx, body);
        return true;
      }
    }
  }
  const body = await cache.raw(file, entry);
  if (!body) return false; // replaced while we were reading: the caller falls through to 404
  setBody(ctx, body);
  return true;
}

export function serveStatic(opts: StaticOptions, cache = new FileCache(opts.maxCacheBytes ?? 128 * 1024 * 1024)): Middleware {
  const root = new StaticRoot(opts.root, opts.hidden);
  const prefix = opts.prefix ?? '';
  return async (ctx, next) => {
    if ((ctx.method !== 'GET' && ctx.method !== 'HEAD') || !ctx.path.startsWith(prefix + '/')) return next();
    const urlPath = ctx.path.slice(prefix.length);
    const file = root.file(urlPath);
    if (!file) return next();
    if (await sendFile(ctx, cache, root, file, opts.cacheControl(ctx.path))) return;
    // '/goods/1' also finds '/goods/1.html'
    if (!path.extname(file) && !urlPath.endsWith('/') && (await sendFile(ctx, cache, root, file + '.html', opts.cacheControl(ctx.path + '.html')))) return;
    // '/admin' also finds '/admin/index.html', as nginx's try_files $uri/index.html does (docs/serving.md)
    if (!path.extname(file) && !urlPath.endsWith('/') && (await sendFile(ctx, cache, root, file + '/index.html', opts.cacheControl(ctx.path + '/index.html')))) return;
    return next();
  };
}

/** Cache policy of the built site. */
export function siteCacheControl(urlPath: string): string {
  if (urlPath.startsWith('/_astro/')) return 'public, max-age=31536000, immutable';
  // a search generation's files (its folder is named for its content); the manifest naming it revalidates
  if (/^\/search\/[0-9a-f]{16}\/[^/]+\.json$/.test(urlPath)) return 'public, max-age=31536000, immutable';
  return 'public, max-age=0, must-revalidate'; // HTML, search manifest, favicon: revalidate with the ETag
}
