import lunr from 'lunr';
import { queryClauses, tokenize, words } from './tokenizer.ts';

const HAN = /^\p{Script=Han}/u;

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

export interface LoadedSearchIndex {
  idx: lunr.Index;
  categoryOf: Map<number, number>;
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

export function loadSearchIndex(json: SerializedSearchIndex): LoadedSearchIndex {
  const categoryOf = new Map<number, number>();
  json.ids.forEach((id, i) => categoryOf.set(id, json.categories[i]!));
  return { idx: lunr.Index.load(json.lunr), categoryOf };
}

const PRIOR_WINDOW = 50;
const MIN_COVERAGE = 0.6;

/**
 * Share of the query's characters that a hit's matched terms cover. Ranking alone would return
 * '不存在的东西' for any product whose name has 的 or 东; a real match covers most of the query.
 */
export function coverage(queryWords: string[], matched: Set<string>): number {
  let total = 0;
  let covered = 0;
  for (const w of queryWords) {
    const chars = Array.from(w);
    total += chars.length;
    if (!HAN.test(w)) {
      if (matched.has(w)) covered += chars.length;
      continue;
    }
    const hit = new Array<boolean>(chars.length).fill(false);
    for (let i = 0; i < chars.length; i++) {
      for (let len = 1; i + len <= chars.length; len++) {
        if (matched.has(chars.slice(i, i + len).join(''))) hit.fill(true, i, i + len);
      }
    }
    covered += hit.filter(Boolean).length;
  }
  return total === 0 ? 0 : covered / total;
}

/** Ranked SKU ids for a free-text query; never throws on user input. */
export function searchIndex(index: LoadedSearchIndex, query: string): number[] {
  const q = query.slice(0, 100);
  const clauses = queryClauses(q);
  if (clauses.length === 0) return [];
  const queryWords = words(q);
  // q.term() bypasses Lunr's query syntax, so input like '6GB+64GB' or 'a:b*' is just text.
  const hits = index.idx
    .query((lq) => {
      for (const c of clauses) {
        lq.term(c.term, {
          boost: c.boost,
          usePipeline: false,
          fields: c.wholeWord ? WHOLE_WORD_FIELDS : NGRAM_FIELDS,
          wildcard: lunr.Query.wildcard.NONE,
        });
      }
    })
    .filter((h) => coverage(queryWords, new Set(Object.keys(h.matchData.metadata))) >= MIN_COVERAGE);
  // Category prior: the category that holds most of the best matches is what the shopper is after
  // ('iPhone' means phones before iPhone cases), so its SKUs move up.
  const agg = new Map<number, number>();
  let total = 0;
  for (const h of hits.slice(0, PRIOR_WINDOW)) {
    const cat = index.categoryOf.get(Number(h.ref)) ?? 0;
    agg.set(cat, (agg.get(cat) ?? 0) + h.score);
    total += h.score;
  }
  let best = 0;
  let bestScore = 0;
  for (const [cat, s] of agg) if (s > bestScore || (s === bestScore && cat < best)) [best, bestScore] = [cat, s];
  const share = total > 0 ? bestScore / total : 0;
  return hits
    .map((h) => {
      const id = Number(h.ref);
      return { id, score: index.categoryOf.get(id) === best ? h.score * (1 + share) : h.score };
    })
    .sort((a, b) => b.score - a.score || a.id - b.id)
    .map((h) => h.id);
}
