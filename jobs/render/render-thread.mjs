// Worker-thread entry for jobs/render/astro-renderer.ts (plain JS: it imports only the built server
// bundle, so it needs no TypeScript loader, from source or compiled). It renders pages through ONE
// release's Astro server: the renderer ends this thread when the release changes, and with it the
// module graph, which ESM cannot unload any other way.
//
// The adapter's handler takes Node req/res, so it sits behind a loopback-only HTTP server. Messages:
//   {type: 'snapshot', snapshot}  the catalog the next renders use (once per batch: structured clone
//                                 keeps its Maps, and copying it per page would cost more than rendering)
//   {type: 'render', id, url}     → {id, status, html} or {id, error}
import crypto from 'node:crypto';
import http from 'node:http';
import { parentPort, workerData } from 'node:worker_threads';
import { loopbackGet } from './loopback-get.mjs';
import { twinPath } from './twin-path.mjs';

const { handler } = await import(workerData.entry);

let snapshot = null;
const pending = new Map(); // request id → the locals it renders with
const notFound = (res) => {
  res.statusCode = 404;
  res.end();
};

const server = http.createServer((req, res) => {
  const id = req.headers['x-meiduo-render'];
  const locals = typeof id === 'string' ? pending.get(id) : undefined;
  if (!locals) return notFound(res);
  handler(req, res, () => notFound(res), locals).catch((err) => {
    res.statusCode = 500;
    res.end(String(err?.stack ?? err));
  });
});
// Idle keep-alive sockets stay open: only this thread's agent uses them, and a server-side idle
// timeout (Node's default is 5 s) races the agent reusing the socket — ECONNRESET mid-rebuild.
server.keepAliveTimeout = 0;
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const { port } = server.address();
const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });

function render(url, locals) {
  const id = crypto.randomUUID();
  pending.set(id, locals); // taken now: a later snapshot message must not change what this page shows
  return loopbackGet({ host: '127.0.0.1', port, path: twinPath(url), agent, headers: { 'x-meiduo-render': id } })
    .then((r) => ({ status: r.status, html: r.body.toString('utf8') }))
    .finally(() => pending.delete(id));
}

parentPort.on('message', (m) => {
  if (m.type === 'snapshot') {
    snapshot = m.snapshot;
    return;
  }
  if (m.type === 'render') {
    render(m.url, { meiduoRender: true, snapshot }).then(
      (r) => parentPort.postMessage({ id: m.id, ...r }),
      (err) => parentPort.postMessage({ id: m.id, error: String(err?.stack ?? err) }),
    );
  }
});
parentPort.postMessage({ type: 'ready' });
