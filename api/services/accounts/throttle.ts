import { RateLimiterMemory, RateLimiterRedis, type RateLimiterAbstract, type RateLimiterRes } from 'rate-limiter-flexible';
import type { Cache } from '../../cache/index.ts';
import { RedisCache } from '../../cache/redis.ts';
import { TooManyRequestsError } from '../../errors.ts';

// Failure throttles for guessing endpoints (login, the forgotten-password steps): failures are
// counted per account and per IP over a window; once either count is full, every try of that
// account or from that IP is refused with 429 until the window passes — the right password
// included, or a guesser would learn it from the one answer that differs. Counts live in Redis
// when the shop has it (shared by all web processes), else in this process (rate-limiter-flexible).

export interface ThrottleLimits {
  perAccount: number;
  perIp: number;
  windowSeconds: number;
}

const rejected = (r: unknown): r is RateLimiterRes => typeof r === 'object' && r !== null && 'msBeforeNext' in r;

export class FailureThrottle {
  private readonly account: RateLimiterAbstract;
  private readonly ip: RateLimiterAbstract;

  constructor(cache: Cache, name: string, private readonly limits: ThrottleLimits) {
    const make = (what: string, points: number) => {
      const opts = { keyPrefix: `meiduo:throttle:${name}:${what}`, points, duration: limits.windowSeconds };
      return cache instanceof RedisCache ? new RateLimiterRedis({ ...opts, storeClient: cache.client }) : new RateLimiterMemory(opts);
    };
    this.account = make('account', limits.perAccount);
    this.ip = make('ip', limits.perIp);
  }

  /** 429 when the account's or the IP's failures fill the window. */
  async check(account: string, ip: string, message = '尝试次数过多，请稍后再试'): Promise<void> {
    const [a, i] = await Promise.all([this.account.get(account.toLowerCase()), ip ? this.ip.get(ip) : null]);
    const waits = [
      a && a.consumedPoints >= this.limits.perAccount ? a.msBeforeNext : 0,
      i && i.consumedPoints >= this.limits.perIp ? i.msBeforeNext : 0,
    ];
    const wait = Math.max(...waits);
    if (wait > 0) throw new TooManyRequestsError(wait, message, 'TOO_MANY_ATTEMPTS');
  }

  /** Counts one failure of the account and the IP. */
  async fail(account: string, ip: string): Promise<void> {
    const swallow = (r: unknown) => {
      if (!rejected(r)) throw r; // a store error, not a full window
    };
    await Promise.all([this.account.consume(account.toLowerCase()).catch(swallow), ip ? this.ip.consume(ip).catch(swallow) : null]);
  }

  /** A success forgives the account's earlier failures (not the IP's). */
  async succeed(account: string): Promise<void> {
    await this.account.delete(account.toLowerCase());
  }
}
