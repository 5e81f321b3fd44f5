import lunr from 'lunr';
import { MAX_QUERY_CHARS, MAX_WORD, clausesOf, firstChars, isHan, queryWords, tokenize, words } from './tokenizer.ts';

// Querying the search index (and building it with Lunr: the reference the sharded builder in
// shard-builder.ts must match exactly, see tests/unit/search-shards.test.ts). No Node imports: the
// browser runs searchIndex() on the postings the publisher wrote, so both sides rank identically.

export interface SearchDoc {
  id: number;
  name: string;
  caption: string;
  categoryId: number;
  category: string; // third-level category name
  /** The first- and second-level names above it, indexed with it. */
  parentCategories?: string[];
  brand: string;
  /** Other names shoppers use for the brand (brands.aliases), indexed with its name. */
  brandAliases?: string[];
}

/** What a result shows, stored beside the index: [id, name, price, image, comments]. */
export type SearchDisplayRow = [number, string, string, string, number];

/** The published index file: Lunr's JSON plus each SKU's category and brand, for the priors. */
export interface SerializedSearchIndex {
  v: 1;
  lunr: object;
  ids: number[];
  categories: number[]; // parallel to ids
  /** Parallel to ids: the brand's number in this file (brands numbered as first met). */
  brands: number[];
}

const WHOLE_WORD_FIELDS = ['category', 'brand'];
const NGRAM_FIELDS = ['name', 'caption'];

/** The fields in Lunr's order (the order of builder.field() calls) and their boosts. */
export const FIELDS = ['name', 'brand', 'category', 'caption'] as const;
export const FIELD_BOOSTS = [10, 6, 6, 1] as const;
/** Lunr's BM25 parameters as buildSearchIndex() sets them (k1 is Lunr's default). */
export const BM25 = { k1: 1.2, b: 0.5 } as const;

/** The text each field indexes for a document. */
export function fieldTexts(d: SearchDoc): Record<(typeof FIELDS)[number], string> {
  return { name: d.name, caption: d.caption, category: [...(d.parentCategories ?? []), d.category].join(' '), brand: [d.brand, ...(d.brandAliases ?? [])].join(' ') };
}

/** The terms a field's text yields, duplicates and all (a field's length is their count). */
export function termsOfField(field: string, text: unknown): string[] {
  if (text == null) return [];
  const s = String(text);
  return WHOLE_WORD_FIELDS.includes(field) ? words(s) : tokenize(s);
}

function lunrTokenizer(obj: unknown, metadata?: { fields?: string[] }): lunr.Token[] {
  return termsOfField(metadata?.fields?.[0] ?? '', obj).map((t) => new lunr.Token(t, { ...metadata }));
}
(lunrTokenizer as unknown as { separator: RegExp }).separator = lunr.tokenizer.separator;

export function buildSearchIndex(docs: SearchDoc[]): SerializedSearchIndex {
  const idx = lunr(function () {
    this.tokenizer = lunrTokenizer as unknown as typeof lunr.tokenizer;
    // No stemmer or stop-word filter: they would rewrite tokens that queryClauses() produced.
    this.pipeline.reset();
    this.searchPipeline.reset();
    this.ref('id');
    // name 10; brand (name and aliases) and category (all three levels) 6, less than the name, so a
    // term every SKU of a brand or channel carries ('mi' for 小米, '手机' for phone accessories) finds
    // them without outranking products that name it; caption 1.
    FIELDS.forEach((f, i) => this.field(f, { boost: FIELD_BOOSTS[i] }));
    this.b(BM25.b); // long product names are normal; do not let length alone sink them
    this.metadataWhitelist = [];
    for (const d of docs) this.add({ id: d.id, ...fieldTexts(d) });
  });
  const brandNo = new Map<string, number>();
  for (const d of docs) if (!brandNo.has(d.brand)) brandNo.set(d.brand, brandNo.size + 1);
  return { v: 1, lunr: idx.toJSON(), ids: docs.map((d) => d.id), categories: docs.map((d) => d.categoryId), brands: docs.map((d) => brandNo.get(d.brand)!) };
}

/** Lunr's serialized index, the parts searchIndex() reads. */
interface LunrJson {
  fields: string[];
  fieldVectors: [string, number[]][];
  invertedIndex: [string, { _index: number }][];
}

/**
 * The published index turned into flat postings: for each (term, field), the documents that have the
 * term in that field and the term's weight there, taken from Lunr's field vectors (BM25 × field
 * boost, as Lunr scores them). Lunr's own query() allocates several objects per posting and needs
 * about 6 µs each, so a common term such as 热卖 (in 98% of SKUs) took 60 ms on 10,000 SKUs; over these
 * arrays a posting costs tens of nanoseconds, and a clause's postings are counted before it runs.
 */
export interface LoadedSearchIndex {
  ids: number[]; // by document ordinal
  categories: number[]; // parallel to ids
  brands: number[]; // parallel to ids
  fields: string[];
  termIndex: Map<string, number>;
  /** Postings of (term t, field f) are docs/weights[offsets[t * fields.length + f] … offsets[… + 1]). */
  offsets: Int32Array;
  docs: Int32Array;
  weights: Float64Array;
  /**
   * Per-document accumulators shared by all queries (searchIndex() is synchronous) and cleared for
   * the documents each one touched, so that a query allocates in proportion to its hits, not to the
   * catalog.
   */
  scratch: {
    score: Float64Array;
    covered: Uint32Array;
    touched: Int32Array;
    seen: Uint8Array;
    brandHit: Uint8Array;
    /** Room for a partial index's postings (shards.ts partialIndex()), reused by the next query. */
    postings?: { docs: Int32Array; weights: Float64Array };
  };
}

export function loadSearchIndex(json: SerializedSearchIndex): LoadedSearchIndex {
  const lunrJson = json.lunr as LunrJson;
  const fields = lunrJson.fields;
  const fieldOf = new Map(fields.map((f, i) => [f, i]));
  const ordinalOf = new Map(json.ids.map((id, i) => [String(id), i]));
  const termIndex = new Map<string, number>();
  let terms = 0;
  for (const [term, posting] of lunrJson.invertedIndex) {
    termIndex.set(term, posting._index);
    terms = Math.max(terms, posting._index + 1);
  }
  // Each field vector holds (term index, weight) pairs for one (field, document): exactly that
  // document's postings in that field. Two passes: count per (term, field), then fill.
  const vectors = lunrJson.fieldVectors;
  const fieldOfVector = new Int32Array(vectors.length).fill(-1);
  const docOfVector = new Int32Array(vectors.length);
  vectors.forEach(([ref], v) => {
    const slash = ref.indexOf('/');
    const doc = ordinalOf.get(ref.slice(slash + 1));
    if (doc === undefined) return;
    fieldOfVector[v] = fieldOf.get(ref.slice(0, slash)) ?? -1;
    docOfVector[v] = doc;
  });
  const F = fields.length;
  const offsets = new Int32Array(terms * F + 1);
  for (let v = 0; v < vectors.length; v++) {
    const f = fieldOfVector[v]!;
    const elements = vectors[v]![1];
    if (f >= 0) for (let i = 0; i < elements.length; i += 2) offsets[elements[i]! * F + f + 1]!++;
  }
  for (let k = 1; k < offsets.length; k++) offsets[k]! += offsets[k - 1]!;
  const fill = offsets.slice(0, -1);
  const docs = new Int32Array(offsets[offsets.length - 1]!);
  const weights = new Float64Array(docs.length);
  for (let v = 0; v < vectors.length; v++) {
    const f = fieldOfVector[v]!;
    const elements = vectors[v]![1];
    if (f < 0) continue;
    for (let i = 0; i < elements.length; i += 2) {
      const at = fill[elements[i]! * F + f]!++;
      docs[at] = docOfVector[v]!;
      weights[at] = elements[i + 1]!;
    }
  }
  // An index published before brands were recorded has none: no brand prior then.
  return { ids: json.ids, categories: json.categories, brands: json.brands ?? [], fields, termIndex, offsets, docs, weights, scratch: createScratch(json.ids.length) };
}

/** searchIndex()'s per-document accumulators for n documents (reusable across indexes of n documents). */
export function createScratch(n: number): LoadedSearchIndex['scratch'] {
  return { score: new Float64Array(n), covered: new Uint32Array(n * WIDTH), touched: new Int32Array(n), seen: new Uint8Array(n), brandHit: new Uint8Array(n) };
}

const PRIOR_WINDOW = 50;
const MIN_COVERAGE = 0.6;
/**
 * The fallback for a query with a word no product has (a typo, a synonym the names do not use):
 * when fewer than FALLBACK_BELOW hits pass the coverage rule, hits that match at least
 * MIN_WORD_SHARE of the query's words follow them, most words first. Words, not characters: in
 * '华为 smartphone' the missing English word has five times the characters of the brand.
 */
export const FALLBACK_BELOW = 5;
const MIN_WORD_SHARE = 0.5;
/**
 * The work one query may do: postings visited (each is one multiply-add and WIDTH bit operations)
 * and clauses. Clauses are taken rarest first, so a query over budget loses its least telling terms;
 * the rarest clause is always taken, so a query of one very common word still answers (its work is
 * then bounded by the catalog size). On the 10,000-SKU catalog the costliest realistic queries, its
 * own captions pasted whole, visit under 28,000 postings.
 */
export const MAX_POSTINGS = 60_000;
export const MAX_CLAUSES = 128;

/** 32-bit words of a coverage bitmap: one bit per query character. */
const WIDTH = Math.ceil(MAX_QUERY_CHARS / 32);

/** Which query characters (bit i = character i of the query's words) each term covers. */
interface Coverage {
  chars: number;
  /** WIDTH words per term, at slot × WIDTH. */
  bits: Uint32Array;
  slots: Map<string, number>;
}

/**
 * Every term that can cover part of the query: Chinese substrings of up to MAX_WORD characters and
 * the other words whole, each with the positions it covers. At most chars × MAX_WORD terms; the
 * words must hold at most MAX_QUERY_CHARS characters (queryWords(), firstChars()).
 */
function coverageOf(queryWords: string[]): Coverage {
  const chars = queryWords.reduce((n, w) => n + Array.from(w).length, 0);
  const bits = new Uint32Array(chars * MAX_WORD * WIDTH);
  const slots = new Map<string, number>();
  const mark = (term: string, from: number, to: number) => {
    let slot = slots.get(term);
    if (slot === undefined) slots.set(term, (slot = slots.size));
    for (let i = from; i < to; i++) bits[slot * WIDTH + (i >>> 5)]! |= 1 << (i & 31);
  };
  let at = 0;
  for (const w of queryWords) {
    const cs = Array.from(w);
    if (!isHan(w)) mark(w, at, at + cs.length);
    else {
      for (let i = 0; i < cs.length; i++) {
        let sub = '';
        for (let len = 1; len <= MAX_WORD && i + len <= cs.length; len++) {
          sub += cs[i + len - 1];
          mark(sub, at + i, at + i + len);
        }
      }
    }
    at += cs.length;
  }
  return { chars, bits, slots };
}

/** Set bits in mask[from … from + width). */
function popcount(mask: Uint32Array, from: number, width: number): number {
  let n = 0;
  for (let i = from; i < from + width; i++) {
    let x = mask[i]!;
    x -= (x >>> 1) & 0x55555555;
    x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
    n += (((x + (x >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
  }
  return n;
}

/**
 * Share of the query's characters that a hit's matched terms cover. Ranking alone would return
 * '不存在的东西' for any product whose name has 的 or 东; a real match covers most of the query.
 * A term covers every place it occurs (Chinese terms of up to MAX_WORD characters). Like a query,
 * only the first MAX_QUERY_CHARS characters count.
 */
export function coverage(queryWords: string[], matched: Set<string>): number {
  const { chars, bits, slots } = coverageOf(firstChars(queryWords));
  if (chars === 0) return 0;
  const union = new Uint32Array(WIDTH);
  for (const term of matched) {
    const slot = slots.get(term);
    if (slot !== undefined) for (let i = 0; i < WIDTH; i++) union[i]! |= bits[slot * WIDTH + i]!;
  }
  return popcount(union, 0, WIDTH) / chars;
}

/**
 * Share of the query's words (wordWeights()) that a hit's matched terms cover: the fallback's
 * measure, as coverage() is the coverage rule's. Like a query, only the first MAX_QUERY_CHARS
 * characters count.
 */
export function wordCoverage(queryWords: string[], matched: Set<string>): number {
  const qWords = firstChars(queryWords);
  const { bits, slots } = coverageOf(qWords);
  const weight = wordWeights(qWords);
  const union = new Uint32Array(WIDTH);
  for (const term of matched) {
    const slot = slots.get(term);
    if (slot !== undefined) for (let i = 0; i < WIDTH; i++) union[i]! |= bits[slot * WIDTH + i]!;
  }
  let total = 0;
  let covered = 0;
  weight.forEach((w, i) => {
    total += w;
    if (union[i >>> 5]! & (1 << (i & 31))) covered += w;
  });
  return total > 0 ? covered / total : 0;
}

export interface PlannedClause {
  term: string;
  boost: number;
  wholeWord: boolean;
  /** Postings this clause visits: documents with the term in the clause's fields. */
  postings: number;
}

export interface QueryPlan {
  /** The clauses searched, rarest first. */
  clauses: PlannedClause[];
  /** Clauses left out for the budget (terms in no document are not counted: they match nothing). */
  dropped: number;
  postings: number;
  /** Characters of the query's words. */
  chars: number;
  /**
   * The coverage rule's denominator: every character but those that only dropped clauses would
   * cover. A query over budget is judged on its rarer terms, not failed for the common ones it
   * skipped; characters no indexed term covers still count, so '不存在的东西' finds nothing.
   */
  counted: number;
  /** Words of the query (the fallback's measure; see wordWeights()), less those only cut clauses cover. */
  words: number;
}

interface Plan extends QueryPlan {
  fieldGroups: [number[], number[]]; // field indices: n-gram fields, whole-word fields
  /** Lunr's query vector norm per field: over every clause whose term is in the index at all. */
  norms: Float64Array;
  bits: Uint32Array; // coverage bits of clause c at slots[c] × WIDTH
  slots: number[]; // parallel to clauses
  termIds: number[]; // parallel to clauses
  /** Per query character, its share of a word; 0 for characters only cut clauses would cover. */
  wordWeight: Float64Array;
  brandField: number;
}

/**
 * How much of a word each query character is: a Latin or digit word of n characters is one word,
 * 1/n per character; Chinese is written without spaces, so a run of n characters counts as
 * ⌊n/2⌋ words (most Chinese words are two characters; a lone character is one word).
 */
export function wordWeights(queryWords: string[]): Float64Array {
  const chars = queryWords.reduce((n, w) => n + Array.from(w).length, 0);
  const out = new Float64Array(chars);
  let at = 0;
  for (const w of queryWords) {
    const n = Array.from(w).length;
    const words = isHan(w) ? Math.max(1, Math.floor(n / 2)) : 1;
    out.fill(words / n, at, at + n);
    at += n;
  }
  return out;
}

function plan(index: LoadedSearchIndex, query: string): Plan {
  const qWords = queryWords(query);
  const { chars, bits, slots } = coverageOf(qWords);
  const F = index.fields.length;
  const group = (names: string[]) => names.map((n) => index.fields.indexOf(n)).filter((f) => f >= 0);
  const fieldGroups: [number[], number[]] = [group(NGRAM_FIELDS), group(WHOLE_WORD_FIELDS)];
  const sumSquares = new Float64Array(F);
  const candidates: (PlannedClause & { termId: number })[] = [];
  for (const c of clausesOf(qWords)) {
    const termId = index.termIndex.get(c.term);
    if (termId === undefined) continue;
    const fieldsOf = fieldGroups[c.wholeWord ? 1 : 0];
    let postings = 0;
    for (const f of fieldsOf) {
      // Lunr puts every clause whose term it knows into the query vector of each of its fields,
      // whether or not that field has the term; the norm follows suit so that scores stay Lunr's.
      sumSquares[f]! += c.boost * c.boost;
      postings += index.offsets[termId * F + f + 1]! - index.offsets[termId * F + f]!;
    }
    if (postings > 0) candidates.push({ term: c.term, boost: c.boost, wholeWord: !!c.wholeWord, postings, termId });
  }
  // Rarest first, then the order of the query: deterministic, and the telling terms stay.
  const order = candidates.map((c, i) => [c, i] as const).sort(([a, i], [b, j]) => a.postings - b.postings || i - j);
  const kept: typeof candidates = [];
  let postings = 0;
  for (const [c] of order) {
    if (kept.length > 0 && (kept.length >= MAX_CLAUSES || postings + c.postings > MAX_POSTINGS)) break;
    kept.push(c);
    postings += c.postings;
  }
  const keptBits = new Uint32Array(WIDTH);
  const cutBits = new Uint32Array(WIDTH);
  order.forEach(([c], rank) => {
    const into = rank < kept.length ? keptBits : cutBits;
    const slot = slots.get(c.term)! * WIDTH;
    for (let i = 0; i < WIDTH; i++) into[i]! |= bits[slot + i]!;
  });
  for (let i = 0; i < WIDTH; i++) cutBits[i]! &= ~keptBits[i]!;
  const wordWeight = wordWeights(qWords);
  let words = 0;
  for (let i = 0; i < chars; i++) {
    if (cutBits[i >>> 5]! & (1 << (i & 31))) wordWeight[i] = 0;
    words += wordWeight[i]!;
  }
  return {
    clauses: kept.map(({ term, boost, wholeWord, postings: p }) => ({ term, boost, wholeWord, postings: p })),
    dropped: candidates.length - kept.length,
    postings,
    chars,
    counted: chars - popcount(cutBits, 0, WIDTH),
    words,
    fieldGroups,
    norms: sumSquares.map(Math.sqrt),
    bits,
    slots: kept.map((c) => slots.get(c.term)!), // every clause term is a query word or a substring of one
    termIds: kept.map((c) => c.termId),
    wordWeight,
    brandField: index.fields.indexOf('brand'),
  };
}

/** Which clauses a query runs and the work they do; what searchIndex() executes. */
export function planQuery(index: LoadedSearchIndex, query: string): QueryPlan {
  const { clauses, dropped, postings, chars, counted, words } = plan(index, query);
  return { clauses, dropped, postings, chars, counted, words };
}

/** Work done by one searchIndex() call, for tests and benchmarks. */
export interface SearchStats {
  clauses: number;
  postings: number;
  hits: number;
  /** When given (an array), set to the final score of each ranked hit: the equality tests compare them. */
  scores?: number[];
}

/**
 * Ranked SKU ids for a free-text query; never throws on user input. Terms are looked up in the index,
 * never parsed, so input like '6GB+64GB' or 'a:b*' is just text. The work is the plan's (at most
 * MAX_POSTINGS postings, or one clause's) plus sorting the hits, whatever the query.
 *
 * Hits that cover MIN_COVERAGE of the query come first, ranked by rank(). Only when there are fewer
 * than FALLBACK_BELOW of them, the hits that match at least half of the query's words follow, most
 * words first, then by score: a word no product has does not empty the page.
 */
export function searchIndex(index: LoadedSearchIndex, query: string, stats?: SearchStats): number[] {
  const p = plan(index, query);
  if (stats) Object.assign(stats, { clauses: p.clauses.length, postings: p.postings, hits: 0 });
  if (p.clauses.length === 0 || p.chars === 0) return [];
  const F = index.fields.length;
  const { offsets, docs, weights } = index;
  const bits = p.bits;
  const { score, covered, touched, seen, brandHit } = index.scratch;
  let touchedCount = 0;
  // Lunr's score: per field, (query vector · field vector) / |query vector|, summed over fields.
  for (let c = 0; c < p.clauses.length; c++) {
    const { boost, wholeWord } = p.clauses[c]!;
    const slot = p.slots[c]! * WIDTH;
    for (const f of p.fieldGroups[wholeWord ? 1 : 0]) {
      const k = p.termIds[c]! * F + f;
      const factor = boost / p.norms[f]!;
      const inBrand = f === p.brandField ? 1 : 0;
      for (let at = offsets[k]!, end = offsets[k + 1]!; at < end; at++) {
        const d = docs[at]!;
        if (!seen[d]) {
          seen[d] = 1;
          touched[touchedCount++] = d;
        }
        score[d]! += factor * weights[at]!;
        brandHit[d]! |= inBrand;
        for (let i = 0; i < WIDTH; i++) covered[d * WIDTH + i]! |= bits[slot + i]!;
      }
    }
  }
  try {
    const hits: number[] = [];
    for (let t = 0; t < touchedCount; t++) {
      const d = touched[t]!;
      if (popcount(covered, d * WIDTH, WIDTH) / p.counted < MIN_COVERAGE) continue;
      hits.push(d);
      // Lucene's coordination factor, by words: a hit matching one of two words (a long brand word
      // in the name of a monitor for 'samsung 手机') weighs half, so it no longer outranks the phones
      // matching both (one through the brand's alias, one through the category).
      if (p.words > 1) score[d]! *= Math.round(wordsCovered(covered, d, p.wordWeight) / p.words) / 1e6;
    }
    const ranked = rank(index, hits, score, brandHit);
    if (hits.length < FALLBACK_BELOW) ranked.push(...fallback(index, p, touched.subarray(0, touchedCount), score, brandHit));
    if (stats) stats.hits = ranked.length;
    if (stats?.scores) stats.scores = ranked.map((d) => score[d]!);
    return ranked.map((d) => index.ids[d]!);
  } finally {
    for (let t = 0; t < touchedCount; t++) {
      const d = touched[t]!;
      score[d] = 0;
      seen[d] = 0;
      brandHit[d] = 0;
      covered.fill(0, d * WIDTH, (d + 1) * WIDTH);
    }
  }
}

/** Words of the query a hit covers, in millionths (integers: ties compare exactly on every engine). */
function wordsCovered(covered: Uint32Array, d: number, wordWeight: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < wordWeight.length; i++) if (covered[d * WIDTH + (i >>> 5)]! & (1 << (i & 31))) sum += wordWeight[i]!;
  return Math.round(sum * 1e6);
}

/**
 * The hits under the coverage rule that still match at least MIN_WORD_SHARE of the query's words:
 * most words first, each group as rank() orders it. '不存在的东西' matches one stray bigram of its
 * three words at best and still finds nothing. Work: one pass over the query's characters per
 * touched document, and a sort.
 */
function fallback(index: LoadedSearchIndex, p: Plan, touched: Int32Array, score: Float64Array, brandHit: Uint8Array): number[] {
  const { covered } = index.scratch;
  const need = Math.round(p.words * MIN_WORD_SHARE * 1e6);
  const partial: number[] = [];
  const words = new Map<number, number>();
  for (const d of touched) {
    if (popcount(covered, d * WIDTH, WIDTH) / p.counted >= MIN_COVERAGE) continue; // ranked already
    const w = wordsCovered(covered, d, p.wordWeight);
    if (w > 0 && w >= need) {
      partial.push(d);
      words.set(d, w);
    }
  }
  // Array.prototype.sort is stable: within a word count, rank()'s order stays.
  return rank(index, partial, score, brandHit).sort((a, b) => words.get(b)! - words.get(a)!);
}

/**
 * The key of the group holding most of the window's score, and that share of the window's total.
 * Only documents that `counts` count toward a group; ties go to the smaller key.
 */
function prior(window: number[], score: Float64Array, keyOf: (d: number) => number, counts: (d: number) => boolean): [number, number] {
  const agg = new Map<number, number>();
  let total = 0;
  for (const d of window) {
    total += score[d]!;
    if (counts(d)) agg.set(keyOf(d), (agg.get(keyOf(d)) ?? 0) + score[d]!);
  }
  let best = 0;
  let bestScore = 0;
  for (const [key, s] of agg) if (s > bestScore || (s === bestScore && key < best)) [best, bestScore] = [key, s];
  return [best, total > 0 ? bestScore / total : 0];
}

/**
 * Hits by score, then id, with two priors taken from the best PRIOR_WINDOW matches:
 * - category: the category that holds most of their score is what the shopper is after ('iPhone'
 *   means phones before iPhone cases), so its SKUs' scores are multiplied by 1 + its share;
 * - brand: of the SKUs the query reached through their brand (a name or alias, whole), the brand
 *   holding most of the score is what the shopper named, so its SKUs are multiplied by 1 + its
 *   share. A name mentioning the word ('苹果安卓通用' on a charger) weighs more than a brand field
 *   every SKU of the brand shares; without this, '苹果' would list two chargers before 40 Apple SKUs.
 */
/** Document ordinals, best first; scales `score` in place (searchIndex() clears it after). */
function rank(index: LoadedSearchIndex, hits: number[], score: Float64Array, brandHit: Uint8Array): number[] {
  const byScore = (a: number, b: number) => score[b]! - score[a]! || index.ids[a]! - index.ids[b]!;
  hits.sort(byScore);
  const window = hits.slice(0, PRIOR_WINDOW);
  const [category, categoryShare] = prior(window, score, (d) => index.categories[d] ?? 0, () => true);
  const [brand, brandShare] = prior(window, score, (d) => index.brands[d] ?? 0, (d) => brandHit[d] === 1 && index.brands[d] !== undefined);
  for (const d of hits) {
    if (index.categories[d] === category) score[d]! *= 1 + categoryShare;
    if (brandHit[d] && brandShare > 0 && index.brands[d] === brand) score[d]! *= 1 + brandShare;
  }
  hits.sort(byScore);
  return hits;
}
