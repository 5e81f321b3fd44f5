import type { Cache } from '../../cache/cache.ts';

// The browser's return from Alipay (PUT /api/payment/status) is public and its signed query can be
// replayed at will; each one that reached alipay.trade.query cost a call to Alipay on the shop's
// account. So the return asks Alipay about an order at most once per RETURN_QUERY_EVERY_MS, across
// all web processes (the shared cache: Redis in production). A return inside that window answers
// from what is recorded — the order's status, which the last query settled if it could — and the
// notify or the unpaid-order job settle the rest. The window is kept as its end time in the value,
// read against the service's clock (tests move a ManualClock); the cache's TTL only clears it away.

export const RETURN_QUERY_EVERY_MS = 10_000;

export class ReturnQueryThrottle {
  constructor(private readonly cache: Cache) {}

  /**
   * Whether this return may ask Alipay about the order now; if so the window starts. False when
   * another return asked within the window — or when the cache cannot be reached: then nobody asks,
   * rather than everybody.
   */
  async mayQuery(orderId: string, now: number): Promise<boolean> {
    const key = `alipay_return_query:${orderId}`;
    const until = String(now + RETURN_QUERY_EVERY_MS);
    const ttlSeconds = Math.ceil(RETURN_QUERY_EVERY_MS / 1000);
    try {
      if (await this.cache.setIfAbsent(key, until, ttlSeconds)) return true;
      const held = Number(await this.cache.get(key));
      if (held > now) return false;
      // over by the clock, its key not yet expired: of two returns at once, the one that takes it asks
      const taken = await this.cache.take(key);
      if (taken === null) return false;
      if (Number(taken) > now) {
        await this.cache.set(key, taken, ttlSeconds); // a window just opened by another return: put it back
        return false;
      }
      return await this.cache.setIfAbsent(key, until, ttlSeconds);
    } catch {
      return false;
    }
  }
}
