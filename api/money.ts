// Money is integer cents in code and DECIMAL(10,2) in the database. Drivers hand DECIMAL back as a
// string (mysql2) or a number (SQLite's NUMERIC affinity); both convert here and nowhere else.

const DECIMAL = /^(-)?(\d{1,8})(?:\.(\d{1,2}))?$/;

export function parseMoney(value: string): number | null {
  const m = DECIMAL.exec(value.trim());
  if (!m) return null;
  const cents = Number(m[2]) * 100 + Number((m[3] ?? '').padEnd(2, '0'));
  return m[1] ? -cents : cents;
}

/** From a database value. A SQLite REAL such as 3388.8 is within 1e-9 of the decimal it stores. */
export function centsFromDb(value: unknown): number {
  if (typeof value === 'number') return Math.round(value * 100);
  if (typeof value === 'string') {
    const c = parseMoney(value);
    if (c !== null) return c;
  }
  if (typeof value === 'bigint') return Number(value) * 100;
  throw new TypeError(`not a money value: ${String(value)}`);
}

/** To a decimal string such as "6688.00", for the database and for JSON. */
export function formatCents(cents: number): string {
  if (!Number.isSafeInteger(cents)) throw new TypeError(`not integer cents: ${cents}`);
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(cents);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}
