// HTTP throughput with autocannon against `meiduo serve` on the 10,000-SKU catalog (SQLite, or
// MariaDB with BENCH_DATABASE_URL=mysql://root@127.0.0.1:3306/meiduo_bench).
// Targets (issue 2): category list and SKU detail ≥ 3,000 req/s with p99 ≤ 50 ms; a prebuilt detail
// page ≥ 5,000 req/s. Issue 17: GET /api/skus/{id} at ≥ 0.5× its floor (bench/floor.mjs: bare Koa +
// one prepared statement, same JSON), measured in interleaved rounds floor, ours, floor, ours …
// Knobs: BENCH_SECONDS (per run), BENCH_CONNECTIONS, BENCH_ROUNDS (floor rounds, default 3),
// BENCH_ONLY=floor (only the floor comparison: no site build needed).
import { fork } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import autocannon from 'autocannon';
import { BENCH_ENV, cpuMs, ensureBuilt, ensureCatalog, loadAverage, machine, startServer } from './lib.mjs';

const PORT = 18123;
const FLOOR_PORT = 18124;
const DURATION = Number(process.env.BENCH_SECONDS || 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS || 32);
const ROUNDS = Number(process.env.BENCH_ROUNDS || 3);
const ONLY_FLOOR = process.env.BENCH_ONLY === 'floor';

if (ONLY_FLOOR) await ensureCatalog();
else {
  const built = await ensureBuilt();
  if (built) console.log(built);
}
const server = await startServer(PORT);
const base = `http://127.0.0.1:${PORT}`;

try {
  console.log(`machine: ${machine()}; ${CONNECTIONS} connections, ${DURATION} s each, autocannon in the same machine; database ${BENCH_ENV.DATABASE_URL.split(':')[0]}`);
  if (!ONLY_FLOOR) await cases();
  await floorRounds();
} finally {
  await new Promise((r) => setTimeout(r, 1000)); // autocannon stops without waiting: let the server answer what it holds
  server.kill('SIGTERM');
}

async function cases() {
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
}

/** GET /api/skus/{id}: the floor and ours in turn, same ids, same client; prints each run and the ratio. */
async function floorRounds() {
  const floor = fork(path.join(import.meta.dirname, 'floor.mjs'), [String(FLOOR_PORT), BENCH_ENV.DATABASE_URL, process.env.ORDER_MAX_UNITS_PER_SKU || '20'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  try {
    await new Promise((resolve, reject) => {
      floor.once('message', resolve);
      floor.once('exit', (code) => reject(new Error(`floor exited (${code})`)));
    });
    const floorBase = `http://127.0.0.1:${FLOOR_PORT}`;
    // the same answer, or the comparison means nothing
    for (const id of [1, 2, 5000, 9999]) {
      const [a, b] = await Promise.all([fetch(`${base}/api/skus/${id}`).then((r) => r.json()), fetch(`${floorBase}/api/skus/${id}`).then((r) => r.json())]);
      if (!isDeepStrictEqual(a, b)) throw new Error(`floor and shop differ for SKU ${id}:\n${JSON.stringify(a)}\n${JSON.stringify(b)}`);
    }
    let n = 0;
    const run = async (url, duration, pid) => {
      const cpu0 = pid ? cpuMs(pid) : 0;
      const r = await autocannon({ url, connections: CONNECTIONS, duration, requests: [{ setupRequest: (req) => ({ ...req, path: `/api/skus/${1 + (n++ * 7919) % 10000}` }) }] });
      if (r.non2xx + r.errors + r.timeouts > 0) throw new Error(`${url}: ${r.non2xx} non-2xx, ${r.errors} errors, ${r.timeouts} timeouts`);
      // the server's CPU per request: what other load on the machine barely moves
      r.cpuUs = pid ? ((cpuMs(pid) - cpu0) * 1000) / r.requests.total : NaN;
      return r;
    };
    await run(floorBase, 2); // warm both
    await run(base, 2);
    const sums = { floor: 0, ours: 0, floorCpu: 0, oursCpu: 0 };
    console.log(`GET /api/skus/{id} against its floor (bare Koa + one prepared statement), ${ROUNDS} interleaved rounds; load average before ${loadAverage()}`);
    for (let i = 1; i <= ROUNDS; i++) {
      const f = await run(floorBase, DURATION, floor.pid);
      const o = await run(base, DURATION, server.pid);
      sums.floor += f.requests.average;
      sums.ours += o.requests.average;
      sums.floorCpu += f.cpuUs;
      sums.oursCpu += o.cpuUs;
      console.log(`  round ${i}: floor ${f.requests.average.toFixed(0).padStart(6)} req/s (p99 ${f.latency.p99} ms, ${f.cpuUs.toFixed(0)} µs CPU/req)   ours ${o.requests.average.toFixed(0).padStart(6)} req/s (p99 ${o.latency.p99} ms, ${o.cpuUs.toFixed(0)} µs CPU/req)   ratio ${(o.requests.average / f.requests.average).toFixed(2)}×`);
    }
    console.log(`  mean: floor ${(sums.floor / ROUNDS).toFixed(0)} req/s, ours ${(sums.ours / ROUNDS).toFixed(0)} req/s, ratio ${(sums.ours / sums.floor).toFixed(2)}× (CPU per request: floor ${(sums.floorCpu / ROUNDS).toFixed(0)} µs, ours ${(sums.oursCpu / ROUNDS).toFixed(0)} µs, ${(sums.floorCpu / sums.oursCpu).toFixed(2)}×); load average after ${loadAverage()}`);
  } finally {
    floor.kill('SIGTERM');
  }
}
