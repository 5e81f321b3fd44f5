import crypto from 'node:crypto';
import http from 'node:http';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { CatalogSnapshot } from '../../api/services/catalog/snapshot.ts';

// Renders pages through the built Astro server (dist/server/entry.mjs, node adapter in middleware
// mode) in this process: the same components and CSS as the full build, about 3 ms a page. The
// adapter's handler takes Node req/res, so it sits behind a loopback-only HTTP server; each request
// carries an id that maps to the locals (the catalog snapshot) it must render with.

type Handler = (req: http.IncomingMessage, res: http.ServerResponse, next: () => void, locals: object) => Promise<void>;

export interface RenderResult {
  status: number;
  html: string;
}

export interface Renderer {
  /** publicUrl: '/goods/1.html' → rendered through its twin '/render-internal/goods/1'. */
  render(publicUrl: string, snapshot: CatalogSnapshot): Promise<RenderResult>;
  close(): Promise<void>;
}

export function twinPath(publicUrl: string): string {
  if (publicUrl === '/') return '/render-internal/';
  return '/render-internal' + publicUrl.replace(/\.html$/, '');
}

export async function createRenderer(distDir: string): Promise<Renderer> {
  const entry = pathToFileURL(path.join(distDir, 'server', 'entry.mjs'));
  // a new query per renderer: after a full build the new server bundle is loaded, not the cached one
  entry.searchParams.set('v', crypto.randomBytes(6).toString('hex'));
  const { handler } = (await import(entry.href)) as { handler: Handler };

  const pending = new Map<string, object>();
  const server = http.createServer((req, res) => {
    const id = req.headers['x-meiduo-render'];
    const locals = typeof id === 'string' ? pending.get(id) : undefined;
    if (!locals) {
      res.statusCode = 404;
      res.end();
      return;
    }
    handler(req, res, () => {
      res.statusCode = 404;
      res.end();
    }, locals).catch((err) => {
      res.statusCode = 500;
      res.end(String(err));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });

  const get = (p: string, id: string) =>
    new Promise<RenderResult>((resolve, reject) => {
      const req = http.get({ host: '127.0.0.1', port, path: p, agent, headers: { 'x-meiduo-render': id } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, html: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      });
      req.on('error', reject);
    });

  return {
    async render(publicUrl, snapshot) {
      const id = crypto.randomUUID();
      pending.set(id, { meiduoRender: true, snapshot });
      try {
        return await get(twinPath(publicUrl), id);
      } finally {
        pending.delete(id);
      }
    },
    async close() {
      agent.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
