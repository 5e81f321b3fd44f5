import type { Knex } from 'knex';
import type { RequestContext } from '../../context.ts';
import { forUpdate } from '../../db/dialect.ts';
import { db, withTransaction } from '../../db/transaction.ts';
import { ConflictError, NotFoundError } from '../../errors.ts';
import { centsFromDb, formatCents } from '../../money.ts';
import { ORDER_STATUS } from './order-rules.ts';

// Comments on ordered goods: only the order's owner, only once the order is delivered (待评价),
// once per line. The last line commented finishes the order (已完成). A SKU's comments are public,
// newest first; an anonymous one shows its author as the name's first and last letter (u***r).

export const maskName = (name: string) => (name.length <= 2 ? name[0] + '***' : `${name[0]}***${name[name.length - 1]}`);

export class CommentService {
  /** `lock`: take the order's row first (the comment's transaction), so comments of one order queue. */
  private async ownOrder(q: Knex, userId: number, orderId: string, lock = false) {
    const query = q('orders').where({ order_id: orderId, user_id: userId }).select('order_id', 'status');
    const order = await (lock ? forUpdate(q, query) : query).first();
    if (!order) throw new NotFoundError('订单不存在', 'ORDER_NOT_FOUND');
    return order;
  }

  async uncommented(context: RequestContext, userId: number, orderId: string) {
    const order = await this.ownOrder(db(context), userId, orderId);
    if (Number(order.status) !== ORDER_STATUS.uncommented) return [];
    const rows = await db(context)('order_lines').where({ order_id: orderId, is_commented: false }).orderBy('id').select('sku_id', 'name', 'default_image_url', 'price', 'count');
    return rows.map((r) => ({ sku_id: Number(r.sku_id), name: r.name, default_image_url: r.default_image_url ?? null, price: formatCents(centsFromDb(r.price)), count: Number(r.count) }));
  }

  async comment(context: RequestContext, userId: number, orderId: string, input: { sku_id: number; comment: string; score: number; is_anonymous: boolean }) {
    const at = context.clock.now().getTime();
    return withTransaction(context, async ({ trx }) => {
      // The order's row is locked before anything is read: two comments on its last two lines at
      // once would otherwise each count the other's line as uncommented (on MariaDB each reads its
      // own snapshot) and neither finish the order. Locked, the second waits, and its first plain
      // read — the count below — comes after the first one's commit.
      const order = await this.ownOrder(trx, userId, orderId, true);
      if (Number(order.status) !== ORDER_STATUS.uncommented) throw new ConflictError('订单收货后才能评价', 'ORDER_NOT_COMMENTABLE');
      const changed = await trx('order_lines')
        .where({ order_id: orderId, sku_id: input.sku_id, is_commented: false })
        .update({ comment: input.comment, score: input.score, is_anonymous: input.is_anonymous, is_commented: true, commented_at: at });
      if (changed !== 1) {
        const line = await trx('order_lines').where({ order_id: orderId, sku_id: input.sku_id }).first('id');
        if (!line) throw new NotFoundError('订单中没有这件商品', 'ORDER_LINE_NOT_FOUND');
        throw new ConflictError('这件商品已经评价过了', 'ALREADY_COMMENTED');
      }
      const sku = await trx('skus').where({ id: input.sku_id }).first('spu_id');
      await trx('skus').where({ id: input.sku_id }).increment('comments', 1);
      if (sku) await trx('spus').where({ id: sku.spu_id }).increment('comments', 1);
      // the count is on prebuilt pages: the hot-page job re-renders them in its next batch (hot-pages.ts)
      await trx('sales_changes').insert({ sku_id: input.sku_id, delta: 0, comments_delta: 1, created_at: at });
      const left = Number((await trx('order_lines').where({ order_id: orderId, is_commented: false }).count({ n: '*' }).first())?.n ?? 0);
      if (left === 0) await trx('orders').where({ order_id: orderId, status: ORDER_STATUS.uncommented }).update({ status: ORDER_STATUS.finished, updated_at: at });
      return { order_id: orderId, sku_id: input.sku_id, order_status: left === 0 ? ORDER_STATUS.finished : ORDER_STATUS.uncommented };
    });
  }

  async forSku(context: RequestContext, skuId: number, page: number, pageSize: number) {
    const base = () => db(context)('order_lines as l').join('orders as o', 'o.order_id', 'l.order_id').join('users as u', 'u.id', 'o.user_id').where({ 'l.sku_id': skuId, 'l.is_commented': true });
    const count = Number((await base().count({ n: '*' }).first())?.n ?? 0);
    const rows = await base()
      .orderBy([{ column: 'l.commented_at', order: 'desc' }, { column: 'l.id', order: 'desc' }])
      .limit(pageSize)
      .offset((page - 1) * pageSize)
      .select('u.username', 'l.comment', 'l.score', 'l.is_anonymous', 'l.commented_at');
    return {
      count,
      results: rows.map((r) => ({
        username: r.is_anonymous ? maskName(r.username) : r.username,
        comment: r.comment,
        score: Number(r.score),
        is_anonymous: Boolean(r.is_anonymous),
        created_at: new Date(Number(r.commented_at)).toISOString(),
      })),
    };
  }
}
