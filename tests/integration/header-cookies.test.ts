import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HEADER_CART_COOKIE, HEADER_NAME_COOKIE } from '../../api/services/header/header-cookies.ts';
import { createUser, loginAs } from '../helpers/accounts.ts';
import { call as rawCall, type Reply } from '../helpers/api-client.ts';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { createTestDb, type TestDb } from '../helpers/db.ts';
import { DB_KINDS, redisDbUrl, emptyRedis } from '../helpers/env.ts';

// The header's readable cookies (api/services/header/header-cookies.ts), which the pages' head
// script paints the header from before any request: the display name set at login and removed at
// logout, the cart count following every cart write — guest and customer, on both cart stores
// (cart_lines on SQLite, Redis on the MariaDB run) — the merge at login, and an order.

/** The API client, with a Content-Length: Node sends a DELETE's body unframed without one. */
const call: typeof rawCall = (app, method, path, opts = {}) =>
  rawCall(app, method, path, opts.body === undefined ? opts : { ...opts, headers: { 'content-length': String(Buffer.byteLength(JSON.stringify(opts.body))), ...opts.headers } });

describe.each(DB_KINDS)('header cookies on %s', (kind) => {
  let t: TestDb;
  let app: TestApp;
  const redisUrl = kind === 'mysql' ? (redisDbUrl(10) ?? null) : null;
  let skus: number[];

  /** A browser: keeps every cookie the answers set (a Max-Age=0 one removes it) and sends them back. */
  const browser = () => {
    const jar = new Map<string, string>();
    const b = {
      jar,
      async send(method: string, path: string, body?: unknown): Promise<Reply> {
        const headers: Record<string, string> = {};
        if (jar.size) headers.cookie = [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
        if (jar.has('meiduo_csrf')) headers['x-csrf-token'] = jar.get('meiduo_csrf')!;
        const r = await call(app, method, path, { body, headers });
        for (const c of r.headers['set-cookie'] ?? []) {
          const name = c.slice(0, c.indexOf('='));
          if (/Max-Age=0/.test(c)) jar.delete(name);
          else jar.set(name, r.cookies[name]!);
        }
        return r;
      },
      count: () => jar.get(HEADER_CART_COOKIE),
      name: () => jar.get(HEADER_NAME_COOKIE),
    };
    return b;
  };
  const setCookie = (r: Reply, name: string) => r.headers['set-cookie']?.find((c) => c.startsWith(`${name}=`));

  beforeAll(async () => {
    t = await createTestDb(kind, { seed: true });
    await emptyRedis(redisUrl);
    app = await startTestApp(t, { redisUrl });
    skus = await t.db('skus').where('is_launched', true).orderBy('id').limit(4).pluck('id');
    await t.db('skus').whereIn('id', skus).update({ stock: 50 });
  });
  afterAll(async () => {
    await app?.close();
    await t?.drop();
  });

  it('a guest’s count follows every cart write, in a readable Lax cookie; an emptied cart removes it', async () => {
    const g = browser();
    const [a, b] = skus as [number, number];
    const first = await g.send('POST', '/api/cart', { sku_id: a, count: 2 });
    expect(g.count()).toBe('2');
    const attrs = setCookie(first, HEADER_CART_COOKIE)!;
    expect(attrs).toMatch(/Path=\//);
    expect(attrs).toMatch(/SameSite=Lax/);
    expect(attrs).not.toMatch(/HttpOnly/i);
    await g.send('POST', '/api/cart', { sku_id: b, count: 1 });
    expect(g.count()).toBe('3');
    await g.send('PUT', '/api/cart', { sku_id: a, count: 5, selected: false });
    expect(g.count()).toBe('6');
    await g.send('DELETE', '/api/cart', { sku_id: b });
    expect(g.count()).toBe('5');
    // a refused write changes nothing
    expect((await g.send('POST', '/api/cart', { sku_id: a, count: 99 })).status).toBe(400);
    expect(g.count()).toBe('5');
    // reading the cart sends the cookie only when the browser's is wrong
    expect(setCookie(await g.send('GET', '/api/cart'), HEADER_CART_COOKIE)).toBeUndefined();
    g.jar.set(HEADER_CART_COOKIE, '9');
    await g.send('GET', '/api/cart');
    expect(g.count()).toBe('5');
    await g.send('DELETE', '/api/cart', { sku_id: a });
    expect(g.count()).toBeUndefined();
    expect(g.name()).toBeUndefined();
  });

  it('login sets the name and the merged count; the customer’s writes and an order follow; logout clears both', async () => {
    const [a, b, c] = skus as [number, number, number];
    const user = await createUser(app.services);
    // the account already holds 4 of c (added elsewhere, with a token)
    const elsewhere = await app.services.accounts.grant(app.services.systemContext('test'), user);
    expect((await call(app, 'POST', '/api/cart', { headers: { authorization: `Bearer ${elsewhere.token}` }, body: { sku_id: c, count: 4 } })).status).toBe(201);

    const g = browser();
    await g.send('POST', '/api/cart', { sku_id: a, count: 2 });
    const login = await g.send('POST', '/api/sessions', { account: user.username, password: user.password });
    expect(login.status).toBe(201);
    expect(g.name()).toBe(encodeURIComponent(user.username));
    expect(setCookie(login, HEADER_NAME_COOKIE)).not.toMatch(/HttpOnly/i);
    expect(setCookie(login, HEADER_NAME_COOKIE)).toMatch(/SameSite=Lax/);
    expect(g.count()).toBe('6'); // the guest's 2 of a merged with the account's 4 of c

    await g.send('POST', '/api/cart', { sku_id: b, count: 3 });
    expect(g.count()).toBe('9');
    await g.send('PUT', '/api/cart', { sku_id: c, count: 1, selected: false });
    expect(g.count()).toBe('6');
    await g.send('DELETE', '/api/cart', { sku_id: b });
    expect(g.count()).toBe('3');

    // an order takes the selected lines (2 of a) out of the cart: the count follows
    const now = Date.now();
    const [addressId] = await t.db('addresses').insert({ user_id: user.id, title: '家', receiver: '张三', province_id: 440000, city_id: 440300, district_id: 440305, place: '科技园1号', mobile: '13600000000', is_deleted: false, created_at: now, updated_at: now });
    const order = await call(app, 'POST', '/api/orders', {
      headers: { cookie: [...g.jar].map(([k, v]) => `${k}=${v}`).join('; '), 'x-csrf-token': g.jar.get('meiduo_csrf')!, 'idempotency-key': `hdr-${now}` },
      body: { address_id: Number(addressId), pay_method: 1 },
    });
    expect(order.status, JSON.stringify(order.body)).toBe(201);
    expect(order.cookies[HEADER_CART_COOKIE]).toBe('1');

    const out = await g.send('DELETE', '/api/sessions');
    expect(out.status).toBe(204);
    expect(setCookie(out, HEADER_NAME_COOKIE)).toMatch(/Max-Age=0/);
    expect(g.name()).toBeUndefined();
    expect(g.count()).toBeUndefined();
  });

  it('a login with no cart anywhere sets the name and no count', async () => {
    const g = browser();
    const user = await loginAs(app);
    const login = await g.send('POST', '/api/sessions', { account: user.username, password: user.password });
    expect(login.status).toBe(201);
    expect(g.count()).toBeUndefined();
    expect(g.name()).toBe(encodeURIComponent(user.username));
  });
});
