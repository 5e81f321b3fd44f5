import { z } from 'zod';
import { LIMITS } from '../../numbers.ts';
import { MAX_COUNT_PER_LINE } from '../orders/order-rules.ts';
import type { StockState } from './stock-state.ts';

// The cart's request bodies: the routes validate with these (and the OpenAPI document shows the
// bounds), and CartService parses its input with them again, so a caller that is not a route meets
// the same rules. Numbers must be JSON integers: "2" or 2.5 is refused, not rounded.

const skuId = z.number({ message: '请指定商品' }).int('请指定商品').min(LIMITS.id.min, '请指定商品').max(LIMITS.id.max, '请指定商品');
const count = z
  .number({ message: '请输入数量' })
  .int('数量必须是整数')
  .min(1, '数量至少为 1')
  .max(MAX_COUNT_PER_LINE, `每种商品最多 ${MAX_COUNT_PER_LINE} 件`);
const selected = z.boolean({ message: '勾选状态必须是 true 或 false' });

export const cartAddSchema = z.object({ sku_id: skuId, count, selected: selected.default(true) });
export const cartPutSchema = z.object({ sku_id: skuId, count, selected });
export const cartDeleteSchema = z.object({ sku_id: skuId });
export const cartSelectionSchema = z.object({ selected });

export type CartAddBody = z.input<typeof cartAddSchema>;
export type CartPutBody = z.input<typeof cartPutSchema>;

/** A line as the cart page shows it. */
export interface CartItem {
  id: number;
  name: string;
  default_image_url: string;
  /** Unit price now, a decimal string such as "6688.00". */
  price: string;
  count: number;
  /** Always false for an off-sale line: checkout skips it (CartService.selectedLines). */
  selected: boolean;
  /** The SKU's stock now (0 when off sale). */
  stock: number;
  /** The most this line may be raised to: maxPerOrder (order-rules.ts); 0 when off sale. */
  max: number;
  stock_state: StockState;
}
