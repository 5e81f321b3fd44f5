import crypto from 'node:crypto';
import { pino } from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../api/clock.ts';
import type { Passwords } from '../../api/services/accounts/passwords.ts';
import { createUser, recordingSms } from '../helpers/accounts.ts';
import { call, type Reply } from '../helpers/api-client.ts';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { createTestDb, type TestDb } from '../helpers/db.ts';
import { DB_KINDS, redisDbUrl, emptyRedis } from '../helpers/env.ts';

// What a security sweep did to the accounts flows, each on the embedded default (SQLite +
// in-process cache) and on MariaDB + Redis: parallel password guesses against the throttle, other
// spellings of one account, anonymous password hashes, verification mails, existence probes, the
// forgotten-password steps telling accounts apart, SMS limits and codes, and two input rules
// (comments of invisible characters, form bodies with a repeated key).

const fullWidth = (s: string) => s.replace(/[!-~]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0));
const ZWSP = '\u200b';

describe.each(DB_KINDS)('accounts under abuse on %s', (kind) => {
  let t: TestDb;
  let app: TestApp;
  // a whole hour: the fixed windows of the mail and existence limits start here
  const clock = new ManualClock(Date.UTC(2026, 10, 25, 2, 0, 0));
  const sms = recordingSms();
  const logLines: Record<string, unknown>[] = [];
  let ipSerial = 10;
  const freshIp = () => `127.1.${Math.floor(++ipSerial / 250)}.${(ipSerial % 250) + 2}`;
  let mobileSerial = 0;
  const freshMobile = () => `158${String(process.pid % 10000).padStart(4, '0')}${String(++mobileSerial).padStart(4, '0')}`;

  beforeAll(async () => {
    t = await createTestDb(kind);
    const redisUrl = kind === 'mysql' ? (redisDbUrl(14) ?? null) : null;
    await emptyRedis(redisUrl);
    const log = pino({ level: 'warn', base: undefined }, { write: (line: string) => void logLines.push(JSON.parse(line)) });
    app = await startTestApp(t, {
      redisUrl,
      worker: true,
      overrides: { clock, sms, log },
      config: { accounts: { sessionIdleMs: 14 * 86_400_000, throttleWindowSeconds: 600, secureCookies: false } },
    });
  });
  afterAll(async () => {
    await app?.close();
    await t?.drop();
  });
  beforeEach(() => {
    sms.sent.length = 0;
  });

  /** Counts the password checks and hashes the accounts service makes (the real scrypt still runs). */
  function countPasswords() {
    const svc = app.services.accounts;
    const real: Passwords = { ...svc.passwords };
    const counts = { verified: 0, wrong: 0, hashed: 0, restore: () => Object.assign(svc.passwords, real) };
    svc.passwords.verify = async (pw, stored) => {
      counts.verified++;
      const ok = await real.verify(pw, stored);
      if (!ok) counts.wrong++;
      return ok;
    };
    svc.passwords.hash = async (pw) => {
      counts.hashed++;
      return real.hash(pw);
    };
    return counts;
  }

  async function captcha(): Promise<{ image_code_id: string; image_code: string }> {
    const uuid = crypto.randomUUID();
    expect((await app.get(`/api/image_codes/${uuid}`)).status).toBe(200);
    return { image_code_id: uuid, image_code: (await app.services.accounts.codes.peekImageCode(uuid))! };
  }

  const askSms = async (mobile: string, from: string, purpose?: string) =>
    call(app, 'POST', '/api/sms_codes', { body: { mobile, ...(await captcha()), ...(purpose ? { purpose } : {}) }, from });

  async function smsCode(mobile: string, from = freshIp()): Promise<string> {
    sms.sent.length = 0;
    const r = await askSms(mobile, from);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    return sms.codeFor(mobile);
  }

  const statuses = (rs: Reply[]) => rs.reduce<Record<number, number>>((n, r) => ({ ...n, [r.status]: (n[r.status] ?? 0) + 1 }), {});

  describe('login throttle', () => {
    it('holds against 100 parallel wrong passwords: at most 5 are checked, then the right one gets 429', async () => {
      const u = await createUser(app.services, { username: `mdave_${crypto.randomBytes(3).toString('hex')}`, password: 'right-pass1' });
      const from = freshIp();
      const counts = countPasswords();
      let rs: Reply[];
      try {
        const attempts = Array.from({ length: 101 }, (_, i) => (i === 50 ? 'right-pass1' : `wrong-pass${i}`));
        rs = await Promise.all(attempts.map((password) => call(app, 'POST', '/api/sessions', { body: { account: u.username, password }, from })));
      } finally {
        counts.restore();
      }
      const byStatus = statuses(rs);
      expect(counts.wrong).toBeLessThanOrEqual(5);
      expect(counts.verified).toBeLessThanOrEqual(6); // the right one, if it got a try, gave it back
      expect(byStatus[400] ?? 0).toBe(counts.wrong);
      expect((byStatus[400] ?? 0) + (byStatus[429] ?? 0) + (byStatus[201] ?? 0)).toBe(101);
      expect(rs.filter((r) => r.status === 429).every((r) => r.body.error.code === 'TOO_MANY_ATTEMPTS' && Number(r.headers['retry-after']) > 0)).toBe(true);
      // the budget is spent: the right password is refused now, from anywhere
      expect((await call(app, 'POST', '/api/sessions', { body: { account: u.username, password: 'right-pass1' }, from: freshIp() })).status).toBe(429);
      // one line in the log for the lockout, not one per refusal
      expect(logLines.filter((l) => l.throttle === 'login' && l.subject === `user:${u.id}`)).toEqual([
        expect.objectContaining({ level: 40, by: 'subject', ip: from, msg: expect.stringMatching(/^throttle: attempts spent/) }),
      ]);
    });

    it('counts per user: a locked account cannot be reached through another spelling or its mobile', async () => {
      const u = await createUser(app.services, { username: `mdave_${crypto.randomBytes(3).toString('hex')}`, password: 'right-pass1' });
      const login = (account: string, password = 'right-pass1', from = freshIp()) => call(app, 'POST', '/api/sessions', { body: { account, password }, from });
      const spellings = [u.username.toUpperCase(), fullWidth(u.username), u.username + ZWSP, ZWSP + u.username.slice(0, 3) + '\u2060' + u.username.slice(3), u.mobile, fullWidth(u.mobile), u.mobile + '\ufeff'];
      // each spelling names the account (on both databases alike)
      for (const account of spellings) expect((await login(account)).status, JSON.stringify(account)).toBe(201);
      // a look-alike no rule could have stored names nobody — MariaDB's collation matched it to the account
      const accented = u.username.replace('a', 'ä').replace('e', 'é');
      expect((await login(accented)).body.error?.code).toBe('LOGIN_FAILED');
      expect((await call(app, 'GET', `/api/usernames/${encodeURIComponent(accented)}/count`, { from: freshIp() })).body.count).toBe(0);
      expect((await call(app, 'GET', `/api/mobiles/${encodeURIComponent(fullWidth(u.mobile))}/count`, { from: freshIp() })).body.count).toBe(1);

      // five wrong passwords, each through another identifier or spelling: one budget
      for (const account of [u.username, u.mobile, fullWidth(u.username), u.username + ZWSP, u.username.toUpperCase()]) {
        expect((await login(account, 'wrong-pass1')).status).toBe(400);
      }
      for (const account of [u.username, ...spellings]) {
        const r = await login(account);
        expect(r.status, JSON.stringify(account)).toBe(429);
        expect(r.body.error.code).toBe('TOO_MANY_ATTEMPTS');
      }
    });

    it('takes the password change’s attempt before scrypt too, from the same budget', async () => {
      const u = await createUser(app.services, { password: 'right-pass1' });
      const { token } = await app.services.accounts.grant(app.services.systemContext('test'), u);
      const headers = { authorization: `Bearer ${token}` };
      const counts = countPasswords();
      let rs: Reply[];
      try {
        rs = await Promise.all(
          Array.from({ length: 40 }, (_, i) => call(app, 'PUT', '/api/user/password', { headers, body: { old_password: `wrong-old${i}`, password: 'new-pass-12', password2: 'new-pass-12' }, from: freshIp() })),
        );
      } finally {
        counts.restore();
      }
      expect(counts.verified).toBe(5);
      expect(statuses(rs)).toEqual({ 400: 5, 429: 35 });
      expect((await call(app, 'POST', '/api/sessions', { body: { account: u.username, password: 'right-pass1' }, from: freshIp() })).status).toBe(429);
    });
  });

  describe('forgotten password', () => {
    it('hashes a new password only for a live reset token, once per token', async () => {
      const u = await createUser(app.services, { password: 'old-pass-11' });
      const counts = countPasswords();
      try {
        const forged = `prp_${crypto.randomBytes(32).toString('base64url')}`;
        const rs = await Promise.all(Array.from({ length: 20 }, () => call(app, 'POST', '/api/password_resets', { body: { reset_token: forged, password: 'new-pass-11', password2: 'new-pass-11' } })));
        expect(statuses(rs)).toEqual({ 400: 20 });
        expect(counts.hashed).toBe(0);
        const { token } = await app.services.accounts.tokens.issue(app.services.db, 'resetPassword', { userId: u.id, ttlMs: 300_000, now: clock.now().getTime() });
        const uses = await Promise.all(Array.from({ length: 10 }, () => call(app, 'POST', '/api/password_resets', { body: { reset_token: token, password: 'new-pass-11', password2: 'new-pass-11' } })));
        expect(statuses(uses)).toEqual({ 200: 1, 400: 9 });
        expect(counts.hashed).toBe(1);
      } finally {
        counts.restore();
      }
      expect((await call(app, 'POST', '/api/sessions', { body: { account: u.username, password: 'new-pass-11' }, from: freshIp() })).status).toBe(201);
    });

    it('answers every step alike for an account that exists and one that does not, and shows no mobile', async () => {
      const known = await createUser(app.services);
      const cases = [
        { account: known.username, from: freshIp() },
        { account: `nobody_${crypto.randomBytes(3).toString('hex')}`, from: freshIp() },
        { account: freshMobile(), from: freshIp() },
      ];
      const answers: unknown[][] = [];
      for (const c of cases) {
        const step1 = await call(app, 'POST', '/api/password_resets/account', { body: { account: c.account, ...(await captcha()) }, from: c.from });
        const access_token = step1.body.access_token;
        const step2 = await call(app, 'POST', '/api/password_resets/sms_codes', { body: { access_token }, from: c.from });
        const again = await call(app, 'POST', '/api/password_resets/sms_codes', { body: { access_token }, from: c.from });
        const verify = await call(app, 'POST', '/api/password_resets/verify', { body: { account: c.account, sms_code: '000000' }, from: c.from });
        answers.push([step1.status, Object.keys(step1.body), typeof access_token, step2.status, step2.body, again.status, again.body.error?.code, again.headers['retry-after'], verify.status, verify.body]);
      }
      expect(answers[0]).toEqual([200, ['access_token'], 'string', 200, { message: 'OK' }, 429, 'SMS_TOO_FREQUENT', '60', 400, expect.anything()]);
      expect(answers[1]).toEqual(answers[0]);
      expect(answers[2]).toEqual(answers[0]);
      // only the account's owner got a code
      await sms.codeFor(known.mobile);
      await new Promise((r) => setTimeout(r, 500));
      expect(sms.sent.map((s) => s.mobile)).toEqual([known.mobile]);
    });

    it('completes only with a code sent for the reset: a registration code resets nothing', async () => {
      const u = await createUser(app.services);
      const from = freshIp();
      const registrationCode = await smsCode(u.mobile, from);
      const r = await call(app, 'POST', '/api/password_resets/verify', { body: { account: u.username, sms_code: registrationCode }, from });
      expect(r.status).toBe(400);
      expect(r.body.error.fields).toHaveProperty('sms_code');
    });
  });

  describe('verification mails', () => {
    it('sends at most 3 per user in 10 minutes and 3 per address in an hour; 429 changes nothing', async () => {
      const u = await createUser(app.services);
      const headers = { authorization: `Bearer ${(await app.services.accounts.grant(app.services.systemContext('test'), u)).token}` };
      const setEmail = (email: string, h = headers) => call(app, 'PUT', '/api/user/email', { headers: h, body: { email } });
      const tag = crypto.randomBytes(3).toString('hex');
      const mails = async (addresses: string[]) =>
        Number((await t.db('outgoing_messages').where({ channel: 'mail' }).whereRaw(`lower(recipient) in (${addresses.map(() => '?').join(',')})`, addresses).count({ n: '*' }).first())?.n);

      const own = [1, 2, 3, 4].map((i) => `me${i}-${tag}@example.com`);
      const rs = [];
      for (const email of own) rs.push(await setEmail(email));
      expect(rs.map((r) => r.status)).toEqual([200, 200, 200, 429]);
      expect(rs[3]!.body.error.code).toBe('EMAIL_TOO_FREQUENT');
      expect(Number(rs[3]!.headers['retry-after'])).toBeGreaterThan(0);
      expect(Number(rs[3]!.headers['retry-after'])).toBeLessThanOrEqual(600);
      expect(await mails(own)).toBe(3);
      expect((await call(app, 'GET', '/api/user', { headers })).body.email).toBe(own[2]);
      clock.advance(10 * 60_000);
      expect((await setEmail(own[3]!)).status).toBe(200);

      // one stranger's address, from many accounts at once: 3 mails an hour, whatever its spelling
      const victim = `victim-${tag}@example.com`;
      const others = await Promise.all(Array.from({ length: 12 }, async () => ({ authorization: `Bearer ${(await app.services.accounts.grant(app.services.systemContext('test'), await createUser(app.services))).token}` })));
      const spellings = [victim, victim.toUpperCase(), fullWidth(victim), ZWSP + victim];
      const sent = await Promise.all(others.map((h, i) => setEmail(spellings[i % spellings.length]!, h)));
      expect(statuses(sent)).toEqual({ 200: 3, 429: 9 });
      expect(await mails([victim])).toBe(3);
      // stored in its one form (compared here, not by MariaDB's collation, which takes ｖ for v)
      const stored = await t.db('users').whereNotNull('email').pluck('email');
      expect(stored.filter((e: string) => e.toLowerCase() === victim).length).toBe(3);
      expect(stored.filter((e: string) => /[^\x20-\x7e]/.test(e))).toEqual([]);
      clock.advance(3600_000);
    });
  });

  describe('existence checks', () => {
    it('answers 30 a minute per client address, then 429 with Retry-After', async () => {
      const from = freshIp();
      const rs = [];
      for (let i = 0; i < 30; i++) rs.push(await call(app, 'GET', i % 2 ? `/api/mobiles/${freshMobile()}/count` : `/api/usernames/probe${i}x/count`, { from }));
      expect(rs.every((r) => r.status === 200)).toBe(true);
      const over = await call(app, 'GET', `/api/mobiles/${freshMobile()}/count`, { from });
      expect(over.status).toBe(429);
      expect(Number(over.headers['retry-after'])).toBeGreaterThan(0);
      expect(Number(over.headers['retry-after'])).toBeLessThanOrEqual(60);
      expect((await call(app, 'GET', '/api/usernames/probe99x/count', { from })).status).toBe(429);
      expect((await call(app, 'GET', '/api/usernames/probe99x/count', { from: freshIp() })).status).toBe(200);
      clock.advance(60_000);
      expect((await call(app, 'GET', '/api/usernames/probe99x/count', { from })).status).toBe(200);
    });
  });

  describe('SMS codes', () => {
    it('refuses an IP at its daily limit before the mobile: no 60 s flag set, no quota spent', async () => {
      const from = freshIp();
      for (let i = 0; i < 20; i++) await smsCode(freshMobile(), from);
      const victim = freshMobile();
      const refused = await askSms(victim, from);
      expect(refused.status).toBe(429);
      expect(refused.body.error.code).toBe('SMS_DAILY_LIMIT');
      await smsCode(victim); // at once: no flag was set
      for (let i = 0; i < 10; i++) {
        clock.advance(61_000);
        expect((await askSms(victim, from)).body.error.code).toBe('SMS_DAILY_LIMIT');
      }
      clock.advance(61_000);
      await smsCode(victim); // the victim's second SMS today: the refused requests spent none
    });

    it('compares exactly 5 of 60 parallel wrong codes, then the code is dead', async () => {
      const mobile = freshMobile();
      const code = await smsCode(mobile);
      const wrong = code === '000000' ? '111111' : '000000';
      const body = (sms_code: string) => ({ username: `par${crypto.randomBytes(5).toString('hex')}`, password: 'secret-pass1', password2: 'secret-pass1', mobile, sms_code, allow: true });
      const rs = await Promise.all(Array.from({ length: 60 }, () => call(app, 'POST', '/api/users', { body: body(wrong) })));
      expect(rs.filter((r) => r.body.error?.fields?.sms_code === '短信验证码错误')).toHaveLength(5);
      expect(rs.every((r) => r.status === 400)).toBe(true);
      const right = await call(app, 'POST', '/api/users', { body: body(code) });
      expect(right.status).toBe(400);
      expect(right.body.error.fields.sms_code).toMatch(/过期/);
    });
  });

  describe('input rules', () => {
    it('counts the characters of a comment that show', async () => {
      const u = await createUser(app.services);
      const headers = { authorization: `Bearer ${(await app.services.accounts.grant(app.services.systemContext('test'), u)).token}` };
      const comment = (text: string) => call(app, 'POST', `/api/orders/${'9'.repeat(24)}/comments`, { headers, body: { sku_id: 1, comment: text, score: 5 } });
      for (const text of [ZWSP.repeat(5), 'a' + ZWSP.repeat(4), '\u200c\u200d\u2060\ufeff\u3164', ' '.repeat(8)]) {
        const r = await comment(text);
        expect(r.status, JSON.stringify(text)).toBe(400);
        expect(r.body.error.fields).toHaveProperty('comment');
      }
      // five that show pass the rule (and meet an order that does not exist)
      for (const text of ['好评好评好', 'abcde', 'ab' + ZWSP + 'cde']) expect((await comment(text)).body.error.code, text).toBe('ORDER_NOT_FOUND');
    });

    it('refuses a form body that repeats a key', async () => {
      const form = (raw: string) => call(app, 'POST', '/api/payment/alipay/notify', { headers: { 'content-type': 'application/x-www-form-urlencoded' }, raw });
      const fields = `out_trade_no=${'1'.repeat(24)}&total_amount=1.00&app_id=2021&sign=c2lnbmF0dXJl`;
      const repeated = await form(`${fields}&trade_no=first&trade_no=second`);
      expect(repeated.status).toBe(400);
      expect(repeated.body.error.fields).toEqual({ trade_no: '参数重复' });
      // the same fields once each get past the body (and meet a shop without Alipay)
      expect((await form(`${fields}&trade_no=first`)).body.error?.fields?.trade_no).toBeUndefined();
    });
  });
});
