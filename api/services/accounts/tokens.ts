import crypto from 'node:crypto';
import type { Knex } from 'knex';

// Opaque tokens of distinct kinds — a session, an email verification, a QQ bind, the steps of a
// password reset — stored only as SHA-256 hashes in `auth_tokens` (a leaked table opens nothing).
// Every lookup names the kind it expects, and the kind is also the token's visible prefix, so one
// kind can never be used as another.

export const TOKEN_KINDS = {
  session: 'ses',
  /** A staff member's admin session (api/services/admin/admin-sessions.ts): never a shop session. */
  adminSession: 'adm',
  emailVerification: 'eml',
  qqBind: 'qqb',
  /** Forgotten password, step 1 → 2: proves the captcha was solved for this account. */
  resetSms: 'prs',
  /** Forgotten password, step 3 → 4: proves the SMS code was right. */
  resetPassword: 'prp',
} as const;
export type TokenKind = keyof typeof TOKEN_KINDS;

/**
 * Kinds whose use is remembered: consuming one turns its row into this marker (same hash, a kind no
 * lookup of a live token names) for USED_MARKER_RETENTION_MS, so a second use can be told "already
 * done" rather than "invalid" — the verification link opened again. Only the token's holder can
 * find its marker; the expiry purge removes it.
 */
export const USED_MARKERS: Partial<Record<TokenKind, string>> = { emailVerification: 'emu' };
export const USED_MARKER_RETENTION_MS = 30 * 86_400_000;

export interface TokenRow {
  id: number;
  /** the kind's short code (TOKEN_KINDS) */
  kind: string;
  user_id: number | null;
  subject: string | null;
  expires_at: number;
  last_used_at: number;
}

export const hashToken = (token: string) => crypto.createHash('sha256').update(token).digest('hex');

const SHAPE = /^[a-z]{3}_[A-Za-z0-9_-]{43}$/;

/** Is it shaped like a token of this kind at all (cheap check before any lookup)? */
export function looksLike(kind: TokenKind, token: unknown): token is string {
  return typeof token === 'string' && SHAPE.test(token) && token.startsWith(TOKEN_KINDS[kind] + '_');
}

// Every method takes the handle to query through: the request's transaction or the pool, as the
// caller's context says (api/db/transaction.ts).
export class TokenStore {
  async issue(
    trx: Knex,
    kind: TokenKind,
    opts: { userId: number | null; subject?: string | null; ttlMs: number; now: number },
  ): Promise<{ token: string; id: number }> {
    const token = `${TOKEN_KINDS[kind]}_${crypto.randomBytes(32).toString('base64url')}`;
    const [id] = await trx('auth_tokens').insert({
      kind: TOKEN_KINDS[kind],
      token_hash: hashToken(token),
      user_id: opts.userId,
      subject: opts.subject ?? null,
      expires_at: opts.now + opts.ttlMs,
      last_used_at: opts.now,
      created_at: opts.now,
    });
    return { token, id: Number(id) };
  }

  /** The live token of this kind, or null (wrong kind, unknown, expired). */
  async find(trx: Knex, kind: TokenKind, token: unknown, now: number): Promise<TokenRow | null> {
    if (!looksLike(kind, token)) return null;
    const row = await trx('auth_tokens').where({ token_hash: hashToken(token), kind: TOKEN_KINDS[kind] }).first<TokenRow | undefined>();
    if (!row || Number(row.expires_at) <= now) return null;
    return { ...row, id: Number(row.id), expires_at: Number(row.expires_at), last_used_at: Number(row.last_used_at) };
  }

  /**
   * Uses a single-use token: of two concurrent uses exactly one gets the row (the DELETE decides),
   * the other gets null.
   */
  async consume(trx: Knex, kind: TokenKind, token: unknown, now: number): Promise<TokenRow | null> {
    const row = await this.find(trx, kind, token, now);
    if (!row) return null;
    const deleted = await trx('auth_tokens').where({ id: row.id }).del();
    return deleted === 1 ? row : null;
  }

  /**
   * consume() for a kind with a USED_MARKERS code: the row stays, as that marker, instead of being
   * deleted. Of two concurrent uses exactly one changes the row.
   */
  async consumeMarking(trx: Knex, kind: TokenKind, token: unknown, now: number): Promise<TokenRow | null> {
    const marker = USED_MARKERS[kind];
    if (!marker) throw new Error(`token kind ${kind} keeps no marker`);
    const row = await this.find(trx, kind, token, now);
    if (!row) return null;
    const changed = await trx('auth_tokens')
      .where({ id: row.id, kind: TOKEN_KINDS[kind] })
      .update({ kind: marker, last_used_at: now, expires_at: now + USED_MARKER_RETENTION_MS });
    return changed === 1 ? row : null;
  }

  /** The marker a consumeMarking() left for this token, or null (never used, unknown, or too long ago). */
  async findUsed(trx: Knex, kind: TokenKind, token: unknown, now: number): Promise<TokenRow | null> {
    const marker = USED_MARKERS[kind];
    if (!marker || !looksLike(kind, token)) return null;
    const row = await trx('auth_tokens').where({ token_hash: hashToken(token), kind: marker }).first<TokenRow | undefined>();
    if (!row || Number(row.expires_at) <= now) return null;
    return { ...row, id: Number(row.id), expires_at: Number(row.expires_at), last_used_at: Number(row.last_used_at) };
  }

  /** Deletes expired tokens of every kind (they are refused anyway; this keeps the table small). */
  async purgeExpired(trx: Knex, now: number): Promise<number> {
    return trx('auth_tokens').where('expires_at', '<=', now).del();
  }

  /** Ends every token of these kinds of the user (but `exceptId`); returns the hashes removed. */
  async revokeUser(trx: Knex, userId: number, kinds: TokenKind[], opts: { exceptId?: number } = {}): Promise<string[]> {
    const q = () => {
      const b = trx('auth_tokens').where('user_id', userId).whereIn('kind', kinds.map((k) => TOKEN_KINDS[k]));
      return opts.exceptId === undefined ? b : b.whereNot('id', opts.exceptId);
    };
    const hashes = await q().pluck('token_hash');
    await q().del();
    return hashes;
  }
}
