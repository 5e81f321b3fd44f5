import { describe, expect, it } from 'vitest';
import { FALLBACK_BELOW, buildSearchIndex, loadSearchIndex, searchIndex, wordCoverage, wordWeights, type SearchDoc } from '../../api/services/search/search-index.ts';
import { parseAliases, formatAliases } from '../../api/services/search/brand-aliases.ts';

// Brand aliases, the brand prior and the fallback for a query with a word no product has.

const doc = (id: number, name: string, brand: string, category: string, extra: Partial<SearchDoc> = {}): SearchDoc => ({
  id, name, caption: '', categoryId: category.length, category, brand, ...extra,
});
const load = (docs: SearchDoc[]) => loadSearchIndex(JSON.parse(JSON.stringify(buildSearchIndex(docs))));

describe('words of a query', () => {
  it('counts a Latin word as one word and a Chinese run as one word per two characters', () => {
    expect([...wordWeights(['华为', 'smartphone'])]).toEqual([0.5, 0.5, ...Array(10).fill(0.1)]);
    expect(Array.from(wordWeights(['不存在的东西'])).reduce((a, b) => a + b)).toBe(3);
    expect([...wordWeights(['鞋'])]).toEqual([1]);
    expect(wordCoverage(['华为', 'smartphone'], new Set(['华为']))).toBeCloseTo(0.5);
    expect(wordCoverage(['iphone', '8', 'plus', '土豪金'], new Set(['iphone', '8', 'plus']))).toBe(0.75);
  });
});

describe('brand aliases', () => {
  const docs = [
    doc(1, 'Galaxy S8 谜夜黑', '三星', '手机', { brandAliases: ['Samsung'], parentCategories: ['手机', '手机通讯'] }),
    doc(2, 'Galaxy Note8 星镜黑', '三星', '手机', { brandAliases: ['Samsung'], parentCategories: ['手机', '手机通讯'] }),
    doc(3, 'iPhone 8 金色', 'Apple', '手机', { brandAliases: ['苹果'], parentCategories: ['手机', '手机通讯'] }),
    doc(4, '充电器 苹果安卓通用', 'Anker', '充电器', { parentCategories: ['手机', '手机配件'] }),
    doc(5, 'iPad 金色', 'Apple', '平板电脑', { brandAliases: ['苹果'], parentCategories: ['电脑', '电脑整机'] }),
    doc(6, 'MacBook 银色', 'Apple', '笔记本', { brandAliases: ['苹果'], parentCategories: ['电脑', '电脑整机'] }),
    ...Array.from({ length: 6 }, (_, i) => doc(30 + i, `iPhone X ${i}号`, 'Apple', '手机', { brandAliases: ['苹果'], parentCategories: ['手机', '手机通讯'] })),
  ];
  const index = load(docs);

  it('finds a brand by an alias no product name uses, alone and glued to the category', () => {
    expect(searchIndex(index, 'samsung')).toEqual([1, 2]);
    expect(searchIndex(index, '苹果手机')[0]).toBe(3);
  });

  it('puts the brand the query names before a product that merely mentions the word', () => {
    // The charger's name has 苹果 (rare there: weighty); every Apple SKU has it as a brand alias.
    const ids = searchIndex(index, '苹果');
    expect(ids.slice(0, 7).sort((a, b) => a - b)).toEqual([3, 30, 31, 32, 33, 34, 35]); // Apple's phones: the category prior too
    expect(ids).toContain(4);
    expect(ids.indexOf(4)).toBeGreaterThan(ids.indexOf(3));
  });

  it('indexes the first- and second-level categories', () => {
    expect(searchIndex(index, '电脑').sort()).toEqual([5, 6]);
  });

  it('reads the brands.aliases column whatever the comma', () => {
    expect(parseAliases('Xiaomi, MI，Redmi、红米\n米家,,Xiaomi')).toEqual(['Xiaomi', 'MI', 'Redmi', '红米', '米家']);
    expect(parseAliases(null)).toEqual([]);
    expect(formatAliases([' 苹果 ', 'Apple', '苹果'])).toBe('苹果,Apple');
  });
});

describe('a query with a word no product has', () => {
  const phones = Array.from({ length: 3 }, (_, i) => doc(i + 1, `华为 P10 手机 ${['黑', '蓝', '金'][i]}色`, '华为', '手机'));
  const cases = Array.from({ length: 2 }, (_, i) => doc(10 + i, `华为 P10 手机壳 ${i}号`, '华为', '手机壳'));
  const others = [doc(20, '小米6 手机', '小米', '手机'), doc(21, '三星 手表', '三星', '智能手表')];
  const index = load([...phones, ...cases, ...others]);

  it('still answers with what matches the rest of it, most words first', () => {
    // 'smartphone' is ten characters to 华为's two: under the coverage rule, but half of the words.
    const ids = searchIndex(index, '华为 smartphone');
    expect(ids.sort((a, b) => a - b)).toEqual([1, 2, 3, 10, 11]);
    // 华为 + 手机 match, 土豪金 does not: two words of three.
    expect(searchIndex(index, '华为 手机 土豪金').slice(0, 3).sort((a, b) => a - b)).toEqual([1, 2, 3]);
    expect(searchIndex(index, '华为 手机 土豪金')).not.toContain(21);
  });

  it('answers nothing when most of the query matches nothing', () => {
    expect(searchIndex(index, '华为 土豪金 smartphone')).toEqual([]);
    expect(searchIndex(index, '不存在的东西')).toEqual([]);
  });

  it('adds the partial matches only when the full ones are fewer than FALLBACK_BELOW', () => {
    const many = load(Array.from({ length: FALLBACK_BELOW + 1 }, (_, i) => doc(i + 1, `华为 手机 ${i}`, '华为', '手机')).concat(doc(50, '华为 手表', '华为', '智能手表')));
    // 华为手机 fully matches six SKUs; 华为 alone (the watch) covers half and is left out.
    expect(searchIndex(many, '华为手机')).not.toContain(50);
    const few = load([doc(1, '华为 手机', '华为', '手机'), doc(50, '华为 手表', '华为', '智能手表')]);
    expect(searchIndex(few, '华为手机')).toEqual([1, 50]);
  });

  it('is deterministic', () => {
    const a = searchIndex(index, '华为 smartphone');
    for (let i = 0; i < 3; i++) expect(searchIndex(index, '华为 smartphone')).toEqual(a);
  });
});
