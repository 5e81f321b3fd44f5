import { Redis } from 'ioredis';
import type { Cache } from './cache.ts';

const INCR_WITH_TTL = `
local n = redis.call('INCR', KEYS[1])
if n == 1 and tonumber(ARGV[1]) > 0 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
return n`;

const HINCR_WITH_TTL = `
local n = redis.call('HINCRBY', KEYS[1], ARGV[1], 1)
if n == 1 and redis.call('HLEN', KEYS[1]) == 1 and tonumber(ARGV[2]) > 0 then redis.call('EXPIRE', KEYS[1], ARGV[2]) end
return n`;

const CLAIM_HASH = `
if redis.call('EXISTS', KEYS[2]) == 1 or redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('RENAME', KEYS[1], KEYS[2])
redis.call('PERSIST', KEYS[2])
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
return 1`;

const DEL_IF_FIELD = `
if redis.call('HGET', KEYS[1], ARGV[1]) == ARGV[2] then return redis.call('DEL', KEYS[1]) end
return 0`;

export class RedisCache implements Cache {
  readonly kind = 'redis' as const;
  readonly client: Redis;

  constructor(url: string, private readonly prefix = 'meiduo:') {
    // auto-pipelining: concurrent requests' commands share one round trip (session + profile reads of many page views)
    this.client = new Redis(url, { lazyConnect: false, maxRetriesPerRequest: 2, enableOfflineQueue: true, enableAutoPipelining: true });
    this.client.on('error', () => {
      /* reported by the failing command; keep the process alive while Redis restarts */
    });
  }

  private k(key: string) {
    return this.prefix + key;
  }

  async get(key: string) {
    return this.client.get(this.k(key));
  }

  async set(key: string, value: string, ttlSeconds?: number) {
    if (ttlSeconds === undefined) await this.client.set(this.k(key), value);
    else await this.client.set(this.k(key), value, 'EX', Math.max(1, Math.ceil(ttlSeconds)));
  }

  async del(...keys: string[]) {
    if (keys.length === 0) return 0;
    return this.client.del(...keys.map((k) => this.k(k)));
  }

  async take(key: string) {
    return this.client.getdel(this.k(key));
  }

  async setIfAbsent(key: string, value: string, ttlSeconds: number) {
    return (await this.client.set(this.k(key), value, 'EX', Math.max(1, Math.ceil(ttlSeconds)), 'NX')) === 'OK';
  }

  async incr(key: string, ttlSeconds?: number) {
    return Number(await this.client.eval(INCR_WITH_TTL, 1, this.k(key), String(ttlSeconds ?? 0)));
  }

  async hashIncr(key: string, field: string, ttlSeconds?: number) {
    return Number(await this.client.eval(HINCR_WITH_TTL, 1, this.k(key), field, String(ttlSeconds ?? 0)));
  }

  async hashGetAll(key: string) {
    return this.client.hgetall(this.k(key));
  }

  async claimHash(from: string, to: string, stampField: string, stamp: string) {
    return Number(await this.client.eval(CLAIM_HASH, 2, this.k(from), this.k(to), stampField, stamp)) === 1;
  }

  async delIfHashField(key: string, field: string, value: string) {
    return Number(await this.client.eval(DEL_IF_FIELD, 1, this.k(key), field, value)) === 1;
  }

  async ttl(key: string) {
    return this.client.ttl(this.k(key));
  }

  async close() {
    await this.client.quit().catch(() => this.client.disconnect());
  }
}
