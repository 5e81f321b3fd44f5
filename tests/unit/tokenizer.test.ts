import { describe, expect, it } from 'vitest';
import { MAX_QUERY_CHARS, queryClauses, queryWords, tokenize, words } from '../../api/services/search/tokenizer.ts';

describe('search tokenizer', () => {
  it('splits Chinese into characters and bigrams and keeps Latin words whole', () => {
    expect(tokenize('华为 HUAWEI P10 Plus 6GB+64GB 钻雕金')).toEqual([
      '华', '华为', '为', 'huawei', 'p10', 'plus', '6gb', '64gb', '钻', '钻雕', '雕', '雕金', '金',
    ]);
  });

  it('separates Chinese from digits and letters glued to it', () => {
    expect(words('360手机 移动联通电信4G手机')).toEqual(['360', '手机', '移动联通电信', '4g', '手机']);
  });

  it('normalises full-width characters and case', () => {
    expect(tokenize('ＩＰＨＯＮＥ　８')).toEqual(['iphone', '8']);
  });

  it('drops punctuation and query syntax', () => {
    expect(tokenize('a:b* ~2 +c -d ^3 【】')).toEqual(['a', 'b', '2', 'c', 'd', '3']);
    expect(tokenize('')).toEqual([]);
  });

  it('tries every Chinese substring against whole-word fields, longer ones weighing more', () => {
    const clauses = queryClauses('华为手机');
    const whole = new Map(clauses.filter((c) => c.wholeWord).map((c) => [c.term, c.boost]));
    expect(whole.get('华为')).toBe(2);
    expect(whole.get('手机')).toBe(2);
    expect(whole.get('华为手机')).toBe(4);
    const grams = clauses.filter((c) => !c.wholeWord).map((c) => c.term);
    expect(grams).toEqual(['华为', '为手', '手机']);
    expect(queryClauses('鞋').map((c) => c.term)).toEqual(['鞋']);
  });

  it('searches at most MAX_QUERY_CHARS characters of a query, also when NFKC expands them', () => {
    const chars = (ws: string[]) => ws.reduce((n, w) => n + Array.from(w).length, 0);
    expect(queryWords('华为 HUAWEI P10')).toEqual(['华为', 'huawei', 'p10']);
    expect(chars(queryWords('手'.repeat(300)))).toBe(MAX_QUERY_CHARS);
    expect(chars(queryWords('ab '.repeat(40)))).toBe(67); // its first 100 UTF-16 units: 33 × 'ab ' and 'a'
    expect(chars(words('\uFDFA'.repeat(100)))).toBe(1500); // NFKC: one character, four Arabic words
    expect(chars(queryWords('\uFDFA'.repeat(100)))).toBe(MAX_QUERY_CHARS);
    expect(queryClauses('华为'.repeat(200)).map((c) => c.term)).toEqual(queryClauses('华为'.repeat(50)).map((c) => c.term));
  });

  it('gives identical tokens for identical input (no engine-dependent segmentation)', () => {
    const s = 'Apple iPhone 8 Plus (A1864) 64GB 深空灰色 移动联通电信4G手机';
    expect(tokenize(s)).toEqual(tokenize(s.slice()));
    expect(tokenize(s)).toContain('深空');
    expect(tokenize(s)).toContain('a1864');
  });
});
