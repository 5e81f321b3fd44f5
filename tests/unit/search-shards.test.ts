import { beforeAll, describe, expect, it } from 'vitest';
import { buildSearchIndex, loadSearchIndex, searchIndex, type LoadedSearchIndex, type SearchDoc, type SearchStats } from '../../api/services/search/search-index.ts';
import { ShardBuilder, type BuildOptions } from '../../api/services/search/shard-builder.ts';
import {
  ShardText,
  TABLE_FILE,
  bigListsOfQuery,
  decodeTable,
  parseBigList,
  parseShard,
  searchShards,
  shardEntryOf,
  shardFile,
  shardOf,
  shardsOfQuery,
  termHash,
  termsOfQuery,
  type BigListJson,
  type DocTableJson,
  type QueryInput,
  type Shard,
  type ShardEntry,
} from '../../api/services/search/shards.ts';
import { clausesOf, queryWords, tokenize } from '../../api/services/search/tokenizer.ts';
import { demoDocs } from '../helpers/demo-search-docs.ts';
import { publish, query, type Reader } from '../helpers/search-shards.ts';
import { judgedQueries } from '../helpers/judged-queries.ts';

// The sharded publication must rank exactly as the one Lunr index it replaces: the same ids in the
// same order with the same scores (float for float). The reference is Lunr itself
// (buildSearchIndex + loadSearchIndex + searchIndex); the sharded side is ShardBuilder's files read
// back through JSON as a browser or /api/search reads them.

function reference(index: LoadedSearchIndex, q: string) {
  const stats: SearchStats = { clauses: 0, postings: 0, hits: 0, scores: [] };
  const ids = searchIndex(index, q, stats);
  return { ids, scores: stats.scores! };
}

/** mulberry32: the same 500 queries on every run. */
function prng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomQueries(docs: SearchDoc[], index: LoadedSearchIndex, n: number): string[] {
  const rnd = prng(18);
  const pick = <T,>(xs: T[]) => xs[Math.floor(rnd() * xs.length)]!;
  const terms = [...index.termIndex.keys()];
  const chars = terms.filter((t) => Array.from(t).length === 1 && /\p{Script=Han}/u.test(t));
  const bigrams = terms.filter((t) => Array.from(t).length === 2 && /\p{Script=Han}/u.test(t));
  const latin = terms.filter((t) => /^[a-z0-9]+$/.test(t));
  const F = index.fields.length;
  const postings = (t: string) => index.offsets[(index.termIndex.get(t)! + 1) * F]! - index.offsets[index.termIndex.get(t)! * F]!;
  const common = [...terms].sort((a, b) => postings(b) - postings(a)).slice(0, 30);
  const slice = (s: string) => {
    const cs = Array.from(s);
    const from = Math.floor(rnd() * cs.length);
    return cs.slice(from, from + 1 + Math.floor(rnd() * 8)).join('');
  };
  const makers: (() => string)[] = [
    () => pick(chars),
    () => pick(bigrams),
    () => pick(bigrams) + pick(chars),
    () => `${pick(bigrams)} ${pick(latin)}`,
    () => `${pick(latin)}${pick(bigrams)}${pick(latin)}`,
    () => pick(common),
    () => `${pick(common)} ${pick(common)} ${pick(common)}`,
    () => slice(pick(docs).name),
    () => pick(docs).name,
    () => pick(docs).caption, // a long caption pasted whole
    () => `${pick(docs).name} ${pick(docs).caption}`,
    () => `${pick(docs).brand}${pick(docs).category}`,
    () => pick(latin) + ' ' + pick(['xyz', 'notaword', '不存在', '的东西']),
  ];
  return Array.from({ length: n }, () => pick(makers)());
}

describe('sharded search publication', () => {
  const docs = demoDocs();
  let index: LoadedSearchIndex;
  let queries: string[];

  beforeAll(() => {
    index = loadSearchIndex(JSON.parse(JSON.stringify(buildSearchIndex(docs))));
    queries = [...judgedQueries.map((j) => j.q), ...randomQueries(docs, index, 500)];
  });

  it('holds every term of the Lunr index with exactly its weights, in every field', () => {
    const pub = publish(docs, { shards: 16, bigPostings: 40 });
    let big = 0;
    const F = index.fields.length;
    const seen = new Set<string>();
    for (let k = 0; k < pub.shards; k++) {
      for (const [term, ...rest] of pub.files.get(shardFile(k)) as ShardEntry[]) {
        expect(shardOf(term, pub.shards)).toBe(k);
        seen.add(term);
        const t = index.termIndex.get(term);
        expect(t, term).toBeDefined();
        let lists = rest as number[][];
        if (!Array.isArray(rest[0])) {
          big++;
          lists = pub.files.get((rest[0] as unknown as { b: string }).b) as BigListJson;
        }
        for (let f = 0; f < F; f++) {
          const from = index.offsets[t! * F + f]!;
          const to = index.offsets[t! * F + f + 1]!;
          const list = lists[f]!;
          expect(list.length / 2, `${term} field ${f}`).toBe(to - from);
          let d = 0;
          for (let i = 0; i < list.length; i += 2) {
            d += list[i]!;
            expect(d).toBe(index.docs[from + i / 2]);
            expect(list[i + 1]! / 1000).toBe(index.weights[from + i / 2]); // ×1000 integers restore Lunr's weights exactly
          }
        }
      }
    }
    expect(seen.size).toBe(index.termIndex.size);
    expect(big).toBeGreaterThan(0);
  });

  it.each([
    ['default sizes', 'browser', {}],
    ['16 shards, big lists above 40 postings', 'browser', { shards: 16, bigPostings: 40 }],
    ['1 shard, no big lists', 'browser', { shards: 1, bigPostings: 1e9 }],
    ['default sizes', 'api', {}],
    ['16 shards, big lists above 40 postings', 'api', { shards: 16, bigPostings: 40 }],
  ] as [string, Reader, BuildOptions][])('ranks the judged queries and 500 random ones exactly as the Lunr index (%s, read as the %s reads them)', (_name, reader, opts) => {
    const pub = publish(docs, opts);
    expect(queries.length).toBe(judgedQueries.length + 500);
    let nonEmpty = 0;
    for (const q of queries) {
      const want = reference(index, q);
      const got = query(pub, q, undefined, reader);
      expect(got.ids, q).toEqual(want.ids);
      expect(got.scores, q).toEqual(want.scores);
      if (want.ids.length) nonEmpty++;
    }
    expect(nonEmpty).toBeGreaterThan(400);
  });

  it('catches a weight off by 0.001 in one shard', () => {
    const pub = publish(docs, { shards: 16, bigPostings: 1e9 });
    const q = '华为手机';
    const term = termsOfQuery(q).find((t) => index.termIndex.has(t) && t === '华为')!;
    const entries = pub.files.get(shardFile(shardOf(term, pub.shards))) as ShardEntry[];
    const entry = entries.find((e) => e[0] === term)! as [string, ...number[][]];
    const list = (entry.slice(1) as number[][]).find((l) => l.length > 0)!;
    list[1] = list[1]! + 1;
    const got = query(pub, q);
    const want = reference(index, q);
    expect(got.scores).not.toEqual(want.scores);
  });

  it('fetches only the query’s shards, and a big list only when the plan keeps its clause', () => {
    const pub = publish(docs, { shards: 64, bigPostings: 40 });
    const fetched: string[] = [];
    query(pub, '华为手机', fetched);
    const shards = fetched.filter((f) => f.startsWith('s'));
    expect(shards.length).toBeLessThanOrEqual(termsOfQuery('华为手机').length);
    expect(new Set(shards)).toEqual(new Set(termsOfQuery('华为手机').map((t) => shardFile(shardOf(t, 64)))));
    // a long caption: over MAX_POSTINGS on a big catalog cuts common clauses; here every kept big clause is fetched and no other
    const q = docs[0]!.caption;
    const got: string[] = [];
    query(pub, q, got);
    expect(got.filter((f) => f.startsWith('b')).length).toBeLessThanOrEqual(termsOfQuery(q).length);
  });

  it('asks only for terms the query can look up', () => {
    const q = '华为 P20 手机壳';
    expect(new Set(termsOfQuery(q))).toEqual(new Set(clausesOf(queryWords(q)).map((c) => c.term)));
    expect(termsOfQuery(q)).toContain('手机壳');
    expect(tokenize('华为')).toContain('华为');
  });

  it('hashes terms with FNV-1a over UTF-16 code units', () => {
    expect(termHash('')).toBe(0x811c9dc5);
    expect(termHash('a')).toBe(0xe40c292c); // the published FNV-1a test vector
    expect(termHash('foobar')).toBe(0xbf9cf968);
  });
});

describe('how /api/search reads generation files', () => {
  const pub = publish(demoDocs(), { shards: 16, bigPostings: 40 });

  it('finds every term of every shard in the shard’s text, as parsing the whole file would', () => {
    let terms = 0;
    for (let k = 0; k < pub.shards; k++) {
      const text = pub.texts.get(shardFile(k))!;
      const parsed = parseShard(JSON.parse(text) as ShardEntry[]);
      const lazy = new ShardText(text);
      for (const [term, entry] of parsed) {
        expect(shardEntryOf(text, term), term).toEqual(entry);
        expect(lazy.get(term)).toEqual(entry);
        terms++;
      }
      expect(lazy.get('不在索引里')).toBeUndefined();
    }
    expect(terms).toBeGreaterThan(1000);
  });

  it('tells a term from the same characters inside another term, and from a longer term', () => {
    // quotes, brackets, commas and backslashes in terms: JSON escapes the quotes, so `["ab",` can only start an entry
    const entries: ShardEntry[] = [
      ['x["ab",', [1, 2000]],
      ['abc', [2, 3000]],
      ['a\\"b]', [3, 4000], [1, 500]],
      ['ab', [4, 5000], [], [7, 1]],
      ['big', { n: [3, 0], b: 'b0.json' }],
    ];
    const text = JSON.stringify(entries);
    for (const e of entries) expect(shardEntryOf(text, e[0])).toEqual(e);
    expect(shardEntryOf(text, 'a')).toBeUndefined();
    expect(shardEntryOf(text, 'x[')).toBeUndefined();
    expect(() => shardEntryOf(text.slice(0, text.indexOf('["ab",') + 12), 'ab')).toThrow(SyntaxError);
  });

  it('reads big lists into typed arrays holding exactly the numbers of the JSON', () => {
    const names = [...pub.texts.keys()].filter((n) => n.startsWith('b'));
    expect(names.length).toBeGreaterThan(0);
    for (const name of names) {
      const text = pub.texts.get(name)!;
      const got = parseBigList(new TextEncoder().encode(text)).map((a) => [...a]);
      expect(got, name).toEqual(JSON.parse(text));
    }
    expect(parseBigList(new TextEncoder().encode('[[],[0,1000,12,2147483],[]]')).map((a) => [...a])).toEqual([[], [0, 1000, 12, 2147483], []]);
  });

  it.each(['[[1,-2]]', '[[1.5]]', '[[1e3]]', '[[1, 2]]', '[[1,2]', '[[[1]]]', '[1]', '[["1"]]'])('refuses %s', (bad) => {
    expect(() => parseBigList(new TextEncoder().encode(bad))).toThrow(SyntaxError);
  });
});
