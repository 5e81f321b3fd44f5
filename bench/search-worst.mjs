// Worst-case search queries on the 10,000-SKU catalog: the most expensive 100-character queries we can
// build from the index itself (its most frequent bigrams, characters, words, category and brand names),
// plus a pasted product title and the longest product name for comparison. Target: every query ≤ 20 ms.
// Timed twice: what /api/search runs — SearchService over a published sharded generation (issue 18),
// shard reads cached after the warm-up, the page's 20 rows from the database — and the in-memory
// one-file Lunr index the queries are built from (the reference the shards must rank exactly as).
//
//   node bench/search-worst.mjs
//   SEARCH_MODULE=path/to/old/search-index.ts BENCH_ROUNDS=1 node bench/search-worst.mjs   # another implementation
//
// SEARCH_MODULE lets the same queries run against a copy of an earlier search-index.ts (with its
// tokenizer.ts beside it, inside the repository so that 'lunr' resolves), for before/after figures.
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import v8 from 'node:v8';
import vm from 'node:vm';
import { register } from 'tsx/esm/api';
import { BENCH_ENV, ROOT, ensureCatalog, machine } from './lib.mjs';

register();
await ensureCatalog();
const ROUNDS = Number(process.env.BENCH_ROUNDS || 20);
const modulePath = path.resolve(ROOT, process.env.SEARCH_MODULE || 'api/services/search/search-index.ts');
const { parseDatabaseUrl } = await import('../api/config.ts');
const { createDb } = await import('../api/db/knex.ts');
const { loadSearchDocs } = await import('../api/services/search/publish.ts');
const search = await import(pathToFileURL(modulePath).href);
const tokenizer = await import(pathToFileURL(path.join(path.dirname(modulePath), 'tokenizer.ts')).href);

const db = createDb(parseDatabaseUrl(BENCH_ENV.DATABASE_URL));
const { docs } = await loadSearchDocs(db);
await db.destroy();
// Postings per term and field group, straight from the serialized Lunr index (then dropped: a server
// keeps only the loaded index).
const HAN = /^\p{Script=Han}+$/u;
const count = (o) => (o ? Object.keys(o).length : 0);
const byFreq = (list, keep) => list.filter(([t, n]) => n > 0 && keep(t)).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([t]) => t);
let index, bigrams, chars, latin, wholeHan;
{
  const json = JSON.parse(JSON.stringify(search.buildSearchIndex(docs)));
  index = search.loadSearchIndex(json);
  const ngram = [];
  const whole = [];
  for (const [term, posting] of json.lunr.invertedIndex) {
    ngram.push([term, count(posting.name) + count(posting.caption)]);
    whole.push([term, count(posting.category) + count(posting.brand)]);
  }
  bigrams = byFreq(ngram, (t) => HAN.test(t) && [...t].length === 2);
  chars = byFreq(ngram, (t) => HAN.test(t) && [...t].length === 1);
  latin = byFreq(ngram, (t) => !HAN.test(t));
  wholeHan = byFreq(whole, (t) => HAN.test(t));
}

/** Join items with sep while the result stays within 100 code points. */
function pack(items, sep, limit = 100) {
  let out = '';
  for (const it of items) {
    const next = out ? out + sep + it : it;
    if ([...next].length > limit) break;
    out = next;
  }
  return out;
}
const interleave = (...lists) => lists[0].flatMap((_, i) => lists.map((l) => l[i]).filter(Boolean));
const longestName = docs.reduce((a, d) => (d.name.length > a.length ? d.name : a), '');

const queries = [
  ['frequent bigrams, packed', pack(bigrams, '')],
  ['frequent bigrams, spaced', pack(bigrams, ' ')],
  ['frequent characters, packed', pack(chars, '')],
  ['frequent characters, spaced', pack(chars, ' ')],
  ['frequent latin/digit words, spaced', pack(latin, ' ')],
  ['category/brand names, packed', pack(wholeHan, '')],
  ['category/brand names, spaced', pack(wholeHan, ' ')],
  ['mix: bigram, word, character', pack(interleave(bigrams, latin, chars), ' ')],
  ['one frequent character ×100', chars[0].repeat(100)],
  ['one frequent bigram ×50', bigrams[0].repeat(50)],
  ['100 digits', '1234567890'.repeat(10)],
  ['three most frequent bigrams (many hits)', pack(bigrams.slice(0, 3), ' ')],
  ['pasted product title', '华为 HUAWEI P10 Plus 6GB+64GB 钻雕金 移动联通电信4G手机 双卡双待'],
  ['longest product name (≤ 100)', [...longestName].slice(0, 100).join('')],
];

const clauseCount = (q) =>
  typeof search.planQuery === 'function' ? search.planQuery(index, q).clauses.length : tokenizer.queryClauses(q).length;
const pct = (xs, p) => xs[Math.min(xs.length - 1, Math.floor(p * xs.length))];
const stat = (xs) => `p50 ${pct(xs, 0.5).toFixed(1)} ms  p95 ${pct(xs, 0.95).toFixed(1)} ms  max ${xs[xs.length - 1].toFixed(1)} ms`;

console.log(`machine: ${machine()}`);
console.log(`module: ${path.relative(ROOT, modulePath)}; ${docs.length} SKUs; ${ROUNDS} rounds per query after a warm-up pass over all of them`);
// Building the index leaves hundreds of MB of garbage; collect it first, as a server would have long
// before its first query, so that its collection is not charged to some query below.
v8.setFlagsFromString('--expose-gc');
vm.runInNewContext('gc')();

// A server answers its first few queries while V8 is still compiling the search code and sweeping
// up after loading the index; that costs tens of milliseconds once per process. It is shown here on
// its own, then every query runs twice before anything is timed.
{
  const s = performance.now();
  search.searchIndex(index, queries[0][1]);
  console.log(`first query of a fresh process (compiling, sweeping): ${(performance.now() - s).toFixed(1)} ms`);
  for (let r = 0; r < 2; r++) for (const [, q] of queries) search.searchIndex(index, q);
}

const all = [];
for (const [label, q] of queries) {
  const hits = search.searchIndex(index, q).length; // warm-up
  const times = [];
  for (let r = 0; r < ROUNDS; r++) {
    const s = performance.now();
    search.searchIndex(index, q);
    times.push(performance.now() - s);
  }
  times.sort((a, b) => a - b);
  all.push(...times);
  const size = `${String([...q].length).padStart(3)} chars ${String(clauseCount(q)).padStart(4)} clauses ${String(hits).padStart(5)} hits`;
  console.log(`${label.padEnd(40)} ${size}  ${stat(times)}`);
  if (process.env.BENCH_SHOW_QUERIES) console.log(`  ${JSON.stringify(q)}`);
}
all.sort((a, b) => a - b);
console.log(`all ${all.length} worst-case queries, reference in-memory index: ${stat(all)}`);

if (!process.env.SEARCH_MODULE) {
  const fs = await import('node:fs');
  const os = await import('node:os');
  const { publishSearchIndex } = await import('../api/services/search/publish.ts');
  const { SearchService } = await import('../api/services/search/search-service.ts');
  const { CatalogService } = await import('../api/services/catalog/catalog-service.ts');
  const { systemContext } = await import('../api/context.ts');
  const { systemClock } = await import('../api/clock.ts');
  const db2 = createDb(parseDatabaseUrl(BENCH_ENV.DATABASE_URL));
  const client = fs.mkdtempSync(path.join(os.tmpdir(), 'meiduo-search-worst-'));
  try {
    await publishSearchIndex(db2, client);
    const service = new SearchService(client, new CatalogService());
    const ctx = systemContext('bench:search-worst', { db: db2, clock: systemClock });
    for (let r = 0; r < 2; r++) for (const [, q] of queries) await service.search(ctx, q, 1, 20);
    const sharded = [];
    for (const [label, q] of queries) {
      const times = [];
      for (let r = 0; r < ROUNDS; r++) {
        const s = performance.now();
        await service.search(ctx, q, 1, 20);
        times.push(performance.now() - s);
      }
      times.sort((a, b) => a - b);
      sharded.push(...times);
      console.log(`SearchService: ${label.padEnd(40)} ${stat(times)}`);
    }
    sharded.sort((a, b) => a - b);
    console.log(`all ${sharded.length} worst-case queries, SearchService over the published shards: ${stat(sharded)}`);
  } finally {
    await db2.destroy();
    fs.rmSync(client, { recursive: true, force: true });
  }
}

// The same fixed CPU work every time: how much this machine alone stretches a few milliseconds (on a
// shared machine, the maxima above are mostly waiting for a core).
const work = new Float64Array(100_000).fill(1);
const control = [];
for (let r = 0; r < queries.length * ROUNDS; r++) {
  const s = performance.now();
  let x = 0;
  for (let k = 0; k < 10; k++) for (let i = 0; i < work.length; i++) x += work[i] * i;
  work[0] = x % 2;
  control.push(performance.now() - s);
}
control.sort((a, b) => a - b);
console.log(`control (fixed CPU loop, ${control.length}×): ${stat(control)}`);
