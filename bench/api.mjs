// HTTP throughput with autocannon against `meiduo serve` on the 10,000-SKU SQLite catalog.
// Targets (issue 2): category list and SKU detail ≥ 3,000 req/s with p99 ≤ 50 ms; a prebuilt detail
// page ≥ 5,000 req/s.
import fs from 'node:fs';
import path from 'node:path';
import autocannon from 'autocannon';
import { BENCH_ENV, ensureBuilt, machine, startServer } from './lib.mjs';

const PORT = 18123;
const DURATION = Number(process.env.BENCH_SECONDS || 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS || 32);

const built = ensureBuilt();
if (built) console.log(built);
const server = await startServer(PORT);
const base = `http://127.0.0.1:${PORT}`;

try {
  const menu = await (await fetch(`${base}/api/categories`)).json();
  const leaves = menu.flatMap((g) => g.subs.flatMap((c2) => c2.subs.map((c3) => c3.id)));
  const pages = fs.readdirSync(path.join(BENCH_ENV.DIST_DIR, 'client', 'goods')).filter((f) => f.endsWith('.html'));
  let n = 0;
  const cases = [
    // every request a different category, ordering and page, so no single row stays hot
    ['GET /api/categories/{id}/skus', () => {
      const id = leaves[n++ % leaves.length];
      const ordering = ['-create_time', 'price', '-sales'][n % 3];
      return `/api/categories/${id}/skus?ordering=${ordering}&page=1&page_size=20`;
    }],
    ['GET /api/skus/{id}', () => `/api/skus/${1 + (n++ * 7919) % 10000}`],
    // first touch of each page: read from disk and compressed once
    ['GET /goods/{id}.html cold (each page once)', () => `/goods/${pages[n++ % pages.length]}`, 'cold'],
    // every page has been served once: the compressed bodies are in memory
    ['GET /goods/{id}.html warm', () => `/goods/${pages[(n++ * 7919) % pages.length]}`],
  ];
  console.log(`machine: ${machine()}; ${CONNECTIONS} connections, ${DURATION} s each, autocannon in the same machine`);
  for (const [name, next, mode] of cases) {
    if (mode !== 'cold') {
      await autocannon({ url: base, connections: CONNECTIONS, duration: 2, requests: [{ setupRequest: (r) => ({ ...r, path: next() }) }], headers: { 'accept-encoding': 'gzip' } });
    } else n = 0;
    const r = await autocannon({
      url: base,
      connections: CONNECTIONS,
      ...(mode === 'cold' ? { amount: pages.length } : { duration: DURATION }),
      headers: { 'accept-encoding': 'gzip' },
      requests: [{ setupRequest: (req) => ({ ...req, path: next() }) }],
    });
    const bad = r.non2xx + r.errors + r.timeouts;
    console.log(`${name.padEnd(40)} ${r.requests.average.toFixed(0).padStart(6)} req/s   p50 ${r.latency.p50} ms   p99 ${r.latency.p99} ms   non-2xx/errors ${bad}`);
  }
} finally {
  server.kill('SIGTERM');
}
