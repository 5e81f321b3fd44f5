import crypto from 'node:crypto';
import type { Knex } from 'knex';
import type { Cache } from '../../cache/index.ts';
import type { ZoneDays } from '../../shop-days.ts';
import { hashToken, TOKEN_KINDS, TokenStore, type TokenKind } from './tokens.ts';

// Sessions are rows of auth_tokens (kind 'session'): they survive a restart and a revocation is one
// DELETE. Looking one up on every request would put the database under every page's header call,
// so a session is also kept in the cache (Redis in production) for CACHE_SECONDS; revoking deletes
// both. The idle expiry slides: a session used within SESSION_IDLE_DAYS stays alive, and its row is
// written at most once per TOUCH_MS of use, not per request. The staff's admin sessions are the same
// machinery with their own token kind ('adminSession') and idle time (api/services/admin/admin-sessions.ts).
// users.last_active_at (the statistics' "active today") is written at login and when a shop session
// is first used on a new shop day (SHOP_TZ): at most once per session per day. The session row is
// touched then too, so its last_used_at tells the next request that today is already recorded. Staff
// at work in the admin API are not customers active in the shop: admin sessions leave it alone.

const CACHE_SECONDS = 300;
const TOUCH_MS = 3600_000;

export interface SessionInfo {
  sessionId: number;
  userId: number;
}

interface Cached {
  id: number;
  userId: number;
  expiresAt: number;
  lastUsedAt: number;
}


/** The value of the readable CSRF cookie and header for a session: only someone who can read the
 * site's cookies (its own pages) can send it; a cross-site form cannot. */
export const csrfTokenFor = (sessionToken: string) => crypto.createHash('sha256').update('csrf:' + sessionToken).digest('base64url');

export class SessionService {
  /** Told whether each lookup found the session cached (the shop's metrics count hits and misses). */
  onCacheLookup?: (hit: boolean) => void;

  constructor(
    private readonly cache: Cache,
    private readonly tokens: TokenStore,
    private readonly idleMs: number,
    private readonly days: ZoneDays,
    /** Which kind of session: a shop session or a staff member's admin session. */
    private readonly kind: Extract<TokenKind, 'session' | 'adminSession'> = 'session',
  ) {}

  private cacheKey(hash: string): string {
    return `${this.kind === 'session' ? 'session' : 'admin-session'}:${hash}`;
  }

  async create(q: Knex, userId: number, now: number): Promise<{ token: string; sessionId: number }> {
    const { token, id } = await this.tokens.issue(q, this.kind, { userId, ttlMs: this.idleMs, now });
    if (this.kind === 'session') await q('users').where('id', userId).update({ last_active_at: now });
    return { token, sessionId: id };
  }

  /** The live session a token names, or null (`q`: the pool — a request is authenticated before its context exists). */
  async lookup(q: Knex, token: string, now: number): Promise<SessionInfo | null> {
    const hash = hashToken(token);
    // the cache only saves queries: with Redis down, sessions are read from the database
    const raw = await this.cache.get(this.cacheKey(hash)).catch(() => null);
    let s: Cached | null = raw ? (JSON.parse(raw) as Cached) : null;
    this.onCacheLookup?.(s !== null);
    if (!s) {
      const row = await this.tokens.find(q, this.kind, token, now);
      if (!row || row.user_id === null) return null;
      s = { id: row.id, userId: row.user_id, expiresAt: row.expires_at, lastUsedAt: row.last_used_at };
      await this.cache.set(this.cacheKey(hash), JSON.stringify(s), CACHE_SECONDS, { evictable: true }).catch(() => {});
    }
    if (s.expiresAt <= now) return null;
    const newDay = s.lastUsedAt < this.days.dayOf(now).start;
    if (now - s.lastUsedAt >= TOUCH_MS || newDay) {
      const userId = s.userId;
      s = { ...s, lastUsedAt: now, expiresAt: now + this.idleMs };
      // a revoked session's row is gone: the update touches nothing, and the session is dead
      const touched = await q('auth_tokens').where({ id: s.id, kind: TOKEN_KINDS[this.kind] }).update({ last_used_at: now, expires_at: s.expiresAt });
      if (touched === 0) {
        await this.cache.del(this.cacheKey(hash));
        return null;
      }
      if (newDay && this.kind === 'session') await q('users').where('id', userId).update({ last_active_at: now });
      await this.cache.set(this.cacheKey(hash), JSON.stringify(s), CACHE_SECONDS, { evictable: true });
    }
    return { sessionId: s.id, userId: s.userId };
  }

  async revoke(q: Knex, token: string): Promise<void> {
    const hash = hashToken(token);
    await q('auth_tokens').where({ token_hash: hash, kind: TOKEN_KINDS[this.kind] }).del();
    await this.cache.del(this.cacheKey(hash));
  }

  /** Ends every session of the user but `exceptSessionId` (password change: the one that changed it stays). */
  async revokeAll(q: Knex, userId: number, opts: { exceptSessionId?: number } = {}): Promise<number> {
    const hashes = await this.tokens.revokeUser(q, userId, [this.kind], { exceptId: opts.exceptSessionId });
    if (hashes.length > 0) {
      const keys = hashes.map((h) => this.cacheKey(h));
      await this.cache.del(...keys);
      // Inside a transaction (a staff member deactivating an account, a new staff password) the rows
      // are gone only at its commit: a lookup that misses the cache meanwhile still reads them and
      // caches the session again for CACHE_SECONDS. So once more after the commit.
      const trx = q as Knex | Knex.Transaction;
      if ('executionPromise' in trx && trx.isTransaction) void trx.executionPromise.then(() => this.cache.del(...keys)).catch(() => {});
    }
    return hashes.length;
  }
}
