import { describe, expect, it } from 'vitest';
import { beijingDay } from '../../api/beijing-time.ts';
import { canonicalTimeZone, ZoneDays, zoneDays } from '../../api/shop-days.ts';

// Days of a time zone as epoch-ms boundaries (api/shop-days.ts): Beijing's fixed UTC+8, and zones
// with daylight saving, where a day lasts 23 or 25 hours or starts at 01:00.

const iso = (ms: number) => new Date(ms).toISOString();

describe('shop days', () => {
  it('cuts Beijing days at 16:00 UTC: 23:59 is one day, 00:01 the next', () => {
    const bj = zoneDays('Asia/Shanghai');
    expect(bj.dayOf(Date.UTC(2026, 11, 3, 15, 59))).toEqual({ date: '2026-12-03', start: Date.UTC(2026, 11, 2, 16), end: Date.UTC(2026, 11, 3, 16) });
    expect(bj.dayOf(Date.UTC(2026, 11, 3, 16, 0)).date).toBe('2026-12-04');
    expect(bj.dayOf(Date.UTC(2026, 11, 3, 16, 1)).date).toBe('2026-12-04');
    // the SMS limits' day is the same one
    expect(beijingDay(Date.UTC(2026, 11, 3, 15, 59, 59))).toEqual({ day: '20261203', msLeft: 1000 });
    expect(beijingDay(Date.UTC(2026, 11, 3, 16))).toEqual({ day: '20261204', msLeft: 86_400_000 });
  });

  it('lists the last n days oldest first, across a month and a year end', () => {
    const days = zoneDays('UTC').lastDays(Date.UTC(2027, 0, 2, 12), 4);
    expect(days.map((d) => d.date)).toEqual(['2026-12-30', '2026-12-31', '2027-01-01', '2027-01-02']);
    for (let i = 1; i < days.length; i++) expect(days[i]!.start).toBe(days[i - 1]!.end);
    expect(ZoneDays.addDays('2028-02-28', 1)).toBe('2028-02-29');
  });

  it('follows daylight saving: 23- and 25-hour days, and a day whose midnight is skipped', () => {
    const ny = zoneDays('America/New_York');
    const spring = ny.day('2026-03-08');
    expect([iso(spring.start), (spring.end - spring.start) / 3600_000]).toEqual(['2026-03-08T05:00:00.000Z', 23]);
    const autumn = ny.day('2026-11-01');
    expect([iso(autumn.start), (autumn.end - autumn.start) / 3600_000]).toEqual(['2026-11-01T04:00:00.000Z', 25]);
    // Chile moves its clocks at midnight: 6 September 2026 begins at 01:00 local (04:00 UTC)
    const chile = zoneDays('America/Santiago').day('2026-09-06');
    expect([iso(chile.start), (chile.end - chile.start) / 3600_000]).toEqual(['2026-09-06T04:00:00.000Z', 23]);
    // every instant lies in the day dayOf names
    for (let ms = Date.UTC(2026, 2, 7); ms < Date.UTC(2026, 2, 10); ms += 17 * 60_000) {
      const d = ny.dayOf(ms);
      expect(ms >= d.start && ms < d.end).toBe(true);
    }
  });

  it('accepts IANA zone names only', () => {
    expect(canonicalTimeZone('Asia/Shanghai')).toBe('Asia/Shanghai');
    expect(canonicalTimeZone('America/Argentina/Buenos_Aires')).toMatch(/Buenos_Aires$/);
    for (const bad of ['', 'Beijing', 'Asia/Nowhere', '+08:00', 'UTC+8', '../etc/passwd']) expect(canonicalTimeZone(bad)).toBeNull();
    expect(() => zoneDays('Mars/Olympus')).toThrow(RangeError);
  });
});
