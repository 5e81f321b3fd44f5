// Short-lived state (response caches now; captcha and SMS codes, carts, rate limits later) goes
// through this small interface: Redis in production, an in-process map in the embedded default.
export interface Cache {
  readonly kind: 'memory' | 'redis';
  get(key: string): Promise<string | null>;
  /** ttlSeconds omitted: no expiry. */
  set(key: string, value: string, ttlSeconds?: number): Promise<void>;
  del(...keys: string[]): Promise<number>;
  /** Atomic increment; sets the TTL when the key is created. */
  incr(key: string, ttlSeconds?: number): Promise<number>;
  /** Seconds left; -1 no expiry; -2 missing (Redis semantics). */
  ttl(key: string): Promise<number>;
  close(): Promise<void>;
}
