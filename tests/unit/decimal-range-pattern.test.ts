import { describe, expect, it } from 'vitest';
import { decimalRangePattern, LIMITS, parseDecimalInt } from '../../api/numbers.ts';

// The OpenAPI document states a number parameter's range as a pattern (a text parameter has no
// minimum/maximum); the pattern must accept exactly what parseDecimalInt accepts, or the document
// and the API disagree.

const RANGES: [number, number][] = [...Object.values(LIMITS).map((l): [number, number] => [l.min, l.max]), [0, 0], [5, 5], [0, 9], [0, 10], [1, 9], [7, 13], [10, 99], [19, 2001], [123, 98_765], [0, 999_999_999_999_999]];

function samples(min: number, max: number, random: () => number): Set<string> {
  const out = new Set<string>(['', '+1', '-1', '1e0', '0x10', ' 1', '1 ', '1.0', '１', '0b1']);
  for (const v of [0, 1, 2, 9, 10, 11, 99, 100, 101, min - 1, min, min + 1, max - 1, max, max + 1, 2 ** 31 - 1, 2 ** 31, 10 ** 15 - 1]) {
    if (v < 0) continue;
    for (const s of [String(v), `0${v}`, String(v).padStart(15, '0'), String(v).padStart(16, '0')]) out.add(s);
  }
  for (let i = 0; i < 5000; i++) {
    const len = 1 + Math.floor(random() * 16);
    out.add(Array.from({ length: len }, () => Math.floor(random() * 10)).join(''));
    out.add(String(Math.floor(random() * (max * 1.2 + 2))));
  }
  return out;
}

describe('decimalRangePattern', () => {
  it.each(RANGES)('accepts exactly what parseDecimalInt accepts for %i..%i', (min, max) => {
    let seed = min * 31 + max;
    const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
    const re = new RegExp(decimalRangePattern(min, max));
    const disagree = [...samples(min, max, random)].filter((s) => re.test(s) !== parseDecimalInt(s, min, max).ok);
    expect(disagree).toEqual([]);
  });

  it('reads as the range it is', () => {
    expect(decimalRangePattern(1, 100)).toBe('^(?=[0-9]{1,15}$)0*(?:[1-9]|[1-9][0-9]|100)$');
    expect(decimalRangePattern(1, 100_000)).toBe('^(?=[0-9]{1,15}$)0*(?:[1-9]|[1-9][0-9]{1,4}|100000)$');
    expect(() => decimalRangePattern(5, 4)).toThrow(RangeError);
  });
});
