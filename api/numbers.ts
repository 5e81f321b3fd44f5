// The one rule for whole numbers that arrive as text — ids, pages, page sizes, counts, stock, and the
// numeric environment variables: decimal digits only. `Number()` and zod's coerce would also take
// '0x10', '0b11', '1e3', '+1', ' 7 ' and '' (as 0); a shopper's URL, an admin's CLI flag and a
// configuration file should each mean exactly what they say. No zod here, so configuration parsing
// (every CLI command) stays cheap to load; api/validation.ts builds the schemas on top of it.

const DIGITS = /^[0-9]{1,15}$/;

export type DecimalIntResult = { ok: true; value: number } | { ok: false; reason: 'format' | 'range' };

export function parseDecimalInt(raw: unknown, min: number, max: number): DecimalIntResult {
  if (typeof raw !== 'string' || !DIGITS.test(raw)) return { ok: false, reason: 'format' };
  const value = Number(raw);
  return value >= min && value <= max ? { ok: true, value } : { ok: false, reason: 'range' };
}

/** Bounds of the numbers the API and the CLI accept. */
export const LIMITS = {
  id: { min: 1, max: 2_147_483_647 },
  page: { min: 1, max: 100_000 },
  pageSize: { min: 1, max: 100 },
  stock: { min: 0, max: 1_000_000_000 },
  sequence: { min: 0, max: 100_000 },
  skuCount: { min: 1, max: 1_000_000 },
} as const;
