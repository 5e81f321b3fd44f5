// The one tokenizer for the search index, shipped to both the index builder (Node) and the browser,
// so the two always agree. Deterministic by design: Intl.Segmenter differs between engines and does
// not know brand names such as 华为, so Chinese runs become single characters plus bigrams, and
// everything else becomes lower-cased letter/digit words ('6GB+64GB' → '6gb', '64gb').

const RUN = /\p{Script=Han}+|(?:(?!\p{Script=Han})[\p{L}\p{N}])+/gu;
const HAN = /^\p{Script=Han}/u;

export function normalize(text: string): string {
  return text.normalize('NFKC').toLowerCase();
}

/** Words as written: Chinese runs and Latin/digit words, lower-cased. */
export function words(text: string): string[] {
  return normalize(text).match(RUN) ?? [];
}

export const isHan = (word: string) => HAN.test(word);

/** The most characters of a query that are searched: the API's limit on q. */
export const MAX_QUERY_CHARS = 100;

/**
 * The words of a query's first MAX_QUERY_CHARS UTF-16 units, cut again after MAX_QUERY_CHARS
 * characters: NFKC turns some characters into up to 18 ('\uFDFA'), and the work on a query must not
 * grow with that.
 */
export function queryWords(query: string): string[] {
  return firstChars(words(query.slice(0, MAX_QUERY_CHARS)));
}

/** The words up to MAX_QUERY_CHARS characters in all, the last one cut if need be. */
export function firstChars(ws: string[]): string[] {
  const out: string[] = [];
  let left = MAX_QUERY_CHARS;
  for (const w of ws) {
    const chars = Array.from(w);
    if (chars.length >= left) {
      out.push(chars.slice(0, left).join(''));
      break;
    }
    out.push(w);
    left -= chars.length;
  }
  return out;
}

/** Index and query tokens: Latin words whole, Chinese runs as unigrams and bigrams. */
export function tokenize(text: string): string[] {
  const out: string[] = [];
  for (const w of words(text)) {
    if (!HAN.test(w)) {
      out.push(w);
      continue;
    }
    const chars = Array.from(w);
    for (let i = 0; i < chars.length; i++) {
      out.push(chars[i]!);
      if (i + 1 < chars.length) out.push(chars[i]! + chars[i + 1]!);
    }
  }
  return out;
}

export interface QueryClause {
  term: string;
  boost: number;
  /** Restrict to these fields; undefined: the n-gram fields (name, caption). */
  wholeWord?: boolean;
}

/** The longest Chinese substring tried as a whole word (category and brand names are shorter). */
export const MAX_WORD = 8;

/**
 * Candidate query clauses, at most MAX_QUERY_CHARS × MAX_WORD of them. Name and caption are matched by
 * n-grams: bigrams for Chinese words, the character itself for a one-character word. Category and
 * brand are indexed as whole words, and a Chinese query has no spaces to find them by, so every
 * substring of a Chinese run is tried against them: '华为手机' reaches the brand 华为 and the category
 * 手机, and longer matches ('手机壳') weigh more than shorter ones ('手机'). Most of these terms are in
 * no index; planQuery() (search-index.ts) keeps those that are, within a work budget.
 */
export function queryClauses(query: string): QueryClause[] {
  return clausesOf(queryWords(query));
}

/** queryClauses() for words already split by queryWords(). */
export function clausesOf(queryWords: string[]): QueryClause[] {
  const grams = new Map<string, number>();
  const whole = new Map<string, number>();
  const add = (m: Map<string, number>, term: string, boost: number) => m.set(term, Math.max(m.get(term) ?? 0, boost));
  for (const w of queryWords) {
    if (!HAN.test(w)) {
      add(grams, w, 3);
      add(whole, w, 3);
      continue;
    }
    const chars = Array.from(w);
    // Bigrams carry a Chinese word; its single characters would only add weak partial matches
    // (every product with 版 for '标准版') and make the query several times slower.
    if (chars.length === 1) add(grams, w, 1);
    else for (const t of tokenize(w)) if (Array.from(t).length > 1) add(grams, t, 2);
    for (let i = 0; i < chars.length; i++) {
      let sub = chars[i]!;
      for (let len = 2; len <= MAX_WORD && i + len <= chars.length; len++) {
        sub += chars[i + len - 1];
        add(whole, sub, len);
      }
    }
  }
  return [
    ...[...grams].map(([term, boost]) => ({ term, boost })),
    ...[...whole].map(([term, boost]) => ({ term, boost, wholeWord: true })),
  ];
}
