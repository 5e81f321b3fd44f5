// Search on the bench catalog (BENCH_SKUS): query latency of what /api/search runs — SearchService
// over a published sharded generation (api/services/search/publish.ts), its CatalogService query for
// the page's rows included — and, for comparison, the one-file Lunr reference index's build time,
// size and in-memory query latency (the index issue 2 shipped; no longer published).
// Targets (issue 2, issue 18): a query ≤ 20 ms at 10,000 SKUs, ≤ 30 ms at 100,000.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';
import { gzipSync } from 'node:zlib';
import { register } from 'tsx/esm/api';
import { BENCH_ENV, ensureCatalog, machine } from './lib.mjs';

register();
await ensureCatalog();
const { parseDatabaseUrl } = await import('../api/config.ts');
const { createDb } = await import('../api/db/knex.ts');
const { loadSearchDocs, publishSearchIndex } = await import('../api/services/search/publish.ts');
const { SearchService } = await import('../api/services/search/search-service.ts');
const { CatalogService } = await import('../api/services/catalog/catalog-service.ts');
const { systemContext } = await import('../api/context.ts');
const { systemClock } = await import('../api/clock.ts');
const { buildSearchIndex, loadSearchIndex, searchIndex } = await import('../api/services/search/search-index.ts');
const { judgedQueries } = await import('../tests/helpers/judged-queries.ts');

const db = createDb(parseDatabaseUrl(BENCH_ENV.DATABASE_URL));
const { docs, display } = await loadSearchDocs(db);
const client = fs.mkdtempSync(path.join(os.tmpdir(), 'meiduo-bench-search-'));
let t = performance.now();
const published = await publishSearchIndex(db, client);
const publishMs = performance.now() - t;

t = performance.now();
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

const service = new SearchService(client, new CatalogService());
const ctx = systemContext('bench:search', { db, clock: systemClock });
const queries = [...judgedQueries.map((j) => j.q), '曜石黑', '标准版', '智能 手表', 'pro max', '小米 笔记本 星空灰', '耐克 运动鞋', '家用 电水壶', '三只松鼠 坚果'];
async function timed(run) {
  for (const q of queries) await run(q); // warm: the service's shard cache, the JIT
  const times = [];
  for (let round = 0; round < 5; round++) {
    for (const q of queries) {
      const s = performance.now();
      await run(q);
      times.push(performance.now() - s);
    }
  }
  times.sort((a, b) => a - b);
  const pct = (p) => times[Math.min(times.length - 1, Math.floor(p * times.length))].toFixed(1);
  return `${times.length} queries: p50 ${pct(0.5)} ms, p95 ${pct(0.95)} ms, max ${times[times.length - 1].toFixed(1)} ms`;
}
console.log(`machine: ${machine()}`);
console.log(`sharded generation (what the shop publishes): ${published.count} SKUs, ${published.shards} shards, published in ${(publishMs / 1000).toFixed(2)} s, ${(published.bytes / 1024 / 1024).toFixed(1)} MB raw, ${(published.gzipBytes / 1024 / 1024).toFixed(2)} MB gzip`);
console.log(`SearchService.search (what /api/search runs, page 1 of 20 rows from the database): ${await timed((q) => service.search(ctx, q, 1, 20))}`);
console.log(`reference one-file Lunr index: built in ${(buildMs / 1000).toFixed(2)} s, ${(json.length / 1024 / 1024).toFixed(2)} MB raw, ${(gz / 1024).toFixed(0)} KB gzip (+ ${(docsGz / 1024).toFixed(0)} KB gzip display rows), load ${loadMs.toFixed(0)} ms`);
console.log(`reference searchIndex() in memory: ${await timed((q) => searchIndex(index, q))}`);
await db.destroy();
fs.rmSync(client, { recursive: true, force: true });
