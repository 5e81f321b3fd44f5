import { zoneDays } from '../../shop-days.ts';
import type { Knex } from 'knex';
import type { Cache } from '../../cache/index.ts';
import type { Config } from '../../config.ts';
import type { Actor, RequestContext } from '../../context.ts';
import { db } from '../../db/transaction.ts';
import { AppError, UnauthorizedError } from '../../errors.ts';
import type { Logger } from '../../logger.ts';
import { LOGIN_LIMITS } from '../accounts/accounts-service.ts';
import { normalizeIdentifier } from '../accounts/identifiers.ts';
import { passwords as scryptPasswords, type Passwords } from '../accounts/passwords.ts';
import { SessionService } from '../accounts/sessions.ts';
import { AttemptThrottle, throttleSubject } from '../accounts/throttle.ts';
import type { TokenStore } from '../accounts/tokens.ts';
import { staffAccess } from './permissions.ts';

// Staff log in to the admin API with an admin session: its own token kind ('adm_…', never usable
// as a shop session and the other way round), ended after ADMIN_SESSION_IDLE_MS without use. Only
// active staff may log in; anyone else gets the answer a wrong password gets. Attempts are taken
// before scrypt runs, per account and per IP, as the shop's login does (accounts/throttle.ts).
// Permissions are not part of the session: they are read per request (staffAccess), so a revoked
// permission, a removed group or a deactivated account acts at once.

export const ADMIN_SESSION_IDLE_MS = 8 * 3600_000;

export interface AdminGrant {
  token: string;
  username: string;
  permissions: string[];
}

interface StaffRow {
  id: number;
  username: string;
  password_hash: string;
  is_staff: unknown;
  is_active: unknown;
}

const refused = () => new AppError({ message: '用户名或密码错误', statusCode: 400, code: 'LOGIN_FAILED', fields: { username: '用户名或密码错误' } });

export class AdminSessionService {
  readonly sessions: SessionService;
  readonly throttle: AttemptThrottle;

  constructor(
    cache: Cache,
    tokens: TokenStore,
    config: Pick<Config, 'accounts' | 'shopTimeZone'>,
    log?: Logger,
    readonly passwords: Passwords = { ...scryptPasswords },
  ) {
    this.sessions = new SessionService(cache, tokens, ADMIN_SESSION_IDLE_MS, zoneDays(config.shopTimeZone), 'adminSession');
    this.throttle = new AttemptThrottle(cache, 'admin-login', { ...LOGIN_LIMITS, windowSeconds: config.accounts.throttleWindowSeconds }, log);
  }

  async login(context: RequestContext, input: { username: string; password: string }): Promise<AdminGrant> {
    const name = normalizeIdentifier(input.username);
    const user = await db(context)('users').where('username', name).first<StaffRow | undefined>('id', 'username', 'password_hash', 'is_staff', 'is_active');
    const attempt = await this.throttle.take(throttleSubject(user?.id, name), context.ip);
    // the password is checked whoever the account is: a customer's name takes as long as a staff member's
    const ok = user ? await this.passwords.verify(input.password, user.password_hash) : (await this.passwords.burn(input.password), false);
    if (!user || !ok || !Number(user.is_staff) || !Number(user.is_active)) throw refused();
    await attempt.succeeded();
    const access = await staffAccess(db(context), user.id);
    if (!access) throw refused();
    const { token } = await this.sessions.create(db(context), user.id, context.clock.now().getTime());
    return { token, username: user.username, permissions: [...access.permissions].sort() };
  }

  /** Ends the admin session the request presented (none: nothing to do). */
  async logout(context: RequestContext): Promise<void> {
    if (context.sessionToken) await this.sessions.revoke(db(context), context.sessionToken);
  }

  /** Ends every admin session of the user (deactivated, no longer staff, a new password). */
  async revokeAll(context: RequestContext, userId: number): Promise<void> {
    await this.sessions.revokeAll(db(context), userId);
  }

  /** The actor an admin token stands for, with the permissions the user has now; anonymous when it stands for nothing. */
  async actorFor(pool: Knex, token: string, now: number): Promise<Actor | null> {
    const s = await this.sessions.lookup(pool, token, now);
    if (!s) return null;
    const access = await staffAccess(pool, s.userId);
    return access ? { kind: 'admin', userId: s.userId, permissions: access.permissions } : null;
  }
}

/** The caller's own account, as GET /api/admin/me shows it. */
export async function currentStaff(context: RequestContext): Promise<{ id: number; username: string; is_superuser: boolean; permissions: string[] }> {
  if (context.actor.kind !== 'admin') throw new UnauthorizedError();
  const { userId, permissions } = context.actor;
  const row = await db(context)('users').where({ id: userId }).first<{ username: string; is_superuser: unknown } | undefined>('username', 'is_superuser');
  if (!row) throw new UnauthorizedError();
  return { id: userId, username: row.username, is_superuser: Boolean(Number(row.is_superuser)), permissions: [...permissions].sort() };
}
