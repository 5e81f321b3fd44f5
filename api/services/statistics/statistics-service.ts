import type { Knex } from 'knex';
import type { RequestContext } from '../../context.ts';
import { sumCentsSql } from '../../db/dialect.ts';
import { db, withTransaction } from '../../db/transaction.ts';
import { formatCents } from '../../money.ts';
import { zoneDays, type ShopDay, type ZoneDays } from '../../shop-days.ts';
import { ORDER_STATUS } from '../orders/order-rules.ts';

const CANCELLED = ORDER_STATUS.canceled;

// The admin statistics (docs/statistics.md): every figure is counted in SQL over an index range
// (api/db/migrations/2026-12-04-02-statistics.ts) for days of the shop's time zone (SHOP_TZ), as
// the request's clock sees today. Per-day series list every day, 0 where nothing happened. An order
// counts unless it was cancelled; money is summed exactly (integer cents) and answered as "0.00".

export interface DayCount {
  date: string;
  count: number;
}
export interface DayOrders extends DayCount {
  amount: string;
}
export interface TopSku {
  sku_id: number;
  name: string;
  count: number;
  amount: string;
}
export interface CategoryViews {
  category_id: number;
  name: string;
  count: number;
}

/**
 * A SQL expression numbering the day (0 … days.length − 1) a time column falls in; rows are
 * already limited to [days[0].start, last.end). Days are not all 24 h long (daylight saving), so
 * boundaries are compared rather than divided.
 */
function dayIndexSql(column: string, days: ShopDay[]): { sql: string; bindings: number[] } {
  if (days.length === 1) return { sql: '0', bindings: [] };
  const whens = days.slice(1).map((_, i) => `WHEN ${column} < ? THEN ${i}`);
  return { sql: `CASE ${whens.join(' ')} ELSE ${days.length - 1} END`, bindings: days.slice(1).map((d) => d.start) };
}

export class StatisticsService {
  readonly days: ZoneDays;

  constructor(timeZone: string) {
    this.days = zoneDays(timeZone);
  }

  private today(context: RequestContext): ShopDay {
    return this.days.dayOf(context.clock.now().getTime());
  }

  private lastDays(context: RequestContext, n: number): ShopDay[] {
    return this.days.lastDays(context.clock.now().getTime(), n);
  }

  async totalUsers(context: RequestContext): Promise<DayCount> {
    const row = await db(context)('users').count({ n: '*' }).first();
    return { date: this.today(context).date, count: Number(row?.n ?? 0) };
  }

  async newUsersToday(context: RequestContext): Promise<DayCount> {
    const day = this.today(context);
    return { date: day.date, count: await countIn(db(context)('users'), 'created_at', day) };
  }

  /** Logged in, or used a session, today (users.last_active_at). */
  async activeUsersToday(context: RequestContext): Promise<DayCount> {
    const day = this.today(context);
    return { date: day.date, count: await countIn(db(context)('users'), 'last_active_at', day) };
  }

  /** Customers with at least one order placed today that is not cancelled. */
  async orderingUsersToday(context: RequestContext): Promise<DayCount> {
    const day = this.today(context);
    const row = await db(context)('orders')
      .where('created_at', '>=', day.start)
      .andWhere('created_at', '<', day.end)
      .andWhere('status', '<>', CANCELLED)
      .countDistinct({ n: 'user_id' })
      .first();
    return { date: day.date, count: Number(row?.n ?? 0) };
  }

  async newUsersPerDay(context: RequestContext, n: number): Promise<DayCount[]> {
    const days = this.lastDays(context, n);
    const q = db(context);
    const idx = dayIndexSql('created_at', days);
    const rows = (await q('users')
      .select(q.raw(`${idx.sql} AS d`, idx.bindings), q.raw('COUNT(*) AS n'))
      .where('created_at', '>=', days[0]!.start)
      .andWhere('created_at', '<', days.at(-1)!.end)
      .groupBy('d')) as { d: number | string; n: number | string }[];
    const counts = new Map(rows.map((r) => [Number(r.d), Number(r.n)]));
    return days.map((day, i) => ({ date: day.date, count: counts.get(i) ?? 0 }));
  }

  async ordersToday(context: RequestContext): Promise<DayOrders> {
    const day = this.today(context);
    const q = db(context);
    const row = (await q('orders')
      .select(q.raw('COUNT(*) AS n'), q.raw(`${sumCentsSql(q, 'payment_amount')} AS cents`))
      .where('created_at', '>=', day.start)
      .andWhere('created_at', '<', day.end)
      .andWhere('status', '<>', CANCELLED)
      .first()) as { n: number | string; cents: number | string } | undefined;
    return { date: day.date, count: Number(row?.n ?? 0), amount: formatCents(Number(row?.cents ?? 0)) };
  }

  async ordersPerDay(context: RequestContext, n: number): Promise<DayOrders[]> {
    const days = this.lastDays(context, n);
    const q = db(context);
    const idx = dayIndexSql('created_at', days);
    const rows = (await q('orders')
      .select(q.raw(`${idx.sql} AS d`, idx.bindings), q.raw('COUNT(*) AS n'), q.raw(`${sumCentsSql(q, 'payment_amount')} AS cents`))
      .where('created_at', '>=', days[0]!.start)
      .andWhere('created_at', '<', days.at(-1)!.end)
      .andWhere('status', '<>', CANCELLED)
      .groupBy('d')) as { d: number | string; n: number | string; cents: number | string }[];
    const byDay = new Map(rows.map((r) => [Number(r.d), r]));
    return days.map((day, i) => {
      const r = byDay.get(i);
      return { date: day.date, count: Number(r?.n ?? 0), amount: formatCents(Number(r?.cents ?? 0)) };
    });
  }

  /**
   * The SKUs selling the most units in the last `n` days (today included), ties by id; name as the
   * SKU is called now. Closed days come from sku_sales_days (kept by rollupSales); a day it does
   * not hold yet, and today, are counted from the orders.
   */
  async topSkus(context: RequestContext, n: number, limit: number): Promise<TopSku[]> {
    const days = this.lastDays(context, n);
    const q = db(context);
    const closed = days.slice(0, -1).map((d) => d.date);
    const done = new Set<string>(closed.length ? await q('sku_sales_days_done').whereIn('date', closed).pluck('date') : []);
    const totals = new Map<number, { units: number; cents: number }>();
    const add = (rows: { sku_id: unknown; units: unknown; cents: unknown }[]) => {
      for (const r of rows) {
        const t = totals.get(Number(r.sku_id)) ?? { units: 0, cents: 0 };
        t.units += Number(r.units);
        t.cents += Number(r.cents);
        totals.set(Number(r.sku_id), t);
      }
    };
    if (done.size) {
      add(await q('sku_sales_days').whereIn('date', [...done]).groupBy('sku_id').select('sku_id', q.raw('SUM(units) AS units'), q.raw('SUM(cents) AS cents')));
    }
    // the rest, contiguous runs of days the rollup lacks, from the orders
    let run: ShopDay[] = [];
    for (const day of [...days.filter((d) => !done.has(d.date)), null]) {
      if (day && (run.length === 0 || run.at(-1)!.end === day.start)) {
        run.push(day);
        continue;
      }
      if (run.length) add(await salesBySku(q, run[0]!.start, run.at(-1)!.end));
      run = day ? [day] : [];
    }
    const top = [...totals].filter(([, t]) => t.units > 0).sort((a, b) => b[1].units - a[1].units || a[0] - b[0]).slice(0, limit);
    const names = new Map<number, string>();
    if (top.length) for (const r of await q('skus').whereIn('id', top.map(([id]) => id)).select('id', 'name')) names.set(Number(r.id), r.name);
    return top.map(([id, t]) => ({ sku_id: id, name: names.get(id) ?? '', count: t.units, amount: formatCents(t.cents) }));
  }

  /**
   * Counts the closed days of the last `n` into sku_sales_days: days not yet held, and the last
   * `recount` days again (orders of recent days may still be cancelled). Returns the days counted.
   */
  async rollupSales(context: RequestContext, n = 30, recount = 8): Promise<number> {
    const q = db(context);
    const closed = this.lastDays(context, n + 1).slice(0, -1);
    const done = new Set<string>(await q('sku_sales_days_done').whereIn('date', closed.map((d) => d.date)).pluck('date'));
    const due = closed.filter((d, i) => !done.has(d.date) || i >= closed.length - recount);
    for (const day of due) {
      const rows = await salesBySku(q, day.start, day.end);
      await withTransaction(context, async (ctx) => {
        await db(ctx)('sku_sales_days').where('date', day.date).del();
        for (let i = 0; i < rows.length; i += 500) {
          await db(ctx)('sku_sales_days').insert(rows.slice(i, i + 500).map((r) => ({ date: day.date, sku_id: Number(r.sku_id), units: Number(r.units), cents: Number(r.cents) })));
        }
        await db(ctx)('sku_sales_days_done').where('date', day.date).del();
        await db(ctx)('sku_sales_days_done').insert({ date: day.date, counted_at: context.clock.now().getTime() });
      });
    }
    // days past any window asked about are not read again
    await q('sku_sales_days').where('date', '<', closed[0]!.date).del();
    await q('sku_sales_days_done').where('date', '<', closed[0]!.date).del();
    return due.length;
  }

  /** Today's SKU page views per third-level category, as flushed from the counters (≤ 1 min behind), most viewed first. */
  async viewsToday(context: RequestContext): Promise<CategoryViews[]> {
    const day = this.today(context);
    const rows = (await db(context)('sku_category_views as v')
      .leftJoin('goods_categories as c', 'c.id', 'v.category_id')
      .where('v.date', day.date)
      .select('v.category_id', 'v.count', 'c.name')
      .orderBy([{ column: 'v.count', order: 'desc' }, { column: 'v.category_id', order: 'asc' }])) as { category_id: number; count: number | string; name: string | null }[];
    return rows.map((r) => ({ category_id: Number(r.category_id), name: r.name ?? '', count: Number(r.count) }));
  }
}

/** Units and exact cents sold per SKU in orders placed in [from, to) that are not cancelled. */
function salesBySku(q: Knex, from: number, to: number): Promise<{ sku_id: unknown; units: unknown; cents: unknown }[]> {
  return q('orders as o')
    .join('order_lines as l', 'l.order_id', 'o.order_id')
    .where('o.created_at', '>=', from)
    .andWhere('o.created_at', '<', to)
    .andWhere('o.status', '<>', CANCELLED)
    .groupBy('l.sku_id')
    .select('l.sku_id', q.raw('SUM(l.count) AS units'), q.raw(`${sumCentsSql(q, 'l.price', 'l.count')} AS cents`));
}

async function countIn(q: Knex.QueryBuilder, column: string, day: ShopDay): Promise<number> {
  const row = await q.where(column, '>=', day.start).andWhere(column, '<', day.end).count({ n: '*' }).first();
  return Number((row as { n?: number | string } | undefined)?.n ?? 0);
}
