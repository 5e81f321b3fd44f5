// What the cart page says about a line's stock, decided once on the server (GET /api/cart) so the
// page, the tests and the OpenAPI document read the same four states:
//   ok        nothing to say
//   low       the stock is small but covers the line: 仅剩 N 件
//   short     the line holds more than can be bought (count > max): 库存不足, offer 改为 max
//   off_sale  taken off sale: 已下架, never selected, can only be removed
// The SKU page says 仅剩 N 件 below the same LOW_STOCK (site/scripts/detail.ts imports it).

export const STOCK_STATES = ['ok', 'low', 'short', 'off_sale'] as const;
export type StockState = (typeof STOCK_STATES)[number];

/** Below this stock the shop says 仅剩 N 件. */
export const LOW_STOCK = 10;

export function stockState(line: { launched: boolean; stock: number; count: number; max: number }): StockState {
  if (!line.launched) return 'off_sale';
  if (line.count > line.max) return 'short';
  return line.stock < LOW_STOCK ? 'low' : 'ok';
}
