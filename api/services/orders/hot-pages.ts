import type { Knex } from 'knex';
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

export async function planHotPages(db: Knex): Promise<number> {
  return db.transaction(async (trx) => {
    const last = Number((await trx('sales_changes').max({ id: 'id' }).first())?.id ?? 0);
    if (!last) return 0;
    const sums: { sku_id: unknown; sales: unknown; comments: unknown }[] = await trx('sales_changes')
      .where('id', '<=', last)
      .groupBy('sku_id')
      .select('sku_id')
      .sum({ sales: 'delta', comments: 'comments_delta' });
    const moved = new Map(
      sums.map((s) => [Number(s.sku_id), { sales: Number(s.sales), comments: Number(s.comments) }] as const).filter(([, d]) => d.sales !== 0 || d.comments !== 0),
    );
    const rows = moved.size ? await trx('skus').whereIn('id', [...moved.keys()]).select(SKU_COLUMNS) : [];
    const changes = rows.map((r) => {
      const after = toSku(r);
      const d = moved.get(after.id)!;
      return { kind: 'sku' as const, before: { ...after, sales: after.sales - d.sales, comments: after.comments - d.comments }, after };
    });
    if (changes.length) await recordChanges(trx, changes);
    // SPU sales (for admins; no page shows them) follow here, in batches, not in each order
    const perSpu = new Map<number, number>();
    for (const c of changes) perSpu.set(c.after.spuId, (perSpu.get(c.after.spuId) ?? 0) + moved.get(c.after.id)!.sales);
    for (const [spu, n] of [...perSpu].sort((a, b) => a[0] - b[0])) if (n !== 0) await trx('spus').where({ id: spu }).increment('sales', n);
    await trx('sales_changes').where('id', '<=', last).del();
    return changes.length;
  });
}
