import crypto from 'node:crypto';
import type { Knex } from 'knex';
import type { Cache } from '../../cache/index.ts';
import { db, withTransaction } from '../../db/transaction.ts';
import type { RequestContext } from '../../context.ts';
import { violatedUnique } from '../../db/dialect.ts';
import { AppError, NotFoundError, ValidationError } from '../../errors.ts';
import { QqError, type QqOAuth } from '../../providers/qq.ts';
import type { AccountService, SessionGrant } from './accounts-service.ts';

// QQ login. The `state` sent to QQ is random, kept server-side for 10 minutes and usable once, so a
// callback the shop did not start (login CSRF) is refused; it also carries `next`, a local path
// only. A QQ user already bound gets a session; one not yet bound gets a bind token (10 minutes,
// kind 'qqBind': good for binding and nothing else) to bind to the account of a mobile, or to a new
// account. An openid binds to one user (unique index).

const STATE_TTL_MS = 600_000;
export const QQ_BIND_TTL_MS = 600_000;

export class QqLoginService {
  constructor(
    private readonly cache: Cache,
    private readonly qq: QqOAuth | null,
    private readonly accounts: AccountService,
  ) {}

  private provider(): QqOAuth {
    if (!this.qq) throw new NotFoundError('未启用QQ登录', 'QQ_LOGIN_DISABLED');
    return this.qq;
  }

  async authorizationUrl(context: RequestContext, next: string): Promise<{ login_url: string }> {
    const qq = this.provider();
    const state = crypto.randomBytes(24).toString('base64url');
    const now = context.clock.now().getTime();
    // evictable: anyone may ask for a login URL, and a lost state only fails that one login
    await this.cache.set(`qq_state:${state}`, JSON.stringify({ next, exp: now + STATE_TTL_MS }), Math.ceil(STATE_TTL_MS / 1000), { evictable: true });
    return { login_url: qq.authorizeUrl(state) };
  }

  async callback(context: RequestContext, code: string, state: string): Promise<(SessionGrant | { access_token: string }) & { next: string }> {
    const qq = this.provider();
    const now = context.clock.now().getTime();
    const raw = await this.cache.take(`qq_state:${state}`);
    const saved = raw ? (JSON.parse(raw) as { next: string; exp: number }) : null;
    if (!saved || saved.exp <= now) throw new ValidationError('QQ登录已过期，请重新登录', { state: '无效或已过期' });
    let openid: string;
    try {
      openid = await qq.openIdFor(code);
    } catch (err) {
      if (err instanceof QqError) throw new AppError({ message: 'QQ登录失败，请重试', statusCode: 502, code: 'QQ_FAILED', cause: err });
      throw err;
    }
    const bound = await db(context)('oauth_qq_users as q').join('users as u', 'u.id', 'q.user_id').where('q.openid', openid).where('u.is_active', true).first('u.id', 'u.username');
    if (bound) return { ...(await this.accounts.grant(context, { id: Number(bound.id), username: bound.username })), next: saved.next };
    const { token } = await this.accounts.tokens.issue(db(context), 'qqBind', { userId: null, subject: openid, ttlMs: QQ_BIND_TTL_MS, now });
    return { access_token: token, next: saved.next };
  }

  /** Binds the QQ user to the account of `mobile` (its password must match) or to a new one. */
  async bind(context: RequestContext, input: { access_token: string; mobile: string; password: string; sms_code: string }): Promise<SessionGrant> {
    this.provider();
    const now = context.clock.now().getTime();
    const bindToken = await this.accounts.tokens.find(db(context), 'qqBind', input.access_token, now);
    if (!bindToken?.subject) throw new ValidationError('绑定已过期，请重新用QQ登录', { access_token: '无效或已过期' });
    await this.accounts.codes.useSmsCode('bind', input.mobile, input.sms_code, now);
    const existing = await this.accounts.userForBinding(context, input.mobile, input.password);
    try {
      return await withTransaction(context, async (tx) => {
        const { trx } = tx;
        const used = await this.accounts.tokens.consume(trx, 'qqBind', input.access_token, now);
        if (!used?.subject) throw new ValidationError('绑定已过期，请重新用QQ登录', { access_token: '无效或已过期' });
        const user = existing ? { id: existing.id, username: existing.username } : await this.accounts.createForQq(trx, input.mobile, input.password, now);
        await trx('oauth_qq_users').insert({ openid: used.subject, user_id: user.id, created_at: now });
        return this.accounts.grant(tx, user);
      });
    } catch (err) {
      if (violatedUnique(err, { oauth_qq_users_openid_unique: 'openid' })) throw new ValidationError('该QQ已绑定其他账号', { access_token: '该QQ已绑定' });
      throw err;
    }
  }
}
