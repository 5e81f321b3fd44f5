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

/**
 * The regular expression (source) matching exactly what parseDecimalInt(raw, min, max) accepts:
 * 1–15 decimal digits (leading zeros allowed) whose value lies in [min, max]. It lets the API's
 * JSON Schema state a parameter's range in the only form a text parameter can carry — a pattern —
 * and the schemas of api/validation.ts check it (a test compares it with parseDecimalInt).
 */
export function decimalRangePattern(min: number, max: number): string {
  if (!(Number.isSafeInteger(min) && Number.isSafeInteger(max) && 0 <= min && min <= max && max < 10 ** 15)) throw new RangeError(`bad range ${min}..${max}`);
  const alternatives: string[] = [];
  let full: [number, number] | null = null; // a run of lengths taking every value: [1-9][0-9]{a,b}
  for (let digits = String(min).length; digits <= String(max).length; digits++) {
    const lo = Math.max(min, digits === 1 ? 0 : 10 ** (digits - 1));
    const hi = Math.min(max, 10 ** digits - 1);
    if (digits > 1 && lo === 10 ** (digits - 1) && hi === 10 ** digits - 1) full = [full?.[0] ?? digits - 1, digits - 1];
    else alternatives.push(sameLength(String(lo), String(hi)));
  }
  if (full) alternatives.splice(min < 10 ? 1 : 0, 0, `[1-9][0-9]${full[0] === full[1] ? (full[0] === 1 ? '' : `{${full[0]}}`) : `{${full[0]},${full[1]}}`}`);
  // leading zeros are part of the 15 digits parseDecimalInt allows, never of the value
  return `^(?=[0-9]{1,15}$)0*(?:${alternatives.join('|')})$`;
}

/** Digit strings of one length from lo to hi, as a regular expression. */
function sameLength(lo: string, hi: string): string {
  if (lo === hi) return lo;
  const rest = lo.length - 1;
  const anyRest = rest === 0 ? '' : rest === 1 ? '[0-9]' : `[0-9]{${rest}}`;
  if (/^0*$/.test(lo.slice(1)) && /^9*$/.test(hi.slice(1))) return lo[0] === '0' && hi[0] === '9' ? `[0-9]{${lo.length}}`.replace('{1}', '') : digitClass(lo[0]!, hi[0]!) + anyRest;
  if (lo[0] === hi[0]) return lo[0] + group(sameLength(lo.slice(1), hi.slice(1)));
  const parts = [lo[0] + group(sameLength(lo.slice(1), '9'.repeat(rest)))];
  if (Number(hi[0]) - Number(lo[0]) > 1) parts.push(digitClass(String(Number(lo[0]) + 1), String(Number(hi[0]) - 1)) + anyRest);
  parts.push(hi[0] + group(sameLength('0'.repeat(rest), hi.slice(1))));
  return parts.join('|');
}

const digitClass = (a: string, b: string) => (a === b ? a : `[${a}-${b}]`);
const group = (re: string) => (re.includes('|') ? `(?:${re})` : re);
