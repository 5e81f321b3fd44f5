// The shop's search page in Chromium (issue 18): /search.html?q=… with the BENCH_SKUS catalog's
// search generation, (1) loaded per query with the shards already in the HTTP cache from a previous
// visit, and (2) queries typed on the search page, which searches in place; the time is
// site/scripts/search.ts's own `search:query` measure (query start → results drawn).
// Needs a built shop: SEARCH_PAGE_DIST=<dist dir of any `meiduo build`> (its search/ folder is
// replaced by a copy published from the bench catalog; the pages only need /search.html and its
// script). Target: p95 ≤ 20 ms at 10,000 SKUs, ≤ 50 ms at 100,000.
import fs from 'node:fs';
import path from 'node:path';
import { register } from 'tsx/esm/api';
import { BENCH_ENV, SKUS, ensureCatalog, loadAverage, machine, startServer } from './lib.mjs';

register();
const PORT = 18132;
const ROUNDS = Number(process.env.BENCH_ROUNDS || 3);
const dist = process.env.SEARCH_PAGE_DIST;
if (!dist || !fs.existsSync(path.join(dist, 'client', 'search.html'))) throw new Error('SEARCH_PAGE_DIST must name a built dist (with client/search.html)');
const pct = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((xs.length * p) / 100))];
await ensureCatalog();
const { parseDatabaseUrl } = await import('../api/config.ts');
const { createDb } = await import('../api/db/knex.ts');
const { publishSearchIndex } = await import('../api/services/search/publish.ts');
const { judgedQueries } = await import('../tests/helpers/judged-queries.ts');
const { launchChromium } = await import('../tests/helpers/browser.ts');

const client = fs.realpathSync(path.join(dist, 'client'));
fs.rmSync(path.join(client, 'search'), { recursive: true, force: true });
const db = createDb(parseDatabaseUrl(BENCH_ENV.DATABASE_URL));
const published = await publishSearchIndex(db, client);
await db.destroy();
console.log(`${machine()}; ${SKUS} SKUs (${published.shards} shards); load ${loadAverage()}`);
const server = await startServer(PORT, { DIST_DIR: dist });
const browser = await launchChromium();
try {
  const page = await browser.newPage();
  const measure = async (q) => {
    await page.goto(`http://127.0.0.1:${PORT}/search.html?q=${encodeURIComponent(q)}`);
    await page.waitForFunction(() => performance.getEntriesByName('search:query').length > 0, null, { timeout: 10_000 });
    return page.evaluate(() => performance.getEntriesByName('search:query')[0].duration);
  };
  for (const { q } of judgedQueries) await measure(q); // first visits: the files into the HTTP cache
  const warm = [];
  for (let r = 0; r < ROUNDS; r++) for (const { q } of judgedQueries) warm.push(await measure(q));
  if (process.env.PROBE) {
    await measure(judgedQueries[0].q);
    console.log(JSON.stringify(await page.evaluate(() => ({
      marks: performance.getEntriesByType('mark').map((m) => [m.name, Math.round(m.startTime)]),
      measure: performance.getEntriesByName('search:query')[0].duration,
      res: performance.getEntriesByType('resource').map((e) => [e.name.replace(location.origin, ''), Math.round(e.startTime), Math.round(e.duration), e.transferSize]),
    })), null, 0));
  }
  console.log(`search page loaded per query, warm HTTP cache, ${warm.length} queries (search:query, manifest → results drawn): p50 ${pct(warm, 50).toFixed(1)} ms, p95 ${pct(warm, 95).toFixed(1)} ms, max ${Math.max(...warm).toFixed(1)} ms`);

  // What a shopper on the search page does next: types another query into the header's box. The
  // page searches in place (site/scripts/search.ts) with the files it already has parsed, fetching
  // only the shards and chunks it lacks. The first round brings those in; the later rounds are the
  // warm-shard figure.
  const box = page.locator('.search-form input[name="q"]');
  const inPlace = async (q) => {
    await box.fill(q);
    await box.press('Enter');
    await page.locator('#search-status').filter({ hasText: `“${q.trim()}”` }).waitFor({ timeout: 10_000 });
    return page.evaluate(() => performance.getEntriesByName('search:query')[0].duration);
  };
  await page.goto(`http://127.0.0.1:${PORT}/search.html?q=${encodeURIComponent(judgedQueries[0].q)}`);
  await page.waitForFunction(() => performance.getEntriesByName('search:query').length > 0, null, { timeout: 10_000 });
  const firstRound = [];
  for (const { q } of judgedQueries) firstRound.push(await inPlace(q));
  const warmInPlace = [];
  for (let r = 0; r < ROUNDS; r++) for (const { q } of judgedQueries) warmInPlace.push(await inPlace(q));
  console.log(`search page, next query typed on it, first time each (fetches its shards): p50 ${pct(firstRound, 50).toFixed(1)} ms, p95 ${pct(firstRound, 95).toFixed(1)} ms, max ${Math.max(...firstRound).toFixed(1)} ms`);
  console.log(`search page, next query typed on it, warm shards, ${warmInPlace.length} queries: p50 ${pct(warmInPlace, 50).toFixed(1)} ms, p95 ${pct(warmInPlace, 95).toFixed(1)} ms, max ${Math.max(...warmInPlace).toFixed(1)} ms`);
} finally {
  await browser.close();
  server.kill();
}
