import crypto from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MemoryCache } from '../../api/cache/memory.ts';
import { ManualClock } from '../../api/clock.ts';
import type { Mail, Mailer } from '../../api/providers/mail.ts';
import { IMAGE_CODES_PER_IP_PER_MINUTE } from '../../api/services/accounts/codes.ts';
import { hashToken } from '../../api/services/accounts/tokens.ts';
import { createUser, recordingSms } from '../helpers/accounts.ts';
import { call } from '../helpers/api-client.ts';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { createTestDb, type TestDb } from '../helpers/db.ts';
import { DB_KINDS, redisDbUrl, emptyRedis } from '../helpers/env.ts';

// Accounts over HTTP, on the embedded default (SQLite + in-process cache) and on MariaDB + Redis:
// captcha, SMS codes and their limits, registration, sessions (bearer and cookie + CSRF), the
// login throttle, email verification, password change and reset. Time is a ManualClock; the
// throttle window is a few seconds so a test can wait it out.

const WINDOW_S = 8;

function recordingMailer(): Mailer & { sent: Mail[] } {
  const sent: Mail[] = [];
  return { name: 'recording', sent, send: async (m) => void sent.push(m) };
}

async function until<T>(f: () => T | undefined, what: string, ms = 5000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = f();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe.each(DB_KINDS)('accounts on %s', (kind) => {
  let t: TestDb;
  let app: TestApp;
  const clock = new ManualClock(Date.now());
  const sms = recordingSms();
  const mail = recordingMailer();
  let ipSerial = 10;
  /** A loopback address no other test uses: the IP limits count per address. */
  const freshIp = () => `127.0.${Math.floor(++ipSerial / 250)}.${(ipSerial % 250) + 2}`;
  let mobileSerial = 0;
  const freshMobile = () => `139${String(process.pid % 10000).padStart(4, '0')}${String(++mobileSerial).padStart(4, '0')}`;

  beforeAll(async () => {
    t = await createTestDb(kind);
    const redisUrl = kind === 'mysql' ? (redisDbUrl(12) ?? null) : null;
    await emptyRedis(redisUrl);
    app = await startTestApp(t, {
      redisUrl,
      worker: true,
      overrides: { clock, sms, mail },
      config: { accounts: { sessionIdleMs: 14 * 86_400_000, throttleWindowSeconds: WINDOW_S, secureCookies: false } },
    });
  });
  afterAll(async () => {
    await app?.close();
    await t?.drop();
  });
  beforeEach(() => {
    sms.sent.length = 0;
    mail.sent.length = 0;
  });

  /** A captcha and its text (asked for from an address of its own: captchas are limited per IP). */
  async function captcha(from = freshIp()): Promise<{ uuid: string; text: string }> {
    const uuid = crypto.randomUUID();
    const res = await call(app, 'GET', `/api/image_codes/${uuid}`, { from });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('image/png');
    return { uuid, text: (await app.services.accounts.codes.peekImageCode(uuid))! };
  }

  async function smsCode(mobile: string, from = freshIp()): Promise<string> {
    const c = await captcha();
    sms.sent.length = 0; // codeFor must see this send, not an earlier one to the same mobile
    const r = await call(app, 'POST', '/api/sms_codes', { body: { mobile, image_code_id: c.uuid, image_code: c.text.toUpperCase() }, from });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    return sms.codeFor(mobile);
  }

  async function register(fields: Partial<Record<string, unknown>> = {}) {
    const mobile = (fields.mobile as string) ?? freshMobile();
    const code = await smsCode(mobile);
    const username = `u${crypto.randomBytes(5).toString('hex')}`;
    const body = { username, password: 'secret-pass1', password2: 'secret-pass1', mobile, sms_code: code, allow: true, ...fields };
    const r = await call(app, 'POST', '/api/users', { body });
    return { r, body };
  }

  describe('image captcha', () => {
    it('is single use and case-insensitive; a wrong or reused one is a 400 naming image_code', async () => {
      const c = await captcha();
      expect(c.text).toMatch(/^[a-z0-9]{4}$/);
      const mobile = freshMobile();
      const wrong = await call(app, 'POST', '/api/sms_codes', { body: { mobile, image_code_id: c.uuid, image_code: 'zzzz' === c.text ? 'yyyy' : 'zzzz' } });
      expect(wrong.status).toBe(400);
      expect(wrong.body.error.fields).toHaveProperty('image_code');
      // one try per image: the right text no longer works either
      const again = await call(app, 'POST', '/api/sms_codes', { body: { mobile, image_code_id: c.uuid, image_code: c.text } });
      expect(again.status).toBe(400);
      expect(sms.sent).toHaveLength(0);
    });

    it('expires after 300 s by the clock', async () => {
      const c = await captcha();
      clock.advance(301_000);
      const r = await call(app, 'POST', '/api/sms_codes', { body: { mobile: freshMobile(), image_code_id: c.uuid, image_code: c.text } });
      expect(r.status).toBe(400);
      expect(r.body.error.fields.image_code).toMatch(/过期/);
    });

    it('refuses a malformed uuid', async () => {
      expect((await app.json('/api/image_codes/not-a-uuid')).status).toBe(400);
    });

    it('gives one address 30 captchas a minute (then 429 with Retry-After), other addresses theirs', async () => {
      clock.advance(60_000 - (clock.now().getTime() % 60_000)); // the start of a clock minute
      const ip = freshIp();
      const get = (from = ip) => call(app, 'GET', `/api/image_codes/${crypto.randomUUID()}`, { from });
      for (let i = 0; i < IMAGE_CODES_PER_IP_PER_MINUTE; i++) expect((await get()).status).toBe(200);
      clock.advance(30_000);
      const over = await get();
      expect(over.status).toBe(429);
      expect(over.body.error).toEqual({ code: 'IMAGE_CODE_TOO_FREQUENT', message: '获取图形验证码过于频繁，请稍后再试' });
      expect(Number(over.headers['retry-after'])).toBe(30);
      expect((await get(freshIp())).status).toBe(200);
      clock.advance(30_000);
      expect((await get()).status).toBe(200);
    });
  });

  describe('SMS codes', () => {
    it('sends a 6-digit code through the job, once a minute per mobile (429 with Retry-After)', async () => {
      const mobile = freshMobile();
      const code = await smsCode(mobile);
      expect(code).toMatch(/^\d{6}$/);
      expect(sms.sent).toEqual([{ mobile, code, ttlMinutes: 5 }]);
      const c = await captcha();
      const soon = await call(app, 'POST', '/api/sms_codes', { body: { mobile, image_code_id: c.uuid, image_code: c.text } });
      expect(soon.status).toBe(429);
      expect(Number(soon.headers['retry-after'])).toBeGreaterThan(50);
      expect(Number(soon.headers['retry-after'])).toBeLessThanOrEqual(60);
      clock.advance(61_000);
      const code2 = await smsCode(mobile);
      expect(code2).toMatch(/^\d{6}$/);
      await until(() => (sms.sent.length === 1 ? true : undefined), 'the second send');
      // the outbox keeps no code once sent
      expect(await t.db('outgoing_messages').where({ recipient: mobile }).whereNotNull('payload').count({ n: '*' }).first()).toEqual({ n: 0 });
    });

    it('allows 10 a day per mobile and 20 a day per IP', async () => {
      // the counts are per Beijing day: start this test just after a Beijing midnight, so its ten
      // minutes of sends never straddle one (earlier tests leave the clock anywhere in the day)
      const day = 86_400_000;
      const beijing = 8 * 3600_000;
      clock.set(Math.ceil((clock.now().getTime() + beijing) / day) * day - beijing + 60_000);
      const mobile = freshMobile();
      for (let i = 0; i < 10; i++) {
        await smsCode(mobile);
        clock.advance(61_000);
      }
      const c = await captcha();
      const eleventh = await call(app, 'POST', '/api/sms_codes', { body: { mobile, image_code_id: c.uuid, image_code: c.text } });
      expect(eleventh.status).toBe(429);
      expect(eleventh.body.error.code).toBe('SMS_DAILY_LIMIT');

      const ip = freshIp();
      for (let i = 0; i < 20; i++) await smsCode(freshMobile(), ip);
      const c2 = await captcha();
      const overIp = await call(app, 'POST', '/api/sms_codes', { body: { mobile: freshMobile(), image_code_id: c2.uuid, image_code: c2.text }, from: ip });
      expect(overIp.status).toBe(429);
      expect(overIp.body.error.code).toBe('SMS_DAILY_LIMIT');

      // 60,000 captchas later (more than the in-process cache holds) the count is still there
      const codes = app.services.accounts.codes;
      for (let i = 0; i < 60_000; i += 2000) {
        await Promise.all(Array.from({ length: 2000 }, () => codes.storeImageCode(crypto.randomUUID(), 'abcd', clock.now().getTime())));
      }
      const c3 = await captcha();
      const stillOver = await call(app, 'POST', '/api/sms_codes', { body: { mobile: freshMobile(), image_code_id: c3.uuid, image_code: c3.text }, from: ip });
      expect(stillOver.status).toBe(429);
      expect(stillOver.body.error.code).toBe('SMS_DAILY_LIMIT');
      if (app.services.cache instanceof MemoryCache) expect(app.services.cache.sizes().evictable).toBeLessThanOrEqual(50_000);
      clock.advance(86_400_000); // the next Beijing day
    });
  });

  describe('registration', () => {
    it('creates the user, logs them in (body token and cookies) and uses the SMS code up', async () => {
      const { r, body } = await register();
      expect(r.status, JSON.stringify(r.body)).toBe(201);
      expect(r.body).toMatchObject({ username: body.username, mobile: body.mobile, token: expect.stringMatching(/^ses_/) });
      expect(r.cookies.meiduo_session).toBe(r.body.token);
      expect(r.headers['set-cookie']!.find((c) => c.startsWith('meiduo_session='))).toMatch(/HttpOnly/i);
      expect(r.headers['set-cookie']!.find((c) => c.startsWith('meiduo_session='))).toMatch(/SameSite=Lax/i);
      expect(r.headers['set-cookie']!.find((c) => c.startsWith('meiduo_csrf='))).not.toMatch(/HttpOnly/i);
      // the header's display name, readable by the page's head script (header-cookies.ts)
      expect(r.cookies.meiduo_name).toBe(body.username);
      expect(r.headers['set-cookie']!.find((c) => c.startsWith('meiduo_name='))).not.toMatch(/HttpOnly/i);
      const me = await call(app, 'GET', '/api/user', { headers: { authorization: `Bearer ${r.body.token}` } });
      expect(me.body).toEqual({ id: r.body.id, username: body.username, mobile: body.mobile, email: null, email_active: false });
      // the password is stored as an scrypt hash
      const row = await t.db('users').where({ id: r.body.id }).first();
      expect(row.password_hash).toMatch(/^scrypt\$14\$8\$1\$/);
      // the same code again: used up
      const again = await call(app, 'POST', '/api/users', { body: { ...body, username: body.username + 'x', mobile: freshMobile() } });
      expect(again.status).toBe(400);
      const counts = await Promise.all([app.json(`/api/usernames/${body.username}/count`), app.json(`/api/mobiles/${body.mobile}/count`)]);
      expect(counts.map((c) => c.body.count)).toEqual([1, 1]);
      expect((await app.json(`/api/usernames/${body.username.toUpperCase()}/count`)).body.count).toBe(1);
    });

    it('names each bad field', async () => {
      const bad = await call(app, 'POST', '/api/users', {
        body: { username: '12345678', password: 'short', password2: 'other', mobile: '12345678901', sms_code: '12', allow: false },
      });
      expect(bad.status).toBe(400);
      expect(Object.keys(bad.body.error.fields).sort()).toEqual(['allow', 'mobile', 'password', 'sms_code', 'username']);
      const mobileShaped = await call(app, 'POST', '/api/users', {
        body: { username: '13812345678', password: 'secret-pass1', password2: 'secret-pass2', mobile: '13812345678', sms_code: '123456', allow: true },
      });
      expect(Object.keys(mobileShaped.body.error.fields).sort()).toEqual(['password2', 'username']);
      for (const username of ['abcd', 'a'.repeat(21), 'has space', '名字名字名字']) {
        const r = await call(app, 'POST', '/api/users', { body: { username, password: 'secret-pass1', password2: 'secret-pass1', mobile: '13812345678', sms_code: '123456', allow: true } });
        expect(r.body.error.fields, username).toHaveProperty('username');
      }
      expect(await t.db('users').where({ mobile: '13812345678' }).count({ n: '*' }).first()).toEqual({ n: 0 });
    });

    it('kills an SMS code after 5 wrong tries', async () => {
      const mobile = freshMobile();
      const code = await smsCode(mobile);
      const wrong = code === '000000' ? '111111' : '000000';
      for (let i = 0; i < 5; i++) {
        const r = await call(app, 'POST', '/api/users', { body: { username: `kill${i}abc`, password: 'secret-pass1', password2: 'secret-pass1', mobile, sms_code: wrong, allow: true } });
        expect(r.body.error.fields.sms_code).toBe('短信验证码错误');
      }
      const right = await call(app, 'POST', '/api/users', { body: { username: 'killright', password: 'secret-pass1', password2: 'secret-pass1', mobile, sms_code: code, allow: true } });
      expect(right.status).toBe(400);
      expect(right.body.error.fields.sms_code).toMatch(/过期/);
    });

    it('lets exactly one of two concurrent registrations of a username or a mobile succeed', async () => {
      const [m1, m2] = [freshMobile(), freshMobile()];
      const [c1, c2] = [await smsCode(m1), await smsCode(m2)];
      const username = `race${crypto.randomBytes(3).toString('hex')}`;
      const body = (mobile: string, sms_code: string, name = username) => ({ username: name, password: 'secret-pass1', password2: 'secret-pass1', mobile, sms_code, allow: true });
      // past the friendly pre-check, straight at the unique index
      const svc = app.services.accounts;
      const real = svc.usernameCount.bind(svc);
      svc.usernameCount = async () => 0;
      const realM = svc.mobileCount.bind(svc);
      svc.mobileCount = async () => 0;
      try {
        const rs = await Promise.all([call(app, 'POST', '/api/users', { body: body(m1, c1) }), call(app, 'POST', '/api/users', { body: body(m2, c2) })]);
        expect(rs.map((r) => r.status).sort()).toEqual([201, 400]);
        expect(rs.find((r) => r.status === 400)!.body.error.fields).toEqual({ username: '用户名已存在' });

        const m3 = freshMobile();
        const [c3a] = [await smsCode(m3)];
        // two registrations for one mobile: the code can be used once, so the loser fails on it or on the index
        const rm = await Promise.all([
          call(app, 'POST', '/api/users', { body: body(m3, c3a, `mob${crypto.randomBytes(3).toString('hex')}`) }),
          call(app, 'POST', '/api/users', { body: body(m3, c3a, `mob${crypto.randomBytes(3).toString('hex')}`) }),
        ]);
        expect(rm.map((r) => r.status).sort()).toEqual([201, 400]);
        expect(await t.db('users').where({ mobile: m3 }).count({ n: '*' }).first()).toEqual({ n: 1 });
      } finally {
        svc.usernameCount = real;
        svc.mobileCount = realM;
      }
      // the index itself: a duplicate mobile with a valid code is named
      const taken = await t.db('users').where({ username }).first();
      clock.advance(61_000);
      const m1code = await smsCode(taken.mobile);
      svc.mobileCount = async () => 0;
      try {
        const dup = await call(app, 'POST', '/api/users', { body: body(taken.mobile, m1code, `dup${crypto.randomBytes(3).toString('hex')}`) });
        expect(dup.status).toBe(400);
        expect(dup.body.error.fields).toEqual({ mobile: '手机号已注册' });
      } finally {
        svc.mobileCount = realM;
      }
      expect(taken).toBeTruthy();
    });
  });

  describe('sessions', () => {
    it('logs in by username or mobile, and the message never tells whether the account exists', async () => {
      const u = await createUser(app.services, { password: 'right-pass1' });
      for (const account of [u.username, u.mobile, u.username.toUpperCase()]) {
        const r = await call(app, 'POST', '/api/sessions', { body: { account, password: 'right-pass1' } });
        expect(r.status, account).toBe(201);
        expect(r.body).toEqual({ token: expect.stringMatching(/^ses_/), user_id: u.id, username: u.username });
      }
      const wrong = await call(app, 'POST', '/api/sessions', { body: { account: u.username, password: 'wrong-pass1' } });
      const unknown = await call(app, 'POST', '/api/sessions', { body: { account: 'nobody_here', password: 'wrong-pass1' } });
      expect(wrong.status).toBe(400);
      expect(unknown.status).toBe(400);
      expect(unknown.body).toEqual(wrong.body);
    });

    it('throttles 5 failures per account: then even the right password gets 429 until the window passes', async () => {
      const u = await createUser(app.services, { password: 'right-pass1' });
      const from = freshIp();
      for (let i = 0; i < 5; i++) expect((await call(app, 'POST', '/api/sessions', { body: { account: u.mobile, password: 'wrong-pass1' }, from })).status).toBe(400);
      for (const from2 of [from, freshIp()]) {
        const r = await call(app, 'POST', '/api/sessions', { body: { account: u.mobile, password: 'right-pass1' }, from: from2 });
        expect(r.status).toBe(429);
        expect(Number(r.headers['retry-after'])).toBeGreaterThan(0);
        expect(Number(r.headers['retry-after'])).toBeLessThanOrEqual(WINDOW_S);
      }
      // unknown accounts are throttled just the same
      for (let i = 0; i < 5; i++) await call(app, 'POST', '/api/sessions', { body: { account: 'ghost_user', password: 'x' }, from });
      expect((await call(app, 'POST', '/api/sessions', { body: { account: 'ghost_user', password: 'x' }, from })).status).toBe(429);
      await new Promise((r) => setTimeout(r, WINDOW_S * 1000 + 200));
      expect((await call(app, 'POST', '/api/sessions', { body: { account: u.mobile, password: 'right-pass1' }, from })).status).toBe(201);
    });

    it('ends on logout, on idle expiry, and survives a restart of the shop', async () => {
      const u = await createUser(app.services, { password: 'right-pass1' });
      const login = async () => (await call(app, 'POST', '/api/sessions', { body: { account: u.username, password: 'right-pass1' } })).body.token as string;
      const bearer = (tok: string) => ({ authorization: `Bearer ${tok}` });

      const a = await login();
      expect((await call(app, 'GET', '/api/user', { headers: bearer(a) })).status).toBe(200);
      const out = await call(app, 'DELETE', '/api/sessions', { headers: bearer(a) });
      expect(out.status).toBe(204);
      expect(out.cookies.meiduo_session).toBe('');
      expect((await call(app, 'GET', '/api/user', { headers: bearer(a) })).status).toBe(401);
      expect(await t.db('auth_tokens').where({ token_hash: hashToken(a) }).first()).toBeUndefined();

      const b = await login();
      clock.advance(13 * 86_400_000); // used within the idle window: it slides
      expect((await call(app, 'GET', '/api/user', { headers: bearer(b) })).status).toBe(200);
      clock.advance(13 * 86_400_000);
      expect((await call(app, 'GET', '/api/user', { headers: bearer(b) })).status).toBe(200);
      clock.advance(14 * 86_400_000 + 1000);
      expect((await call(app, 'GET', '/api/user', { headers: bearer(b) })).status).toBe(401);

      const c = await login();
      const restarted = await startTestApp(t, { redisUrl: kind === 'mysql' ? (redisDbUrl(13) ?? null) : null, overrides: { clock } });
      try {
        expect((await call(restarted, 'GET', '/api/user', { headers: bearer(c) })).body.id).toBe(u.id);
      } finally {
        await restarted.close();
      }
      // tokens of another kind or shape are no sessions
      for (const bad of ['eml_' + c.slice(4), c + 'x', 'garbage', '']) expect((await call(app, 'GET', '/api/user', { headers: bearer(bad) })).status).toBe(401);
    });

    it('takes the cookie for reads, and for writes only with the CSRF header (a cross-site form cannot send it)', async () => {
      const u = await createUser(app.services, { password: 'right-pass1' });
      const login = await call(app, 'POST', '/api/sessions', { body: { account: u.username, password: 'right-pass1' } });
      const cookie = `meiduo_session=${login.cookies.meiduo_session}; meiduo_csrf=${login.cookies.meiduo_csrf}`;
      expect((await call(app, 'GET', '/api/user', { headers: { cookie } })).body.id).toBe(u.id);
      // what a cross-site form post looks like: the cookie, a form body, no header
      const forged = await call(app, 'PUT', '/api/user/email', { headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' }, raw: 'email=evil%40example.com' });
      expect(forged.status).toBe(403);
      expect(forged.body.error.code).toBe('CSRF_FAILED');
      const noHeader = await call(app, 'PUT', '/api/user/email', { headers: { cookie }, body: { email: 'evil@example.com' } });
      expect(noHeader.status).toBe(403);
      const wrongHeader = await call(app, 'PUT', '/api/user/email', { headers: { cookie, 'x-csrf-token': 'x'.repeat(43) }, body: { email: 'evil@example.com' } });
      expect(wrongHeader.status).toBe(403);
      expect((await t.db('users').where({ id: u.id }).first()).email).toBeNull();
      const ok = await call(app, 'PUT', '/api/user/email', { headers: { cookie, 'x-csrf-token': login.cookies.meiduo_csrf! }, body: { email: 'me@example.com' } });
      expect(ok.status).toBe(200);
      // logout from the page clears the cookies and ends the session
      const out = await call(app, 'DELETE', '/api/sessions', { headers: { cookie, 'x-csrf-token': login.cookies.meiduo_csrf! } });
      expect(out.status).toBe(204);
      expect((await call(app, 'GET', '/api/user', { headers: { cookie } })).status).toBe(401);
    });
  });

  describe('email verification', () => {
    it('mails a link whose token verifies that user and that address, once, within 24 h', async () => {
      const u = await createUser(app.services);
      const { token } = await app.services.accounts.grant(app.services.systemContext('test'), u);
      const auth = { authorization: `Bearer ${token}` };
      const set = await call(app, 'PUT', '/api/user/email', { headers: auth, body: { email: 'first@example.com' } });
      expect(set.body).toMatchObject({ email: 'first@example.com', email_active: false });
      const m = await until(() => mail.sent.find((x) => x.to === 'first@example.com'), 'the verification mail');
      const link = new URL(/https?:\/\/\S+success_verify_email\.html\?token=\S+/.exec(m.text)![0]);
      const emailToken = link.searchParams.get('token')!;
      expect(emailToken).toMatch(/^eml_/);
      // a session token is no email token, and an email token is no session
      expect((await call(app, 'PUT', '/api/emails/verification', { body: { token } })).status).toBe(400);
      expect((await call(app, 'GET', '/api/user', { headers: { authorization: `Bearer ${emailToken}` } })).status).toBe(401);
      const ok = await call(app, 'PUT', '/api/emails/verification', { body: { token: emailToken } });
      expect(ok.body).toEqual({ email: 'first@example.com', email_active: true, already_verified: false });
      expect((await call(app, 'GET', '/api/user', { headers: auth })).body.email_active).toBe(true);
      // the link opened again, even days later: already verified, not a failure — the token verifies nothing more
      clock.advance(3 * 24 * 3600_000);
      const again = await call(app, 'PUT', '/api/emails/verification', { body: { token: emailToken } });
      expect(again.status).toBe(200);
      expect(again.body).toEqual({ email: 'first@example.com', email_active: true, already_verified: true });
      // a made-up token of the right shape learns nothing
      const forged = await call(app, 'PUT', '/api/emails/verification', { body: { token: `eml_${crypto.randomBytes(32).toString('base64url')}` } });
      expect(forged.status).toBe(400);
      expect(forged.body.error.fields).toEqual({ token: '验证链接无效或已过期' });

      // a new address: unverified again; the link for it expires after 24 h
      await call(app, 'PUT', '/api/user/email', { headers: auth, body: { email: 'second@example.com' } });
      // the first address's link now says what a bad one says: that address is no longer the account's
      const stale = await call(app, 'PUT', '/api/emails/verification', { body: { token: emailToken } });
      expect(stale.status).toBe(400);
      expect(stale.body.error.fields).toEqual(forged.body.error.fields);
      const m2 = await until(() => mail.sent.find((x) => x.to === 'second@example.com'), 'the second mail');
      const t2 = new URL(/https?:\/\/\S+token=\S+/.exec(m2.text)![0]).searchParams.get('token')!;
      expect((await call(app, 'GET', '/api/user', { headers: auth })).body.email_active).toBe(false);
      clock.advance(24 * 3600_000 + 1000);
      expect((await call(app, 'PUT', '/api/emails/verification', { body: { token: t2 } })).status).toBe(400);

      // a link for an address the user has since replaced verifies nothing
      await call(app, 'PUT', '/api/user/email', { headers: auth, body: { email: 'third@example.com' } });
      const m3 = await until(() => mail.sent.find((x) => x.to === 'third@example.com'), 'the third mail');
      const t3 = new URL(/https?:\/\/\S+token=\S+/.exec(m3.text)![0]).searchParams.get('token')!;
      await call(app, 'PUT', '/api/user/email', { headers: auth, body: { email: 'fourth@example.com' } });
      expect((await call(app, 'PUT', '/api/emails/verification', { body: { token: t3 } })).status).toBe(400);
      expect((await call(app, 'GET', '/api/user', { headers: auth })).body).toMatchObject({ email: 'fourth@example.com', email_active: false });
      expect((await call(app, 'PUT', '/api/user/email', { headers: auth, body: { email: 'not an email' } })).body.error.fields).toHaveProperty('email');
    });
  });

  describe('passwords', () => {
    it('a change needs the old password and ends every other session', async () => {
      const u = await createUser(app.services, { password: 'old-pass-1' });
      const login = async (password: string) => call(app, 'POST', '/api/sessions', { body: { account: u.username, password } });
      const [a, b] = [(await login('old-pass-1')).body.token, (await login('old-pass-1')).body.token];
      const wrong = await call(app, 'PUT', '/api/user/password', { headers: { authorization: `Bearer ${a}` }, body: { old_password: 'nope-nope', password: 'new-pass-1', password2: 'new-pass-1' } });
      expect(wrong.body.error.fields).toHaveProperty('old_password');
      const mismatch = await call(app, 'PUT', '/api/user/password', { headers: { authorization: `Bearer ${a}` }, body: { old_password: 'old-pass-1', password: 'new-pass-1', password2: 'new-pass-2' } });
      expect(mismatch.body.error.fields).toHaveProperty('password2');
      const ok = await call(app, 'PUT', '/api/user/password', { headers: { authorization: `Bearer ${a}` }, body: { old_password: 'old-pass-1', password: 'new-pass-1', password2: 'new-pass-1' } });
      expect(ok.status).toBe(200);
      expect((await call(app, 'GET', '/api/user', { headers: { authorization: `Bearer ${a}` } })).status).toBe(200);
      expect((await call(app, 'GET', '/api/user', { headers: { authorization: `Bearer ${b}` } })).status).toBe(401);
      expect((await login('old-pass-1')).status).toBe(400);
      expect((await login('new-pass-1')).status).toBe(201);
    });

    it('resets a forgotten password in four steps, each token for its own step and user', async () => {
      const { r: reg, body } = await register();
      expect(reg.status).toBe(201);
      const other = await createUser(app.services);
      const session = reg.body.token as string;
      const from = freshIp();

      const c = await captcha();
      const step1 = await call(app, 'POST', '/api/password_resets/account', { body: { account: body.username, image_code_id: c.uuid, image_code: c.text }, from });
      expect(step1.status).toBe(200);
      expect(Object.keys(step1.body)).toEqual(['access_token']); // no part of the mobile
      const access = step1.body.access_token as string;
      // a session token cannot stand in for the step-1 token
      expect((await call(app, 'POST', '/api/password_resets/sms_codes', { body: { access_token: session }, from })).status).toBe(400);
      clock.advance(61_000);
      sms.sent.length = 0;
      expect((await call(app, 'POST', '/api/password_resets/sms_codes', { body: { access_token: access }, from })).status).toBe(200);
      const code = await sms.codeFor(body.mobile as string);
      // the code is the account's: it does not verify another account
      expect((await call(app, 'POST', '/api/password_resets/verify', { body: { account: other.username, sms_code: code }, from })).status).toBe(400);
      const step3 = await call(app, 'POST', '/api/password_resets/verify', { body: { account: body.username, sms_code: code }, from });
      expect(step3.status).toBe(200);
      const reset = step3.body.reset_token as string;
      expect((await call(app, 'POST', '/api/password_resets', { body: { reset_token: access, password: 'brand-new-1', password2: 'brand-new-1' } })).status).toBe(400);
      const done = await call(app, 'POST', '/api/password_resets', { body: { reset_token: reset, password: 'brand-new-1', password2: 'brand-new-1' } });
      expect(done.status).toBe(200);
      expect((await call(app, 'POST', '/api/password_resets', { body: { reset_token: reset, password: 'brand-new-2', password2: 'brand-new-2' } })).status).toBe(400);
      expect((await call(app, 'GET', '/api/user', { headers: { authorization: `Bearer ${session}` } })).status).toBe(401);
      expect((await call(app, 'POST', '/api/sessions', { body: { account: body.mobile, password: 'brand-new-1' } })).status).toBe(201);
      expect((await call(app, 'POST', '/api/sessions', { body: { account: other.username, password: 'brand-new-1' } })).status).toBe(400);
    });

    it('a reset token expires after 5 minutes', async () => {
      const u = await createUser(app.services);
      const { token } = await app.services.accounts.tokens.issue(app.services.db, 'resetPassword', { userId: u.id, ttlMs: 300_000, now: clock.now().getTime() });
      clock.advance(300_001);
      expect((await call(app, 'POST', '/api/password_resets', { body: { reset_token: token, password: 'brand-new-1', password2: 'brand-new-1' } })).status).toBe(400);
    });

    it('throttles the reset steps like login', async () => {
      const u = await createUser(app.services);
      const from = freshIp();
      for (let i = 0; i < 5; i++) {
        const r = await call(app, 'POST', '/api/password_resets/verify', { body: { account: u.username, sms_code: '000000' }, from });
        expect(r.status).toBe(400);
      }
      const r = await call(app, 'POST', '/api/password_resets/verify', { body: { account: u.username, sms_code: '000000' }, from });
      expect(r.status).toBe(429);
    });
  });

  it('throttles 30 failures from one client address across accounts: behind a trusted proxy the last X-Forwarded-For entry, else the socket', async () => {
    const proxied = await startTestApp(t, { redisUrl: kind === 'mysql' ? (redisDbUrl(13) ?? null) : null, config: { trustProxy: ['127.0.0.0/8'] } }); // every loopback address is a trusted proxy here
    try {
      const u = await createUser(app.services, { password: 'right-pass1' });
      const from = freshIp(); // the proxy
      const login = (client: string, password: string) =>
        call(proxied, 'POST', '/api/sessions', { body: { account: u.username, password }, from, headers: { 'x-forwarded-for': client } });
      await Promise.all(Array.from({ length: 30 }, (_, i) => call(proxied, 'POST', '/api/sessions', { body: { account: `proxyguess${i}`, password: 'nope-nope' }, from, headers: { 'x-forwarded-for': `1.1.1.${i}, 10.9.0.1` } })));
      // the client's own X-Forwarded-For entries change nothing: the proxy's last one counts
      expect((await login('6.6.6.6, 10.9.0.1', 'right-pass1')).status).toBe(429);
      expect((await login('10.9.0.2', 'right-pass1')).status).toBe(201);
    } finally {
      await proxied.close();
    }
    // not trusted: the header is ignored, the socket's address counts (the default 15-minute window:
    // 30 logins at once can outlast this file's short one on a loaded machine)
    const direct = await startTestApp(t, { redisUrl: kind === 'mysql' ? (redisDbUrl(13) ?? null) : null });
    try {
      const from = freshIp();
      await Promise.all(Array.from({ length: 30 }, (_, i) => call(direct, 'POST', '/api/sessions', { body: { account: `directguess${i}`, password: 'nope-nope' }, from, headers: { 'x-forwarded-for': `1.1.1.${i}` } })));
      const u2 = await createUser(app.services, { password: 'right-pass1' });
      expect((await call(direct, 'POST', '/api/sessions', { body: { account: u2.username, password: 'right-pass1' }, from, headers: { 'x-forwarded-for': '9.9.9.9' } })).status).toBe(429);
    } finally {
      await direct.close();
    }
  });

  it('answers another user’s data with their own only: GET /user is the caller’s', async () => {
    const [a, b] = [await createUser(app.services), await createUser(app.services)];
    const ta = (await app.services.accounts.grant(app.services.systemContext('test'), a)).token;
    expect((await call(app, 'GET', '/api/user', { headers: { authorization: `Bearer ${ta}` } })).body.id).toBe(a.id);
    expect(b.id).not.toBe(a.id);
    expect((await call(app, 'GET', '/api/user')).status).toBe(401);
  });
});
