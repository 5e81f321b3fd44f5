import { createScratch, planQuery, searchIndex, type LoadedSearchIndex, type SearchStats } from './search-index.ts';
import { clausesOf, queryWords } from './tokenizer.ts';

// The sharded search publication, as readers (the browser, /api/search) see it. No Node imports.
//
// search/manifest.json names a generation: a folder search/<generation>/ holding
// - table.json: per document ordinal its SKU id, category and brand (the priors need all of them);
// - s<k>.json, k < K: every term of the index whose termHash() mod K is k, with its postings per field;
// - b<i>.json: the postings of a very common term, which its shard holds only the counts of;
// - d<c>.json: display rows [id, name, price, image, comments] of ordinals c×chunkRows … +chunkRows.
// A query needs the table, the shards of termsOfQuery(q), the big lists its plan keeps and the
// display chunks of the page shown. From those, partialIndex() builds a LoadedSearchIndex holding
// just the query's terms, and the unchanged searchIndex() ranks on it: the same code over the same
// numbers as a whole index, so the same ids in the same order with the same scores.

export interface SearchManifest {
  version: 2;
  /** Folder of this publication under search/ (a hash of its content). */
  generation: string;
  /** Term shards: a power of two. */
  shards: number;
  /** Documents (launched SKUs). */
  count: number;
  terms: number;
  fields: string[];
  /** Display rows per chunk file. */
  chunkRows: number;
  /** Bytes of all generation files (uncompressed). */
  bytes: number;
}

export const TABLE_FILE = 'table.json';
export const shardFile = (k: number) => `s${k}.json`;
export const bigFile = (i: number) => `b${i}.json`;
export const chunkFile = (c: number) => `d${c}.json`;

/** The doc table: ids delta-encoded, categories and brands as [value, run length] pairs. */
export interface DocTableJson {
  ids: number[];
  categories: number[];
  brands: number[];
}

/**
 * One term of a shard: [term, field 0's postings, field 1's, …] where a field's postings are
 * [Δordinal, weight×1000, Δordinal, weight×1000, …] (ordinals ascending, the first one absolute), or
 * [term, {n: [postings per field], b: big file}] for a term whose postings have their own file, which
 * holds [field 0's postings, field 1's, …] encoded alike.
 */
export type ShardEntry = [string, ...number[][]] | [string, { n: number[]; b: string }];
export type BigListJson = number[][];

/** 32-bit FNV-1a over UTF-16 code units: the same in every engine. */
export function termHash(term: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < term.length; i++) {
    h ^= term.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export const shardOf = (term: string, shards: number) => termHash(term) & (shards - 1);

/** Every term a query can look up (searchIndex() asks the index for no other). */
export function termsOfQuery(q: string): string[] {
  return [...new Set(clausesOf(queryWords(q)).map((c) => c.term))];
}

/** The shard numbers a query needs, ascending. */
export function shardsOfQuery(q: string, shards: number): number[] {
  return [...new Set(termsOfQuery(q).map((t) => shardOf(t, shards)))].sort((a, b) => a - b);
}

export interface DocTable {
  ids: number[];
  categories: number[];
  brands: number[];
}

function runs(pairs: number[]): number[] {
  const out: number[] = [];
  for (let i = 0; i < pairs.length; i += 2) for (let n = 0; n < pairs[i + 1]!; n++) out.push(pairs[i]!);
  return out;
}

export function decodeTable(json: DocTableJson): DocTable {
  const ids: number[] = [];
  let id = 0;
  for (const d of json.ids) ids.push((id += d));
  return { ids, categories: runs(json.categories), brands: runs(json.brands) };
}

export function encodeTable(table: DocTable): DocTableJson {
  const rle = (xs: number[]) => {
    const out: number[] = [];
    for (const x of xs) {
      if (out.length && out[out.length - 2] === x) out[out.length - 1]!++;
      else out.push(x, 1);
    }
    return out;
  };
  return { ids: table.ids.map((id, i) => id - (i ? table.ids[i - 1]! : 0)), categories: rle(table.categories), brands: rle(table.brands) };
}

/** The ordinal of an id in the table (ids ascend: a binary search); its display row is in chunk ordinal / chunkRows. */
export function ordinalOf(table: DocTable, id: number): number {
  let lo = 0;
  let hi = table.ids.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (table.ids[mid]! < id) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** A parsed shard: term → its entry's lists (or big-list reference). */
export type Shard = Map<string, ShardEntry>;

export function parseShard(entries: ShardEntry[]): Shard {
  return new Map(entries.map((e) => [e[0], e]));
}

const isBig = (e: ShardEntry): e is [string, { n: number[]; b: string }] => !Array.isArray(e[1]);

/** Postings per field of an entry (from the big list when it is one and given). */
function countsOf(e: ShardEntry, F: number): number[] {
  if (isBig(e)) return e[1].n;
  const out: number[] = [];
  for (let f = 0; f < F; f++) out.push(((e[f + 1] as number[] | undefined)?.length ?? 0) / 2);
  return out;
}

export interface QueryInput {
  table: DocTable;
  fields: string[];
  /** The entry of a term of the query, from its shard (undefined: the index does not have it). */
  entry: (term: string) => ShardEntry | undefined;
  /** Fetched big lists by file name. */
  big?: Map<string, BigListJson>;
  /** Reused accumulators for table.ids.length documents. */
  scratch?: LoadedSearchIndex['scratch'];
}

/**
 * The index restricted to the query's terms: term ids in query order, offsets from the counts, and
 * docs/weights filled for every list at hand (a big list not fetched leaves zeros, which the plan,
 * built from the same counts, never visits).
 */
export function partialIndex(q: string, input: QueryInput): LoadedSearchIndex {
  const F = input.fields.length;
  const termIndex = new Map<string, number>();
  const entries: ShardEntry[] = [];
  for (const t of termsOfQuery(q)) {
    const e = input.entry(t);
    if (!e) continue;
    termIndex.set(t, entries.length);
    entries.push(e);
  }
  const offsets = new Int32Array(entries.length * F + 1);
  entries.forEach((e, t) => countsOf(e, F).forEach((n, f) => (offsets[t * F + f + 1] = n)));
  for (let k = 1; k < offsets.length; k++) offsets[k]! += offsets[k - 1]!;
  const docs = new Int32Array(offsets[offsets.length - 1]!);
  const weights = new Float64Array(docs.length);
  entries.forEach((e, t) => {
    const lists = isBig(e) ? input.big?.get(e[1].b) : (e.slice(1) as number[][]);
    if (!lists) return;
    for (let f = 0; f < F; f++) {
      const list = lists[f] ?? [];
      let at = offsets[t * F + f]!;
      let d = 0;
      for (let i = 0; i < list.length; i += 2, at++) {
        docs[at] = d += list[i]!;
        weights[at] = list[i + 1]! / 1000; // Lunr stores Math.round(score × 1000) / 1000: this very number
      }
    }
  });
  const { ids, categories, brands } = input.table;
  return { ids, categories, brands, fields: input.fields, termIndex, offsets, docs, weights, scratch: input.scratch ?? createScratch(ids.length) };
}

/** Big-list files the query's plan keeps (plan from counts alone): fetch these, then search. */
export function bigListsOfQuery(q: string, input: QueryInput): string[] {
  const index = partialIndex(q, { ...input, big: new Map() });
  const out: string[] = [];
  for (const c of planQuery(index, q).clauses) {
    const e = input.entry(c.term);
    if (e && isBig(e) && !input.big?.has(e[1].b)) out.push(e[1].b);
  }
  return [...new Set(out)];
}

/** Ranked SKU ids, exactly as searchIndex() over the whole index; needs bigListsOfQuery()'s lists in input.big. */
export function searchShards(q: string, input: QueryInput, stats?: SearchStats): number[] {
  return searchIndex(partialIndex(q, input), q, stats);
}
