import { afterAll, describe, expect, it } from 'vitest';
import type { Cache } from '../../api/cache/cache.ts';
import { MemoryCache } from '../../api/cache/memory.ts';
import { RedisCache } from '../../api/cache/redis.ts';
import { RETURN_QUERY_EVERY_MS, ReturnQueryThrottle } from '../../api/services/payments/return-queries.ts';
import { REDIS_URL } from '../helpers/env.ts';

// The Alipay return's query window per order (api/services/payments/return-queries.ts), on both
// caches: one return in a window may ask Alipay, also when many arrive at once; the window is read
// against the caller's clock. (Through the app and the stand-in gateway: tests/integration/payments.)

const targets: [string, () => Cache][] = [['memory', () => new MemoryCache()]];
const redisUrl = REDIS_URL;
if (redisUrl) targets.push(['redis', () => new RedisCache(redisUrl, `meiduo-test:${process.pid}:${Date.now()}:`)]);

describe.each(targets)('the return query window on %s', (_name, make) => {
  const cache = make();
  const throttle = new ReturnQueryThrottle(cache);
  afterAll(() => cache.close());
  const t0 = Date.now();

  it('lets one of many returns at once ask, then none until the window has passed', async () => {
    const at = await Promise.all(Array.from({ length: 20 }, () => throttle.mayQuery('order-a', t0)));
    expect(at.filter(Boolean)).toHaveLength(1);
    expect(await throttle.mayQuery('order-a', t0 + RETURN_QUERY_EVERY_MS - 1)).toBe(false);
    expect(await throttle.mayQuery('order-b', t0)).toBe(true); // each order its own window
    const later = await Promise.all(Array.from({ length: 10 }, () => throttle.mayQuery('order-a', t0 + RETURN_QUERY_EVERY_MS)));
    expect(later.filter(Boolean)).toHaveLength(1);
    expect(await throttle.mayQuery('order-a', t0 + RETURN_QUERY_EVERY_MS + 1)).toBe(false);
  });
});

describe('the return query window without its cache', () => {
  it('lets nobody ask when the cache cannot be reached (rather than everybody)', async () => {
    const down = new RedisCache('redis://127.0.0.1:1/0'); // nothing listens on port 1
    try {
      expect(await new ReturnQueryThrottle(down).mayQuery('order-c', Date.now())).toBe(false);
    } finally {
      await down.close();
    }
  }, 30_000);
});
