import { zoneDays } from './shop-days.ts';

// China keeps UTC+8 all year (no daylight saving). SMS providers and Alipay read timestamps on that
// wall clock, order ids carry it, and daily limits end at its midnight — whatever zone the server
// runs in. The one place that shifts by eight hours (day boundaries come from api/shop-days.ts).
const OFFSET_MS = 8 * 3600_000;

/** The Beijing wall clock as ISO text; its trailing Z is not true, only its parts are used. */
const wall = (ms: number) => new Date(ms + OFFSET_MS).toISOString();

/** yyyy-MM-dd HH:mm:ss */
export const beijingDateTime = (ms: number): string => wall(ms).slice(0, 19).replace('T', ' ');

/** yyyyMMddHHmmss */
export const beijingCompact = (ms: number): string => wall(ms).replace(/[-:T]/g, '').slice(0, 14);

/** yyyymmdd of the Beijing day `ms` falls in, and ms until that day ends. */
export function beijingDay(ms: number): { day: string; msLeft: number } {
  const d = zoneDays('Asia/Shanghai').dayOf(ms);
  return { day: d.date.replace(/-/g, ''), msLeft: d.end - ms };
}
