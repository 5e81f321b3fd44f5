import { Redis } from 'ioredis';
import type { Cache } from './cache.ts';

const INCR_WITH_TTL = `
local n = redis.call('INCR', KEYS[1])
if n == 1 and tonumber(ARGV[1]) > 0 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
return n`;

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

  async ttl(key: string) {
    return this.client.ttl(this.k(key));
  }

  async close() {
    await this.client.quit().catch(() => this.client.disconnect());
  }
}
