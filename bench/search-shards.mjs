// The sharded search publication (issue 18) on the bench catalog (BENCH_SKUS=10000 or 100000):
// - publish: wall time and peak RSS of publishSearchIndex in a fresh process (median of 3);
// - bytes a shopper's first query fetches, gzip: manifest + doc table + the query's shards + the big
//   lists its plan keeps + the display chunks of page 1, median/max over the judged queries;
// - a query in the browser's code path with warm (HTTP-cached) files: JSON.parse of every file it
//   reads + decodeTable + searchShards, run in Node (the same module the page runs), p95;
// - /api/search's SearchService (real CatalogService on the bench database) over 1,000 mixed
//   queries: p95 and the process RSS after them, in a fresh process;
// - edit → searchable: a SKU renamed, publishSearchIndexOffThread (the job's thread), until
//   SearchService finds the new name.
// Targets: first query ≤ 20 KB median / 40 KB max at 10k, ≤ 50/80 KB at 100k; browser p95 ≤ 20/50 ms;
// API p95 ≤ 20/30 ms, RSS ≤ 300 MB; edit → searchable ≤ 2 s / 5 s.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { register } from 'tsx/esm/api';
import { BENCH_ENV, SKUS, ensureCatalog, loadAverage, machine, mixedQueries } from './lib.mjs';

register();
const SELF = fileURLToPath(import.meta.url);
const mode = process.argv[2] ?? 'main';
const pct = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((xs.length * p) / 100))];
const median = (xs) => pct(xs, 50);

/** What /api/search runs, over the generation published in `client`, with a database and a context. */
async function searchServiceOn(client, recheckMs) {
  const { SearchService } = await import('../api/services/search/search-service.ts');
  const { CatalogService } = await import('../api/services/catalog/catalog-service.ts');
  const { systemContext } = await import('../api/context.ts');
  const { systemClock } = await import('../api/clock.ts');
  const db = await openDb();
  return { db, ctx: systemContext('bench', { db, clock: systemClock }), service: new SearchService(client, new CatalogService(), recheckMs) };
}

async function openDb() {
  const { parseDatabaseUrl } = await import('../api/config.ts');
  const { createDb } = await import('../api/db/knex.ts');
  return createDb(parseDatabaseUrl(BENCH_ENV.DATABASE_URL));
}

if (mode === 'publish') {
  const { publishSearchIndex } = await import('../api/services/search/publish.ts');
  const db = await openDb();
  const t = performance.now();
  const r = await publishSearchIndex(db, process.argv[3]);
  const seconds = (performance.now() - t) / 1000;
  await db.destroy();
  const ru = process.resourceUsage();
  console.log(JSON.stringify({ seconds, cpuSeconds: (ru.userCPUTime + ru.systemCPUTime) / 1e6, rssMb: ru.maxRSS / 1024, bytes: r.bytes, gzipBytes: r.gzipBytes, shards: r.shards, terms: r.terms, count: r.count }));
} else if (mode === 'api') {
  const { db, ctx, service } = await searchServiceOn(process.argv[3]);
  const queries = await mixedQueries(db, 1000);
  const ms = [];
  for (const q of queries) {
    const t = performance.now();
    await service.search(ctx, q, 1, 20);
    ms.push(performance.now() - t);
  }
  const rssMb = process.memoryUsage().rss / 2 ** 20;
  await db.destroy();
  console.log(JSON.stringify({ p50: median(ms), p95: pct(ms, 95), max: Math.max(...ms), rssMb, heapMb: process.memoryUsage().heapUsed / 2 ** 20 }));
} else {
  await ensureCatalog();
  const client = fs.mkdtempSync(path.join(os.tmpdir(), 'meiduo-shards-'));
  const child = (...args) => {
    const r = spawnSync(process.execPath, [SELF, ...args], { env: { ...process.env, ...BENCH_ENV }, encoding: 'utf8', maxBuffer: 1 << 24 });
    if (r.status !== 0) throw new Error(r.stderr);
    return JSON.parse(r.stdout.trim().split('\n').at(-1));
  };
  console.log(`${SKUS} SKUs; ${machine?.() ?? ''}; load ${loadAverage()}`);
  const pubs = [0, 1, 2].map(() => child('publish', client));
  const pub = pubs.sort((a, b) => a.seconds - b.seconds)[1];
  console.log(`publish: ${pubs.map((p) => p.seconds.toFixed(2)).join(' / ')} s (median ${pub.seconds.toFixed(2)} s; CPU ${pubs.map((p) => p.cpuSeconds.toFixed(2)).join(' / ')} s, all threads), peak RSS ${Math.max(...pubs.map((p) => p.rssMb)).toFixed(0)} MB; ${pub.count} docs, ${pub.terms} terms, ${pub.shards} shards; published ${(pub.bytes / 1e6).toFixed(1)} MB raw, ${(pub.gzipBytes / 1e6).toFixed(2)} MB gzip`);

  // first query: bytes, and the browser's code path with every file already in the HTTP cache
  const S = await import('../api/services/search/shards.ts');
  const { judgedQueries } = await import('../tests/helpers/judged-queries.ts');
  const search = path.join(client, 'search');
  const manifestText = fs.readFileSync(path.join(search, 'manifest.json'), 'utf8');
  const m = JSON.parse(manifestText);
  const dir = path.join(search, m.generation);
  const gz = (name) => fs.statSync(path.join(dir, fs.existsSync(path.join(dir, name + '.gz')) ? name + '.gz' : name)).size;
  const text = (name) => fs.readFileSync(path.join(dir, name), 'utf8');
  const cache = new Map();
  const cached = (name) => (cache.has(name) ? cache.get(name) : cache.set(name, text(name)).get(name));
  function browserQuery(q) {
    const manifest = JSON.parse(manifestText);
    const table = S.decodeTable(JSON.parse(cached(S.TABLE_FILE)));
    const files = [S.TABLE_FILE];
    const shards = new Map(S.shardsOfQuery(q, manifest.shards).map((k) => (files.push(S.shardFile(k)), [k, S.parseShard(JSON.parse(cached(S.shardFile(k))))])));
    const input = { table, fields: manifest.fields, entry: (t) => shards.get(S.shardOf(t, manifest.shards))?.get(t), big: new Map() };
    for (const b of S.bigListsOfQuery(q, input)) {
      files.push(b);
      input.big.set(b, JSON.parse(cached(b)));
    }
    const ids = S.searchShards(q, input);
    const ords = ids.slice(0, 20).map((id) => S.ordinalOf(table, id));
    const chunks = [...new Set(ords.map((o) => Math.floor(o / manifest.chunkRows)))].map((c) => S.chunkFile(c));
    for (const c of chunks) JSON.parse(cached(c));
    return [...files, ...chunks];
  }
  const firstBytes = judgedQueries.map(({ q }) => Buffer.byteLength(manifestText) + browserQuery(q).reduce((n, f) => n + gz(f), 0));
  console.log(`first query, gzip bytes fetched over ${firstBytes.length} judged queries: median ${(median(firstBytes) / 1024).toFixed(1)} KB, max ${(Math.max(...firstBytes) / 1024).toFixed(1)} KB (doc table alone ${(gz(S.TABLE_FILE) / 1024).toFixed(1)} KB)`);
  const ms = [];
  for (let round = 0; round < 5; round++) {
    for (const { q } of judgedQueries) {
      const t = performance.now();
      browserQuery(q);
      ms.push(performance.now() - t);
    }
  }
  console.log(`browser code path in Node, warm files (parse + decode + search + page's chunks): p50 ${median(ms).toFixed(1)} ms, p95 ${pct(ms, 95).toFixed(1)} ms`);

  // the same in Chromium: the page's code (shards.ts bundled by esbuild) fetching from a local server
  // that sends generation files immutable and the manifest no-cache, as nginx does; first pass fills
  // the HTTP cache, then 5 timed passes over the judged queries
  {
    const esbuild = await import('esbuild');
    const http = await import('node:http');
    const { launchChromium } = await import('../tests/helpers/browser.ts');
    const entry = `import * as S from ${JSON.stringify(path.join(path.dirname(SELF), '../api/services/search/shards.ts'))};
      const json = async (u, init) => (await fetch(u, init)).json();
      window.runQuery = async (q) => {
        const t = performance.now();
        const m = await json('/search/manifest.json', { cache: 'no-cache' });
        const f = (n) => '/search/' + m.generation + '/' + n;
        const nos = S.shardsOfQuery(q, m.shards);
        const [tj, ...sj] = await Promise.all([json(f(S.TABLE_FILE)), ...nos.map((k) => json(f(S.shardFile(k))))]);
        const table = S.decodeTable(tj);
        const shards = new Map(nos.map((k, i) => [k, S.parseShard(sj[i])]));
        const input = { table, fields: m.fields, entry: (t) => shards.get(S.shardOf(t, m.shards))?.get(t), big: new Map() };
        await Promise.all(S.bigListsOfQuery(q, input).map(async (b) => input.big.set(b, await json(f(b)))));
        const ids = S.searchShards(q, input);
        const chunks = [...new Set(ids.slice(0, 20).map((id) => Math.floor(S.ordinalOf(table, id) / m.chunkRows)))];
        await Promise.all(chunks.map((c) => json(f(S.chunkFile(c)))));
        return performance.now() - t;
      };`;
    const js = (await esbuild.build({ stdin: { contents: entry, resolveDir: path.dirname(SELF), loader: 'js' }, bundle: true, format: 'iife', write: false, target: 'es2022' })).outputFiles[0].text;
    const server = http.createServer((req, res) => {
      const url = new URL(req.url, 'http://x').pathname;
      if (url === '/') return res.end(`<!doctype html><meta charset="utf-8"><script>${js}</script>`);
      const file = path.join(client, decodeURIComponent(url));
      if (!file.startsWith(client) || !fs.existsSync(file)) return res.writeHead(404).end();
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': url.endsWith('manifest.json') ? 'no-cache' : 'public, max-age=31536000, immutable' });
      res.end(fs.readFileSync(file));
    });
    await new Promise((r) => server.listen(0, '127.0.0.1', r));
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      await page.goto(`http://127.0.0.1:${server.address().port}/`);
      for (const { q } of judgedQueries) await page.evaluate((q) => window.runQuery(q), q);
      const warm = [];
      for (let round = 0; round < 5; round++) for (const { q } of judgedQueries) warm.push(await page.evaluate((q) => window.runQuery(q), q));
      console.log(`Chromium, warm HTTP cache (manifest revalidated, files from cache, parse + search + page's chunks): p50 ${median(warm).toFixed(1)} ms, p95 ${pct(warm, 95).toFixed(1)} ms`);
    } finally {
      await browser.close();
      server.close();
    }
  }

  const api = child('api', client);
  console.log(`/api/search (SearchService + CatalogService, fresh process, 1,000 mixed queries): p50 ${api.p50.toFixed(1)} ms, p95 ${api.p95.toFixed(1)} ms, max ${api.max.toFixed(0)} ms; RSS after ${api.rssMb.toFixed(0)} MB (heap ${api.heapMb.toFixed(0)} MB)`);

  // edit → searchable, through the job's thread
  const { loadConfig } = await import('../api/config.ts');
  const { publishSearchIndexOffThread } = await import('../jobs/search-publish.ts');
  const { db, ctx, service } = await searchServiceOn(client, 0);
  const config = loadConfig({ ...BENCH_ENV });
  const sku = await db('skus').where('is_launched', true).orderBy('id').first('id', 'name');
  const edits = [];
  for (const word of ['月球漫步版', '火星巡游版', '土星环绕版']) {
    const t = performance.now();
    await db('skus').where('id', sku.id).update({ name: `${sku.name} ${word}` });
    await publishSearchIndexOffThread(config, client);
    const r = await service.search(ctx, word, 1, 5);
    edits.push(performance.now() - t);
    if (!r.results.some((x) => x.id === sku.id)) throw new Error(`${word} not found after publishing`);
  }
  await db('skus').where('id', sku.id).update({ name: sku.name });
  await db.destroy();
  console.log(`edit → searchable (update, publish in the job's thread, SearchService finds it): ${edits.map((x) => (x / 1000).toFixed(2)).join(' / ')} s`);
  fs.rmSync(client, { recursive: true, force: true });
}
