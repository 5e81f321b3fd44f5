import crypto from 'node:crypto';
import { beijingCompact } from '../../beijing-time.ts';

// The order vocabulary, in one place: statuses and their names, payment methods, the freight, and
// the order id. An order id is the Beijing time it was placed plus 10 random digits: readable like
// the original's, but not guessable from the user id, and unique under any load (the primary key
// decides, and a collision is retried).

export const ORDER_STATUS = { unpaid: 1, unsent: 2, unreceived: 3, uncommented: 4, finished: 5, canceled: 6 } as const;
export type OrderStatus = (typeof ORDER_STATUS)[keyof typeof ORDER_STATUS];
export const STATUS_NAMES: Record<OrderStatus, string> = { 1: '待支付', 2: '待发货', 3: '待收货', 4: '待评价', 5: '已完成', 6: '已取消' };

export const PAY_METHOD = { cash: 1, alipay: 2 } as const;
export type PayMethod = (typeof PAY_METHOD)[keyof typeof PAY_METHOD];
export const PAY_METHOD_NAMES: Record<PayMethod, string> = { 1: '货到付款', 2: '支付宝' };

/** Freight per order, in cents (the seed slides: 10 元). */
export const FREIGHT_CENTS = 1000;

/** Bounds of an order (and of a cart: api/services/cart). */
export const MAX_LINES = 50;
export const MAX_COUNT_PER_LINE = 99;

/**
 * The most of one SKU a customer can buy: its stock, the line bound and the per-customer limit
 * (ORDER_MAX_UNITS_PER_SKU, order-limits.ts). The one rule the SKU page (GET /api/skus/{id}'s
 * `max_per_order`), the cart (each line's `max`, and what POST/PUT /api/cart accept) and so the
 * order agree on — so a number the page accepted is never refused by the cart. (The order also
 * counts what the customer's open orders already hold; the cart cannot know that in advance.)
 */
export function maxPerOrder(stock: number, maxUnitsPerSku: number): number {
  return Math.max(0, Math.min(stock, MAX_COUNT_PER_LINE, maxUnitsPerSku));
}

export function newOrderId(now: number): string {
  return beijingCompact(now) + String(crypto.randomInt(0, 10_000_000_000)).padStart(10, '0');
}

export const ORDER_ID = /^\d{24}$/;
