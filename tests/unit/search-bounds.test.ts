import lunr from 'lunr';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  FALLBACK_BELOW,
  MAX_CLAUSES,
  MAX_POSTINGS,
  buildSearchIndex,
  coverage,
  loadSearchIndex,
  planQuery,
  searchIndex,
  type LoadedSearchIndex,
  type SearchDoc,
  type SearchStats,
  type SerializedSearchIndex,
  wordCoverage,
} from '../../api/services/search/search-index.ts';
import { MAX_QUERY_CHARS, MAX_WORD, queryClauses, queryWords } from '../../api/services/search/tokenizer.ts';
import { demoDocs } from '../helpers/demo-search-docs.ts';
import { judgedQueries } from '../helpers/judged-queries.ts';

// The work of a query is counted, not timed: the postings it visits and the clauses it runs.

const load = (docs: SearchDoc[]) => {
  const json = JSON.parse(JSON.stringify(buildSearchIndex(docs))) as SerializedSearchIndex;
  return { json, index: loadSearchIndex(json) };
};

/** 100 distinct Chinese characters: each of its 99 bigrams is a term of every document below. */
const HUNDRED = Array.from({ length: 100 }, (_, i) => String.fromCodePoint(0x4e00 + i * 7)).join('');

const hostile: [string, string][] = [
  ['one character ×100', '手'.repeat(100)],
  ['one bigram ×50', '手机'.repeat(50)],
  ['100 distinct characters', HUNDRED],
  ['single characters and spaces, 100 chars', Array.from(HUNDRED.slice(0, 50)).join(' ')],
  ['100 single characters separated by spaces', Array.from(HUNDRED).join(' ')],
  ['Latin words', 'iphone plus pro max huawei apple macbook air mini note go lite ultra neo flex star zen mate nova'],
  ['digits', '1234567890'.repeat(10)],
  ['digits and spaces', '1 2 3 4 5 6 7 8 9 0 '.repeat(5)],
  ['mixed scripts', '华为HUAWEI手机iPhone手机壳Галактика갤럭시ギャラクシー三星'.repeat(3)],
  ['emoji', '📱🔥'.repeat(25) + '手机📱华为'],
  ['lone surrogates', '\uD800手\uDC00机'.repeat(25)],
  ['RTL and zero-width marks', '\u200F华为\u200E手机\u200B'.repeat(15)],
  ['query syntax', '+华为 -手机 ~2 ^10 name:手机 *机 机* a:b* +-~^:*'.repeat(3)],
  ['very long Latin word', 'a'.repeat(1000)],
  ['NFKC expansion (one character → 18)', '\uFDFA'.repeat(100)],
  ['a million characters', '手机华为'.repeat(250_000)],
  ['empty', ''],
  ['only punctuation', '!!! ~~~ 【】'],
];

describe('query size', () => {
  it('tries at most MAX_QUERY_CHARS × MAX_WORD candidate clauses', () => {
    for (const [, q] of hostile) expect(queryClauses(q).length).toBeLessThanOrEqual(MAX_QUERY_CHARS * MAX_WORD);
  });
});

describe('work per query', () => {
  let demoJson: SerializedSearchIndex;
  let demo: LoadedSearchIndex;
  let dense: LoadedSearchIndex;
  let categories: LoadedSearchIndex;

  beforeAll(() => {
    ({ json: demoJson, index: demo } = load(demoDocs()));
    // 1,100 documents holding all of HUNDRED (searching it whole would visit 1,100 × 99 postings),
    // and five with a rare word.
    const doc = (id: number, name: string) => ({ id, name, caption: '', categoryId: 1, category: '杂货', brand: '无名' });
    dense = load([...Array.from({ length: 1100 }, (_, i) => doc(i + 1, HUNDRED)), ...Array.from({ length: 5 }, (_, i) => doc(2000 + i, '稀有商品'))]).index;
    // A category for every substring of HUNDRED: hundreds of whole-word clauses would match.
    const subs = Array.from({ length: 97 }, (_, i) => [2, 3, 4].map((len) => HUNDRED.slice(i, i + len))).flat();
    categories = load(subs.map((sub, i) => ({ id: i + 1, name: `商品${i}`, caption: '', categoryId: i + 1, category: sub, brand: '无名' }))).index;
  });

  it('visits at most MAX_POSTINGS postings and judges the hits on the terms it searched', () => {
    const stats = {} as SearchStats;
    const ids = searchIndex(dense, HUNDRED, stats);
    expect(stats.postings).toBeLessThanOrEqual(MAX_POSTINGS);
    expect(stats.postings).toBeGreaterThan(MAX_POSTINGS - 1100);
    const plan = planQuery(dense, HUNDRED);
    expect(plan.clauses.length + plan.dropped).toBe(99);
    // The 54 bigrams searched cover 55 of the 100 characters: under 60%, yet every document has the
    // other 45 too; those characters are not held against the documents.
    expect(plan.clauses).toHaveLength(54);
    expect(plan.counted).toBe(55);
    expect(ids).toHaveLength(1100);
    // Characters that no indexed term covers still count: 55 of 95 is under 60%.
    const unknown = Array.from({ length: 40 }, (_, i) => String.fromCodePoint(0x9000 + i)).join('');
    expect(planQuery(dense, HUNDRED.slice(0, 60) + unknown)).toMatchObject({ chars: 100, counted: 95, words: 47.5 });
    // …but 27.5 of its 47.5 words (two characters each) match: the fallback answers with them.
    expect(searchIndex(dense, HUNDRED.slice(0, 60) + unknown)).toHaveLength(1100);
    // 40 known characters and 60 unknown: 20 of 50 words, under half; nothing.
    const moreUnknown = Array.from({ length: 60 }, (_, i) => String.fromCodePoint(0x9000 + i)).join('');
    expect(searchIndex(dense, HUNDRED.slice(0, 40) + moreUnknown)).toEqual([]);
  });

  it('keeps a rare term when the budget cuts common ones', () => {
    const q = `${HUNDRED.slice(0, 95)} 稀有`;
    const plan = planQuery(dense, q);
    expect(plan.dropped).toBeGreaterThan(0);
    expect(plan.clauses[0]).toMatchObject({ term: '稀有', postings: 5 });
  });

  it('runs at most MAX_CLAUSES clauses, the rarest', () => {
    const plan = planQuery(categories, HUNDRED);
    expect(plan.clauses).toHaveLength(MAX_CLAUSES);
    expect(plan.dropped).toBeGreaterThan(0);
    const kept = plan.clauses.map((c) => c.postings);
    expect(kept).toEqual([...kept].sort((a, b) => a - b));
    expect(() => searchIndex(categories, HUNDRED)).not.toThrow();
  });

  it('always runs the rarest clause, so one very common word still answers', () => {
    const stats = {} as SearchStats;
    expect(searchIndex(dense, HUNDRED.slice(0, 2), stats)).toHaveLength(1100);
    expect(stats).toEqual({ clauses: 1, postings: 1100, hits: 1100 });
  });

  it.each(hostile)('bounds and answers a hostile query: %s', (_label, q) => {
    for (const index of [demo, dense, categories]) {
      const stats = {} as SearchStats;
      expect(() => searchIndex(index, q, stats)).not.toThrow();
      expect(stats.clauses).toBeLessThanOrEqual(MAX_CLAUSES);
      if (stats.clauses > 1) expect(stats.postings).toBeLessThanOrEqual(MAX_POSTINGS);
      expect(planQuery(index, q).chars).toBeLessThanOrEqual(MAX_QUERY_CHARS);
    }
  });

  it('runs only clauses whose term some document has in the clause’s fields', () => {
    const plan = planQuery(demo, '华为手机');
    expect(plan.clauses.map((c) => `${c.term}${c.wholeWord ? ' (whole)' : ''}`).sort()).toEqual(['华为', '华为 (whole)', '手机', '手机 (whole)']);
    expect(plan.chars).toBe(4);
    expect(planQuery(demo, '不存在的东西').clauses.every((c) => c.postings > 0)).toBe(true);
  });

  it('answers every query as if it were the first (per-query state is cleared)', () => {
    const queries = ['华为', '手机', '华为 手机', '手机壳', 'iPhone', '8 Plus', '不存在的东西', '深空灰', '小米 笔记本'];
    for (const q of [...queries, ...queries.reverse()]) expect(searchIndex(demo, q), q).toEqual(searchIndex(loadSearchIndex(demoJson), q));
  });
});

describe('coverage', () => {
  it('counts every occurrence of a matched term, across words', () => {
    expect(coverage(['鞋', '跑步鞋'], new Set(['鞋']))).toBeCloseTo(2 / 4);
    expect(coverage(['iphone', 'iphone', '8'], new Set(['iphone']))).toBeCloseTo(12 / 13);
    expect(coverage(['华为手机壳'], new Set(['手机壳', '华为']))).toBe(1);
    expect(coverage([], new Set(['华为']))).toBe(0);
    expect(coverage(['手机'.repeat(100), 'iphone'], new Set(['iphone']))).toBe(0); // past the first 100 characters
    expect(coverage(['手机'.repeat(100)], new Set(['手机']))).toBe(1);
  });
});

/**
 * The ranking as Lunr computes it: Lunr's query() over all candidate clauses, the coverage rule and
 * the category prior. searchIndex() reads Lunr's postings directly and skips clauses that match
 * nothing; for queries within its budget it must rank exactly like this.
 */
function lunrRanking(json: SerializedSearchIndex, query: string): number[] {
  const idx = lunr.Index.load(json.lunr);
  const categoryOf = new Map(json.ids.map((id, i) => [id, json.categories[i]!]));
  const brandOf = new Map(json.ids.map((id, i) => [id, json.brands[i]!]));
  const qWords = queryWords(query);
  const clauses = queryClauses(query);
  if (clauses.length === 0) return [];
  const all = idx
    .query((q) => {
      for (const c of clauses) {
        const fields = c.wholeWord ? ['category', 'brand'] : ['name', 'caption'];
        q.term(c.term, { boost: c.boost, usePipeline: false, fields, wildcard: lunr.Query.wildcard.NONE });
      }
    })
    .map((h) => {
      const meta = h.matchData.metadata as Record<string, Record<string, unknown>>;
      const matched = new Set(Object.keys(meta));
      return {
        id: Number(h.ref),
        score: h.score,
        strict: coverage(qWords, matched) >= 0.6,
        words: Math.round(wordCoverage(qWords, matched) * 1e6) / 1e6, // searchIndex() compares millionths
        byBrand: Object.values(meta).some((fields) => 'brand' in fields),
      };
    });
  type Hit = (typeof all)[number];
  const byScore = (a: Hit, b: Hit) => b.score - a.score || a.id - b.id;
  const best = (window: Hit[], keyOf: (h: Hit) => number, counts: (h: Hit) => boolean): [number, number] => {
    const agg = new Map<number, number>();
    let total = 0;
    for (const h of window) {
      total += h.score;
      if (counts(h)) agg.set(keyOf(h), (agg.get(keyOf(h)) ?? 0) + h.score);
    }
    let key = 0;
    let keyScore = 0;
    for (const [k, s] of agg) if (s > keyScore || (s === keyScore && k < key)) [key, keyScore] = [k, s];
    return [key, total > 0 ? keyScore / total : 0];
  };
  const ranked = (hits: Hit[]) => {
    hits.sort(byScore);
    const window = hits.slice(0, 50);
    const [cat, catShare] = best(window, (h) => categoryOf.get(h.id)!, () => true);
    const [brand, brandShare] = best(window, (h) => brandOf.get(h.id)!, (h) => h.byBrand);
    return hits
      .map((h) => {
        let score = h.score;
        if (categoryOf.get(h.id) === cat) score *= 1 + catShare;
        if (h.byBrand && brandShare > 0 && brandOf.get(h.id) === brand) score *= 1 + brandShare;
        return { ...h, score };
      })
      .sort(byScore);
  };
  // the coordination factor: a hit that passes the coverage rule weighs the share of the words it matched
  const strict = ranked(all.filter((h) => h.strict).map((h) => (qWords.length > 1 ? { ...h, score: h.score * h.words } : h)));
  const partial = strict.length >= FALLBACK_BELOW ? [] : ranked(all.filter((h) => !h.strict && h.words > 0 && h.words >= 0.5 - 1e-9));
  return [...strict, ...partial.sort((a, b) => b.words - a.words)].map((h) => h.id);
}

describe('ranking', () => {
  it('ranks like Lunr’s own query() on the demo catalog', () => {
    const docs = demoDocs();
    const { json, index } = load(docs);
    const queries = [
      ...judgedQueries.map((j) => j.q),
      ...docs.filter((d) => d.id % 7 === 0).map((d) => d.name),
      ...docs.filter((d) => d.id % 11 === 0).map((d) => d.caption.slice(0, 30)),
      '华为 HUAWEI P10 Plus 6GB+64GB 钻雕金 移动联通电信4G手机 双卡双待',
      '不存在的东西',
      '鞋 跑步鞋',
      '华为 smartphone',
      '三星 土豪金 手机',
      'Apple 土豪金',
    ];
    for (const q of queries) {
      expect(planQuery(index, q).dropped, q).toBe(0);
      expect(searchIndex(index, q), q).toEqual(lunrRanking(json, q));
    }
  });
});
