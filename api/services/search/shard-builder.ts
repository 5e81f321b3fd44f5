import { BM25, FIELDS, FIELD_BOOSTS, fieldTexts, termsOfField, type SearchDisplayRow, type SearchDoc } from './search-index.ts';
import { TABLE_FILE, bigFile, chunkFile, encodeTable, shardFile, shardOf, type ShardEntry } from './shards.ts';

// Builds the sharded publication (shards.ts) in one pass over the documents, computing the weights
// Lunr 2.3.9 would store (Builder#add, #calculateAverageFieldLengths, #createFieldVectors, lunr.idf)
// with the same arithmetic in the same order, over typed arrays: no Lunr objects, a few bytes per
// posting. buildSearchIndex() (Lunr itself) stays as the reference: tests/unit/search-shards.test.ts
// compares every weight and every ranked result.

/**
 * Shards: a power of two, about one per 64 documents, in [16, 4096] (256 at 10,000 SKUs, 2,048 at
 * 100,000). Terms grow slower than documents (7,000 at 10,000 SKUs, 26,000 at 100,000), so shards
 * hold more terms but each term's lists grow with the catalog; fewer, bigger shards would make a
 * query of 15 terms fetch more, more shards would make publishing write more files.
 */
export function shardCount(docs: number): number {
  let k = 16;
  while (k < 4096 && k * 64 < docs) k *= 2;
  return k;
}

/** A term with more postings than this keeps only counts in its shard; its postings get their own file. */
export const bigPostings = (docs: number) => Math.max(256, Math.ceil(docs / 40));

export const CHUNK_ROWS = 32;

/** The display chunk files of these rows, in ordinal order: `d<c>.json` holds rows c×chunkRows …. */
export function* displayChunks(display: SearchDisplayRow[], chunkRows: number): Generator<[string, string]> {
  for (let c = 0; c * chunkRows < display.length; c++) yield [chunkFile(c), JSON.stringify(display.slice(c * chunkRows, (c + 1) * chunkRows))];
}

class IntList {
  a = new Int32Array(1024);
  n = 0;
  push(x: number) {
    if (this.n === this.a.length) {
      const b = new Int32Array(this.a.length * 2);
      b.set(this.a);
      this.a = b;
    }
    this.a[this.n++] = x;
  }
  view() {
    return this.a.subarray(0, this.n);
  }
}

export interface BuildOptions {
  shards?: number;
  bigPostings?: number;
  chunkRows?: number;
}

/** A field of a tokenized document: its distinct terms in the order first met, their counts, its length. */
export interface TokenizedField {
  terms: string[];
  tfs: number[];
  length: number;
}

/** What the builder needs of a document, without its text. */
export interface TokenizedDoc {
  id: number;
  categoryId: number;
  brand: string;
  fields: TokenizedField[];
}

/**
 * Term strings shared (one string per distinct term, however many documents hold it) and field texts
 * that repeat across thousands of SKUs (brand, category) tokenized once.
 */
export class TermCache {
  private readonly strings = new Map<string, string>();
  private readonly repeated = new Map<string, TokenizedField>();
  intern(t: string): string {
    let s = this.strings.get(t);
    if (s === undefined) this.strings.set(t, (s = t));
    return s;
  }
  field(field: string, text: string): TokenizedField {
    if (field !== 'brand' && field !== 'category') return this.count(termsOfField(field, text));
    const key = field + '\u0000' + text;
    let out = this.repeated.get(key);
    if (!out) this.repeated.set(key, (out = this.count(termsOfField(field, text))));
    return out;
  }
  private count(all: string[]): TokenizedField {
    const tf = new Map<string, number>();
    for (const t of all) tf.set(t, (tf.get(t) ?? 0) + 1);
    const terms = [...tf.keys()].map((t) => this.intern(t));
    return { terms, tfs: [...tf.values()], length: all.length };
  }
}

/** A document's terms per field (FIELDS order), counted. */
export function tokenizeDoc(d: SearchDoc, cache = new TermCache()): TokenizedDoc {
  const texts = fieldTexts(d);
  return { id: d.id, categoryId: d.categoryId, brand: d.brand, fields: FIELDS.map((field) => cache.field(field, texts[field])) };
}

export class ShardBuilder {
  private readonly termId = new Map<string, number>();
  private readonly terms: string[] = [];
  /** Per term: documents having it, summed over fields (lunr.idf's documentsWithTerm). */
  private docsWithTerm = new IntList();
  // postings in document order, then field order: term, field, doc, tf
  private readonly pTerm = new IntList();
  private readonly pField = new IntList();
  private readonly pDoc = new IntList();
  private readonly pTf = new IntList();
  /** Field lengths (terms, duplicates included) per document, per field. */
  private readonly lengths = FIELDS.map(() => new IntList());
  private readonly ids: number[] = [];
  private readonly categories: number[] = [];
  private readonly brands: number[] = [];
  private readonly brandNo = new Map<string, number>();
  private readonly display: SearchDisplayRow[] = [];

  add(d: SearchDoc, row: SearchDisplayRow) {
    this.addTokenized(tokenizeDoc(d, this.termCache), row);
  }

  /** Brand and category texts repeat across thousands of SKUs: tokenized once each. */
  private readonly termCache = new TermCache();

  /**
   * A document tokenized before (tokenizeDoc): the publisher keeps these between publishes, so an
   * edit re-tokenizes only the SKUs whose text changed. Term ids here are the builder's own, given
   * in the order terms are first met, document by document, as add() does: the files come out
   * byte for byte the same however the documents were tokenized.
   */
  addTokenized(d: TokenizedDoc, row: SearchDisplayRow) {
    const doc = this.ids.length;
    this.ids.push(d.id);
    this.categories.push(d.categoryId);
    if (!this.brandNo.has(d.brand)) this.brandNo.set(d.brand, this.brandNo.size + 1);
    this.brands.push(this.brandNo.get(d.brand)!);
    this.display.push(row);
    for (let f = 0; f < d.fields.length; f++) {
      const { terms, tfs, length } = d.fields[f]!;
      this.lengths[f]!.push(length);
      for (let i = 0; i < terms.length; i++) {
        const t = terms[i]!;
        let id = this.termId.get(t);
        if (id === undefined) {
          this.termId.set(t, (id = this.terms.length));
          this.terms.push(t);
          this.docsWithTerm.push(0);
        }
        this.docsWithTerm.a[id]!++;
        this.pTerm.push(id);
        this.pField.push(f);
        this.pDoc.push(doc);
        this.pTf.push(tfs[i]!);
      }
    }
  }

  get count() {
    return this.ids.length;
  }

  get termCount() {
    return this.terms.length;
  }

  /** Lunr's weights ×1000 (integers), one per posting. */
  private weights(): Int32Array {
    const N = this.ids.length;
    const { k1, b } = BM25;
    // calculateAverageFieldLengths: per field, the lengths summed in document order, over N
    const avg = this.lengths.map((l) => {
      let sum = 0;
      for (const x of l.view()) sum += x;
      return sum / N;
    });
    const idf = new Float64Array(this.terms.length).fill(NaN);
    const out = new Int32Array(this.pDoc.n);
    const [pTerm, pField, pDoc, pTf] = [this.pTerm.a, this.pField.a, this.pDoc.a, this.pTf.a];
    for (let p = 0; p < out.length; p++) {
      const t = pTerm[p]!;
      const f = pField[p]!;
      if (Number.isNaN(idf[t]!)) {
        const withTerm = this.docsWithTerm.a[t]!;
        const x = (N - withTerm + 0.5) / (withTerm + 0.5);
        idf[t] = Math.log(1 + Math.abs(x));
      }
      const tf = pTf[p]!;
      const fieldLength = this.lengths[f]!.a[pDoc[p]!]!;
      let score = (idf[t]! * ((k1 + 1) * tf)) / (k1 * (1 - b + b * (fieldLength / avg[f]!)) + tf);
      score *= FIELD_BOOSTS[f]!; // Lunr multiplies by the document's boost next: 1 here, exactly nothing
      out[p] = Math.round(score * 1000);
    }
    return out;
  }

  /**
   * The generation's files, [name, content], and what the manifest says of them. Content is built
   * one file at a time so that the caller can write each before the next one is made.
   */
  build(opts: BuildOptions = {}) {
    const N = this.ids.length;
    const F = FIELDS.length;
    const K = opts.shards ?? shardCount(N);
    const big = opts.bigPostings ?? bigPostings(N);
    const chunkRows = opts.chunkRows ?? CHUNK_ROWS;
    const weight = this.weights();
    // postings grouped by (term, field), document order kept (a counting sort)
    const T = this.terms.length;
    const start = new Int32Array(T * F + 1);
    for (let p = 0; p < this.pDoc.n; p++) start[this.pTerm.a[p]! * F + this.pField.a[p]! + 1]!++;
    for (let k = 1; k < start.length; k++) start[k]! += start[k - 1]!;
    const order = new Int32Array(this.pDoc.n);
    const fill = start.slice(0, -1);
    for (let p = 0; p < this.pDoc.n; p++) order[fill[this.pTerm.a[p]! * F + this.pField.a[p]!]!++] = p;
    const listOf = (t: number, f: number) => {
      const out: number[] = [];
      let prev = 0;
      for (let i = start[t * F + f]!; i < start[t * F + f + 1]!; i++) {
        const p = order[i]!;
        out.push(this.pDoc.a[p]! - prev, weight[p]!);
        prev = this.pDoc.a[p]!;
      }
      return out;
    };
    // terms by shard
    const byShard: number[][] = Array.from({ length: K }, () => []);
    this.terms.forEach((t, id) => byShard[shardOf(t, K)]!.push(id));
    const terms = this.terms;
    const ids = this.ids;
    const table = encodeTable({ ids, categories: this.categories, brands: this.brands });
    const display = this.display;
    let bigs = 0;
    function* files(): Generator<[string, string]> {
      yield [TABLE_FILE, JSON.stringify(table)];
      for (let k = 0; k < K; k++) {
        const entries: ShardEntry[] = [];
        for (const t of byShard[k]!) {
          const total = start[(t + 1) * F]! - start[t * F]!;
          if (total > big) {
            const name = bigFile(bigs++);
            const lists = Array.from({ length: F }, (_, f) => listOf(t, f));
            yield [name, JSON.stringify(lists)];
            entries.push([terms[t]!, { n: lists.map((l) => l.length / 2), b: name }]);
          } else {
            entries.push([terms[t]!, ...Array.from({ length: F }, (_, f) => listOf(t, f))]);
          }
        }
        yield [shardFile(k), JSON.stringify(entries)];
      }
      yield* displayChunks(display, chunkRows);
    }
    return { files: files(), shards: K, chunkRows, count: N, terms: T, fields: [...FIELDS] as string[] };
  }
}
