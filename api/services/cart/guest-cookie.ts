import crypto from 'node:crypto';
import { z } from 'zod';
import { LIMITS } from '../../numbers.ts';
import { MAX_COUNT_PER_LINE, MAX_LINES } from '../orders/order-rules.ts';
import type { CartLine } from './cart-store.ts';

// A guest's cart lives in the browser, in the cookie `meiduo_cart`:
//   base64url(JSON [[sku_id, count, selected 1|0], …] in the order added) "." base64url(HMAC-SHA256)
// The original kept a base64 pickle, which a client could forge into code run on the server; this is
// plain JSON, read only after its signature checks out, and then held to the cart's bounds. Anything
// else — unsigned, tampered, too long, too many lines, not our shape — is an empty cart, never an
// error: a shopper cannot repair a cookie.

export const CART_COOKIE = 'meiduo_cart';
export const CART_COOKIE_MAX_AGE_S = 365 * 24 * 3600;
/** Browsers keep about 4 KiB per cookie; a longer value is not one we wrote. */
export const MAX_COOKIE_CHARS = 4096;

const lineSchema = z.tuple([
  z.number().int().min(LIMITS.id.min).max(LIMITS.id.max),
  z.number().int().min(1).max(MAX_COUNT_PER_LINE),
  z.union([z.literal(0), z.literal(1)]),
]);
const linesSchema = z
  .array(lineSchema)
  .max(MAX_LINES)
  .refine((lines) => new Set(lines.map((l) => l[0])).size === lines.length);

export class GuestCartCookie {
  private readonly key: Buffer;

  constructor(secretKey: string) {
    // a key of its own, so a signature made for the cart means nothing anywhere else the secret signs
    this.key = crypto.createHmac('sha256', secretKey).update('meiduo_cart cookie v1').digest();
  }

  private sign(payload: string): string {
    return crypto.createHmac('sha256', this.key).update(payload).digest('base64url');
  }

  encode(lines: readonly CartLine[]): string {
    const payload = Buffer.from(JSON.stringify(lines.map((l) => [l.sku_id, l.count, l.selected ? 1 : 0]))).toString('base64url');
    return `${payload}.${this.sign(payload)}`;
  }

  /** The lines a cookie value holds; [] for anything this class did not write. */
  decode(value: string | undefined): CartLine[] {
    if (!value || value.length > MAX_COOKIE_CHARS) return [];
    const dot = value.indexOf('.');
    if (dot < 0) return [];
    const payload = value.slice(0, dot);
    const given = Buffer.from(value.slice(dot + 1));
    const expected = Buffer.from(this.sign(payload));
    if (given.length !== expected.length || !crypto.timingSafeEqual(given, expected)) return [];
    let data: unknown;
    try {
      data = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    } catch {
      return [];
    }
    const r = linesSchema.safeParse(data);
    return r.success ? r.data.map(([sku_id, count, selected]) => ({ sku_id, count, selected: selected === 1 })) : [];
  }
}
