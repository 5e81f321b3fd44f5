import type { Knex } from 'knex';
import { deleteRowsRead } from '../../db/delete-read.ts';
import type { RequestContext } from '../../context.ts';
import { withTransaction } from '../../db/transaction.ts';
import { recordChanges } from '../catalog/outbox.ts';
import { SKU_COLUMNS, toSku } from '../catalog/rows.ts';

// Sales move with every order, and the "hot" list pages and hot-seller boxes depend on sales. One
// rebuild per order would re-render a category's pages hundreds of times a minute, so orders only
// note what they sold (sales_changes), and this runs every HOT_REBUILD_EVERY: it folds the moves
// per SKU into catalog changes {before, after} — before = the sales the pages last saw — and hands
// them to the page outbox in one transaction. The dependency planner (catalog/dependencies.ts)
// then re-renders exactly the list pages whose order moved and, where a category's best sellers
// changed, that category's detail pages. SPU sales are brought up to date here too (stock.ts).
// Comments note their move in the same rows (comments_delta): a SKU's comment count is on its page
// and on every card of it, and comes to the pages in the same batches.

/** Rows folded per transaction: a backlog (a worker down for an hour of orders) goes in several. */
const ROWS_PER_RUN = 20_000;

/** Plans the pages of every unplanned move; returns how many SKU changes it recorded. */
export async function planHotPages(context: RequestContext, opts: { rowsPerRun?: number } = {}): Promise<number> {
  const limit = opts.rowsPerRun ?? ROWS_PER_RUN;
  let planned = 0;
  for (;;) {
    const { skus, rows } = await planBatch(context, limit);
    planned += skus;
    if (rows < limit) return planned;
  }
}

async function planBatch(context: RequestContext, limit: number): Promise<{ skus: number; rows: number }> {
  return withTransaction(context, async (tx) => {
    const { trx } = tx;
    // the rows themselves, not a SUM up to the last id: exactly these are folded and deleted, so a
    // row that commits later with a lower id is left for the next run (api/db/delete-read.ts)
    const read: { id: unknown; sku_id: unknown; delta: unknown; comments_delta: unknown }[] = await trx('sales_changes')
      .orderBy('id')
      .limit(limit)
      .select('id', 'sku_id', 'delta', 'comments_delta');
    if (read.length === 0) return { skus: 0, rows: 0 };
    const moved = new Map<number, { sales: number; comments: number }>();
    for (const r of read) {
      const m = moved.get(Number(r.sku_id)) ?? { sales: 0, comments: 0 };
      m.sales += Number(r.delta);
      m.comments += Number(r.comments_delta);
      moved.set(Number(r.sku_id), m);
    }
    for (const [id, d] of moved) if (d.sales === 0 && d.comments === 0) moved.delete(id);
    const rows = moved.size ? await trx('skus').whereIn('id', [...moved.keys()]).select(SKU_COLUMNS) : [];
    // What the pages last saw = the SKU now minus every move not yet planned. When this batch is all
    // there is, that is its own moves; a batch cut by the limit leaves later rows in the same
    // snapshot, so they are summed too, and this batch's `after` is where the next one's `before` starts.
    const unplanned = read.length < limit || moved.size === 0 ? moved : await pendingMoves(trx, [...moved.keys()]);
    const changes = rows.map((r) => {
      const now = toSku(r);
      const d = moved.get(now.id)!;
      const u = unplanned.get(now.id) ?? d;
      // orders move stock against sales (stock.ts), so the stock the pages last saw is found the same
      // way: a SKU page's JSON-LD says whether it is in stock, and selling out re-renders it
      const before = { ...now, sales: now.sales - u.sales, stock: now.stock + u.sales, comments: now.comments - u.comments };
      return {
        kind: 'sku' as const,
        before,
        after: { ...now, sales: before.sales + d.sales, stock: before.stock - d.sales, comments: before.comments + d.comments },
      };
    });
    if (changes.length) await recordChanges(tx, changes);
    // SPU sales (for admins; no page shows them) follow here, in batches, not in each order
    const perSpu = new Map<number, number>();
    for (const c of changes) perSpu.set(c.after.spuId, (perSpu.get(c.after.spuId) ?? 0) + moved.get(c.after.id)!.sales);
    for (const [spu, n] of [...perSpu].sort((a, b) => a[0] - b[0])) if (n !== 0) await trx('spus').where({ id: spu }).increment('sales', n);
    await deleteRowsRead(trx, 'sales_changes', read.map((r) => Number(r.id)));
    return { skus: changes.length, rows: read.length };
  });
}

/** Every unplanned move of these SKUs (the rows of sales_changes, summed per SKU). */
async function pendingMoves(trx: Knex.Transaction, skuIds: number[]): Promise<Map<number, { sales: number; comments: number }>> {
  const sums: { sku_id: unknown; sales: unknown; comments: unknown }[] = await trx('sales_changes')
    .whereIn('sku_id', skuIds)
    .groupBy('sku_id')
    .select('sku_id')
    .sum({ sales: 'delta', comments: 'comments_delta' });
  return new Map(sums.map((r) => [Number(r.sku_id), { sales: Number(r.sales), comments: Number(r.comments) }]));
}
