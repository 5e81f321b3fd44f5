import { describe, expect, it } from 'vitest';
import { buildSpecChoices, type SpecWithOptions } from '../../api/services/catalog/spec-map.ts';

// iPhone 8 Plus: colour × memory, with 银色 + 256GB missing (as in the demo catalog).
const specs: SpecWithOptions[] = [
  { id: 20, spuId: 1, name: '内存', sequence: 1, options: [{ id: 4, specId: 20, value: '64GB', sequence: 0 }, { id: 5, specId: 20, value: '256GB', sequence: 1 }] },
  { id: 10, spuId: 1, name: '颜色', sequence: 0, options: [
    { id: 1, specId: 10, value: '金色', sequence: 0 },
    { id: 2, specId: 10, value: '深空灰色', sequence: 1 },
    { id: 3, specId: 10, value: '银色', sequence: 2 },
  ] },
];
const combos: [number, number, number][] = [
  [101, 1, 4], [102, 1, 5], [103, 2, 4], [104, 2, 5], [105, 3, 4], // no 银色 256GB
];
const skuOptions = new Map(combos.map(([sku, color, mem]) => [sku, new Map([[10, color], [20, mem]])]));

describe('spec switching', () => {
  it('orders specs by sequence and marks the current options', () => {
    const choices = buildSpecChoices(specs, skuOptions, 104);
    expect(choices.map((c) => c.name)).toEqual(['颜色', '内存']);
    expect(choices[0]!.options.filter((o) => o.current).map((o) => o.value)).toEqual(['深空灰色']);
    expect(choices[1]!.options.filter((o) => o.current).map((o) => o.value)).toEqual(['256GB']);
  });

  it('links each option to the sibling that differs in just that spec', () => {
    const [color, memory] = buildSpecChoices(specs, skuOptions, 104);
    expect(color!.options.map((o) => o.url)).toEqual(['/goods/102.html', '/goods/104.html', null]);
    expect(memory!.options.map((o) => o.url)).toEqual(['/goods/103.html', '/goods/104.html']);
  });

  it('disables a combination no SKU has', () => {
    const [color] = buildSpecChoices(specs, skuOptions, 102); // 金色 256GB
    expect(color!.options.find((o) => o.value === '银色')!.url).toBeNull();
    const [, memory] = buildSpecChoices(specs, skuOptions, 105); // 银色 64GB
    expect(memory!.options.find((o) => o.value === '256GB')!.url).toBeNull();
  });

  it('does not fail on a SKU with a missing spec row', () => {
    const partial = new Map(skuOptions);
    partial.set(106, new Map([[10, 1]]));
    const choices = buildSpecChoices(specs, partial, 106);
    expect(choices[1]!.options.every((o) => !o.current)).toBe(true);
    expect(choices[0]!.options.find((o) => o.value === '金色')!.url).toBe('/goods/106.html');
  });
});
