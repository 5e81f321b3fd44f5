import type { Knex } from 'knex';

// Every add to a cart first reads the SKU (on sale? how much stock?). Under load that one query per
// request was most of POST /api/cart's CPU: a MySQL round trip costs a socket write each, where the
// Redis commands of concurrent requests already share one (ioredis auto-pipelining). So the checks
// that arrive within one turn of the event loop share one `WHERE id IN (…)` query. Nothing is
// cached: each check reads the database after its request arrived, so the answer is as fresh as a
// query of its own.

const MAX_BATCH = 200;

interface Waiter {
  resolve(stock: number | null): void;
  reject(err: unknown): void;
}

export class SkuStockBatch {
  private pending: Map<number, Waiter[]> | null = null;

  constructor(private readonly db: Knex) {}

  /** The SKU's stock when it exists and is on sale, else null. */
  stockOf(skuId: number): Promise<number | null> {
    return new Promise((resolve, reject) => {
      if (!this.pending || this.pending.size >= MAX_BATCH) {
        const batch = new Map<number, Waiter[]>();
        this.pending = batch;
        setImmediate(() => {
          if (this.pending === batch) this.pending = null;
          void this.run(batch);
        });
      }
      const waiters = this.pending.get(skuId);
      if (waiters) waiters.push({ resolve, reject });
      else this.pending.set(skuId, [{ resolve, reject }]);
    });
  }

  private async run(batch: Map<number, Waiter[]>): Promise<void> {
    try {
      const rows = await this.db('skus').whereIn('id', [...batch.keys()]).andWhere('is_launched', true).select('id', 'stock');
      const stock = new Map(rows.map((r) => [Number(r.id), Number(r.stock)]));
      for (const [id, waiters] of batch) for (const w of waiters) w.resolve(stock.get(id) ?? null);
    } catch (err) {
      for (const waiters of batch.values()) for (const w of waiters) w.reject(err);
    }
  }
}
