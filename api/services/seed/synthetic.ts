import type { DemoCatalog, DemoSpu } from './demo-types.ts';

// A large, deterministic catalog for benchmarks (`meiduo seed --skus 10000`): SPUs of 6 SKUs
// (3 colours × 2 versions) spread over every third-level category, with varied Chinese and English
// names so the search index has a realistic vocabulary.

/** A small seeded generator (mulberry32): the same numbers from the same seed, on every machine. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const COLORS = ['曜石黑', '冰川蓝', '香槟金', '樱花粉', '珍珠白', '星空灰', '薄荷绿', '极光紫', '珊瑚红', '深海蓝'];
const VERSIONS = ['标准版', '高配版', '尊享版', '青春版', 'Pro', 'Max', 'Lite', '旗舰版'];
const ADJ = ['轻薄', '智能', '经典', '全新', '便携', '高端', '时尚', '专业', '家用', '升级款'];
const SERIES = ['Air', 'Neo', 'Plus', 'Ultra', 'Mini', 'Nova', 'Mate', 'Zen', 'Star', 'Flex', 'Note', 'Go'];
const PERKS = ['限时特惠', '赠品多多', '官方正品', '全国联保', '以旧换新', '分期免息', '顺丰包邮', '七天无理由'];

export function synthesize(catalog: DemoCatalog, leaves: [string, string, string][], skuCount: number): DemoSpu[] {
  const rand = prng(20261125);
  const pick = <T,>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)]!;
  const spus: DemoSpu[] = [];
  let made = 0;
  let n = 0;
  while (made < skuCount) {
    const category = leaves[n % leaves.length]!;
    const brand = pick(catalog.brands).name;
    const model = `${pick(SERIES)}${Math.floor(rand() * 90 + 10)}`;
    const name = `${brand} ${pick(ADJ)}${category[2]} ${model}`;
    const colors = [...new Set([pick(COLORS), pick(COLORS), pick(COLORS)])];
    const versions = [...new Set([pick(VERSIONS), pick(VERSIONS)])];
    const basePrice = Math.floor(rand() * 900 + 10) * 10;
    const skus: DemoSpu['skus'] = [];
    for (const v of versions) {
      for (const c of colors) {
        if (made >= skuCount) break;
        const price = basePrice + versions.indexOf(v) * 200;
        skus.push({
          options: [c, v],
          name: `${name} ${v} ${c} #${n + 1}`,
          caption: `${pick(PERKS)}，${pick(PERKS)}！${category[1]}热卖`,
          price: `${price}.00`,
          marketPrice: `${price + 100}.00`,
          costPrice: `${Math.floor(price * 0.7)}.00`,
          stock: Math.floor(rand() * 500),
          sales: Math.floor(rand() * 5000),
          // real comment rows are seeded behind the count (demo-comments.ts), so it stays small
          comments: Math.floor(rand() * 4),
        });
        made++;
      }
    }
    spus.push({
      name,
      brand,
      category,
      color: '#888888',
      descDetail: `<p>${name}，${pick(ADJ)}设计。</p>`,
      descPack: `<p>${name} ×1，说明书 ×1</p>`,
      descService: '<p>全国联保，享受三包服务。</p>',
      specs: [
        { name: '颜色', options: colors },
        { name: '版本', options: versions },
      ],
      skus,
    });
    n++;
  }
  return spus;
}
