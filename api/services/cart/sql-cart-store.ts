import type { Knex } from 'knex';
import type { RequestContext } from '../../context.ts';
import { forUpdate } from '../../db/dialect.ts';
import { db, withTransaction } from '../../db/transaction.ts';
import { UnauthorizedError } from '../../errors.ts';
import { mergeLines, putLine, type CartLine, type CartStore, type LineChange, type PutOutcome } from './cart-store.ts';

// Carts of logged-in customers on the embedded default: the cart_lines table, so a cart survives a
// restart. The table has no column for the order of addition, so `updated_at` is written once, when
// a line is added, strictly after the customer's newest line (a clock standing still or stepping
// back keeps the order), and never moved by a later change: the lines sort by it.

interface StoredLine extends CartLine {
  at: number;
}

const TABLE = 'cart_lines';

export class SqlCartStore implements CartStore {
  private async load(q: Knex, userId: number): Promise<StoredLine[]> {
    const rows = await q(TABLE).where({ user_id: userId }).orderBy([{ column: 'updated_at' }, { column: 'sku_id' }]).select('sku_id', 'count', 'selected', 'updated_at');
    return rows.map((r) => ({ sku_id: Number(r.sku_id), count: Number(r.count), selected: Boolean(r.selected), at: Number(r.updated_at) }));
  }

  /** Runs `work` on the customer's lines as one writer: two adds of a new SKU at once would both insert it. */
  private write<T>(context: RequestContext, userId: number, work: (trx: Knex.Transaction, current: StoredLine[]) => Promise<T>): Promise<T> {
    return withTransaction(context, async ({ trx }) => {
      const user = await forUpdate(trx, trx('users').where({ id: userId }).select('id'));
      if (user.length === 0) throw new UnauthorizedError();
      return work(trx, await this.load(trx, userId));
    });
  }

  private static nextAt(context: RequestContext, current: readonly StoredLine[]): number {
    return Math.max(context.clock.now().getTime(), ...current.map((l) => l.at + 1));
  }

  async lines(context: RequestContext, userId: number): Promise<CartLine[]> {
    return (await this.load(db(context), userId)).map(({ sku_id, count, selected }) => ({ sku_id, count, selected }));
  }

  put(context: RequestContext, userId: number, change: LineChange, max: number): Promise<PutOutcome> {
    return this.write(context, userId, async (trx, current) => {
      const r = putLine(current, change, max);
      if (!r.ok) return r;
      const { sku_id, count, selected } = r.line;
      if (r.added) await trx(TABLE).insert({ user_id: userId, sku_id, count, selected, updated_at: SqlCartStore.nextAt(context, current) });
      else await trx(TABLE).where({ user_id: userId, sku_id }).update({ count, selected });
      return r;
    });
  }

  async remove(context: RequestContext, userId: number, skuIds: readonly number[]): Promise<void> {
    if (skuIds.length === 0) return;
    await db(context)(TABLE).where({ user_id: userId }).whereIn('sku_id', [...skuIds]).del();
  }

  async selectAll(context: RequestContext, userId: number, selected: boolean): Promise<void> {
    await db(context)(TABLE).where({ user_id: userId }).update({ selected });
  }

  merge(context: RequestContext, userId: number, guest: readonly CartLine[]): Promise<void> {
    return this.write(context, userId, async (trx, current) => {
      const { lines, dropped } = mergeLines(current, guest);
      const had = new Set(current.map((l) => l.sku_id));
      const fromGuest = new Set(guest.map((l) => l.sku_id));
      let at = SqlCartStore.nextAt(context, current);
      const added: Record<string, unknown>[] = [];
      for (const l of lines) {
        if (!fromGuest.has(l.sku_id)) continue;
        if (had.has(l.sku_id)) await trx(TABLE).where({ user_id: userId, sku_id: l.sku_id }).update({ count: l.count, selected: l.selected });
        else added.push({ user_id: userId, sku_id: l.sku_id, count: l.count, selected: l.selected, updated_at: at++ });
      }
      if (added.length > 0) await trx(TABLE).insert(added);
      if (dropped.length > 0) await trx(TABLE).where({ user_id: userId }).whereIn('sku_id', dropped).del();
    });
  }
}
