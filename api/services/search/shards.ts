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
/** A big list as readers keep it: per field its [Δordinal, weight×1000, …] numbers. */
export type BigList = ArrayLike<number>[];

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

/**
 * One term's entry read from a shard file's text without parsing the rest of it (a query needs one
 * or two of a shard's terms, and parsing all of them was most of what /api/search allocated): the
 * same value as parseShard(JSON.parse(text)).get(term). The file is JSON.stringify(entries), so an
 * entry starts with `[` + the term's JSON string + `,`, which cannot occur inside a string (a quote
 * there is escaped).
 */
export function shardEntryOf(text: string, term: string): ShardEntry | undefined {
  const start = text.indexOf(`[${JSON.stringify(term)},`);
  if (start < 0) return undefined;
  let depth = 0;
  for (let i = start; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      // a string: to its closing quote, stepping over escapes
      for (i++; i < text.length && text.charCodeAt(i) !== 0x22; i++) if (text.charCodeAt(i) === 0x5c) i++;
    } else if (c === 0x5b) depth++;
    else if (c === 0x5d && --depth === 0) return JSON.parse(text.slice(start, i + 1)) as ShardEntry;
  }
  throw new SyntaxError('search shard: an entry without its end');
}

/**
 * A big-list file's bytes (JSON.stringify of arrays of non-negative integers, BigListJson) read
 * straight into one Int32Array per field: no text and no parsed arrays to collect afterwards, and a
 * quarter of the heap parsed arrays take. Anything else in the bytes is a SyntaxError.
 */
export function parseBigList(bytes: Uint8Array): Int32Array[] {
  const bad = (at: number) => new SyntaxError(`search big list: unexpected byte at ${at}`);
  // pass 1: how many numbers each list holds
  const counts: number[] = [];
  let depth = 0;
  let inNumber = false;
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i]!;
    if (c >= 0x30 && c <= 0x39) {
      if (depth !== 2) throw bad(i);
      if (!inNumber) counts[counts.length - 1]!++;
      inNumber = true;
      continue;
    }
    inNumber = false;
    if (c === 0x5b) {
      if (++depth > 2) throw bad(i);
      if (depth === 2) counts.push(0);
    } else if (c === 0x5d) {
      if (--depth < 0) throw bad(i);
    } else if (c !== 0x2c) throw bad(i);
  }
  if (depth !== 0) throw bad(bytes.length);
  // pass 2: the numbers (Δordinals and weights stay far below 2^31)
  const lists = counts.map((n) => new Int32Array(n));
  let list = -1;
  let at = 0;
  let value = -1;
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i]!;
    if (c >= 0x30 && c <= 0x39) {
      value = value < 0 ? c - 0x30 : value * 10 + c - 0x30;
      continue;
    }
    if (value >= 0) lists[list]![at++] = value;
    value = -1;
    if (c === 0x5b && i > 0) {
      list++;
      at = 0;
    }
  }
  return lists;
}

/** A shard kept as its file's text, its entries parsed when first asked for. */
export class ShardText {
  private readonly parsed = new Map<string, ShardEntry | undefined>();
  constructor(private readonly text: string) {}
  get(term: string): ShardEntry | undefined {
    if (!this.parsed.has(term)) this.parsed.set(term, shardEntryOf(this.text, term));
    return this.parsed.get(term);
  }
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
  big?: Map<string, BigList>;
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
  const { docs, weights } = postingsRoom(offsets[offsets.length - 1]!, input.scratch);
  entries.forEach((e, t) => {
    const lists: BigList | undefined = isBig(e) ? input.big?.get(e[1].b) : (e.slice(1) as number[][]);
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

/** A partial index is used before the next one is made (searchIndex() is synchronous), so its
 * postings can live in room the scratch keeps, grown as needed: a query then allocates no typed
 * arrays (whose memory is outside the JS heap, freed only when a collection finds them) unless it
 * needs more than REUSED_POSTINGS. Zeroed: the lists of big files not fetched must read as empty. */
const REUSED_POSTINGS = 1 << 18;
function postingsRoom(n: number, scratch: QueryInput['scratch']): { docs: Int32Array; weights: Float64Array } {
  if (!scratch || n > REUSED_POSTINGS) return { docs: new Int32Array(n), weights: new Float64Array(n) };
  let room = scratch.postings;
  if (!room || room.docs.length < n) {
    const size = Math.min(REUSED_POSTINGS, 2 ** Math.ceil(Math.log2(Math.max(n, 1024))));
    room = scratch.postings = { docs: new Int32Array(size), weights: new Float64Array(size) };
  }
  const docs = room.docs.subarray(0, n);
  const weights = room.weights.subarray(0, n);
  docs.fill(0);
  weights.fill(0);
  return { docs, weights };
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
