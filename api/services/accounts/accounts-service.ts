import type { Knex } from 'knex';
import type { Cache } from '../../cache/index.ts';
import type { Config } from '../../config.ts';
import type { RequestContext } from '../../context.ts';
import { violatedUnique } from '../../db/dialect.ts';
import { AppError, NotFoundError, UnauthorizedError, ValidationError } from '../../errors.ts';
import { enqueueMessage } from '../messages/outbox.ts';
import { MOBILE } from './account-schema.ts';
import { VerificationCodes } from './codes.ts';
import { burnPasswordCheck, hashPassword, needsRehash, verifyPassword } from './passwords.ts';
import { SessionService } from './sessions.ts';
import { FailureThrottle } from './throttle.ts';
import { TokenStore } from './tokens.ts';

// Customer accounts: registration, login and logout, the profile, email verification, password
// change and the forgotten-password steps. Transport-free: routes hand in a RequestContext, and
// everything is also callable from jobs, the CLI and tests.

export const EMAIL_TOKEN_TTL_MS = 24 * 3600_000;
export const RESET_SMS_TOKEN_TTL_MS = 10 * 60_000;
export const RESET_PASSWORD_TOKEN_TTL_MS = 5 * 60_000;
export const LOGIN_LIMITS = { perAccount: 5, perIp: 30 };
// short: a read racing a profile write may put the old profile back after the write dropped it
const PROFILE_CACHE_S = 60;

export interface UserRow {
  id: number;
  username: string;
  mobile: string;
  email: string | null;
  email_active: boolean | number;
  password_hash: string;
  is_active: boolean | number;
}

export interface Profile {
  id: number;
  username: string;
  mobile: string;
  email: string | null;
  email_active: boolean;
}

export interface SessionGrant {
  token: string;
  user_id: number;
  username: string;
}

const profileOf = (u: UserRow): Profile => ({ id: u.id, username: u.username, mobile: u.mobile, email: u.email, email_active: Boolean(u.email_active) });

/** 138****5678 */
export const maskMobile = (m: string) => m.slice(0, 3) + '****' + m.slice(7);

const USER_UNIQUES = { users_username_unique: 'username', users_mobile_unique: 'mobile' };

export function userIdOf(context: RequestContext): number {
  if (context.actor.kind !== 'user') throw new UnauthorizedError();
  return context.actor.userId;
}

const nowOf = (context: RequestContext) => context.clock.now().getTime();

export class AccountService {
  readonly tokens: TokenStore;
  readonly sessions: SessionService;
  readonly codes: VerificationCodes;
  readonly loginThrottle: FailureThrottle;
  readonly resetThrottle: FailureThrottle;

  constructor(
    private readonly db: Knex,
    private readonly cache: Cache,
    private readonly config: Pick<Config, 'publicUrl' | 'accounts'>,
  ) {
    this.tokens = new TokenStore(db);
    this.sessions = new SessionService(db, cache, this.tokens, config.accounts.sessionIdleMs);
    this.codes = new VerificationCodes(cache, db);
    const limits = { ...LOGIN_LIMITS, windowSeconds: config.accounts.throttleWindowSeconds };
    this.loginThrottle = new FailureThrottle(cache, 'login', limits);
    this.resetThrottle = new FailureThrottle(cache, 'reset', limits);
  }

  private async findByAccount(account: string, trx: Knex = this.db): Promise<UserRow | undefined> {
    const column = MOBILE.test(account) ? 'mobile' : 'username';
    return trx('users').where(column, account).where('is_active', true).first<UserRow | undefined>();
  }

  async usernameCount(username: string): Promise<number> {
    const r = await this.db('users').where('username', username).count({ n: '*' }).first();
    return Number(r?.n ?? 0);
  }

  async mobileCount(mobile: string): Promise<number> {
    const r = await this.db('users').where('mobile', mobile).count({ n: '*' }).first();
    return Number(r?.n ?? 0);
  }

  async sendSmsCode(context: RequestContext, input: { mobile: string; image_code_id: string; image_code: string }): Promise<void> {
    const now = nowOf(context);
    await this.codes.checkImageCode(input.image_code_id, input.image_code, now);
    await this.codes.sendSmsCode(input.mobile, context.ip, now);
  }

  /**
   * A new customer, logged in. The unique indexes decide between two concurrent registrations of one
   * username or mobile; the pre-check only saves the loser its SMS code in the common case.
   */
  async register(
    context: RequestContext,
    input: { username: string; password: string; mobile: string; sms_code: string },
  ): Promise<Profile & { token: string }> {
    const now = nowOf(context);
    await this.assertFree(input.username, input.mobile);
    await this.codes.useSmsCode(input.mobile, input.sms_code, now);
    const hash = await hashPassword(input.password);
    try {
      return await this.db.transaction(async (trx) => {
        const [id] = await trx('users').insert({ username: input.username, password_hash: hash, mobile: input.mobile, email_active: false, is_active: true, created_at: now, updated_at: now });
        const { token } = await this.sessions.create(Number(id), now, trx);
        return { id: Number(id), username: input.username, mobile: input.mobile, email: null, email_active: false, token };
      });
    } catch (err) {
      throw this.duplicateUser(err) ?? err;
    }
  }

  private async assertFree(username: string | null, mobile: string) {
    if (username !== null && (await this.usernameCount(username)) > 0) throw new ValidationError('用户名已存在', { username: '用户名已存在' });
    if ((await this.mobileCount(mobile)) > 0) throw new ValidationError('手机号已注册', { mobile: '手机号已注册' });
  }

  private duplicateUser(err: unknown): ValidationError | null {
    const index = violatedUnique(err, USER_UNIQUES);
    if (index === 'users_username_unique') return new ValidationError('用户名已存在', { username: '用户名已存在' });
    if (index === 'users_mobile_unique') return new ValidationError('手机号已注册', { mobile: '手机号已注册' });
    return null;
  }

  /** Username or mobile + password → a session. The same answer for an unknown account and a wrong password. */
  async login(context: RequestContext, input: { account: string; password: string }): Promise<SessionGrant> {
    const now = nowOf(context);
    await this.loginThrottle.check(input.account, context.ip);
    const user = await this.findByAccount(input.account);
    const ok = user ? await verifyPassword(input.password, user.password_hash) : (await burnPasswordCheck(input.password), false);
    if (!user || !ok) {
      await this.loginThrottle.fail(input.account, context.ip);
      throw new AppError({ message: '用户名或密码错误', statusCode: 400, code: 'LOGIN_FAILED', fields: { account: '用户名或密码错误' } });
    }
    await this.loginThrottle.succeed(input.account);
    if (needsRehash(user.password_hash)) {
      await this.db('users').where({ id: user.id }).update({ password_hash: await hashPassword(input.password), updated_at: now });
    }
    return this.grant(user, now);
  }

  async grant(user: Pick<UserRow, 'id' | 'username'>, now: number, trx: Knex = this.db): Promise<SessionGrant> {
    const { token } = await this.sessions.create(user.id, now, trx);
    return { token, user_id: user.id, username: user.username };
  }

  /** Ends the session the request presented (a no-op without one: logging out twice is fine). */
  async logout(context: RequestContext): Promise<void> {
    if (context.sessionToken) await this.sessions.revoke(context.sessionToken);
  }

  /**
   * The caller's profile. The header of every page asks for it, so it is cached (PROFILE_CACHE_S)
   * like the session that precedes it: the two lookups of a page view cost no database query.
   * Every write to a profile field drops the copy (forgetProfile).
   */
  async profile(context: RequestContext): Promise<Profile> {
    const id = userIdOf(context);
    const cached = await this.cache.get(`profile:${id}`).catch(() => null); // Redis down: the database answers
    if (cached) return JSON.parse(cached) as Profile;
    const user = await this.db('users').where({ id }).first<UserRow | undefined>();
    if (!user) throw new UnauthorizedError();
    const profile = profileOf(user);
    await this.cache.set(`profile:${id}`, JSON.stringify(profile), PROFILE_CACHE_S, { evictable: true }).catch(() => {});
    return profile;
  }

  private async forgetProfile(userId: number): Promise<void> {
    await this.cache.del(`profile:${userId}`);
  }

  /** Saves the address unverified and mails a link (the mail leaves only if this commits). */
  async setEmail(context: RequestContext, email: string): Promise<Profile> {
    const userId = userIdOf(context);
    const now = nowOf(context);
    const profile = await this.db.transaction(async (trx) => {
      await trx('users').where({ id: userId }).update({ email, email_active: false, updated_at: now });
      // a link mailed to an earlier address must not verify this one, nor that one any more
      await this.tokens.revokeUser(userId, ['emailVerification'], {}, trx);
      const { token } = await this.tokens.issue('emailVerification', { userId, subject: email, ttlMs: EMAIL_TOKEN_TTL_MS, now }, trx);
      const link = `${this.config.publicUrl}/success_verify_email.html?token=${encodeURIComponent(token)}`;
      await enqueueMessage(
        trx,
        {
          channel: 'mail',
          recipient: email,
          payload: {
            subject: '美多商城邮箱验证',
            text: `尊敬的用户您好！\n\n感谢您使用美多商城。请在24小时内打开下面的链接验证您的邮箱 ${email}：\n\n${link}\n`,
            html: `<p>尊敬的用户您好！</p><p>感谢您使用美多商城。请在24小时内点击链接验证您的邮箱 ${escapeHtml(email)}：</p><p><a href="${escapeHtml(link)}">${escapeHtml(link)}</a></p>`,
          },
        },
        now,
      );
      const user = await trx('users').where({ id: userId }).first<UserRow>();
      return profileOf(user);
    });
    await this.forgetProfile(userId);
    return profile;
  }

  /** The link's token: single use, 24 h, and only for the address it was mailed to. */
  async verifyEmail(context: RequestContext, token: string): Promise<{ email: string; email_active: true }> {
    const now = nowOf(context);
    const verified = await this.db.transaction(async (trx) => {
      const row = await this.tokens.consume('emailVerification', token, now, trx);
      const bad = () => new ValidationError('验证链接无效或已过期', { token: '验证链接无效或已过期' });
      if (!row || row.user_id === null || !row.subject) throw bad();
      const updated = await trx('users').where({ id: row.user_id, email: row.subject }).update({ email_active: true, updated_at: now });
      if (updated !== 1) throw bad();
      return { userId: row.user_id, email: row.subject, email_active: true as const };
    });
    await this.forgetProfile(verified.userId);
    return { email: verified.email, email_active: verified.email_active };
  }

  /** Every other session of the user ends; the one that changed the password stays. */
  async changePassword(context: RequestContext, input: { old_password: string; password: string }): Promise<void> {
    const userId = userIdOf(context);
    const now = nowOf(context);
    const user = await this.db('users').where({ id: userId }).first<UserRow | undefined>();
    if (!user) throw new UnauthorizedError();
    await this.loginThrottle.check(user.username, context.ip);
    if (!(await verifyPassword(input.old_password, user.password_hash))) {
      await this.loginThrottle.fail(user.username, context.ip);
      throw new ValidationError('原密码错误', { old_password: '原密码错误' });
    }
    const hash = await hashPassword(input.password);
    await this.db.transaction(async (trx) => {
      await trx('users').where({ id: userId }).update({ password_hash: hash, updated_at: now });
      await this.tokens.revokeUser(userId, ['resetSms', 'resetPassword'], {}, trx);
    });
    const current = context.actor.kind === 'user' ? context.actor.sessionId : undefined;
    await this.sessions.revokeAll(userId, { exceptSessionId: current });
  }

  // Forgotten password (找回密码), four steps, each with a token of its own kind for its own user.

  /** Step 1: account + captcha → the masked mobile and a token for step 2. */
  async resetStart(context: RequestContext, input: { account: string; image_code_id: string; image_code: string }) {
    const now = nowOf(context);
    await this.resetThrottle.check(input.account, context.ip);
    try {
      await this.codes.checkImageCode(input.image_code_id, input.image_code, now);
    } catch (err) {
      await this.resetThrottle.fail(input.account, context.ip);
      throw err;
    }
    const user = await this.findByAccount(input.account);
    if (!user) {
      await this.resetThrottle.fail(input.account, context.ip);
      throw new NotFoundError('账号不存在', 'ACCOUNT_NOT_FOUND');
    }
    const { token } = await this.tokens.issue('resetSms', { userId: user.id, ttlMs: RESET_SMS_TOKEN_TTL_MS, now });
    return { mobile: maskMobile(user.mobile), access_token: token };
  }

  /** Step 2: that token → an SMS code to the account's mobile (the usual send limits apply). */
  async resetSendSms(context: RequestContext, accessToken: string): Promise<void> {
    const now = nowOf(context);
    const row = await this.tokens.find('resetSms', accessToken, now);
    if (!row || row.user_id === null) throw new ValidationError('操作已过期，请重新开始', { access_token: '凭证无效或已过期' });
    const user = await this.db('users').where({ id: row.user_id }).first<UserRow | undefined>();
    if (!user) throw new ValidationError('操作已过期，请重新开始', { access_token: '凭证无效或已过期' });
    await this.codes.sendSmsCode(user.mobile, context.ip, now);
  }

  /** Step 3: account + SMS code → a reset token (5 minutes, single use). */
  async resetVerify(context: RequestContext, input: { account: string; sms_code: string }) {
    const now = nowOf(context);
    await this.resetThrottle.check(input.account, context.ip);
    const user = await this.findByAccount(input.account);
    if (!user) {
      await this.resetThrottle.fail(input.account, context.ip);
      throw new NotFoundError('账号不存在', 'ACCOUNT_NOT_FOUND');
    }
    try {
      await this.codes.useSmsCode(user.mobile, input.sms_code, now);
    } catch (err) {
      await this.resetThrottle.fail(input.account, context.ip);
      throw err;
    }
    await this.resetThrottle.succeed(input.account);
    await this.tokens.revokeUser(user.id, ['resetSms']);
    const { token } = await this.tokens.issue('resetPassword', { userId: user.id, ttlMs: RESET_PASSWORD_TOKEN_TTL_MS, now });
    return { user_id: user.id, reset_token: token };
  }

  /** Step 4: reset token + new password → done; every session of the user ends. */
  async resetFinish(context: RequestContext, input: { reset_token: string; password: string }): Promise<void> {
    const now = nowOf(context);
    const hash = await hashPassword(input.password);
    const userId = await this.db.transaction(async (trx) => {
      const row = await this.tokens.consume('resetPassword', input.reset_token, now, trx);
      if (!row || row.user_id === null) throw new ValidationError('操作已过期，请重新开始', { reset_token: '凭证无效或已过期' });
      await trx('users').where({ id: row.user_id }).update({ password_hash: hash, updated_at: now });
      return row.user_id;
    });
    await this.sessions.revokeAll(userId);
  }

  /** For QQ binding: the account of a mobile, checked against its password (throttled like login). */
  async userForBinding(context: RequestContext, mobile: string, password: string): Promise<UserRow | null> {
    await this.loginThrottle.check(mobile, context.ip);
    const user = await this.findByAccount(mobile);
    if (!user) return null;
    if (!(await verifyPassword(password, user.password_hash))) {
      await this.loginThrottle.fail(mobile, context.ip);
      throw new ValidationError('密码错误', { password: '密码错误' });
    }
    return user;
  }

  /** A new account for a QQ user who has none: a generated username (mobile-shaped names are not allowed). */
  async createForQq(trx: Knex, mobile: string, password: string, now: number): Promise<{ id: number; username: string }> {
    const hash = await hashPassword(password);
    for (let attempt = 0; ; attempt++) {
      const username = `qq_${mobile.slice(-4)}${Math.random().toString(36).slice(2, 8)}`;
      try {
        const [id] = await trx('users').insert({ username, password_hash: hash, mobile, email_active: false, is_active: true, created_at: now, updated_at: now });
        return { id: Number(id), username };
      } catch (err) {
        const dup = this.duplicateUser(err);
        if (dup?.fields?.username && attempt < 3) continue;
        throw dup ?? err;
      }
    }
  }
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}
