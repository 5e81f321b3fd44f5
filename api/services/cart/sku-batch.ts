import type { Knex } from 'knex';
import type { RequestContext } from '../../context.ts';

// Every add to a cart first reads the SKU (on sale? how much stock?). Under load that one query per
// request was most of POST /api/cart's CPU: a MySQL round trip costs a socket write each, where the
// Redis commands of concurrent requests already share one (ioredis auto-pipelining). So the checks
// that arrive within one turn of the event loop share one `WHERE id IN (…)` query. Nothing is
// cached: each check reads the database after its request arrived, so the answer is as fresh as a
// query of its own. Only reads outside a transaction are batched (a transaction's reads are its
// own), so a batch reads through the pool of the contexts that joined it.

const MAX_BATCH = 200;

interface Waiter {
  resolve(stock: number | null): void;
  reject(err: unknown): void;
}

export class SkuStockBatch {
  private pending: { pool: Knex; waiters: Map<number, Waiter[]> } | null = null;

  /** The SKU's stock when it exists and is on sale, else null. For a context outside any transaction. */
  stockOf(context: RequestContext, skuId: number): Promise<number | null> {
    if (context.trx) throw new Error('SkuStockBatch: a transaction reads its own rows, never a shared batch');
    return new Promise((resolve, reject) => {
      if (!this.pending || this.pending.waiters.size >= MAX_BATCH || this.pending.pool !== context.db) {
        const batch = { pool: context.db, waiters: new Map<number, Waiter[]>() };
        this.pending = batch;
        setImmediate(() => {
          if (this.pending === batch) this.pending = null;
          void this.run(batch.pool, batch.waiters);
        });
      }
      const waiters = this.pending.waiters.get(skuId);
      if (waiters) waiters.push({ resolve, reject });
      else this.pending.waiters.set(skuId, [{ resolve, reject }]);
    });
  }

  private async run(pool: Knex, batch: Map<number, Waiter[]>): Promise<void> {
    try {
      const rows = await pool('skus').whereIn('id', [...batch.keys()]).andWhere('is_launched', true).select('id', 'stock');
      const stock = new Map(rows.map((r) => [Number(r.id), Number(r.stock)]));
      for (const [id, waiters] of batch) for (const w of waiters) w.resolve(stock.get(id) ?? null);
    } catch (err) {
      for (const waiters of batch.values()) for (const w of waiters) w.reject(err);
    }
  }
}
