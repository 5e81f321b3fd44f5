import type { RequestContext } from '../../context.ts';

/** What checkout needs from a customer's cart (implemented by api/services/cart). */
export interface CartSource {
  /** The selected lines, in the order they were added. */
  selectedLines(context: RequestContext, userId: number): Promise<{ sku_id: number; count: number }[]>;
  /** Removes ordered lines (after the order committed). */
  removeLines(context: RequestContext, userId: number, skuIds: number[]): Promise<void>;
}
