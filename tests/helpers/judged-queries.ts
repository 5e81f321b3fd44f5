// The judged search set: for each query, what a shopper expects at the top. `top` results must all
// satisfy `expect`. Run against the demo catalog by tests/integration/search-quality.test.ts.

export interface JudgedDoc {
  name: string;
  category: string;
  brand: string;
}

export interface JudgedQuery {
  q: string;
  top: number;
  why: string;
  expect(d: JudgedDoc): boolean;
}

const isPhone = (d: JudgedDoc) => d.category === '手机';

export const judgedQueries: JudgedQuery[] = [
  { q: '华为', top: 5, why: 'brand in Chinese', expect: (d) => d.brand === '华为' },
  { q: 'HUAWEI', top: 5, why: 'brand in English', expect: (d) => d.brand === '华为' },
  { q: 'iPhone', top: 5, why: 'model family: phones before their accessories', expect: (d) => isPhone(d) && /iPhone/.test(d.name) },
  { q: '手机', top: 10, why: 'a category word finds that category, not 手机壳', expect: isPhone },
  { q: '深空灰', top: 5, why: 'a colour inside a longer word (深空灰色)', expect: (d) => d.name.includes('深空灰') },
  { q: '华为 手机', top: 5, why: 'brand + category', expect: (d) => isPhone(d) && d.brand === '华为' },
  { q: '华为手机', top: 5, why: 'brand + category without a space', expect: (d) => isPhone(d) && d.brand === '华为' },
  { q: '8 Plus', top: 5, why: 'mixed digits and words', expect: (d) => isPhone(d) && d.name.includes('iPhone 8 Plus') },
  { q: 'iphone 8 plus 256gb', top: 2, why: 'full model in lower case', expect: (d) => d.name.includes('iPhone 8 Plus') && d.name.includes('256GB') },
  { q: '手机壳', top: 5, why: 'a longer category word', expect: (d) => d.category === '手机壳' },
  { q: '6GB+64GB', top: 5, why: 'query syntax characters are just text', expect: (d) => d.name.includes('6GB+64GB') },
  { q: '钻雕金', top: 2, why: 'a colour name the dictionary does not know', expect: (d) => d.name.includes('钻雕金') },
  { q: 'P10', top: 5, why: 'a model number', expect: (d) => d.name.includes('P10') },
  { q: '360手机', top: 4, why: 'digits glued to Chinese', expect: (d) => d.name.startsWith('360手机') },
  { q: '小米', top: 5, why: 'brand', expect: (d) => d.brand === '小米' },
  { q: 'macbook', top: 3, why: 'English model, lower case', expect: (d) => /MacBook/i.test(d.name) },
  { q: '笔记本', top: 5, why: 'category', expect: (d) => d.category === '笔记本' || d.name.includes('笔记本') },
  { q: '充电器', top: 2, why: 'category', expect: (d) => d.category === '充电器' },
  { q: '移动电源', top: 3, why: 'four-character category', expect: (d) => d.category === '移动电源' },
  { q: '空调', top: 3, why: 'category', expect: (d) => d.name.includes('空调') },
  { q: '电饭煲', top: 3, why: 'category', expect: (d) => d.name.includes('电饭煲') },
  { q: '耳机', top: 3, why: 'category', expect: (d) => d.name.includes('耳机') },
  { q: '耐克', top: 5, why: 'brand', expect: (d) => d.brand === '耐克' },
  { q: '三只松鼠', top: 3, why: 'four-character brand', expect: (d) => d.brand === '三只松鼠' },
  { q: '平板电脑', top: 3, why: 'category', expect: (d) => d.category === '平板电脑' },
  // Brands by their other names (brands.aliases), alone and with the product type (issue 13).
  { q: '苹果手机', top: 10, why: 'brand alias + category, no space', expect: (d) => isPhone(d) && d.brand === 'Apple' },
  { q: '苹果', top: 10, why: 'Chinese alias: Apple SKUs before a charger “苹果安卓通用”', expect: (d) => d.brand === 'Apple' },
  { q: 'Apple', top: 10, why: 'brand in English', expect: (d) => d.brand === 'Apple' },
  { q: 'iphone手机', top: 10, why: 'model family glued to the category', expect: (d) => isPhone(d) && /iPhone/.test(d.name) },
  { q: 'HUAWEI 手机', top: 6, why: 'English brand + category', expect: (d) => isPhone(d) && d.brand === '华为' },
  { q: '荣耀', top: 10, why: 'brand', expect: (d) => d.brand === '荣耀' },
  { q: 'Honor手机', top: 10, why: 'English alias glued to the category', expect: (d) => isPhone(d) && d.brand === '荣耀' },
  { q: '小米手机', top: 10, why: 'brand + category', expect: (d) => isPhone(d) && d.brand === '小米' },
  { q: 'Xiaomi', top: 10, why: 'English alias no product name uses', expect: (d) => d.brand === '小米' },
  { q: 'Redmi', top: 5, why: 'sub-brand alias', expect: (d) => d.brand === '小米' },
  { q: 'MI 手机', top: 10, why: 'two-letter Latin alias + category', expect: (d) => isPhone(d) && d.brand === '小米' },
  { q: '三星', top: 10, why: 'brand', expect: (d) => d.brand === '三星' },
  { q: 'Samsung', top: 10, why: 'English alias no product name uses', expect: (d) => d.brand === '三星' },
  { q: 'samsung 手机', top: 10, why: 'alias in lower case + category', expect: (d) => isPhone(d) && d.brand === '三星' },
  // One word no product has: the rest of the query still answers.
  { q: '华为手机壳子', top: 3, why: 'a trailing character no name has', expect: (d) => d.category === '手机壳' && d.brand === '华为' },
  { q: 'iphone 8 plus 土豪金', top: 5, why: 'a colour nickname no name uses', expect: (d) => isPhone(d) && d.name.includes('iPhone 8 Plus') },
  { q: '华为 smartphone', top: 6, why: 'an English word no product has, longer than the rest', expect: (d) => isPhone(d) && d.brand === '华为' },
  { q: '三星 土豪金', top: 5, why: 'brand + a word no product has', expect: (d) => d.brand === '三星' },
];
