// The equality of tests/unit/search-shards.test.ts on the bench catalog (10,000 SKUs: Lunr's build
// needs ~11 s and ~300 MB; 100,000 would need >1 GB): ids and scores of the judged queries and 500
// seeded mixed queries, the sharded publication vs the one Lunr index, read as the browser reads it
// (whole files parsed) and as /api/search does (a shard's entries one by one, big lists as typed arrays).
import { register } from 'tsx/esm/api';
import { BENCH_ENV, SKUS, ensureCatalog } from './lib.mjs';

register();
await ensureCatalog();
const { parseDatabaseUrl } = await import('../api/config.ts');
const { createDb } = await import('../api/db/knex.ts');
const { loadSearchDocs } = await import('../api/services/search/publish.ts');
const { buildSearchIndex, loadSearchIndex, searchIndex } = await import('../api/services/search/search-index.ts');
const { publish, query } = await import('../tests/helpers/search-shards.ts');
const { judgedQueries } = await import('../tests/helpers/judged-queries.ts');
const db = createDb(parseDatabaseUrl(BENCH_ENV.DATABASE_URL));
const { docs, display } = await loadSearchDocs(db);
await db.destroy();
const index = loadSearchIndex(JSON.parse(JSON.stringify(buildSearchIndex(docs))));
const rows = new Map(display.map((r) => [r[0], r]));
const pub = publish(docs, {}, (d) => rows.get(d.id));
let seed = 18;
const rnd = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
const pick = (xs) => xs[Math.floor(rnd() * xs.length)];
const terms = [...index.termIndex.keys()];
const makers = [() => pick(terms), () => pick(terms) + pick(terms), () => `${pick(terms)} ${pick(terms)} ${pick(terms)}`, () => pick(docs).name, () => pick(docs).caption, () => Array.from(pick(docs).name).slice(3, 9).join('')];
const queries = [...judgedQueries.map((j) => j.q), ...Array.from({ length: 500 }, () => pick(makers)())];
let differ = 0;
for (const q of queries) {
  const stats = { clauses: 0, postings: 0, hits: 0, scores: [] };
  const ids = searchIndex(index, q, stats);
  for (const reader of ['browser', 'api']) {
    const got = query(pub, q, undefined, reader);
    if (JSON.stringify(ids) !== JSON.stringify(got.ids) || JSON.stringify(stats.scores) !== JSON.stringify(got.scores)) {
      differ++;
      console.log(`DIFFERS (${reader}):`, q);
    }
  }
}
console.log(`${SKUS} SKUs: ${queries.length} queries × 2 readers, ${differ} differ (ids and scores compared exactly)`);
process.exit(differ ? 1 : 0);
