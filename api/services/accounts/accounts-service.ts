import type { Knex } from 'knex';
import type { Cache } from '../../cache/index.ts';
import type { Config } from '../../config.ts';
import type { RequestContext } from '../../context.ts';
import { forUpdate, violatedUnique } from '../../db/dialect.ts';
import { AppError, UnauthorizedError, ValidationError } from '../../errors.ts';
import type { Logger } from '../../logger.ts';
import { enqueueMessage } from '../messages/outbox.ts';
import { db, withTransaction } from '../../db/transaction.ts';
import { VerificationCodes } from './codes.ts';
import { accountColumn, identifierKey, normalizeIdentifier } from './identifiers.ts';
import { passwords as scryptPasswords, type Passwords } from './passwords.ts';
import { SessionService } from './sessions.ts';
import { zoneDays } from '../../shop-days.ts';
import { AttemptThrottle, countInWindow, throttleSubject } from './throttle.ts';
import { TokenStore } from './tokens.ts';

// Customer accounts: registration, login and logout, the profile, email verification, password
// change and the forgotten-password steps. Transport-free: routes hand in a RequestContext, and
// everything is also callable from jobs, the CLI and tests.

export const EMAIL_TOKEN_TTL_MS = 24 * 3600_000;
export const RESET_SMS_TOKEN_TTL_MS = 10 * 60_000;
export const RESET_PASSWORD_TOKEN_TTL_MS = 5 * 60_000;

// The limits of the accounts' anonymous and mail-sending endpoints, in one place (docs/accounts.md).
// SMS sending limits are in codes.ts beside the codes.
/** Login, password change and QQ binding share one throttle; the forgotten-password steps have their own, alike. */
export const LOGIN_LIMITS = { perSubject: 5, perIp: 30 };
/** `GET /api/usernames/{u}/count`, `/api/mobiles/{m}/count`: per client IP, both together. */
export const EXISTENCE_CHECKS_PER_IP = { limit: 30, windowMs: 60_000 };
/** Verification mails (`PUT /api/user/email`): per user, and per address whoever asks. */
export const EMAIL_MAILS_PER_USER = { limit: 3, windowMs: 10 * 60_000 };
export const EMAIL_MAILS_PER_ADDRESS = { limit: 3, windowMs: 3600_000 };
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

const USER_UNIQUES = { users_username_unique: 'username', users_mobile_unique: 'mobile' };

export function userIdOf(context: RequestContext): number {
  if (context.actor.kind !== 'user') throw new UnauthorizedError();
  return context.actor.userId;
}

const nowOf = (context: RequestContext) => context.clock.now().getTime();

/** One answer for an unknown account, a wrong password and an account deactivated meanwhile. */
const loginFailed = () => new AppError({ message: '用户名或密码错误', statusCode: 400, code: 'LOGIN_FAILED', fields: { account: '用户名或密码错误' } });

export class AccountService {
  readonly tokens: TokenStore;
  readonly sessions: SessionService;
  /** Told whether each profile read found it cached (the shop's metrics count hits and misses). */
  onProfileLookup?: (hit: boolean) => void;
  readonly codes: VerificationCodes;
  readonly loginThrottle: AttemptThrottle;
  readonly resetThrottle: AttemptThrottle;

  constructor(
    private readonly cache: Cache,
    private readonly config: Pick<Config, 'publicUrl' | 'accounts' | 'shopTimeZone'>,
    log?: Logger,
    /** scrypt (passwords.ts); a test may wrap it to count the checks made. */
    readonly passwords: Passwords = { ...scryptPasswords },
  ) {
    this.tokens = new TokenStore();
    this.sessions = new SessionService(cache, this.tokens, config.accounts.sessionIdleMs, zoneDays(config.shopTimeZone));
    this.codes = new VerificationCodes(cache);
    const limits = { ...LOGIN_LIMITS, windowSeconds: config.accounts.throttleWindowSeconds };
    this.loginThrottle = new AttemptThrottle(cache, 'login', limits, log);
    this.resetThrottle = new AttemptThrottle(cache, 'reset', limits, log);
  }

  /** The live user a typed username or mobile names (normalised: identifiers.ts), if any. */
  private async findByAccount(trx: Knex, account: string): Promise<UserRow | undefined> {
    const value = normalizeIdentifier(account);
    const column = accountColumn(value);
    if (!column) return undefined;
    return trx('users').where(column, value).where('is_active', true).first<UserRow | undefined>();
  }

  async usernameCount(context: RequestContext, username: string): Promise<number> {
    const value = normalizeIdentifier(username);
    if (accountColumn(value) !== 'username') return 0;
    const r = await db(context)('users').where('username', value).count({ n: '*' }).first();
    return Number(r?.n ?? 0);
  }

  async mobileCount(context: RequestContext, mobile: string): Promise<number> {
    const value = normalizeIdentifier(mobile);
    if (accountColumn(value) !== 'mobile') return 0;
    const r = await db(context)('users').where('mobile', value).count({ n: '*' }).first();
    return Number(r?.n ?? 0);
  }

  /**
   * The registration page's "is this taken?" checks, limited per client IP: unlimited, they answered
   * every mobile of a masked range (10,000 candidates) in half a minute.
   */
  async publicCount(context: RequestContext, what: 'username' | 'mobile', value: string): Promise<number> {
    if (context.ip) {
      await countInWindow(this.cache, `exists:ip:${context.ip}`, EXISTENCE_CHECKS_PER_IP, nowOf(context), { message: '查询过于频繁，请稍后再试', code: 'TOO_MANY_REQUESTS' });
    }
    return what === 'username' ? this.usernameCount(context, value) : this.mobileCount(context, value);
  }

  async sendSmsCode(context: RequestContext, input: { mobile: string; image_code_id: string; image_code: string; purpose: 'register' | 'bind' }): Promise<void> {
    const now = nowOf(context);
    await this.codes.checkImageCode(input.image_code_id, input.image_code, now);
    await this.codes.sendSmsCode(db(context), input.purpose, input.mobile, context.ip, now);
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
    await this.assertFree(context, input.username, input.mobile);
    await this.codes.useSmsCode('register', input.mobile, input.sms_code, now);
    // one hash per SMS code: the code was used up above (of parallel uses, one wins)
    const hash = await this.passwords.hash(input.password);
    try {
      return await withTransaction(context, async ({ trx }) => {
        const [id] = await trx('users').insert({ username: input.username, password_hash: hash, mobile: input.mobile, email_active: false, is_active: true, created_at: now, updated_at: now });
        const { token } = await this.sessions.create(trx, Number(id), now);
        return { id: Number(id), username: input.username, mobile: input.mobile, email: null, email_active: false, token };
      });
    } catch (err) {
      throw this.duplicateUser(err) ?? err;
    }
  }

  private async assertFree(context: RequestContext, username: string | null, mobile: string) {
    if (username !== null && (await this.usernameCount(context, username)) > 0) throw new ValidationError('用户名已存在', { username: '用户名已存在' });
    if ((await this.mobileCount(context, mobile)) > 0) throw new ValidationError('手机号已注册', { mobile: '手机号已注册' });
  }

  private duplicateUser(err: unknown): ValidationError | null {
    const index = violatedUnique(err, USER_UNIQUES);
    if (index === 'users_username_unique') return new ValidationError('用户名已存在', { username: '用户名已存在' });
    if (index === 'users_mobile_unique') return new ValidationError('手机号已注册', { mobile: '手机号已注册' });
    return null;
  }

  /**
   * Username or mobile + password → a session. The same answer for an unknown account and a wrong
   * password. The attempt is taken before scrypt runs (throttle.ts), for the user whichever
   * spelling or identifier named it.
   */
  async login(context: RequestContext, input: { account: string; password: string }): Promise<SessionGrant> {
    const now = nowOf(context);
    const user = await this.findByAccount(db(context), input.account);
    const attempt = await this.loginThrottle.take(throttleSubject(user?.id, input.account), context.ip);
    const ok = user ? await this.passwords.verify(input.password, user.password_hash) : (await this.passwords.burn(input.password), false);
    if (!user || !ok) throw loginFailed();
    await attempt.succeeded();
    if (this.passwords.needsRehash(user.password_hash)) {
      await db(context)('users').where({ id: user.id }).update({ password_hash: await this.passwords.hash(input.password), updated_at: now });
    }
    return this.grant(context, user);
  }

  /**
   * A new session for the user, in the request's transaction when it has one. The account is read
   * again under a row lock first: a deactivation (admin/customers.ts) racing this login either
   * commits before it — and the login is refused — or waits until the session exists and ends it
   * with the others. Without the lock, a login that read the account as active could add a session
   * after the deactivation had ended them all.
   */
  async grant(context: RequestContext, user: Pick<UserRow, 'id' | 'username'>): Promise<SessionGrant> {
    return withTransaction(context, async (tx) => {
      const live = await forUpdate(db(tx), db(tx)('users').where({ id: user.id, is_active: true }).select('id')).first();
      if (!live) throw loginFailed();
      const { token } = await this.sessions.create(db(tx), user.id, nowOf(tx));
      return { token, user_id: user.id, username: user.username };
    });
  }

  /** Ends the session the request presented (a no-op without one: logging out twice is fine). */
  async logout(context: RequestContext): Promise<void> {
    if (context.sessionToken) await this.sessions.revoke(db(context), context.sessionToken);
  }

  /**
   * The caller's profile. The header of every page asks for it, so it is cached (PROFILE_CACHE_S)
   * like the session that precedes it: the two lookups of a page view cost no database query.
   * Every write to a profile field drops the copy (forgetProfile).
   */
  async profile(context: RequestContext): Promise<Profile> {
    const id = userIdOf(context);
    const cached = await this.cache.get(`profile:${id}`).catch(() => null); // Redis down: the database answers
    this.onProfileLookup?.(cached !== null);
    if (cached) return JSON.parse(cached) as Profile;
    const user = await db(context)('users').where({ id }).first<UserRow | undefined>();
    if (!user) throw new UnauthorizedError();
    const profile = profileOf(user);
    await this.cache.set(`profile:${id}`, JSON.stringify(profile), PROFILE_CACHE_S, { evictable: true }).catch(() => {});
    return profile;
  }

  private async forgetProfile(userId: number): Promise<void> {
    await this.cache.del(`profile:${userId}`);
  }

  /**
   * Saves the address unverified and mails a link (the mail leaves only if this commits). At most
   * EMAIL_MAILS_PER_USER mails per user and EMAIL_MAILS_PER_ADDRESS per address (429, nothing saved):
   * unlimited, one account sent 60 mails in a tenth of a second, 30 of them to one stranger.
   */
  async setEmail(context: RequestContext, email: string): Promise<Profile> {
    const userId = userIdOf(context);
    const now = nowOf(context);
    const refusal = { message: '验证邮件发送过于频繁，请稍后再试', code: 'EMAIL_TOO_FREQUENT' };
    await countInWindow(this.cache, `email:user:${userId}`, EMAIL_MAILS_PER_USER, now, refusal);
    await countInWindow(this.cache, `email:address:${identifierKey(email)}`, EMAIL_MAILS_PER_ADDRESS, now, refusal);
    const profile = await withTransaction(context, async ({ trx }) => {
      await trx('users').where({ id: userId }).update({ email, email_active: false, updated_at: now });
      // a link mailed to an earlier address must not verify this one, nor that one any more
      await this.tokens.revokeUser(trx, userId, ['emailVerification']);
      const { token } = await this.tokens.issue(trx, 'emailVerification', { userId, subject: email, ttlMs: EMAIL_TOKEN_TTL_MS, now });
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

  /**
   * The link's token: single use, 24 h, and only for the address it was mailed to. Opened again
   * (its marker found, tokens.ts USED_MARKERS) while that address is still the account's and
   * verified, the answer says so (`already_verified`) instead of failing; anything else — a random
   * token, one for an address since changed — is the same 400 as ever.
   */
  async verifyEmail(context: RequestContext, token: string): Promise<{ email: string; email_active: true; already_verified: boolean }> {
    const now = nowOf(context);
    const verified = await withTransaction(context, async ({ trx }) => {
      const bad = () => new ValidationError('验证链接无效或已过期', { token: '验证链接无效或已过期' });
      const row = await this.tokens.consumeMarking(trx, 'emailVerification', token, now);
      if (!row) {
        const used = await this.tokens.findUsed(trx, 'emailVerification', token, now);
        if (!used || used.user_id === null || !used.subject) throw bad();
        const still = await trx('users').where({ id: used.user_id, email: used.subject, email_active: true }).first('id');
        if (!still) throw bad();
        return { userId: used.user_id, email: used.subject, already_verified: true };
      }
      if (row.user_id === null || !row.subject) throw bad();
      const updated = await trx('users').where({ id: row.user_id, email: row.subject }).update({ email_active: true, updated_at: now });
      if (updated !== 1) throw bad();
      return { userId: row.user_id, email: row.subject, already_verified: false };
    });
    if (!verified.already_verified) await this.forgetProfile(verified.userId);
    return { email: verified.email, email_active: true, already_verified: verified.already_verified };
  }

  /** Every other session of the user ends; the one that changed the password stays. */
  async changePassword(context: RequestContext, input: { old_password: string; password: string }): Promise<void> {
    const userId = userIdOf(context);
    const now = nowOf(context);
    const user = await db(context)('users').where({ id: userId }).first<UserRow | undefined>();
    if (!user) throw new UnauthorizedError();
    // the login's budget: a stolen session must not be a way around it
    const attempt = await this.loginThrottle.take(throttleSubject(user.id, user.username), context.ip);
    if (!(await this.passwords.verify(input.old_password, user.password_hash))) throw new ValidationError('原密码错误', { old_password: '原密码错误' });
    await attempt.succeeded();
    const hash = await this.passwords.hash(input.password);
    const current = context.actor.kind === 'user' ? context.actor.sessionId : undefined;
    await withTransaction(context, async ({ trx }) => {
      await trx('users').where({ id: userId }).update({ password_hash: hash, updated_at: now });
      await this.tokens.revokeUser(trx, userId, ['resetSms', 'resetPassword']);
    });
    // after the commit: revoking drops the cached sessions, and a request reading the rows before
    // the commit would put one back
    await this.sessions.revokeAll(db(context), userId, { exceptSessionId: current });
  }

  // Forgotten password (找回密码), four steps, each with a token of its own kind. Steps 1–3 answer an
  // account that does not exist exactly as one that does (same status, same shape, no scrypt on
  // either path), so they tell nobody which accounts exist or what their mobile is; only the owner
  // of the account's mobile gets a code and gets past step 3.

  /**
   * Step 1: account + captcha → a token for step 2. No masked mobile: `138****0011` left 10,000
   * candidates, which the unthrottled count endpoint answered in half a minute. The token of an
   * unknown account names no user; step 2 then sends nothing, with the same answers.
   */
  async resetStart(context: RequestContext, input: { account: string; image_code_id: string; image_code: string }): Promise<{ access_token: string }> {
    const now = nowOf(context);
    const user = await this.findByAccount(db(context), input.account);
    const attempt = await this.resetThrottle.take(throttleSubject(user?.id, input.account), context.ip);
    await this.codes.checkImageCode(input.image_code_id, input.image_code, now);
    await attempt.succeeded();
    const { token } = await this.tokens.issue(db(context), 'resetSms', { userId: user?.id ?? null, subject: identifierKey(input.account), ttlMs: RESET_SMS_TOKEN_TTL_MS, now });
    return { access_token: token };
  }

  /** Step 2: that token → an SMS code to the account's mobile (the usual send limits apply, also when there is no account). */
  async resetSendSms(context: RequestContext, accessToken: string): Promise<void> {
    const now = nowOf(context);
    const row = await this.tokens.find(db(context), 'resetSms', accessToken, now);
    if (!row) throw new ValidationError('操作已过期，请重新开始', { access_token: '凭证无效或已过期' });
    const user = row.user_id === null ? undefined : await db(context)('users').where({ id: row.user_id }).first<UserRow | undefined>();
    if (user) await this.codes.sendSmsCode(db(context), 'reset', user.mobile, context.ip, now);
    else await this.codes.pretendSmsSend(row.subject ?? '', context.ip, now);
  }

  /** Step 3: account + SMS code → a reset token (5 minutes, single use). Every failure is one 400. */
  async resetVerify(context: RequestContext, input: { account: string; sms_code: string }) {
    const now = nowOf(context);
    const user = await this.findByAccount(db(context), input.account);
    const attempt = await this.resetThrottle.take(throttleSubject(user?.id, input.account), context.ip);
    const failed = () => new ValidationError('短信验证码错误或已过期', { sms_code: '短信验证码错误或已过期' });
    if (!user) throw failed();
    try {
      await this.codes.useSmsCode('reset', user.mobile, input.sms_code, now);
    } catch (err) {
      if (err instanceof ValidationError) throw failed();
      throw err;
    }
    await attempt.succeeded();
    await this.tokens.revokeUser(db(context), user.id, ['resetSms']);
    const { token } = await this.tokens.issue(db(context), 'resetPassword', { userId: user.id, ttlMs: RESET_PASSWORD_TOKEN_TTL_MS, now });
    return { user_id: user.id, reset_token: token };
  }

  /**
   * Step 4: reset token + new password → done; every session of the user ends. The token is used up
   * before the password is hashed: a request without a live token costs no scrypt (hashing first
   * let anonymous calls spend 37 ms of CPU and 16 MiB each), and one token pays for one hash.
   */
  async resetFinish(context: RequestContext, input: { reset_token: string; password: string }): Promise<void> {
    const now = nowOf(context);
    const row = await this.tokens.consume(db(context), 'resetPassword', input.reset_token, now);
    if (!row || row.user_id === null) throw new ValidationError('操作已过期，请重新开始', { reset_token: '凭证无效或已过期' });
    const hash = await this.passwords.hash(input.password);
    await db(context)('users').where({ id: row.user_id }).update({ password_hash: hash, updated_at: now });
    await this.sessions.revokeAll(db(context), row.user_id);
  }

  /** For QQ binding: the account of a mobile, checked against its password (throttled like login). */
  async userForBinding(context: RequestContext, mobile: string, password: string): Promise<UserRow | null> {
    const user = await this.findByAccount(db(context), mobile);
    if (!user) return null;
    const attempt = await this.loginThrottle.take(throttleSubject(user.id, mobile), context.ip);
    if (!(await this.passwords.verify(password, user.password_hash))) throw new ValidationError('密码错误', { password: '密码错误' });
    await attempt.succeeded();
    return user;
  }

  /** A new account for a QQ user who has none: a generated username (mobile-shaped names are not allowed). */
  async createForQq(trx: Knex, mobile: string, password: string, now: number): Promise<{ id: number; username: string }> {
    const hash = await this.passwords.hash(password);
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
