// Calendar days in a time zone, as epoch-ms boundaries: the one place that answers "which day is it
// there, and when did it start and end". Statistics count "today" in the shop's zone (SHOP_TZ), the
// SMS daily limits in Beijing's (api/beijing-time.ts asks here). Any IANA zone works, daylight
// saving included: a day is from the first instant whose wall-clock date is that day to the first
// instant of the next, so it may last 23 or 25 hours, and a day whose midnight is skipped starts at
// 01:00.

const DAY_MS = 86_400_000;
/** No zone is further than this from UTC (Kiribati +14, Baker Island −12). */
const MAX_OFFSET_MS = 15 * 3600_000;

export interface ShopDay {
  /** YYYY-MM-DD, the wall-clock date. */
  date: string;
  /** First ms of the day (inclusive). */
  start: number;
  /** First ms of the next day (exclusive). */
  end: number;
}

/** The canonical name of an IANA zone ('asia/shanghai' → 'Asia/Shanghai'), or null when it is not one. */
export function canonicalTimeZone(name: string): string | null {
  // names only: Intl also takes offsets such as '+08:00' on newer engines, which are not zones
  if (!/^(UTC|[A-Za-z]+(\/[A-Za-z0-9_+-]+){1,2})$/.test(name)) return null;
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: name }).resolvedOptions().timeZone;
  } catch {
    return null;
  }
}

const dateKey = (y: number, m: number, d: number) => `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;

/** The calendar of one zone; day starts are memoised (a few hundred bytes per day asked about). */
export class ZoneDays {
  private readonly fmt: Intl.DateTimeFormat;
  private readonly starts = new Map<string, number>();

  constructor(readonly zone: string) {
    const canonical = canonicalTimeZone(zone);
    if (!canonical) throw new RangeError(`not an IANA time zone: ${zone}`);
    this.zone = canonical;
    this.fmt = new Intl.DateTimeFormat('en-CA', { timeZone: canonical, year: 'numeric', month: '2-digit', day: '2-digit' });
  }

  /** The wall-clock date of an instant, YYYY-MM-DD. */
  dateOf(ms: number): string {
    let y = 0, m = 0, d = 0;
    for (const p of this.fmt.formatToParts(ms)) {
      if (p.type === 'year') y = Number(p.value);
      else if (p.type === 'month') m = Number(p.value);
      else if (p.type === 'day') d = Number(p.value);
    }
    return dateKey(y, m, d);
  }

  /** First ms whose wall-clock date is `date` (YYYY-MM-DD) or later. */
  startOf(date: string): number {
    const hit = this.starts.get(date);
    if (hit !== undefined) return hit;
    const [y, m, d] = date.split('-').map(Number) as [number, number, number];
    const utcMidnight = Date.UTC(y, m - 1, d);
    // offsets are whole minutes: the smallest minute whose date is not before `date`
    let lo = Math.floor((utcMidnight - MAX_OFFSET_MS) / 60_000);
    let hi = Math.ceil((utcMidnight + MAX_OFFSET_MS) / 60_000);
    while (lo < hi) {
      const mid = Math.floor((lo + hi) / 2);
      if (this.dateOf(mid * 60_000) >= date) hi = mid;
      else lo = mid + 1;
    }
    const start = lo * 60_000;
    if (this.starts.size > 10_000) this.starts.clear();
    this.starts.set(date, start);
    return start;
  }

  /** The date `n` days after `date` (negative: before). */
  static addDays(date: string, n: number): string {
    const [y, m, d] = date.split('-').map(Number) as [number, number, number];
    const t = new Date(Date.UTC(y, m - 1, d) + n * DAY_MS);
    return dateKey(t.getUTCFullYear(), t.getUTCMonth() + 1, t.getUTCDate());
  }

  /** The day named `date`. */
  day(date: string): ShopDay {
    return { date, start: this.startOf(date), end: this.startOf(ZoneDays.addDays(date, 1)) };
  }

  /** The day an instant falls in. */
  dayOf(ms: number): ShopDay {
    return this.day(this.dateOf(ms));
  }

  /** The `n` days ending with the one `ms` falls in, oldest first. */
  lastDays(ms: number, n: number): ShopDay[] {
    const today = this.dateOf(ms);
    const days: ShopDay[] = [];
    for (let i = n - 1; i >= 0; i--) days.push(this.day(ZoneDays.addDays(today, -i)));
    return days;
  }
}

const zones = new Map<string, ZoneDays>();

/** The shared calendar of a zone (validated: RangeError for a name that is not an IANA zone). */
export function zoneDays(zone: string): ZoneDays {
  let z = zones.get(zone);
  if (!z) {
    z = new ZoneDays(zone);
    zones.set(zone, z);
  }
  return z;
}
