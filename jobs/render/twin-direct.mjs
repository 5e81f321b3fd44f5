// Renders a page through a release's Astro server (the node adapter's middleware handler) without a
// socket: the full build renders 100,000 pages in its threads (jobs/build-pages.thread.ts), and an
// HTTP round trip over loopback per page — client and server parsing — costs a fair part of a
// render. The handler sees the same route, the same locals and the same middleware as the rebuild
// job's loopback requests (render-thread.mjs), so the HTML is the same. The request and response
// below carry only what astro/app/node's createRequest and writeResponse use.
import { EventEmitter } from 'node:events';
import { twinPath } from './twin-path.mjs';

class PageResponse extends EventEmitter {
  statusCode = 200;
  statusMessage = '';
  headersSent = false;
  /** @type {Buffer[]} */
  chunks = [];

  /** @param {(r: {status: number, body: Buffer}) => void} resolve @param {(e: Error) => void} reject */
  constructor(resolve, reject) {
    super();
    this.resolve = resolve;
    this.reject = reject;
  }
  writeHead(status) {
    this.statusCode = status;
    this.headersSent = true;
    return this;
  }
  setHeader() {}
  write(chunk, cb) {
    this.chunks.push(Buffer.from(chunk)); // a copy: the stream may reuse its buffers
    if (typeof cb === 'function') cb();
    return true;
  }
  end(chunk) {
    if (chunk) this.write(chunk);
    this.emit('finish');
    this.resolve({ status: this.statusCode, body: Buffer.concat(this.chunks) });
  }
  destroy(err) {
    this.reject(err instanceof Error ? err : new Error('render aborted'));
  }
}

/**
 * @param {(req: any, res: any, next: () => void, locals: object) => Promise<void>} handler the adapter's middleware handler (entry.mjs)
 * @param {string} url the public URL ('/goods/1.html')
 * @param {object} locals what the twin routes read (site/lib/render-locals.ts)
 * @returns {Promise<{status: number, body: Buffer}>}
 */
export function renderDirect(handler, url, locals) {
  return new Promise((resolve, reject) => {
    const req = { url: twinPath(url), method: 'GET', headers: { host: '127.0.0.1' }, socket: { encrypted: false } };
    const res = new PageResponse(resolve, reject);
    const notFound = () => {
      res.statusCode = 404;
      res.end();
    };
    handler(req, res, notFound, locals).catch(reject);
  });
}
