import lunr from 'lunr';
import { MAX_QUERY_CHARS, MAX_WORD, clausesOf, firstChars, isHan, queryWords, tokenize, words } from './tokenizer.ts';

// Building, serialising and querying the search index. No Node imports: the browser bundle runs
// searchIndex() on the very JSON the builder wrote, so both sides rank identically.

export interface SearchDoc {
  id: number;
  name: string;
  caption: string;
  categoryId: number;
  category: string; // third-level category name
  brand: string;
}

/** What a result shows, stored beside the index: [id, name, price, image, comments]. */
export type SearchDisplayRow = [number, string, string, string, number];

/** The published index file: Lunr's JSON plus each SKU's category, for the category prior. */
export interface SerializedSearchIndex {
  v: 1;
  lunr: object;
  ids: number[];
  categories: number[]; // parallel to ids
}

const WHOLE_WORD_FIELDS = ['category', 'brand'];
const NGRAM_FIELDS = ['name', 'caption'];

function lunrTokenizer(obj: unknown, metadata?: { fields?: string[] }): lunr.Token[] {
  if (obj == null) return [];
  const text = String(obj);
  const field = metadata?.fields?.[0];
  const terms = field && WHOLE_WORD_FIELDS.includes(field) ? words(text) : tokenize(text);
  return terms.map((t) => new lunr.Token(t, { ...metadata }));
}
(lunrTokenizer as unknown as { separator: RegExp }).separator = lunr.tokenizer.separator;

export function buildSearchIndex(docs: SearchDoc[]): SerializedSearchIndex {
  const idx = lunr(function () {
    this.tokenizer = lunrTokenizer as unknown as typeof lunr.tokenizer;
    // No stemmer or stop-word filter: they would rewrite tokens that queryClauses() produced.
    this.pipeline.reset();
    this.searchPipeline.reset();
    this.ref('id');
    this.field('name', { boost: 10 });
    this.field('brand', { boost: 6 });
    this.field('category', { boost: 6 });
    this.field('caption', { boost: 1 });
    this.b(0.5); // long product names are normal; do not let length alone sink them
    this.metadataWhitelist = [];
    for (const d of docs) this.add({ id: d.id, name: d.name, caption: d.caption, category: d.category, brand: d.brand });
  });
  return { v: 1, lunr: idx.toJSON(), ids: docs.map((d) => d.id), categories: docs.map((d) => d.categoryId) };
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
  scratch: { score: Float64Array; covered: Uint32Array; touched: Int32Array; seen: Uint8Array };
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
  const n = json.ids.length;
  const scratch = { score: new Float64Array(n), covered: new Uint32Array(n * WIDTH), touched: new Int32Array(n), seen: new Uint8Array(n) };
  return { ids: json.ids, categories: json.categories, fields, termIndex, offsets, docs, weights, scratch };
}

const PRIOR_WINDOW = 50;
const MIN_COVERAGE = 0.6;
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
}

interface Plan extends QueryPlan {
  fieldGroups: [number[], number[]]; // field indices: n-gram fields, whole-word fields
  /** Lunr's query vector norm per field: over every clause whose term is in the index at all. */
  norms: Float64Array;
  bits: Uint32Array; // coverage bits of clause c at slots[c] × WIDTH
  slots: number[]; // parallel to clauses
  termIds: number[]; // parallel to clauses
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
  return {
    clauses: kept.map(({ term, boost, wholeWord, postings: p }) => ({ term, boost, wholeWord, postings: p })),
    dropped: candidates.length - kept.length,
    postings,
    chars,
    counted: chars - popcount(cutBits, 0, WIDTH),
    fieldGroups,
    norms: sumSquares.map(Math.sqrt),
    bits,
    slots: kept.map((c) => slots.get(c.term)!), // every clause term is a query word or a substring of one
    termIds: kept.map((c) => c.termId),
  };
}

/** Which clauses a query runs and the work they do; what searchIndex() executes. */
export function planQuery(index: LoadedSearchIndex, query: string): QueryPlan {
  const { clauses, dropped, postings, chars, counted } = plan(index, query);
  return { clauses, dropped, postings, chars, counted };
}

/** Work done by one searchIndex() call, for tests and benchmarks. */
export interface SearchStats {
  clauses: number;
  postings: number;
  hits: number;
}

/**
 * Ranked SKU ids for a free-text query; never throws on user input. Terms are looked up in the index,
 * never parsed, so input like '6GB+64GB' or 'a:b*' is just text. The work is the plan's (at most
 * MAX_POSTINGS postings, or one clause's) plus sorting the hits, whatever the query.
 */
export function searchIndex(index: LoadedSearchIndex, query: string, stats?: SearchStats): number[] {
  const p = plan(index, query);
  if (stats) Object.assign(stats, { clauses: p.clauses.length, postings: p.postings, hits: 0 });
  if (p.clauses.length === 0 || p.chars === 0) return [];
  const F = index.fields.length;
  const { offsets, docs, weights } = index;
  const bits = p.bits;
  const { score, covered, touched, seen } = index.scratch;
  let touchedCount = 0;
  // Lunr's score: per field, (query vector · field vector) / |query vector|, summed over fields.
  for (let c = 0; c < p.clauses.length; c++) {
    const { boost, wholeWord } = p.clauses[c]!;
    const slot = p.slots[c]! * WIDTH;
    for (const f of p.fieldGroups[wholeWord ? 1 : 0]) {
      const k = p.termIds[c]! * F + f;
      const factor = boost / p.norms[f]!;
      for (let at = offsets[k]!, end = offsets[k + 1]!; at < end; at++) {
        const d = docs[at]!;
        if (!seen[d]) {
          seen[d] = 1;
          touched[touchedCount++] = d;
        }
        score[d]! += factor * weights[at]!;
        for (let i = 0; i < WIDTH; i++) covered[d * WIDTH + i]! |= bits[slot + i]!;
      }
    }
  }
  const hits: number[] = [];
  for (let t = 0; t < touchedCount; t++) {
    const d = touched[t]!;
    if (popcount(covered, d * WIDTH, WIDTH) / p.counted >= MIN_COVERAGE) hits.push(d);
  }
  if (stats) stats.hits = hits.length;
  try {
    return rank(index, hits, score);
  } finally {
    for (let t = 0; t < touchedCount; t++) {
      const d = touched[t]!;
      score[d] = 0;
      seen[d] = 0;
      covered.fill(0, d * WIDTH, (d + 1) * WIDTH);
    }
  }
}

/**
 * Hits by score, then id; with the category prior: the category that holds most of the best matches
 * is what the shopper is after ('iPhone' means phones before iPhone cases), so its SKUs move up.
 */
function rank(index: LoadedSearchIndex, hits: number[], score: Float64Array): number[] {
  const byScore = (a: number, b: number) => score[b]! - score[a]! || index.ids[a]! - index.ids[b]!;
  hits.sort(byScore);
  const agg = new Map<number, number>();
  let total = 0;
  for (let h = 0; h < Math.min(PRIOR_WINDOW, hits.length); h++) {
    const d = hits[h]!;
    const cat = index.categories[d] ?? 0;
    agg.set(cat, (agg.get(cat) ?? 0) + score[d]!);
    total += score[d]!;
  }
  let best = 0;
  let bestScore = 0;
  for (const [cat, s] of agg) if (s > bestScore || (s === bestScore && cat < best)) [best, bestScore] = [cat, s];
  const share = total > 0 ? bestScore / total : 0;
  // Scaling one category's scores keeps it and the rest each in order: merge, do not sort again.
  const up: number[] = [];
  const rest: number[] = [];
  for (const d of hits) {
    if (index.categories[d] === best) {
      score[d]! *= 1 + share;
      up.push(d);
    } else rest.push(d);
  }
  const out: number[] = new Array(hits.length);
  for (let i = 0, j = 0, o = 0; o < out.length; o++) {
    const takeUp = j >= rest.length || (i < up.length && byScore(up[i]!, rest[j]!) <= 0);
    out[o] = index.ids[takeUp ? up[i++]! : rest[j++]!]!;
  }
  return out;
}
