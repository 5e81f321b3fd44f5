import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '../helpers/accounts.ts';
import { call } from '../helpers/api-client.ts';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { createTestDb, type TestDb } from '../helpers/db.ts';
import { DB_KINDS, redisDbUrl, emptyRedis } from '../helpers/env.ts';

// TRUST_PROXY over real sockets, through a real per-IP limit: the login throttle's 30 failures per
// client address (docs/accounts.md). The shop trusts one proxy address; other loopback addresses
// stand for clients that reach the web port directly. (The walk itself, IPv6 included:
// tests/unit/client-address.test.ts.)

/** A loopback address of its own for each run: the per-IP counters outlive a run in Redis. */
const loopback = () => `127.${crypto.randomInt(20, 250)}.${crypto.randomInt(0, 250)}.${crypto.randomInt(2, 250)}`;
/** A client address as a proxy would forward it (documentation range, random per run). */
const clientAddress = () => `198.51.${crypto.randomInt(0, 250)}.${crypto.randomInt(1, 250)}`;

describe.each(DB_KINDS)('the client address behind TRUST_PROXY on %s', (kind) => {
  let t: TestDb;
  let app: TestApp;
  const proxy = loopback();

  beforeAll(async () => {
    t = await createTestDb(kind);
    // a Redis database of its own (11 is the payments test's), emptied: the last run's throttle counts must not count here
    const redisUrl = kind === 'mysql' ? (redisDbUrl(6) ?? null) : null;
    await emptyRedis(redisUrl);
    app = await startTestApp(t, { redisUrl, config: { trustProxy: [proxy] } });
  });
  afterAll(async () => {
    await app?.close();
    await t?.drop();
  });

  /** 30 failed logins (on 30 unknown accounts: only the per-IP count moves) from `from`, each with its own X-Forwarded-For. */
  const failThirtyTimes = (from: string, forwardedFor: (i: number) => string) =>
    Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        call(app, 'POST', '/api/sessions', { body: { account: `nobody_${crypto.randomBytes(4).toString('hex')}`, password: 'wrong-pass1' }, from, headers: { 'x-forwarded-for': forwardedFor(i) } }),
      ),
    );

  it('a client reaching the web port directly gets no new budget by rotating X-Forwarded-For', async () => {
    const u = await createUser(app.services, { password: 'right-pass1' });
    const direct = loopback();
    const tries = await failThirtyTimes(direct, (i) => `203.0.113.${i + 1}`);
    expect(tries.map((r) => r.status).every((s) => s === 400 || s === 429)).toBe(true);
    const r = await call(app, 'POST', '/api/sessions', { body: { account: u.username, password: 'right-pass1' }, from: direct, headers: { 'x-forwarded-for': '203.0.113.99' } });
    expect(r.status).toBe(429);
    // another address is another client
    expect((await call(app, 'POST', '/api/sessions', { body: { account: u.username, password: 'right-pass1' }, from: loopback() })).status).toBe(201);
  });

  it('through the trusted proxy, the address it forwards counts: each client its own budget, and what the client adds changes nothing', async () => {
    const u = await createUser(app.services, { password: 'right-pass1' });
    const client = clientAddress();
    await failThirtyTimes(proxy, (i) => `10.${i}.0.1, ${client}`); // the client's own entries first, the proxy's last
    const login = (forwardedFor: string) => call(app, 'POST', '/api/sessions', { body: { account: u.username, password: 'right-pass1' }, from: proxy, headers: { 'x-forwarded-for': forwardedFor } });
    expect((await login(client)).status).toBe(429);
    expect((await login(`${clientAddress()}, ${client}`)).status).toBe(429);
    // the proxy's other clients are not held back by this one
    expect((await login(clientAddress())).status).toBe(201);
  });
});
