import type { Knex } from 'knex';
import type { Config } from '../../config.ts';
import { forUpdate } from '../../db/dialect.ts';
import { ConflictError, NotFoundError } from '../../errors.ts';
import { ORDER_STATUS } from './order-rules.ts';

// What one customer may hold. Cash-on-delivery orders take stock at once and nobody but staff can
// cancel them, so without a cap five orders of 99 emptied a SKU of 406 units. Two limits, both
// counted over the customer's OPEN orders — placed and not shipped (待支付, 待发货), the ones that
// hold stock nobody else can buy:
// - ORDER_MAX_UNITS_PER_SKU units of any one SKU (the cart's 99 a line stays; the order refuses);
// - ORDER_MAX_OPEN open orders.
// Both are checked inside the order's transaction, after lockCustomer(): two orders of one customer
// at once then count one after the other (on SQLite every writer waits its turn anyway).
// A per-SKU limit set by staff belongs with the admin API's SKU editing; it would take the place of
// `limits.maxUnitsPerSku` for that SKU in checkCustomerLimits() below.

export type OrderLimits = Pick<Config['orders'], 'maxUnitsPerSku' | 'maxOpenOrders'>;

/** Placed and not shipped: the statuses that hold stock for the customer. */
export const OPEN_STATUSES = [ORDER_STATUS.unpaid, ORDER_STATUS.unsent];

/**
 * Locks the customer's row until the transaction ends: the one queue for that customer's orders.
 * Must come before the transaction's first plain read — on MariaDB (REPEATABLE READ) that read fixes
 * the snapshot every later read sees, and it has to include the orders committed by whoever held
 * the lock before.
 */
export async function lockCustomer(trx: Knex.Transaction, userId: number): Promise<void> {
  const rows = await forUpdate(trx, trx('users').where({ id: userId }).select('id'));
  if (rows.length === 0) throw new NotFoundError('用户不存在', 'USER_NOT_FOUND');
}

/** 409 when the order would take the customer past either limit; nothing is written either way. */
export async function checkCustomerLimits(
  trx: Knex.Transaction,
  userId: number,
  ordered: { id: number; name: string; count: number }[],
  limits: OrderLimits,
): Promise<void> {
  const open = await trx('orders').where('user_id', userId).whereIn('status', OPEN_STATUSES).count({ n: '*' }).first();
  if (Number(open?.n ?? 0) >= limits.maxOpenOrders) {
    throw new ConflictError(
      `每位顾客最多同时有 ${limits.maxOpenOrders} 个未完成的订单（待支付、待发货），请等订单发货或取消待支付的订单后再下单`,
      'ORDER_LIMIT_OPEN',
    );
  }
  const heldRows: { sku_id: number; n: unknown }[] = await trx('order_lines as l')
    .join('orders as o', 'o.order_id', 'l.order_id')
    .where('o.user_id', userId)
    .whereIn('o.status', OPEN_STATUSES)
    .whereIn('l.sku_id', ordered.map((s) => s.id))
    .groupBy('l.sku_id')
    .select('l.sku_id', trx.raw('SUM(l.count) as n'));
  const held = new Map(heldRows.map((r) => [Number(r.sku_id), Number(r.n)]));
  const fields: Record<string, string> = {};
  for (const sku of ordered) {
    const already = held.get(sku.id) ?? 0;
    const left = Math.max(0, limits.maxUnitsPerSku - already);
    if (sku.count <= left) continue;
    const holding = already > 0 ? `，未完成的订单中已有 ${already} 件` : '';
    fields[`sku_${sku.id}`] = left > 0 ? `${sku.name} 每人限购 ${limits.maxUnitsPerSku} 件${holding}，本单最多还能买 ${left} 件` : `${sku.name} 每人限购 ${limits.maxUnitsPerSku} 件${holding}，已达上限，订单发货后才能再买`;
  }
  const over = Object.values(fields);
  if (over.length > 0) throw new ConflictError(`超出限购数量，订单未提交：${over.join('；')}`, 'ORDER_LIMIT_UNITS', fields);
}
