// How the console writes money, times and counts. Times are on the shop's clock (SHOP_TZ, written
// into <html data-shop-tz> at build: docs/statistics.md "The shop's day"), wherever the browser is.

const zone = () => document.documentElement.dataset.shopTz || 'Asia/Shanghai';
let dateTime: Intl.DateTimeFormat | null = null;
const counts = new Intl.NumberFormat('en-US');
const yuan = new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });

/** "1999.00" (the API's exact yuan string) → "¥1,999.00"; digits regrouped, never through a float. */
export function money(value: string): string {
  const m = /^(-?)(\d+)\.(\d{2})$/.exec(value);
  if (!m) return `¥${value}`;
  return `${m[1]}¥${m[2]!.replace(/\B(?=(\d{3})+(?!\d))/g, ',')}.${m[3]}`;
}

/** A plain number of yuan (a chart's axis), "¥1,999.00". */
export const moneyNumber = (n: number) => `¥${yuan.format(n)}`;

/** 12345 → "12,345". */
export const count = (n: number) => counts.format(n);

/** An ISO instant → "2026-12-04 14:05" on the shop's clock; '—' for none. */
export function time(iso: string | null | undefined): string {
  if (!iso) return '—';
  dateTime ??= new Intl.DateTimeFormat('en-CA', { timeZone: zone(), year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
  const p = Object.fromEntries(dateTime.formatToParts(new Date(iso)).map((x) => [x.type, x.value]));
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}`;
}
