import type { RequestContext } from '../../context.ts';
import { forUpdate } from '../../db/dialect.ts';
import { db, withTransaction } from '../../db/transaction.ts';
import { NotFoundError } from '../../errors.ts';
import { skuSummary } from '../catalog/catalog-service.ts';
import { SKU_COLUMNS, toSku } from '../catalog/rows.ts';
import type { SkuSummary } from '../catalog/types.ts';

// The SKUs a customer looked at last: one row per (user, SKU), at most HISTORY_LENGTH per user.
// The original kept a Redis list (LREM, LPUSH, LTRIM); here it is a table, so it survives a cache
// flush, goes with the user (CASCADE), and the list is one query instead of one per SKU.

export const HISTORY_LENGTH = 5;

export class BrowseHistoryService {
  /**
   * Puts the SKU at the front of the user's history; 404 for an unknown or unlaunched SKU. `now` is
   * epoch ms (routes pass context.clock.now()).
   */
  async record(context: RequestContext, userId: number, skuId: number, now: number): Promise<{ sku_id: number }> {
    return withTransaction(context, async ({ trx }) => {
      // one writer per user at a time, so two visits at once cannot both keep a sixth row
      const users = await forUpdate(trx, trx('users').where({ id: userId }).select('id'));
      if (users.length === 0) throw new NotFoundError('用户不存在', 'USER_NOT_FOUND');
      const sku = await trx('skus').where({ id: skuId, is_launched: true }).first('id');
      if (!sku) throw new NotFoundError('商品不存在', 'SKU_NOT_FOUND');
      // strictly later than the newest row, so the order is the order of the visits even when the
      // clock stands still or steps back
      const newest = await trx('browse_histories').where({ user_id: userId }).max({ at: 'visited_at' });
      const visitedAt = Math.max(now, Number(newest[0]?.at ?? -1) + 1);
      await trx('browse_histories')
        .insert({ user_id: userId, sku_id: skuId, visited_at: visitedAt })
        .onConflict(['user_id', 'sku_id'])
        .merge(['visited_at']);
      const keep = await trx('browse_histories').where({ user_id: userId }).orderBy('visited_at', 'desc').limit(HISTORY_LENGTH).pluck('sku_id');
      await trx('browse_histories').where({ user_id: userId }).whereNotIn('sku_id', keep).del();
      return { sku_id: skuId };
    });
  }

  /** Up to HISTORY_LENGTH SKU summaries, newest first; SKUs taken off sale since are left out. */
  async recent(context: RequestContext, userId: number): Promise<SkuSummary[]> {
    const rows = await db(context)('browse_histories as h')
      .join('skus as s', 's.id', 'h.sku_id')
      .where({ 'h.user_id': userId, 's.is_launched': true })
      .orderBy('h.visited_at', 'desc')
      .limit(HISTORY_LENGTH)
      .select(SKU_COLUMNS.map((c) => `s.${c}`));
    return rows.map((r) => skuSummary(toSku(r)));
  }
}
