// The job path's own latency (issue 18): a SKU renamed through the catalog service while `meiduo serve`
// (its embedded job worker) runs on a built shop; timed from the commit to the new search manifest
// (pages.rebuild picks the change up, renders, queues the search request; search.rebuild publishes)
// and to /api/search answering the new name. Run it on a small catalog to see the queue's share
// (the publish itself is bench/search-edit.mjs's subject):
//   SEARCH_JOB_DIST=<dist of a `meiduo build`> SEARCH_JOB_DB=sqlite:<that catalog> node bench/search-job-latency.mjs
import fs from 'node:fs';
import path from 'node:path';
import { register } from 'tsx/esm/api';
import { loadAverage, machine, startServer } from './lib.mjs';

register();
const PORT = 18133;
const RUNS = Number(process.env.BENCH_RUNS || 5);
const dist = process.env.SEARCH_JOB_DIST;
const url = process.env.SEARCH_JOB_DB;
if (!dist || !url) throw new Error('SEARCH_JOB_DIST and SEARCH_JOB_DB are required');
const pct = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((xs.length * p) / 100))];
const { parseDatabaseUrl } = await import('../api/config.ts');
const { createDb } = await import('../api/db/knex.ts');
const { updateSku } = await import('../api/services/catalog/catalog-editor.ts');
const { systemContext } = await import('../api/context.ts');
const { systemClock } = await import('../api/clock.ts');
const db = createDb(parseDatabaseUrl(url));
const ctx = systemContext('bench:search-job', { db, clock: systemClock });
const manifestFile = path.join(dist, 'client', 'search', 'manifest.json');
const generation = () => JSON.parse(fs.readFileSync(manifestFile, 'utf8')).generation;
const count = (await db('skus').where('is_launched', true).count({ n: '*' }).first()).n;
console.log(`${machine()}; ${count} SKUs; load ${loadAverage()}`);
const server = await startServer(PORT, { DATABASE_URL: url, DIST_DIR: dist });
const sku = await db('skus').where('is_launched', true).orderBy('id').first('id', 'name');
const toManifest = [];
const toFound = [];
try {
  for (let i = 0; i < RUNS; i++) {
    const word = `队列测速版${i}`;
    const before = generation();
    await updateSku(ctx, sku.id, { name: `${sku.name} ${word}` });
    const t = performance.now();
    while (generation() === before) {
      if (performance.now() - t > 60_000) throw new Error('no new manifest');
      await new Promise((r) => setTimeout(r, 10));
    }
    toManifest.push(performance.now() - t);
    for (;;) {
      const r = await (await fetch(`http://127.0.0.1:${PORT}/api/search?q=${encodeURIComponent(word)}`)).json();
      if ((r.results ?? r.data?.results ?? []).some((x) => x.id === sku.id)) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    toFound.push(performance.now() - t);
  }
  const s = (xs) => `median ${(pct(xs, 50) / 1000).toFixed(2)} s, max ${(Math.max(...xs) / 1000).toFixed(2)} s`;
  console.log(`job path, commit → new manifest: ${s(toManifest)}; commit → /api/search answers: ${s(toFound)} (${RUNS} edits)`);
  // the first edit meets a fresh publisher thread (a publish from nothing); the rest, its kept state
  console.log(`  each edit, commit → /api/search answers: ${toFound.map((ms) => (ms / 1000).toFixed(2)).join(', ')} s`);
} finally {
  await updateSku(ctx, sku.id, { name: sku.name });
  await new Promise((r) => setTimeout(r, 3000)); // let the worker apply the restore
  server.kill();
  await db.destroy();
}
