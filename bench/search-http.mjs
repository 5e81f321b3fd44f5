// /api/search over HTTP (issue 18): `meiduo serve` on the bench catalog (BENCH_SKUS) with a search
// generation published into its dist (no page build needed: the API and the search files are all a
// query touches), 1,000 mixed queries one after another (judged queries, names, name fragments,
// captions; seeded), p50/p95/max, and the serve process's RSS (VmRSS, VmHWM) after them.
// Targets: p95 ≤ 20 ms at 10,000 SKUs, ≤ 30 ms at 100,000; RSS ≤ 300 MB.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { register } from 'tsx/esm/api';
import { BENCH_ENV, SKUS, ensureCatalog, loadAverage, machine, mixedQueries, startServer } from './lib.mjs';

register();
const PORT = 18131;
const pct = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((xs.length * p) / 100))];
await ensureCatalog();
const { parseDatabaseUrl } = await import('../api/config.ts');
const { createDb } = await import('../api/db/knex.ts');
const { publishSearchIndex } = await import('../api/services/search/publish.ts');

const dist = fs.mkdtempSync(path.join(os.tmpdir(), 'meiduo-search-http-'));
fs.mkdirSync(path.join(dist, 'client'));
const db = createDb(parseDatabaseUrl(BENCH_ENV.DATABASE_URL));
await publishSearchIndex(db, path.join(dist, 'client'));
const queries = await mixedQueries(db, 1000);
await db.destroy();

console.log(`${machine()}; ${SKUS} SKUs; load ${loadAverage()}`);
const server = await startServer(PORT, { DIST_DIR: dist });
const status = () => Object.fromEntries(fs.readFileSync(`/proc/${server.pid}/status`, 'utf8').split('\n').filter((l) => /^Vm(RSS|HWM)/.test(l)).map((l) => [l.split(':')[0], Number(l.split(/\s+/)[1]) / 1024]));
try {
  const before = status();
  const ms = [];
  for (const q of queries) {
    const t = performance.now();
    const res = await fetch(`http://127.0.0.1:${PORT}/api/search?q=${encodeURIComponent(q)}`);
    if (!res.ok) throw new Error(`${q}: ${res.status} ${await res.text()}`);
    await res.json();
    ms.push(performance.now() - t);
  }
  const after = status();
  console.log(`/api/search over HTTP, 1,000 mixed queries: p50 ${pct(ms, 50).toFixed(1)} ms, p95 ${pct(ms, 95).toFixed(1)} ms, max ${Math.max(...ms).toFixed(0)} ms; serve RSS ${before.VmRSS.toFixed(0)} MB idle → ${after.VmRSS.toFixed(0)} MB after (VmHWM ${after.VmHWM.toFixed(0)} MB)`);
} finally {
  server.kill();
  fs.rmSync(dist, { recursive: true, force: true });
}
