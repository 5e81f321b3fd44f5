import { describe, expect, it } from 'vitest';
import { centsFromDb, formatCents, parseMoney } from '../../api/money.ts';

describe('money', () => {
  it('parses decimal strings exactly', () => {
    expect(parseMoney('6688.00')).toBe(668800);
    expect(parseMoney('3388.8')).toBe(338880);
    expect(parseMoney('0.07')).toBe(7);
    expect(parseMoney('-1.5')).toBe(-150);
    expect(parseMoney('12')).toBe(1200);
  });

  it('rejects what is not a two-decimal amount', () => {
    for (const bad of ['', 'abc', '1.234', '1e3', '１２', '99999999999', '1,000.00']) expect(parseMoney(bad)).toBeNull();
  });

  it('reads both drivers’ DECIMAL forms to the same cents', () => {
    expect(centsFromDb('3388.80')).toBe(338880); // mysql2
    expect(centsFromDb(3388.8)).toBe(338880); // better-sqlite3
    expect(centsFromDb(0.1 + 0.2)).toBe(30); // never float-rounded into 30.000000000000004 cents
    expect(() => centsFromDb(null)).toThrow();
  });

  it('formats cents with two decimals', () => {
    expect(formatCents(668800)).toBe('6688.00');
    expect(formatCents(7)).toBe('0.07');
    expect(formatCents(-150)).toBe('-1.50');
    expect(() => formatCents(1.5)).toThrow();
  });

  it('round-trips every cent value in a range', () => {
    for (let c = 0; c < 100_000; c += 37) expect(parseMoney(formatCents(c))).toBe(c);
  });
});
