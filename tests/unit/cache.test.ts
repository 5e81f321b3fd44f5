import { afterAll, describe, expect, it } from 'vitest';
import type { Cache } from '../../api/cache/cache.ts';
import { MemoryCache } from '../../api/cache/memory.ts';
import { RedisCache } from '../../api/cache/redis.ts';
import { REDIS_URL } from '../helpers/env.ts';

// One contract, two implementations: the in-process cache must behave like Redis — and, like
// Redis, never drop a counter to make room (only entries written `evictable` may go early).
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

  it('increments hash fields atomically, with the TTL set on creation', async () => {
    const results = await Promise.all(Array.from({ length: 30 }, (_, i) => cache.hashIncr('views:d', String(i % 3), 60)));
    expect(results.filter((n) => n === 10)).toHaveLength(3);
    expect(await cache.hashGetAll('views:d')).toEqual({ '0': '10', '1': '10', '2': '10' });
    expect(await cache.ttl('views:d')).toBeGreaterThan(55);
    expect(await cache.hashGetAll('views:none')).toEqual({});
  });

  it('claims a hash once among concurrent claimers, stamped and without expiry; deletes it only with its stamp', async () => {
    for (let i = 0; i < 5; i++) await cache.hashIncr('views:c', '7', 60);
    const won = await Promise.all(Array.from({ length: 10 }, (_, i) => cache.claimHash('views:c', 'views:c:p', '_s', `s${i}`)));
    expect(won.filter(Boolean)).toHaveLength(1);
    const stamp = `s${won.indexOf(true)}`;
    expect(await cache.hashGetAll('views:c:p')).toEqual({ '7': '5', _s: stamp });
    expect(await cache.ttl('views:c:p')).toBe(-1);
    expect(await cache.hashGetAll('views:c')).toEqual({});
    // a new count starts a new hash, which cannot be claimed onto a pending one
    await cache.hashIncr('views:c', '7', 60);
    expect(await cache.claimHash('views:c', 'views:c:p', '_s', 'other')).toBe(false);
    expect(await cache.claimHash('views:missing', 'views:m:p', '_s', 'x')).toBe(false);
    expect(await cache.delIfHashField('views:c:p', '_s', 'wrong')).toBe(false);
    expect(await cache.delIfHashField('views:c:p', '_s', stamp)).toBe(true);
    expect(await cache.hashGetAll('views:c:p')).toEqual({});
    expect(await cache.claimHash('views:c', 'views:c:p', '_s', 'next')).toBe(true);
    expect(await cache.del('views:c:p')).toBe(1);
  });

  it('keeps counters, flags and codes through a flood of evictable entries (60,000 captchas)', async () => {
    for (let i = 0; i < 20; i++) await cache.incr('sms_day:ip:203.0.113.9', 3600);
    await cache.setIfAbsent('sms_flag:13800000000', 'sent', 60);
    await cache.set('sms_code:13800000000', '123456', 300);
    const flood = Array.from({ length: 60_000 }, (_, i) => `image_code:${i}`);
    for (let i = 0; i < flood.length; i += 2000) {
      await Promise.all(flood.slice(i, i + 2000).map((k) => cache.set(k, 'abcd', 300, { evictable: true })));
    }
    expect(await cache.get('sms_day:ip:203.0.113.9')).toBe('20');
    expect(await cache.incr('sms_day:ip:203.0.113.9', 3600)).toBe(21);
    expect(await cache.setIfAbsent('sms_flag:13800000000', 'again', 60)).toBe(false);
    expect(await cache.get('sms_code:13800000000')).toBe('123456');
    // the newest evictable entries are there, and read, take and delete as any other
    expect(await cache.get('image_code:59999')).toBe('abcd');
    expect(await cache.take('image_code:59999')).toBe('abcd');
    expect(await cache.get('image_code:59999')).toBeNull();
    expect(await cache.del('image_code:59998')).toBe(1);
    for (let i = 0; i < flood.length; i += 2000) await cache.del(...flood.slice(i, i + 2000));
  });

  it('moves a key to the kind its latest write names', async () => {
    await cache.set('both', 'evictable', 60, { evictable: true });
    await cache.set('both', 'kept', 60);
    expect(await cache.get('both')).toBe('kept');
    expect(await cache.ttl('both')).toBeGreaterThan(55);
    expect(await cache.del('both')).toBe(1);
    expect(await cache.get('both')).toBeNull();
  });
});

describe('memory cache bound', () => {
  it('evicts the oldest evictable entries past its size, and only those', async () => {
    const c = new MemoryCache(3);
    await c.incr('counter', 60);
    await c.set('kept', 'k', 60);
    for (const k of ['a', 'b', 'c', 'd']) await c.set(k, k, 60, { evictable: true });
    expect(await c.get('a')).toBeNull();
    expect(await c.get('b')).toBe('b');
    expect(await c.get('d')).toBe('d');
    expect(await c.get('counter')).toBe('1');
    expect(await c.get('kept')).toBe('k');
    expect(c.sizes()).toEqual({ kept: 2, evictable: 3 });
  });

  it('drops expired kept entries as that space grows, so their memory follows their TTL', async () => {
    let now = 1000;
    const c = new MemoryCache(10, () => now);
    for (let i = 0; i < 5000; i++) await c.incr(`image_code_ip:${i}`, 60);
    now += 61_000;
    for (let i = 0; i < 5000; i++) await c.incr(`image_code_ip:late:${i}`, 60);
    // the 5,000 expired counters were swept when the space doubled, the live ones kept
    expect(c.sizes().kept).toBeLessThan(7000);
    expect(await c.get('image_code_ip:late:0')).toBe('1');
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
