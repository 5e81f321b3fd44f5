// Incremental rebuild latency on the 10,000-SKU catalog (issue 3):
//   1. `meiduo sku update ID --price …` returning → new price served on the SKU page and on its list page
//      (p50 ≤ 0.5 s, p95 ≤ 1 s), against a full build measured in the same run (≥ 50× faster);
//   2. 100 edits to different SKUs within 10 s → all live ≤ 5 s after the last;
//   3. search index rebuild (≤ 5 s) while the API is under load (p99 ≤ 100 ms);
// and the serve process's memory meanwhile (its worker renders pages and builds the index in threads
// of that process): RSS idle, peak per phase (sampled every 50 ms), VmHWM, and RSS once idle again.
// BENCH_FULL=0 skips the comparison full build.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import autocannon from 'autocannon';
import { register } from 'tsx/esm/api';
import { BENCH_ENV, ROOT, ensureBuilt, machine, meiduo, startServer } from './lib.mjs';

register();
const PORT = 18125;
const ROUNDS = Number(process.env.BENCH_ROUNDS || 20);
const base = `http://127.0.0.1:${PORT}`;

const built = await ensureBuilt();
if (built) console.log(built);
const { parseDatabaseUrl } = await import('../api/config.ts');
const { createDb } = await import('../api/db/knex.ts');
const { updateSku } = await import('../api/services/catalog/catalog-editor.ts');
const { requestRebuild, waitUntilApplied } = await import('../api/services/catalog/outbox.ts');
const db = createDb(parseDatabaseUrl(BENCH_ENV.DATABASE_URL));
const { systemContext } = await import('../api/context.ts');
const { systemClock } = await import('../api/clock.ts');
const context = systemContext('bench:rebuild', { db, clock: systemClock });

const pct = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))];
const fmt = (ms) => `${(ms / 1000).toFixed(3)} s`;

async function pageHas(url, text) {
  const r = await fetch(base + url);
  return r.ok && (await r.text()).includes(text);
}

/** The price-sorted list page that shows this SKU now (from the API, which reads the database). */
async function listPageOf(sku) {
  for (let page = 1; ; page++) {
    const r = await (await fetch(`${base}/api/categories/${sku.category_id}/skus?ordering=price&page=${page}&page_size=20`)).json();
    if (r.results.some((x) => x.id === sku.id)) return `/list/${sku.category_id}/price/${page}.html`;
    if (page * 20 >= r.count) throw new Error(`SKU ${sku.id} not listed`);
  }
}

/** Samples a process's resident memory (/proc/<pid>/status) and keeps the peak of each phase. */
function memorySampler(pid) {
  const read = () => {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const mb = (key) => Number(status.match(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm'))?.[1] ?? 0) / 1024;
    return { rss: mb('VmRSS'), hwm: mb('VmHWM') };
  };
  const peaks = new Map();
  let phase = 'idle';
  const tick = () => peaks.set(phase, Math.max(peaks.get(phase) ?? 0, read().rss));
  const timer = setInterval(tick, 50);
  tick();
  return {
    phase(name) {
      tick();
      phase = name;
      tick();
    },
    read,
    report() {
      clearInterval(timer);
      return [...peaks].map(([name, mb]) => `${name} ${mb.toFixed(0)} MB`).join(', ');
    },
  };
}
const settle = (ms) => new Promise((r) => setTimeout(r, ms));

async function until(check, timeoutMs = 10_000) {
  const start = performance.now();
  while (!(await check())) {
    if (performance.now() - start > timeoutMs) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}

const server = await startServer(PORT);
await settle(2000);
const memory = memorySampler(server.pid);
const idleMb = memory.read().rss;
try {
  console.log(`machine: ${machine()}; ${ROUNDS} single edits through the CLI, web process with its in-process worker (JOBS_POLL_MS ${process.env.JOBS_POLL_MS || 250})`);
  const skus = await db('skus').where('is_launched', true).orderByRaw('(id * 7919) % 10007').limit(ROUNDS + 100).select('id', 'category_id', 'price');

  // 1. single edits through the CLI
  memory.phase('single edits');
  const lat = [];
  for (const sku of skus.slice(0, ROUNDS)) {
    const price = `${1000 + (sku.id % 9000)}.${String(sku.id % 100).padStart(2, '0')}`;
    const r = spawnSync(process.execPath, [path.join(ROOT, 'bin/meiduo.mjs'), 'sku', 'update', String(sku.id), '--price', price], {
      cwd: ROOT, env: { ...process.env, ...BENCH_ENV }, encoding: 'utf8',
    });
    if (r.status !== 0) throw new Error(r.stderr);
    const returned = performance.now();
    const list = await listPageOf({ ...sku, id: sku.id });
    await until(async () => (await pageHas(`/goods/${sku.id}.html`, `¥${price}`)) && (await pageHas(list, `¥${price}`)));
    lat.push(performance.now() - returned);
  }
  console.log(`edit → SKU page and list page live: p50 ${fmt(pct(lat, 0.5))}, p95 ${fmt(pct(lat, 0.95))}, max ${fmt(Math.max(...lat))}`);

  // 2. 100 edits to different SKUs in 10 s
  memory.phase('100-edit burst');
  const burst = skus.slice(ROUNDS, ROUNDS + 100);
  const prices = new Map();
  let lastEdit = 0;
  for (const [i, sku] of burst.entries()) {
    const price = `${100 + i}.${String(sku.id % 100).padStart(2, '0')}`;
    prices.set(sku.id, price);
    await updateSku(context, sku.id, { price });
    lastEdit = performance.now();
    await new Promise((r) => setTimeout(r, 100));
  }
  await until(async () => {
    for (const [id, price] of prices) if (!(await pageHas(`/goods/${id}.html`, `¥${price}`))) return false;
    return true;
  }, 30_000);
  console.log(`100 edits over 10 s: all live ${fmt(performance.now() - lastEdit)} after the last`);

  // 3. search index rebuild: alone, then under API load
  const searchIdle = async () => until(async () => Number((await db('search_requests').count({ n: '*' }).first()).n) === 0, 60_000);
  const timeSearchRebuild = async () => {
    await searchIdle(); // let the rebuilds the edits above asked for finish first
    await new Promise((r) => setTimeout(r, 1000));
    const t0 = performance.now();
    const changeId = await requestRebuild(context, [{ kind: 'search' }]);
    await waitUntilApplied(context, changeId); // pages job, then the search job's publish
    return (performance.now() - t0) / 1000;
  };
  memory.phase('index rebuild');
  const alone = await timeSearchRebuild();
  memory.phase('index rebuild under API load');
  const load = autocannon({ url: base, connections: 16, duration: 12, requests: [{ setupRequest: (req) => ({ ...req, path: `/api/skus/${1 + Math.floor(Math.random() * 9999)}` }) }] });
  const loaded = await timeSearchRebuild();
  const res = await load;
  console.log(`search index rebuild (request → published): ${alone.toFixed(2)} s alone; ${loaded.toFixed(2)} s under API load, the API meanwhile ${res.requests.average.toFixed(0)} req/s, p99 ${res.latency.p99} ms, max ${res.latency.max} ms`);
  memory.phase('idle after');
  await settle(Number(process.env.BENCH_SETTLE_MS || 70_000)); // past the worker's idle timeouts
  const end = memory.read();
  console.log(`serve process RSS: idle ${idleMb.toFixed(0)} MB before; peaks: ${memory.report()}; VmHWM ${end.hwm.toFixed(0)} MB; ${end.rss.toFixed(0)} MB at the end`);
} finally {
  server.kill('SIGTERM');
}

if (process.env.BENCH_FULL !== '0') {
  // the full build, same machine, same run (into its own dist so the live one is untouched)
  const full = meiduo(['build'], { env: { ...process.env, ...BENCH_ENV, DIST_DIR: path.join(ROOT, '.bench-dist-full') } }).trim();
  console.log(`full build for comparison: ${full}`);
  spawnSync('rm', ['-rf', path.join(ROOT, '.bench-dist-full')]);
}
await db.destroy();
