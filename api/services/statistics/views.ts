import crypto from 'node:crypto';
import type { Cache } from '../../cache/index.ts';
import type { RequestContext } from '../../context.ts';
import { insertOrAdd, isDuplicateKey } from '../../db/dialect.ts';
import { db, withTransaction } from '../../db/transaction.ts';
import { NotFoundError } from '../../errors.ts';
import { zoneDays, ZoneDays } from '../../shop-days.ts';

// SKU page views per shop day and third-level category (docs/statistics.md). A view is one
// HINCRBY in the cache — no database write per view; a job flushes the counters into
// sku_category_views every minute with an upsert that adds. Taking the counters must lose nothing
// and count nothing twice, with two workers flushing at once or one dying half way:
//   1. claim: the day's hash `views:<date>` is renamed to `views:<date>:pending` (only while no
//      pending hash exists) and stamped with a fresh flush id, in one atomic step; views arriving
//      afterwards start a new hash;
//   2. apply: in one transaction, insert the flush id into sku_view_flushes (primary key) and add
//      the counts; when the id is already there the pending hash was applied before — skip;
//   3. delete the pending hash, only while it still carries that id.
// A flush that died after 1 or 2 leaves the pending hash, and the next flush applies it first
// (once: step 2's id). Counters older than COUNTER_DAYS are dropped by their TTL unflushed — only
// if no worker ran for that long.

/** Days of counters a flush looks at, and their lifetime in the cache. */
export const COUNTER_DAYS = 8;
/** Views counted per client address per shop day; past it a view is answered but not counted. */
export const VIEWS_PER_IP_DAY = 200;
/** A client's repeated views of one SKU within one window of this many seconds count once. */
export const REPEAT_VIEW_SECONDS = 600;
const STAMP = '_flush';

const dayKey = (date: string) => `views:${date}`;
const pendingKey = (date: string) => `views:${date}:pending`;

export class SkuViewService {
  readonly days: ZoneDays;

  constructor(private readonly cache: Cache, timeZone: string) {
    this.days = zoneDays(timeZone);
  }

  /**
   * A view of a launched SKU's page (404 for another id). Counted at most once per address and SKU
   * in each REPEAT_VIEW_SECONDS window of the clock, and VIEWS_PER_IP_DAY per address and day, so a bot cannot inflate the
   * figures cheaply; returns whether it was counted.
   */
  async record(context: RequestContext, skuId: number): Promise<boolean> {
    const sku = (await db(context)('skus').where({ id: skuId, is_launched: true }).first('category_id')) as { category_id: number } | undefined;
    if (!sku) throw new NotFoundError('商品不存在', 'SKU_NOT_FOUND');
    const now = context.clock.now().getTime();
    const date = this.days.dateOf(now);
    const ip = context.ip || '-';
    if ((await this.cache.incr(`views:ip:${date}:${ip}`, 2 * 86_400)) > VIEWS_PER_IP_DAY) return false;
    // windows of the request's clock (not the cache's TTL), so the rule is the same in tests
    const window = Math.floor(now / (REPEAT_VIEW_SECONDS * 1000));
    if (!(await this.cache.setIfAbsent(`views:seen:${ip}:${skuId}:${window}`, '1', REPEAT_VIEW_SECONDS))) return false;
    await this.cache.hashIncr(dayKey(date), String(sku.category_id), COUNTER_DAYS * 86_400);
    return true;
  }

  /** Moves every counter of the last COUNTER_DAYS days into sku_category_views; returns the views moved. */
  async flush(context: RequestContext): Promise<number> {
    const now = context.clock.now().getTime();
    let moved = 0;
    for (const day of this.days.lastDays(now, COUNTER_DAYS)) {
      // a pending hash left by a flush that died (or is running now) goes first
      moved += await this.applyPending(context, day.date);
      if (await this.cache.claimHash(dayKey(day.date), pendingKey(day.date), STAMP, crypto.randomUUID())) {
        moved += await this.applyPending(context, day.date);
      }
    }
    // ids are kept long enough that no pending hash carrying one can still exist
    await db(context)('sku_view_flushes').where('created_at', '<', now - 2 * COUNTER_DAYS * 86_400_000).del();
    return moved;
  }

  private async applyPending(context: RequestContext, date: string): Promise<number> {
    const pending = await this.cache.hashGetAll(pendingKey(date));
    const id = pending[STAMP];
    if (!id) return 0;
    const rows = Object.entries(pending)
      .filter(([field, n]) => /^[0-9]{1,10}$/.test(field) && /^[0-9]{1,15}$/.test(n) && Number(n) > 0)
      .map(([field, n]) => ({ date, category_id: Number(field), count: Number(n) }));
    let applied = false;
    try {
      await withTransaction(context, async (ctx) => {
        await db(ctx)('sku_view_flushes').insert({ id, created_at: context.clock.now().getTime() });
        await insertOrAdd(db(ctx), 'sku_category_views', ['date', 'category_id'], 'count', rows);
      });
      applied = true;
    } catch (err) {
      // another flush applied this id already (or is committing it now and will delete the hash)
      if (!isDuplicateKey(err)) throw err;
    }
    await this.cache.delIfHashField(pendingKey(date), STAMP, id);
    return applied ? rows.reduce((n, r) => n + r.count, 0) : 0;
  }
}
