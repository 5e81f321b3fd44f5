import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../api/clock.ts';
import { createUser, recordingSms } from '../helpers/accounts.ts';
import { call } from '../helpers/api-client.ts';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { createTestDb, type TestDb } from '../helpers/db.ts';
import { DB_KINDS } from '../helpers/env.ts';
import { startQqStandIn, type QqStandIn } from '../helpers/standins/qq.ts';

// QQ login through the real adapter against the QQ stand-in: the state is the shop's own and
// single use, `next` stays on the site, a bound openid gets a session, an unbound one a bind token
// good for binding only, and an openid binds to one account.

const QQ = { clientId: '101474184', clientSecret: 'qq-secret-for-tests', redirectUri: 'http://127.0.0.1/oauth_callback.html' };

describe.each(DB_KINDS)('QQ login on %s', (kind) => {
  let t: TestDb;
  let app: TestApp;
  let qq: QqStandIn;
  const clock = new ManualClock(Date.now());
  const sms = recordingSms();

  beforeAll(async () => {
    t = await createTestDb(kind);
    qq = await startQqStandIn(QQ);
    app = await startTestApp(t, { worker: true, overrides: { clock, sms }, config: { qq: { ...QQ, apiBase: qq.apiBase } } });
  });
  afterAll(async () => {
    await app?.close();
    await qq?.close();
    await t?.drop();
  });

  /** What the browser does: ask for the login URL, "approve" on QQ, come back with code and state. */
  async function comeBack(openid: string, next = '/user_center_info.html') {
    const auth = await call(app, 'GET', `/api/oauth/qq/authorization?next=${encodeURIComponent(next)}`);
    expect(auth.status).toBe(200);
    const url = new URL(auth.body.login_url);
    expect(url.searchParams.get('client_id')).toBe(QQ.clientId);
    expect(url.searchParams.get('redirect_uri')).toBe(QQ.redirectUri);
    const state = url.searchParams.get('state')!;
    expect(state.length).toBeGreaterThanOrEqual(32);
    return { code: qq.issueCode(openid), state };
  }

  async function smsCodeFor(mobile: string) {
    const uuid = crypto.randomUUID();
    await app.get(`/api/image_codes/${uuid}`);
    const text = await app.services.accounts.codes.peekImageCode(uuid);
    sms.sent.length = 0;
    clock.advance(61_000);
    expect((await call(app, 'POST', '/api/sms_codes', { body: { mobile, image_code_id: uuid, image_code: text, purpose: 'bind' } })).status).toBe(200);
    return sms.codeFor(mobile);
  }

  it('says QQ login is there (and Alipay is not) at /api/capabilities', async () => {
    expect((await call(app, 'GET', '/api/capabilities')).body).toEqual({ qq_login: true, alipay: false });
  });

  it('refuses a state it did not issue, or one used before', async () => {
    const { code, state } = await comeBack('OPENID-A');
    expect((await call(app, 'GET', `/api/oauth/qq/user?code=${code}&state=forged-state-value`)).status).toBe(400);
    const first = await call(app, 'GET', `/api/oauth/qq/user?code=${code}&state=${state}`);
    expect(first.status).toBe(200);
    expect((await call(app, 'GET', `/api/oauth/qq/user?code=${qq.issueCode('OPENID-A')}&state=${state}`)).status).toBe(400);
  });

  it('keeps `next` on this site', async () => {
    for (const next of ['//evil.example/x', 'https://evil.example/', 'javascript:alert(1)', '/\\evil.example']) {
      const r = await call(app, 'GET', `/api/oauth/qq/authorization?next=${encodeURIComponent(next)}`);
      expect(r.status, next).toBe(400);
      expect(r.body.error.fields).toHaveProperty('next');
    }
  });

  it('binds a new QQ user to a new account, then logs them straight in', async () => {
    const { code, state } = await comeBack('OPENID-NEW', '/goods/1.html');
    const back = await call(app, 'GET', `/api/oauth/qq/user?code=${code}&state=${state}`);
    expect(back.body).toEqual({ access_token: expect.stringMatching(/^qqb_/), next: '/goods/1.html' });
    expect(back.cookies.meiduo_session).toBeUndefined();
    // a bind token is no session
    expect((await call(app, 'GET', '/api/user', { headers: { authorization: `Bearer ${back.body.access_token}` } })).status).toBe(401);
    const mobile = '13700000001';
    const sms_code = await smsCodeFor(mobile);
    const bound = await call(app, 'POST', '/api/oauth/qq/user', { body: { access_token: back.body.access_token, mobile, password: 'qq-pass-123', sms_code } });
    expect(bound.status, JSON.stringify(bound.body)).toBe(201);
    expect(bound.cookies.meiduo_session).toBe(bound.body.token);
    const me = await call(app, 'GET', '/api/user', { headers: { authorization: `Bearer ${bound.body.token}` } });
    expect(me.body).toMatchObject({ mobile, username: expect.stringMatching(/^qq_/) });
    // the bind token was single use
    expect((await call(app, 'POST', '/api/oauth/qq/user', { body: { access_token: back.body.access_token, mobile, password: 'qq-pass-123', sms_code } })).status).toBe(400);
    // next time: a session at once
    const again = await comeBack('OPENID-NEW');
    const login = await call(app, 'GET', `/api/oauth/qq/user?code=${again.code}&state=${again.state}`);
    expect(login.body).toMatchObject({ user_id: me.body.id, token: expect.stringMatching(/^ses_/), next: '/user_center_info.html' });
    expect(login.cookies.meiduo_session).toBe(login.body.token);
  });

  it('binds to the existing account of a mobile only with its password', async () => {
    const u = await createUser(app.services, { password: 'owner-pass-1' });
    const { code, state } = await comeBack('OPENID-EXISTING');
    const token = (await call(app, 'GET', `/api/oauth/qq/user?code=${code}&state=${state}`)).body.access_token;
    const wrong = await call(app, 'POST', '/api/oauth/qq/user', { body: { access_token: token, mobile: u.mobile, password: 'not-the-pass', sms_code: await smsCodeFor(u.mobile) } });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error.fields).toHaveProperty('password');
    expect(await t.db('oauth_qq_users').where({ openid: 'OPENID-EXISTING' }).first()).toBeUndefined();
    const ok = await call(app, 'POST', '/api/oauth/qq/user', { body: { access_token: token, mobile: u.mobile, password: 'owner-pass-1', sms_code: await smsCodeFor(u.mobile) } });
    expect(ok.status).toBe(201);
    expect(ok.body.user_id).toBe(u.id);
  });

  it('binds only with a code sent for binding: a registration code is refused', async () => {
    const { code, state } = await comeBack('OPENID-PURPOSE');
    const token = (await call(app, 'GET', `/api/oauth/qq/user?code=${code}&state=${state}`)).body.access_token;
    const mobile = '13700000011';
    const uuid = crypto.randomUUID();
    await app.get(`/api/image_codes/${uuid}`);
    const text = await app.services.accounts.codes.peekImageCode(uuid);
    sms.sent.length = 0;
    clock.advance(61_000);
    expect((await call(app, 'POST', '/api/sms_codes', { body: { mobile, image_code_id: uuid, image_code: text } })).status).toBe(200);
    const registrationCode = await sms.codeFor(mobile);
    const r = await call(app, 'POST', '/api/oauth/qq/user', { body: { access_token: token, mobile, password: 'qq-pass-123', sms_code: registrationCode } });
    expect(r.status).toBe(400);
    expect(r.body.error.fields).toHaveProperty('sms_code');
    expect(await t.db('users').where({ mobile }).first()).toBeUndefined();
  });

    it('binds one openid to one account: a second bind of it is refused', async () => {
    const a = await comeBack('OPENID-TWICE');
    const b = await comeBack('OPENID-TWICE');
    const ta = (await call(app, 'GET', `/api/oauth/qq/user?code=${a.code}&state=${a.state}`)).body.access_token;
    const tb = (await call(app, 'GET', `/api/oauth/qq/user?code=${b.code}&state=${b.state}`)).body.access_token;
    const [u1, u2] = [await createUser(app.services, { password: 'pass-pass-1' }), await createUser(app.services, { password: 'pass-pass-2' })];
    expect((await call(app, 'POST', '/api/oauth/qq/user', { body: { access_token: ta, mobile: u1.mobile, password: 'pass-pass-1', sms_code: await smsCodeFor(u1.mobile) } })).status).toBe(201);
    const second = await call(app, 'POST', '/api/oauth/qq/user', { body: { access_token: tb, mobile: u2.mobile, password: 'pass-pass-2', sms_code: await smsCodeFor(u2.mobile) } });
    expect(second.status).toBe(400);
    expect(await t.db('oauth_qq_users').where({ openid: 'OPENID-TWICE' }).pluck('user_id')).toEqual([u1.id]);
  });

  it('expires a bind token after 10 minutes', async () => {
    const { code, state } = await comeBack('OPENID-LATE');
    const token = (await call(app, 'GET', `/api/oauth/qq/user?code=${code}&state=${state}`)).body.access_token;
    const mobile = '13700000009';
    const sms_code = await smsCodeFor(mobile);
    clock.advance(10 * 60_000 + 1000 - 61_000);
    const r = await call(app, 'POST', '/api/oauth/qq/user', { body: { access_token: token, mobile, password: 'qq-pass-123', sms_code } });
    expect(r.status).toBe(400);
    expect(r.body.error.fields).toHaveProperty('access_token');
  });
});

describe('QQ login when not configured', () => {
  it('answers 404 on every QQ endpoint: no fake login path', async () => {
    const t = await createTestDb('sqlite');
    const app = await startTestApp(t);
    try {
      expect((await call(app, 'GET', '/api/capabilities')).body).toEqual({ qq_login: false, alipay: false });
      expect((await call(app, 'GET', '/api/oauth/qq/authorization?next=/')).status).toBe(404);
      expect((await call(app, 'GET', '/api/oauth/qq/user?code=x&state=y')).status).toBe(404);
      expect((await call(app, 'POST', '/api/oauth/qq/user', { body: { access_token: 'qqb_' + 'a'.repeat(43), mobile: '13700000000', password: 'whatever-1', sms_code: '123456' } })).status).toBe(404);
    } finally {
      await app.close();
      await t.drop();
    }
  });
});
