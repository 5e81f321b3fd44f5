import type { Cookies, RequestContext } from '../../context.ts';
import { db } from '../../db/transaction.ts';
import { AppError } from '../../errors.ts';
import { MAX_COUNT_PER_LINE } from './order-rules.ts';

// 再次购买: an order's lines go back into the customer's cart through the cart's own add (its
// rules hold: launched SKUs, 1–99 and the stock, 50 lines). A line that cannot go back — no longer
// launched, sold out, or refused by the cart — is skipped and reported; the others are added.

/** What 再次购买 needs from the cart (api/services/cart). */
export interface CartAdder {
  add(context: RequestContext, cookies: Cookies, body: { sku_id: number; count: number }): Promise<{ sku_id: number; count: number }>;
}

export interface Reordered {
  added: { sku_id: number; name: string; count: number }[];
  skipped: { sku_id: number; name: string; reason: string }[];
}

export async function reorder(context: RequestContext, cookies: Cookies, cart: CartAdder, lines: { sku_id: number; name: string; count: number }[]): Promise<Reordered> {
  const ids = lines.map((l) => l.sku_id);
  const rows = ids.length ? await db(context)('skus').whereIn('id', ids).select('id', 'is_launched', 'stock') : [];
  const byId = new Map(rows.map((r) => [Number(r.id), r]));
  const out: Reordered = { added: [], skipped: [] };
  for (const l of lines) {
    const sku = byId.get(l.sku_id);
    if (!sku || !sku.is_launched) {
      out.skipped.push({ sku_id: l.sku_id, name: l.name, reason: '商品已下架' });
      continue;
    }
    // as many as ordered, or what is left when fewer are in stock
    const count = Math.min(l.count, Number(sku.stock), MAX_COUNT_PER_LINE);
    if (count < 1) {
      out.skipped.push({ sku_id: l.sku_id, name: l.name, reason: '库存不足' });
      continue;
    }
    try {
      await cart.add(context, cookies, { sku_id: l.sku_id, count });
      out.added.push({ sku_id: l.sku_id, name: l.name, count });
    } catch (err) {
      // the cart's own refusals (full, 99 of the SKU already, stock gone meanwhile) are 4xx with a message for the customer
      if (!(err instanceof AppError) || err.statusCode >= 500) throw err;
      out.skipped.push({ sku_id: l.sku_id, name: l.name, reason: Object.values(err.fields ?? {})[0] ?? err.message });
    }
  }
  return out;
}
