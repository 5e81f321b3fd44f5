import { afterAll, describe, expect, it } from 'vitest';
import type { Cache } from '../../api/cache/cache.ts';
import { MemoryCache } from '../../api/cache/memory.ts';
import { RedisCache } from '../../api/cache/redis.ts';
import { REDIS_URL } from '../helpers/env.ts';

// One contract, two implementations: the in-process cache must behave like Redis.
const targets: [string, () => Cache][] = [['memory', () => new MemoryCache()]];
const redisUrl = REDIS_URL;
if (redisUrl) targets.push(['redis', () => new RedisCache(redisUrl, `meiduo-test:${process.pid}:${Date.now()}:`)]);

describe.each(targets)('cache contract: %s', (_name, make) => {
  const cache = make();
  afterAll(() => cache.close());

  it('stores, reads and deletes', async () => {
    expect(await cache.get('a')).toBeNull();
    await cache.set('a', '华为');
    expect(await cache.get('a')).toBe('华为');
    expect(await cache.ttl('a')).toBe(-1);
    expect(await cache.del('a', 'missing')).toBe(1);
    expect(await cache.get('a')).toBeNull();
    expect(await cache.ttl('a')).toBe(-2);
    expect(await cache.del()).toBe(0);
  });

  it('expires keys', async () => {
    await cache.set('short', 'x', 1);
    const ttl = await cache.ttl('short');
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(1);
    await new Promise((r) => setTimeout(r, 1100));
    expect(await cache.get('short')).toBeNull();
  });

  it('takes a value once: of concurrent takers exactly one gets it', async () => {
    await cache.set('code', '1234', 60);
    const got = await Promise.all(Array.from({ length: 20 }, () => cache.take('code')));
    expect(got.filter((g) => g === '1234')).toHaveLength(1);
    expect(got.filter((g) => g === null)).toHaveLength(19);
    expect(await cache.get('code')).toBeNull();
    expect(await cache.take('missing')).toBeNull();
  });

  it('sets if absent, once among concurrent callers, with the TTL', async () => {
    const won = await Promise.all(Array.from({ length: 20 }, (_, i) => cache.setIfAbsent('flag', String(i), 60)));
    expect(won.filter(Boolean)).toHaveLength(1);
    expect(await cache.get('flag')).toBe(String(won.indexOf(true)));
    expect(await cache.ttl('flag')).toBeGreaterThan(55);
    expect(await cache.setIfAbsent('flag', 'again', 60)).toBe(false);
  });

  it('increments atomically, setting the TTL only on creation', async () => {
    const results = await Promise.all(Array.from({ length: 50 }, () => cache.incr('counter', 60)));
    expect(results.sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    expect(await cache.get('counter')).toBe('50');
    const ttl = await cache.ttl('counter');
    expect(ttl).toBeGreaterThan(55);
    await cache.set('text', 'abc');
    await expect(cache.incr('text')).rejects.toThrow();
  });
});

describe('memory cache bound', () => {
  it('evicts the oldest entries past its size', async () => {
    const c = new MemoryCache(3);
    for (const k of ['a', 'b', 'c', 'd']) await c.set(k, k);
    expect(await c.get('a')).toBeNull();
    expect(await c.get('d')).toBe('d');
  });

  it('expires by its clock', async () => {
    let now = 1000;
    const c = new MemoryCache(10, () => now);
    await c.set('k', 'v', 5);
    now += 4999;
    expect(await c.get('k')).toBe('v');
    now += 1;
    expect(await c.get('k')).toBeNull();
  });
});
