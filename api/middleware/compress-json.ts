import { promisify } from 'node:util';
import zlib from 'node:zlib';
import type { Middleware } from 'koa';
import { acceptedCodings } from './encoding.ts';

const brotli = promisify(zlib.brotliCompress);
const gzip = promisify(zlib.gzip);

/**
 * Compresses JSON answers of at least `threshold` bytes. Small JSON (a page of 20 SKUs is ~3 KB)
 * goes out as is: compressing it costs more CPU than the bytes are worth; the menu and search pages
 * are compressed. Work runs on libuv's thread pool, not on the event loop.
 */
export function compressJson({ threshold }: { threshold: number }): Middleware {
  return async (ctx, next) => {
    await next();
    ctx.vary('Accept-Encoding');
    const body: unknown = ctx.body;
    if (ctx.method === 'HEAD' || body === null || typeof body !== 'object' || Buffer.isBuffer(body) || ctx.response.get('Content-Encoding')) return;
    if (typeof (body as { pipe?: unknown }).pipe === 'function') return; // a stream is not ours to touch
    const coding = acceptedCodings(ctx.get('Accept-Encoding'))[0];
    if (!coding) return;
    const json = Buffer.from(JSON.stringify(body));
    if (json.length < threshold) {
      ctx.body = json; // already serialized: spare Koa a second JSON.stringify
      return;
    }
    const out =
      coding === 'br'
        ? await brotli(json, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 4, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: json.length } })
        : await gzip(json, { level: 6 });
    ctx.body = out; // the type stays JSON: Koa keeps a Content-Type already set
    ctx.set('Content-Encoding', coding);
  };
}
