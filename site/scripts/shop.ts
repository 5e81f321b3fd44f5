// What the cart, checkout and order scripts share: the cart as GET /api/cart answers it, the header's
// cart count, money as integer cents, and the Idempotency-Key of a checkout.
import type { CartItem } from '../../api/services/cart/cart-schema.ts';
import { api, type ApiResult } from './api-client.ts';

export type { CartItem };

let firstLoad: Promise<ApiResult<CartItem[]>> | null = null;

/**
 * The cart as the page found it. The header and the cart page both want it on load: they share this
 * one request. Later changes ask the API again (api('/cart')), never this.
 */
export function cartOnLoad(): Promise<ApiResult<CartItem[]>> {
  firstLoad ??= api<CartItem[]>('/cart');
  return firstLoad;
}

/** The header's 购物车 badge: the number of pieces, not of lines (as the original counted). */
export function showCartCount(items: readonly Pick<CartItem, 'count'>[]): void {
  const badge = document.getElementById('cart-count');
  if (badge) badge.textContent = String(items.reduce((n, i) => n + i.count, 0));
}

export async function refreshCartCount(fresh = false): Promise<void> {
  const { data } = fresh ? await api<CartItem[]>('/cart') : await cartOnLoad();
  // an unreachable API leaves the badge as it was: a wrong 0 would read as an emptied cart
  if (Array.isArray(data)) showCartCount(data);
}

// Prices travel as decimal strings ("6688.00"); sums in floating point would drift by a cent.
export function cents(price: string | number): number {
  const m = /^(-?)(\d+)(?:\.(\d{1,2}))?$/.exec(String(price).trim());
  if (!m) return 0;
  const value = Number(m[2]) * 100 + Number((m[3] ?? '').padEnd(2, '0'));
  return m[1] ? -value : value;
}

export function yuan(centsValue: number): string {
  const sign = centsValue < 0 ? '-' : '';
  const abs = Math.abs(Math.round(centsValue));
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

/**
 * A fresh Idempotency-Key (8–64 of A-Za-z0-9._:-). randomUUID exists only in secure contexts; a shop
 * served over plain http from a LAN address still gets 122 random bits from getRandomValues.
 */
export function newIdempotencyKey(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** "2026-11-26 14:03" in the visitor's time zone, from the API's ISO timestamps. */
export function formatTime(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`;
}

export const ORDER_ID = /^\d{24}$/;
