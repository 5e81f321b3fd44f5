// Search index for the 10,000-SKU catalog: build time, size (raw, gzip), load time, query latency.
// Targets (issue 2): ≤ 1.5 MB gzip, a query ≤ 20 ms.
import v8 from 'node:v8';
import vm from 'node:vm';
import { gzipSync } from 'node:zlib';
import { register } from 'tsx/esm/api';
import { BENCH_ENV, ensureCatalog, machine } from './lib.mjs';

register();
await ensureCatalog();
const { parseDatabaseUrl } = await import('../api/config.ts');
const { createDb } = await import('../api/db/knex.ts');
const { loadSearchDocs } = await import('../api/services/search/publish.ts');
const { buildSearchIndex, loadSearchIndex, searchIndex } = await import('../api/services/search/search-index.ts');
const { judgedQueries } = await import('../tests/helpers/judged-queries.ts');

const db = createDb(parseDatabaseUrl(BENCH_ENV.DATABASE_URL));
const { docs, display } = await loadSearchDocs(db);
await db.destroy();

let t = performance.now();
const json = JSON.stringify(buildSearchIndex(docs));
const buildMs = performance.now() - t;
const gz = gzipSync(json, { level: 9 }).length;
const docsGz = gzipSync(JSON.stringify(display), { level: 9 }).length;
t = performance.now();
const index = loadSearchIndex(JSON.parse(json));
const loadMs = performance.now() - t;

// Building leaves hundreds of MB of garbage: collect it before timing, or its collection lands on
// whichever query runs then (a server loads its index long before its queries).
v8.setFlagsFromString('--expose-gc');
vm.runInNewContext('gc')();

const queries = [...judgedQueries.map((j) => j.q), '曜石黑', '标准版', '智能 手表', 'pro max', '小米 笔记本 星空灰', '耐克 运动鞋', '家用 电水壶', '三只松鼠 坚果'];
for (const q of queries) searchIndex(index, q); // warm
const times = [];
for (let round = 0; round < 5; round++) {
  for (const q of queries) {
    const s = performance.now();
    searchIndex(index, q);
    times.push(performance.now() - s);
  }
}
times.sort((a, b) => a - b);
const pct = (p) => times[Math.min(times.length - 1, Math.floor(p * times.length))].toFixed(1);
console.log(`machine: ${machine()}`);
console.log(`search index: ${docs.length} SKUs, built in ${(buildMs / 1000).toFixed(2)} s, ${(json.length / 1024 / 1024).toFixed(2)} MB raw, ${(gz / 1024).toFixed(0)} KB gzip (+ ${(docsGz / 1024).toFixed(0)} KB gzip display rows), load ${loadMs.toFixed(0)} ms`);
console.log(`queries (${times.length}): p50 ${pct(0.5)} ms, p95 ${pct(0.95)} ms, max ${times[times.length - 1].toFixed(1)} ms`);
