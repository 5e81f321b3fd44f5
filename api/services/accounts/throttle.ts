import { RateLimiterMemory, RateLimiterRedis, type RateLimiterAbstract, type RateLimiterRes } from 'rate-limiter-flexible';
import type { Cache } from '../../cache/index.ts';
import { RedisCache } from '../../cache/redis.ts';
import { TooManyRequestsError } from '../../errors.ts';
import type { Logger } from '../../logger.ts';
import { identifierKey } from './identifiers.ts';

// Throttles for guessing endpoints (login, password change, the forgotten-password steps, QQ
// binding). An attempt is taken — atomically, in Redis when the shop has it, else in this process
// (rate-limiter-flexible's consume) — BEFORE the password or code is checked, and given back when
// the check succeeds. Checking first and counting after let more than half of 100 parallel guesses
// through, each checked before the first failure was counted; taking first, the sixth of any number
// of parallel tries is refused before it costs an scrypt.
//
// Attempts count per subject — the resolved user (`user:{id}`: username, mobile and every spelling
// of them share one budget) or, for an account that does not exist, the normalised input — and per
// client IP. Once either budget is spent, every try of that subject or from that IP is refused
// with 429 until the window passes: the right password included, or a guesser would learn it from
// the one answer that differs. A success gives back only its own attempt, not earlier failures:
// otherwise each login of the owner would hand a guesser a fresh budget.

export interface ThrottleLimits {
  perSubject: number;
  perIp: number;
  windowSeconds: number;
}

/** An attempt taken: `succeeded()` gives it back (the check passed). A failure needs no call. */
export interface Attempt {
  succeeded(): Promise<void>;
}

/** The throttle subject of a typed account: its user when it has one, else what was typed, normalised. */
export const throttleSubject = (userId: number | null | undefined, typed: string) => (userId != null ? `user:${userId}` : `input:${identifierKey(typed)}`);

const rejected = (r: unknown): r is RateLimiterRes => typeof r === 'object' && r !== null && 'msBeforeNext' in r && !(r instanceof Error);

export class AttemptThrottle {
  private readonly subject: RateLimiterAbstract;
  private readonly ip: RateLimiterAbstract;

  constructor(
    cache: Cache,
    private readonly name: string,
    private readonly limits: ThrottleLimits,
    private readonly log?: Logger,
  ) {
    const make = (what: string, points: number) => {
      const opts = { keyPrefix: `meiduo:throttle:${name}:${what}`, points, duration: limits.windowSeconds };
      return cache instanceof RedisCache ? new RateLimiterRedis({ ...opts, storeClient: cache.client }) : new RateLimiterMemory(opts);
    };
    this.subject = make('subject', limits.perSubject);
    this.ip = make('ip', limits.perIp);
  }

  /** Takes one attempt of the subject and of the IP ('' for jobs and the CLI: none), or 429. */
  async take(subject: string, ip: string): Promise<Attempt> {
    await this.consume(this.subject, subject, this.limits.perSubject, { subject, ip });
    if (ip) {
      try {
        await this.consume(this.ip, ip, this.limits.perIp, { subject, ip });
      } catch (err) {
        // refused for the IP: the subject's attempt was never made
        await this.subject.reward(subject, 1);
        throw err;
      }
    }
    let open = true;
    return {
      succeeded: async () => {
        if (!open) return;
        open = false;
        await Promise.all([this.subject.reward(subject, 1), ip ? this.ip.reward(ip, 1) : null]);
      },
    };
  }

  private async consume(limiter: RateLimiterAbstract, key: string, points: number, who: { subject: string; ip: string }): Promise<void> {
    try {
      await limiter.consume(key);
    } catch (r) {
      if (!rejected(r)) throw r; // a store error, not a spent budget: refuse rather than let guesses through
      // once per window and key: the try that spent the budget
      if (r.consumedPoints === points + 1) {
        this.log?.warn({ throttle: this.name, by: limiter === this.ip ? 'ip' : 'subject', ...who, retry_after_s: Math.ceil(r.msBeforeNext / 1000) }, 'throttle: attempts spent, refusing until the window passes');
      }
      throw new TooManyRequestsError(r.msBeforeNext, '尝试次数过多，请稍后再试', 'TOO_MANY_ATTEMPTS');
    }
  }
}

/**
 * A fixed-window count of what a key may do (send a mail, ask whether a name exists), on the cache's
 * atomic INCR: windows follow the services' clock (tests move a ManualClock), the cache's TTL only
 * clears old windows. 429 with Retry-After once the count passes `limit`.
 */
export async function countInWindow(
  cache: Cache,
  key: string,
  rule: { limit: number; windowMs: number },
  now: number,
  refusal: { message: string; code: string },
): Promise<void> {
  const window = Math.floor(now / rule.windowMs);
  const n = await cache.incr(`limit:${key}:${window}`, Math.ceil((2 * rule.windowMs) / 1000));
  if (n > rule.limit) throw new TooManyRequestsError((window + 1) * rule.windowMs - now, refusal.message, refusal.code);
}
