// Edit → searchable on the bench catalog (BENCH_SKUS=10000 or 100000), issue 18: a SKU renamed
// through the catalog service (updateSku: the edit's commit, outbox row and all), the index published
// by the search job's long-lived thread (publishSearchIndexOffThread, as drainSearch runs it), then
// SearchService as /api/search runs it (manifest re-read at most once a second) polled every 20 ms
// until the new name is found. Reported per run: commit → manifest, commit → found, the publish's
// read / build / write split, documents re-tokenized, files linked vs written, CPU seconds of the
// process (the thread's publish plus this script's polling) and RSS after.
// The first publish of a thread tokenizes everything (cold); the runs after it are what an edit costs.
// SEARCH_EDIT_FIRST=lazy|warm: after that first publish the thread is stopped (a worker restarted on
// a published shop); lazy: the first edit meets a new thread (a publish from nothing beside an
// existing generation); warm: the new thread is warmed first (warmSearchThread, as `meiduo worker`
// does at start) and the first edit meets it warm.
// Not included: the job queue's pick-up (pages.rebuild, then search.rebuild, each polled every
// JOBS_POLL_MS = 250 ms) — see docs/search.md.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { register } from 'tsx/esm/api';
import { BENCH_ENV, SKUS, ensureCatalog, loadAverage, machine } from './lib.mjs';

register();
const RUNS = Number(process.env.BENCH_RUNS || 5);
const pct = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((xs.length * p) / 100))];

await ensureCatalog();
const { loadConfig, parseDatabaseUrl } = await import('../api/config.ts');
const { createDb } = await import('../api/db/knex.ts');
const { publishSearchIndexOffThread, stopSearchThread, warmSearchThread } = await import('../jobs/search-publish.ts');
const { SearchService } = await import('../api/services/search/search-service.ts');
const { CatalogService } = await import('../api/services/catalog/catalog-service.ts');
const { updateSku } = await import('../api/services/catalog/catalog-editor.ts');
const { markApplied, readChanges } = await import('../api/services/catalog/outbox.ts');
const { systemContext } = await import('../api/context.ts');
const { systemClock } = await import('../api/clock.ts');

console.log(`${machine()}; ${SKUS} SKUs; load ${loadAverage()}`);
const db = createDb(parseDatabaseUrl(BENCH_ENV.DATABASE_URL));
const ctx = systemContext('bench:search-edit', { db, clock: systemClock });
const config = loadConfig({ ...BENCH_ENV });
const client = fs.mkdtempSync(path.join(os.tmpdir(), 'meiduo-search-edit-'));
const service = new SearchService(client, new CatalogService(), 1000);
const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};
const line = (label, p, ms) =>
  `${label}: ${(ms / 1000).toFixed(2)} s; publish read ${p.stats.readMs} ms, build ${p.stats.buildMs} ms, write ${p.stats.writeMs} ms; ` +
  `tokenized ${p.stats.tokenized}, linked ${p.stats.linked}, written ${p.stats.written}; CPU ${(p.cpuMs / 1000).toFixed(2)} s; RSS ${(p.rss / 2 ** 20).toFixed(0)} MB, thread heap kept since the previous publish ${(p.heap / 2 ** 20).toFixed(0)} MB`;

try {
  const rssBefore = process.memoryUsage.rss();
  let t = performance.now();
  const cold = await publishSearchIndexOffThread(config, client);
  console.log(`process RSS before the publisher thread: ${(rssBefore / 2 ** 20).toFixed(0)} MB`);
  console.log(line('cold publish (new thread, nothing cached, nothing to link)', cold, performance.now() - t));
  const first = process.env.SEARCH_EDIT_FIRST;
  if (first === 'lazy' || first === 'warm') {
    await stopSearchThread();
    console.log(`thread stopped (a restarted worker); process RSS ${(process.memoryUsage.rss() / 2 ** 20).toFixed(0)} MB`);
  }
  if (first === 'warm') {
    const c0 = cpu();
    const w = await warmSearchThread(config, client);
    console.log(`warmed: ${w.docs} SKUs (${w.tokenized} tokenized), ${w.files} files hashed, ${(w.ms / 1000).toFixed(2)} s, CPU ${(w.cpuMs / 1000).toFixed(2)} s (process ${(cpu() - c0).toFixed(2)} s); RSS ${(w.rss / 2 ** 20).toFixed(0)} MB, thread heap kept ${(w.heap / 2 ** 20).toFixed(0)} MB`);
  }
  const sku = await db('skus').where('is_launched', true).orderBy('id').offset(Math.floor(SKUS / 2)).first('id', 'name');
  const toManifest = [];
  const toFound = [];
  const cpus = [];
  const words = ['月球漫步版', '火星巡游版', '土星环绕版', '木星风暴版', '金星晨曦版', '水星疾行版', '海王深蓝版', '天王侧卧版'];
  for (let i = 0; i < RUNS; i++) {
    // the name's length changes by some 20 terms each time (a long suffix, then a short one): the name
    // field's average length moves, rounded weights change and about 2,000 of 2,048 shards differ at
    // 100,000 SKUs; a rename that keeps the length (same number of terms) links nearly all of them
    const word = words[i % words.length] + i;
    const suffix = i % 2 === 0 ? ' 超长续航旗舰加强版本 pro max ultra' : '';
    const c0 = cpu();
    await updateSku(ctx, sku.id, { name: `${sku.name} ${word}${suffix}` });
    t = performance.now(); // committed
    const p = await publishSearchIndexOffThread(config, client);
    const published = performance.now() - t;
    for (;;) {
      const r = await service.search(ctx, word, 1, 5);
      if (r.results.some((x) => x.id === sku.id)) break;
      if (performance.now() - t > 60_000) throw new Error(`${word} not found`);
      await new Promise((r) => setTimeout(r, 20));
    }
    const found = performance.now() - t;
    toManifest.push(published);
    toFound.push(found);
    cpus.push(cpu() - c0);
    console.log(line(`edit ${i + 1}: commit → manifest ${(published / 1000).toFixed(2)} s, commit → found`, p, found) + `; process CPU ${(cpu() - c0).toFixed(2)} s`);
  }
  const s = (xs) => `median ${(pct(xs, 50) / 1000).toFixed(2)} s, max ${(Math.max(...xs) / 1000).toFixed(2)} s`;
  console.log(`commit → manifest: ${s(toManifest)}; commit → /api/search finds it: ${s(toFound)}; process CPU per edit median ${pct(cpus, 50).toFixed(2)} s`);
  await updateSku(ctx, sku.id, { name: sku.name });
  await new Promise((r) => setTimeout(r, 2000));
  console.log(`process RSS with the publisher idle (its cache kept), 2 s after the last publish: ${(process.memoryUsage.rss() / 2 ** 20).toFixed(0)} MB`);
  // the bench's edits are not for the pages job: drop their outbox rows
  for (let c; (c = await readChanges(ctx, 10_000)); ) await markApplied(ctx, c.ids, null);
} finally {
  await stopSearchThread();
  await db.destroy();
  fs.rmSync(client, { recursive: true, force: true });
}
