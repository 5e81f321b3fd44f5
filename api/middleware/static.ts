import fs from 'node:fs/promises';
import path from 'node:path';
import { brotliCompressSync, constants as zlibConstants, gzipSync } from 'node:zlib';
import type { Context, Middleware } from 'koa';

// Serves the prebuilt site (and product pictures). Hand-written rather than koa-static because the
// shop's pages are many small files read over and over: bodies and their gzip/brotli forms are kept in
// a bounded in-memory cache, checked against the file's inode, size and mtime on every request, so an
// atomically renamed page is picked up at once. Cache policy differs per path (hashed assets are
// immutable; HTML and the search manifest must revalidate).

export interface StaticOptions {
  root: string;
  /** URL prefix this root is mounted at, e.g. '/media'. */
  prefix?: string;
  cacheControl(urlPath: string): string;
  /** Bytes of bodies kept in memory (raw + compressed). */
  maxCacheBytes?: number;
}

interface CachedFile {
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

const COMPRESSIBLE = /\.(html|css|js|mjs|json|svg|txt|xml|map)$/;
const MAX_CACHED_FILE = 4 * 1024 * 1024;

export class FileCache {
  private readonly entries = new Map<string, CachedFile>();
  private bytes = 0;

  constructor(private readonly maxBytes: number) {}

  async get(file: string): Promise<{ entry: CachedFile | null; stat: import('node:fs').Stats } | null> {
    let stat;
    try {
      stat = await fs.stat(file);
    } catch {
      return null;
    }
    if (!stat.isFile()) return null;
    const hit = this.entries.get(file);
    if (hit && hit.ino === stat.ino && hit.size === stat.size && hit.mtimeMs === stat.mtimeMs) {
      this.entries.delete(file); // most recently used goes last
      this.entries.set(file, hit);
      return { entry: hit, stat };
    }
    if (hit) this.drop(file);
    if (stat.size > MAX_CACHED_FILE) return { entry: null, stat };
    let body: Buffer;
    try {
      body = await fs.readFile(file);
    } catch {
      return null; // replaced between stat and read
    }
    const entry: CachedFile = { ino: stat.ino, size: stat.size, mtimeMs: stat.mtimeMs, body, bytes: body.length };
    this.entries.set(file, entry);
    this.bytes += entry.bytes;
    this.evict();
    return { entry, stat };
  }

  async raw(file: string, entry: CachedFile): Promise<Buffer | null> {
    if (entry.body) return entry.body;
    try {
      const body = await fs.readFile(file);
      return body.length === entry.size ? body : null;
    } catch {
      return null;
    }
  }

  async compressed(file: string, entry: CachedFile, encoding: 'br' | 'gzip'): Promise<Buffer | null> {
    let out = entry[encoding];
    if (out) return out;
    const body = await this.raw(file, entry);
    if (!body) return null;
    out =
      encoding === 'br'
        ? brotliCompressSync(body, { params: { [zlibConstants.BROTLI_PARAM_QUALITY]: 5 } })
        : gzipSync(body, { level: 6 });
    if (entry[encoding]) return entry[encoding]; // a concurrent request got there first
    const delta = out.length - (entry.body ? entry.body.length : 0);
    entry[encoding] = out;
    entry.body = null;
    entry.bytes += delta;
    if (this.entries.get(file) === entry) this.bytes += delta;
    this.evict();
    return out;
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

function resolveInside(root: string, urlPath: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (decoded.includes('\0')) return null;
  const rel = decoded.endsWith('/') ? decoded + 'index.html' : decoded;
  const file = path.join(root, path.normalize('/' + rel));
  return file.startsWith(root + path.sep) ? file : null;
}

export async function sendFile(ctx: Context, cache: FileCache, file: string, cacheControl: string, status = 200): Promise<boolean> {
  const found = await cache.get(file);
  if (!found) return false;
  const { entry, stat } = found;
  ctx.status = status;
  ctx.type = path.extname(file);
  ctx.set('Cache-Control', cacheControl);
  ctx.set('Last-Modified', stat.mtime.toUTCString());
  ctx.etag = `W/"${stat.size.toString(16)}-${Math.floor(stat.mtimeMs).toString(16)}-${stat.ino.toString(16)}"`;
  if (status === 200 && ctx.fresh) {
    ctx.status = 304;
    return true;
  }
  if (!entry) {
    const { createReadStream } = await import('node:fs');
    ctx.length = stat.size;
    ctx.body = createReadStream(file);
    return true;
  }
  if (COMPRESSIBLE.test(file) && entry.size > 1024) {
    ctx.vary('Accept-Encoding');
    const encoding = ctx.acceptsEncodings('br', 'gzip', 'identity');
    if (encoding === 'br' || encoding === 'gzip') {
      const body = await cache.compressed(file, entry, encoding);
      if (body) {
        ctx.set('Content-Encoding', encoding);
        ctx.body = body;
        return true;
      }
    }
  }
  const body = await cache.raw(file, entry);
  if (!body) return false; // replaced while we were reading: the caller falls through to 404
  ctx.body = body;
  return true;
}

export function serveStatic(opts: StaticOptions, cache = new FileCache(opts.maxCacheBytes ?? 128 * 1024 * 1024)): Middleware {
  const root = path.resolve(opts.root);
  const prefix = opts.prefix ?? '';
  return async (ctx, next) => {
    if ((ctx.method !== 'GET' && ctx.method !== 'HEAD') || !ctx.path.startsWith(prefix + '/')) return next();
    const urlPath = ctx.path.slice(prefix.length);
    const file = resolveInside(root, urlPath);
    if (!file) return next();
    if (await sendFile(ctx, cache, file, opts.cacheControl(ctx.path))) return;
    // '/goods/1' also finds '/goods/1.html'
    if (!path.extname(file) && (await sendFile(ctx, cache, file + '.html', opts.cacheControl(ctx.path + '.html')))) return;
    return next();
  };
}

/** Cache policy of the built site. */
export function siteCacheControl(urlPath: string): string {
  if (urlPath.startsWith('/_astro/')) return 'public, max-age=31536000, immutable';
  if (/^\/search\/(index|docs)\.[0-9a-f]{16}\.json$/.test(urlPath)) return 'public, max-age=31536000, immutable';
  return 'public, max-age=0, must-revalidate'; // HTML, search manifest, favicon: revalidate with the ETag
}
