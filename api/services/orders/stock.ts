import type { Knex } from 'knex';
import { forUpdate } from '../../db/dialect.ts';
import { ConflictError } from '../../errors.ts';
import { centsFromDb } from '../../money.ts';

// Taking stock for an order, inside the order's transaction, by one of the two strategies of the
// seed slides (ORDER_LOCKING):
// - pessimistic: SELECT … FOR UPDATE the order's SKU rows, in id order (two carts that share SKUs
//   then lock them in the same order and never deadlock), check, then write;
// - optimistic: no read lock; one conditional UPDATE (… WHERE stock >= n for every SKU). The
//   condition is the check, so no retry loop is needed (the original's re-read-and-retry spun
//   forever under REPEATABLE READ): fewer rows changed than asked means a SKU is short.
// Hot SKUs are the contended rows of the whole shop, so the order takes them LAST in its
// transaction (the caller writes the order and its lines first, from readSkus()) and in as few
// statements as possible: the locks are held for the take and the commit only. On SQLite both
// strategies serialise anyway: every transaction begins IMMEDIATE (api/db/knex.ts).
// Any SKU short, unknown or taken off sale → 409 naming each; the caller's transaction rolls back.
// SPU sales are not written here: the SKUs of one SPU are often the hot ones together, and one SPU
// row in every order's transaction made all orders of that SPU wait for each other. The hot-page
// job adds them up in batches (hot-pages.ts).

export type Locking = 'pessimistic' | 'optimistic';

export interface OrderedSku {
  id: number;
  spu_id: number;
  category_id: number;
  name: string;
  default_image_url: string | null;
  price_cents: number;
  count: number;
}

interface SkuRow {
  id: number;
  spu_id: number;
  category_id: number;
  name: string;
  default_image: string | null;
  price: unknown;
  stock: number;
  is_launched: boolean | number;
}

/** sku id → units wanted, from cart lines (a SKU twice adds up). */
export function unitsWanted(lines: { sku_id: number; count: number }[]): Map<number, number> {
  const wanted = new Map<number, number>();
  for (const l of lines) wanted.set(l.sku_id, (wanted.get(l.sku_id) ?? 0) + l.count);
  return new Map([...wanted].sort((a, b) => a[0] - b[0]));
}

function shortage(wanted: Map<number, number>, rows: Pick<SkuRow, 'id' | 'name' | 'stock' | 'is_launched'>[], shortIds: number[]): ConflictError {
  const byId = new Map(rows.map((r) => [Number(r.id), r]));
  const fields: Record<string, string> = {};
  for (const id of shortIds) {
    const r = byId.get(id);
    fields[`sku_${id}`] = !r || !r.is_launched ? '商品已下架' : `${r.name} 库存不足（剩余 ${r.stock} 件，需要 ${wanted.get(id)} 件）`;
  }
  return new ConflictError('部分商品库存不足或已下架，订单未提交', 'OUT_OF_STOCK', fields);
}

/** The SKUs of an order as they are now (names and prices for its lines), without locking; 409 for unknown or unlaunched ones. */
export async function readSkus(trx: Knex.Transaction, wanted: Map<number, number>): Promise<OrderedSku[]> {
  const rows: SkuRow[] = await trx('skus').whereIn('id', [...wanted.keys()]).orderBy('id').select('id', 'spu_id', 'category_id', 'name', 'default_image', 'price', 'stock', 'is_launched');
  const gone = [...wanted.keys()].filter((id) => !rows.some((r) => Number(r.id) === id && r.is_launched));
  if (gone.length > 0) throw shortage(wanted, rows, gone);
  return rows.map((r) => ({
    id: Number(r.id),
    spu_id: Number(r.spu_id),
    category_id: Number(r.category_id),
    name: r.name,
    default_image_url: r.default_image || null,
    price_cents: centsFromDb(r.price),
    count: wanted.get(Number(r.id))!,
  }));
}

/** `CASE id WHEN ? THEN ? … END` over the wanted units, with its bindings. */
function unitsCase(wanted: Map<number, number>): [string, number[]] {
  const ids = [...wanted.keys()];
  return [`CASE id ${ids.map(() => 'WHEN ? THEN ?').join(' ')} END`, ids.flatMap((id) => [id, wanted.get(id)!])];
}

/** Takes the wanted units off stock and onto sales, or throws 409 naming the SKUs that are short. */
export async function takeStock(trx: Knex.Transaction, wanted: Map<number, number>, locking: Locking): Promise<void> {
  const ids = [...wanted.keys()];
  const [units, unitBindings] = unitsCase(wanted);
  const inList = ids.map(() => '?').join(', ');
  if (locking === 'pessimistic') {
    const locked: Pick<SkuRow, 'id' | 'name' | 'stock' | 'is_launched'>[] = await forUpdate(trx, trx('skus').whereIn('id', ids).orderBy('id').select('id', 'name', 'stock', 'is_launched'));
    const short = ids.filter((id) => {
      const r = locked.find((x) => Number(x.id) === id);
      return !r || !r.is_launched || Number(r.stock) < wanted.get(id)!;
    });
    if (short.length > 0) throw shortage(wanted, locked, short);
    await trx.raw(`UPDATE skus SET stock = stock - ${units}, sales = sales + ${units} WHERE id IN (${inList})`, [...unitBindings, ...unitBindings, ...ids]);
    return;
  }
  const result = await trx.raw(
    `UPDATE skus SET stock = stock - ${units}, sales = sales + ${units} WHERE id IN (${inList}) AND is_launched = 1 AND stock >= ${units}`,
    [...unitBindings, ...unitBindings, ...ids, ...unitBindings],
  );
  if (changedRows(result) !== ids.length) {
    const now = await trx('skus').whereIn('id', ids).select('id', 'name', 'stock', 'is_launched');
    const short = ids.filter((id) => {
      const r = now.find((x) => Number(x.id) === id);
      return !r || !r.is_launched || Number(r.stock) < wanted.get(id)!;
    });
    throw shortage(wanted, now, short.length ? short : ids);
  }
}

/** Rows an UPDATE changed, from either driver's raw result. */
function changedRows(result: unknown): number {
  const r = result as { changes?: number; affectedRows?: number } | [{ affectedRows?: number }];
  if (Array.isArray(r)) return Number(r[0]?.affectedRows ?? 0);
  return Number(r.changes ?? r.affectedRows ?? 0);
}

/** Gives an order's stock back (cancellation): the caller has made sure this happens once. */
export async function returnStock(trx: Knex.Transaction, lines: { sku_id: number; count: number }[]): Promise<void> {
  const wanted = unitsWanted(lines);
  if (wanted.size === 0) return;
  const [units, unitBindings] = unitsCase(wanted);
  const ids = [...wanted.keys()];
  await trx.raw(`UPDATE skus SET stock = stock + ${units}, sales = sales - ${units} WHERE id IN (${ids.map(() => '?').join(', ')})`, [...unitBindings, ...unitBindings, ...ids]);
}
