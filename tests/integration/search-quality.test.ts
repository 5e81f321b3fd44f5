import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSearchDocs } from '../../api/services/search/publish.ts';
import { coverage } from '../../api/services/search/search-index.ts';
import type { SearchDoc } from '../../api/services/search/search-index.ts';
import { createTestDb, type TestDb } from '../helpers/db.ts';
import { DB_KINDS } from '../helpers/env.ts';
import { judgedQueries } from '../helpers/judged-queries.ts';
import { publish, query, type Publication } from '../helpers/search-shards.ts';

describe.each(DB_KINDS)('search quality on the demo catalog (%s)', (kind) => {
  let t: TestDb;
  let pub: Publication;
  const searchIndex = (_: Publication, q: string) => query(pub, q).ids;
  let byId: Map<number, SearchDoc>;

  beforeAll(async () => {
    t = await createTestDb(kind, { seed: true });
    const { docs } = await loadSearchDocs(t.db);
    byId = new Map(docs.map((d) => [d.id, d]));
    // the sharded publication through JSON, searched as the browser and the API search it
    pub = publish(docs);
  });
  afterAll(() => t.drop());

  it.each(judgedQueries.map((j) => [j.q, j] as const))('“%s” puts what a shopper expects first', (_q, j) => {
    const ids = searchIndex(pub, j.q).slice(0, j.top);
    const shown = ids.map((id) => `${byId.get(id)!.name} [${byId.get(id)!.category}]`);
    expect(ids.length, `${j.why}: too few results`).toBe(j.top);
    for (const id of ids) expect(j.expect(byId.get(id)!), `${j.why}\n${shown.join('\n')}`).toBe(true);
  });

  it('has at least 20 judged queries', () => {
    expect(judgedQueries.length).toBeGreaterThanOrEqual(20);
  });

  it('returns nothing for queries the catalog cannot answer', () => {
    expect(searchIndex(pub, '不存在的东西xyz')).toEqual([]);
    expect(searchIndex(pub, '!!! ~~~')).toEqual([]);
  });

  it('never lists an unlaunched SKU', async () => {
    const off = await t.db('skus').where('is_launched', false).select('id', 'name');
    for (const k of off) expect(searchIndex(pub, k.name)).not.toContain(k.id);
  });
});

describe('coverage', () => {
  it('counts the query characters the matched terms cover', () => {
    expect(coverage(['华为手机'], new Set(['华为', '手机']))).toBe(1);
    expect(coverage(['华为手机便宜'], new Set(['华为', '手机']))).toBeCloseTo(4 / 6);
    expect(coverage(['不存在的东西', 'xyz'], new Set(['的', '东']))).toBeCloseTo(2 / 9);
    expect(coverage(['iphone', '8'], new Set(['iphone']))).toBeCloseTo(6 / 7);
  });
});
