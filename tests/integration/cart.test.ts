import crypto from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../api/clock.ts';
import type { Cookies, RequestContext } from '../../api/context.ts';
import { resolveSecretKey } from '../../api/secret-key.ts';
import { mergeLines } from '../../api/services/cart/cart-store.ts';
import { CART_COOKIE } from '../../api/services/cart/guest-cookie.ts';
import { MAX_COUNT_PER_LINE, MAX_LINES } from '../../api/services/orders/order-rules.ts';
import { createUser, loginAs } from '../helpers/accounts.ts';
import { call as rawCall, type Reply } from '../helpers/api-client.ts';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { createTestDb, type TestDb } from '../helpers/db.ts';
import { DB_KINDS, redisDbUrl, emptyRedis } from '../helpers/env.ts';

// The cart over the seeded catalog: a guest's in the signed meiduo_cart cookie, a customer's in the
// CartStore — the cart_lines table on SQLite, Redis on the MariaDB run (when TEST_REDIS_URL is set),
// so both stores are covered; the merge at login; and what checkout reads (CartSource).

const line = (sku_id: number, count: number, selected = true) => ({ sku_id, count, selected });

/** The API client, with a Content-Length: Node sends a DELETE's body unframed without one. */
const call: typeof rawCall = (app, method, path, opts = {}) =>
  rawCall(app, method, path, opts.body === undefined ? opts : { ...opts, headers: { 'content-length': String(Buffer.byteLength(JSON.stringify(opts.body))), ...opts.headers } });

describe('mergeLines', () => {
  it('lets the guest line win, keeps account-only lines, appends guest-only ones, drops the oldest account-only lines past the limit', () => {
    const account = [line(1, 5), line(2, 1, false), line(3, 2), line(4, 1)];
    const guest = [line(9, 1), line(3, 7, false), line(8, 2)];
    expect(mergeLines(account, guest, 10)).toEqual({ lines: [line(1, 5), line(2, 1, false), line(3, 7, false), line(4, 1), line(9, 1), line(8, 2)], dropped: [] });
    expect(mergeLines(account, guest, 4)).toEqual({ lines: [line(3, 7, false), line(4, 1), line(9, 1), line(8, 2)], dropped: [1, 2] });
  });
});

describe.each(DB_KINDS)('cart on %s', (kind) => {
  let t: TestDb;
  let app: TestApp;
  const redisUrl = kind === 'mysql' ? (redisDbUrl(3) ?? null) : null;
  /** Launched SKUs with stock ≥ 10; the first is the one whose stock tests change. */
  let skus: number[];
  let unlaunched: number;
  const UNKNOWN = 2_000_000_000;

  const restart = async () => {
    await app.close();
    app = await startTestApp(t, { redisUrl });
  };

  /** A browser without a session: keeps the meiduo_cart cookie each answer sets and sends it back. */
  const guest = (cookie = '') => {
    const g = {
      cookie,
      async send(method: string, path: string, body?: unknown): Promise<Reply> {
        const r = await call(app, method, path, { body, headers: g.cookie ? { cookie: `${CART_COOKIE}=${g.cookie}` } : {} });
        if (CART_COOKIE in r.cookies) g.cookie = r.cookies[CART_COOKIE]!;
        return r;
      },
      list: () => g.send('GET', '/api/cart'),
    };
    return g;
  };

  const signedCookie = (json: string) => {
    // as api/services/cart/guest-cookie.ts signs: a key of its own derived from the secret key
    const key = crypto.createHmac('sha256', resolveSecretKey(app.services.config)).update('meiduo_cart cookie v1').digest();
    const payload = Buffer.from(json).toString('base64url');
    return `${payload}.${crypto.createHmac('sha256', key).update(payload).digest('base64url')}`;
  };

  const userContext = (userId: number): RequestContext => ({ actor: { kind: 'user', userId }, requestId: 'cart-test', clock: app.services.clock, ip: '', db: app.services.db });
  /** A cookie jar for calling the service directly. */
  const jar = (value?: string): Cookies & { value?: string } => {
    const j: Cookies & { value?: string } = {
      value,
      get: (name) => (name === CART_COOKIE ? j.value : undefined),
      set: (name, v) => {
        if (name === CART_COOKIE) j.value = v ?? undefined;
      },
    };
    return j;
  };
  const guestContext = (): RequestContext => ({ actor: { kind: 'anonymous' }, requestId: 'cart-test', clock: systemClock, ip: '', db: app.services.db });
  const counts = (items: { id: number; count: number; selected: boolean }[]) => items.map((i) => [i.id, i.count, i.selected]);

  beforeAll(async () => {
    t = await createTestDb(kind, { seed: true });
    await emptyRedis(redisUrl);
    app = await startTestApp(t, { redisUrl });
    // enough launched SKUs for a full cart and a merge past the limit, with stock to spare
    skus = await t.db('skus').where('is_launched', true).orderBy('id').limit(60).pluck('id');
    expect(skus.length).toBe(60);
    await t.db('skus').whereIn('id', skus).update({ stock: 200 });
    unlaunched = (await t.db('skus').where('is_launched', false).first('id')).id;
  });
  afterAll(async () => {
    await app?.close();
    await t?.drop();
  });

  it('uses the store the cache calls for', () => {
    expect(app.services.cache.kind).toBe(redisUrl ? 'redis' : 'memory');
  });

  it('keeps a guest cart in a signed HttpOnly cookie: add, list, set, select all, delete', async () => {
    const g = guest();
    const [a, b] = skus as [number, number];
    const empty = await g.list();
    expect(empty.status).toBe(200);
    expect(empty.body).toEqual([]);
    expect(empty.headers['set-cookie']).toBeUndefined();

    const added = await g.send('POST', '/api/cart', { sku_id: a, count: 2 });
    expect(added.status).toBe(201);
    expect(added.body).toEqual({ sku_id: a, count: 2, selected: true });
    const setCookie = added.headers['set-cookie']!.find((c) => c.startsWith(`${CART_COOKIE}=`))!;
    expect(setCookie).toMatch(/Max-Age=31536000/);
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/Path=\//);
    expect(g.cookie).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/);
    expect(g.cookie.length).toBeLessThan(4096);

    expect((await g.send('POST', '/api/cart', { sku_id: a, count: 3 })).body).toEqual({ sku_id: a, count: 5, selected: true });
    expect((await g.send('POST', '/api/cart', { sku_id: b, count: 1, selected: false })).body).toEqual({ sku_id: b, count: 1, selected: false });

    const list = await g.list();
    expect(list.status).toBe(200);
    expect(counts(list.body)).toEqual([
      [a, 5, true],
      [b, 1, false],
    ]);
    const detail = await app.services.catalog.sku(app.services.systemContext('cart-test'), a);
    expect(list.body[0]).toEqual({ id: a, name: detail.name, default_image_url: detail.default_image_url, price: detail.price, count: 5, selected: true, stock: 200, max: 20, stock_state: 'ok' });
    expect(list.body[0].price).toMatch(/^\d+\.\d{2}$/);

    const put = await g.send('PUT', '/api/cart', { sku_id: a, count: 1, selected: false });
    expect(put.status).toBe(200);
    expect(put.body).toEqual({ sku_id: a, count: 1, selected: false });
    expect(counts((await g.list()).body)).toEqual([
      [a, 1, false],
      [b, 1, false],
    ]);

    const all = await g.send('PUT', '/api/cart/selection', { selected: true });
    expect(all.status).toBe(200);
    expect(all.body).toEqual({ selected: true });
    expect(counts((await g.list()).body)).toEqual([
      [a, 1, true],
      [b, 1, true],
    ]);

    const del = await g.send('DELETE', '/api/cart', { sku_id: a });
    expect(del.status).toBe(204);
    expect(counts((await g.list()).body)).toEqual([[b, 1, true]]);
    // the last line takes the cookie with it
    const last = await g.send('DELETE', '/api/cart', { sku_id: b });
    expect(last.status).toBe(204);
    expect(last.headers['set-cookie']!.find((c) => c.startsWith(`${CART_COOKIE}=`))).toMatch(/Max-Age=0/);
    expect((await g.list()).body).toEqual([]);
  });

  it('treats a tampered, oversized or malformed cookie as an empty cart, never as an error', async () => {
    const g = guest();
    const [a, b] = skus as [number, number];
    await g.send('POST', '/api/cart', { sku_id: a, count: 2 });
    const good = g.cookie;
    const [payload, sig] = good.split('.') as [string, string];
    const forged = Buffer.from(JSON.stringify([[a, 99, 1]])).toString('base64url');
    const flip = (s: string) => (s[0] === 'A' ? 'B' : 'A') + s.slice(1);
    const bad = [
      `${forged}.${sig}`, // another cart under the old signature
      `${flip(payload)}.${sig}`,
      `${payload}.${flip(sig)}`,
      payload, // unsigned
      `${payload}.${sig}.${sig}`,
      'x'.repeat(5000),
      `${payload}.${sig}${'A'.repeat(4200)}`,
      'garbage',
      '.',
      '%00%ff',
      // signed by us, but not a cart
      signedCookie('{"__proto__":{"x":1}}'),
      signedCookie('not json'),
      signedCookie(JSON.stringify([[a, 100, 1]])),
      signedCookie(JSON.stringify([[a, 0, 1]])),
      signedCookie(JSON.stringify([[a, 1.5, 1]])),
      signedCookie(JSON.stringify([[-1, 1, 1]])),
      signedCookie(JSON.stringify([[a, 1, true]])),
      signedCookie(JSON.stringify([[a, 1, 1, 'extra']])),
      signedCookie(JSON.stringify([
        [a, 1, 1],
        [a, 2, 1],
      ])),
      signedCookie(JSON.stringify(Array.from({ length: MAX_LINES + 1 }, (_, i) => [i + 1, 1, 1]))),
    ];
    for (const cookie of bad) {
      const list = await guest(cookie).list();
      expect(list.status, cookie.slice(0, 60)).toBe(200);
      expect(list.body, cookie.slice(0, 60)).toEqual([]);
      const h = guest(cookie);
      const add = await h.send('POST', '/api/cart', { sku_id: b, count: 1 });
      expect(add.status, cookie.slice(0, 60)).toBe(201);
      expect(add.body.count).toBe(1);
      expect(counts((await h.list()).body)).toEqual([[b, 1, true]]);
    }
    // the helper signs as the service does: a well-formed cart it signs is read
    expect(counts((await guest(signedCookie(JSON.stringify([[a, 3, 0]]))).list()).body)).toEqual([[a, 3, false]]);
    expect(counts((await guest(good).list()).body)).toEqual([[a, 2, true]]);
  });

  it('refuses unknown and unlaunched SKUs, counts past the stock or 99, and bodies that are not JSON integers', async () => {
    const g = guest();
    const [a, b] = skus as [number, number];
    for (const sku_id of [UNKNOWN, unlaunched]) {
      const r = await g.send('POST', '/api/cart', { sku_id, count: 1 });
      expect(r.status).toBe(400);
      expect(Object.keys(r.body.error.fields)).toEqual(['sku_id']);
      expect((await g.send('PUT', '/api/cart', { sku_id, count: 1, selected: true })).body.error.fields.sku_id).toBeTruthy();
    }

    await t.db('skus').where({ id: a }).update({ stock: 3 });
    try {
      expect((await g.send('POST', '/api/cart', { sku_id: a, count: 2 })).status).toBe(201);
      const over = await g.send('POST', '/api/cart', { sku_id: a, count: 2 });
      expect(over.status).toBe(400);
      expect(over.body.error.message).toBe('库存不足');
      expect(over.body.error.fields).toEqual({ count: '库存不足，最多可买 3 件（剩余 3 件），购物车中已有 2 件' });
      expect((await g.send('PUT', '/api/cart', { sku_id: a, count: 4, selected: true })).body.error.fields.count).toMatch(/最多可买 3 件/);
      expect((await g.send('PUT', '/api/cart', { sku_id: a, count: 3, selected: true })).body).toEqual({ sku_id: a, count: 3, selected: true });
      await t.db('skus').where({ id: a }).update({ stock: 0 });
      expect((await g.send('POST', '/api/cart', { sku_id: a, count: 1 })).body.error.fields.count).toBe('库存不足，该商品暂时无货');
      // what the cart holds stays, and the refused change set no cookie
      expect(counts((await g.list()).body)).toEqual([[a, 3, true]]);
    } finally {
      await t.db('skus').where({ id: a }).update({ stock: 200 });
    }

    // the per-customer limit (ORDER_MAX_UNITS_PER_SKU, 20 here) is the cart's bound too, named in the refusal
    expect((await g.send('POST', '/api/cart', { sku_id: b, count: 15 })).status).toBe(201);
    const past = await g.send('POST', '/api/cart', { sku_id: b, count: 6 });
    expect(past.status).toBe(400);
    expect(past.body.error).toMatchObject({ message: '每人限购 20 件', fields: { count: '每人限购 20 件，购物车中已有 15 件' } });
    expect((await g.send('POST', '/api/cart', { sku_id: b, count: 5 })).body.count).toBe(20);

    for (const body of [
      { sku_id: b, count: MAX_COUNT_PER_LINE + 1 },
      { sku_id: b, count: 0 },
      { sku_id: b, count: 1.5 },
      { sku_id: b, count: '2' },
      { sku_id: String(b), count: 1 },
      { sku_id: b },
      { sku_id: b, count: 1, selected: 'yes' },
    ]) {
      const r = await g.send('POST', '/api/cart', body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.body.error.code).toBe('VALIDATION_ERROR');
    }
    expect((await g.send('PUT', '/api/cart', { sku_id: b, count: 2 })).status).toBe(400); // selected is required on PUT
    expect((await g.send('PUT', '/api/cart/selection', {})).status).toBe(400);
    expect((await g.send('DELETE', '/api/cart', {})).status).toBe(400);
  });

  it('lets a line above the stock be lowered, never raised: each step down is accepted, the answer names the max', async () => {
    const user = await loginAs(app);
    const g = guest();
    const a = skus[2]!;
    for (const send of [(m: string, b: unknown) => call(app, m, '/api/cart', { body: b, headers: user.headers }), (m: string, b: unknown) => g.send(m, '/api/cart', b)]) {
      expect((await send('POST', { sku_id: a, count: 5 })).status).toBe(201);
      await t.db('skus').where({ id: a }).update({ stock: 2 });
      try {
        // still 5 > 2: lowered one step, as the cart page's − does
        expect((await send('PUT', { sku_id: a, count: 4, selected: true })).body).toEqual({ sku_id: a, count: 4, selected: true });
        // unselecting a short line keeps its count
        expect((await send('PUT', { sku_id: a, count: 4, selected: false })).body).toEqual({ sku_id: a, count: 4, selected: false });
        const up = await send('PUT', { sku_id: a, count: 5, selected: true });
        expect(up.status).toBe(400);
        expect(up.body.error.fields.count).toBe('库存不足，最多可买 2 件（剩余 2 件），购物车中已有 4 件');
        expect((await send('POST', { sku_id: a, count: 1 })).status).toBe(400);
        expect((await send('PUT', { sku_id: a, count: 2, selected: true })).body.count).toBe(2); // 改为 2
      } finally {
        await t.db('skus').where({ id: a }).update({ stock: 200 });
      }
      await send('DELETE', { sku_id: a });
    }
  });

  it('lists each line with its stock, max and stock_state; an off-sale line stays, unselected, and checkout skips it', async () => {
    const user = await createUser(app.services);
    const ctx = userContext(user.id);
    const none = jar();
    const [a, b, c, d] = skus.slice(10, 14) as [number, number, number, number];
    for (const sku_id of [a, b, c, d]) await app.services.cart.add(ctx, none, { sku_id, count: 5 });
    await t.db('skus').where({ id: b }).update({ stock: 7 });
    await t.db('skus').where({ id: c }).update({ stock: 2 });
    await t.db('skus').where({ id: d }).update({ is_launched: false });
    try {
      const list = await app.services.cart.list(ctx, none);
      expect(list.map(({ id, count, selected, stock, max, stock_state }) => ({ id, count, selected, stock, max, stock_state }))).toEqual([
        { id: a, count: 5, selected: true, stock: 200, max: 20, stock_state: 'ok' },
        { id: b, count: 5, selected: true, stock: 7, max: 7, stock_state: 'low' },
        { id: c, count: 5, selected: true, stock: 2, max: 2, stock_state: 'short' },
        { id: d, count: 5, selected: false, stock: 0, max: 0, stock_state: 'off_sale' },
      ]);
      expect(await app.services.cart.selectedLines(ctx, user.id)).toEqual([
        { sku_id: a, count: 5 },
        { sku_id: b, count: 5 },
        { sku_id: c, count: 5 },
      ]);
      // it can still be removed
      await app.services.cart.remove(ctx, none, { sku_id: d });
      expect((await app.services.cart.list(ctx, none)).map((i) => i.id)).toEqual([a, b, c]);
    } finally {
      await t.db('skus').whereIn('id', [b, c]).update({ stock: 200 });
      await t.db('skus').where({ id: d }).update({ is_launched: true });
    }
  });

  it('shares one max with GET /api/skus/{id} (max_per_order): what the SKU page accepts, the cart accepts', async () => {
    const a = skus[20]!;
    const g = guest();
    const sku = async () => (await call(app, 'GET', `/api/skus/${a}`)).body;
    try {
      for (const [stock, max] of [[200, 20], [7, 7], [0, 0]] as const) {
        await t.db('skus').where({ id: a }).update({ stock });
        expect(await sku()).toMatchObject({ stock, max_per_order: max });
      }
      await t.db('skus').where({ id: a }).update({ stock: 200 });
      const { max_per_order } = await sku();
      expect((await g.send('POST', '/api/cart', { sku_id: a, count: max_per_order })).status).toBe(201);
      expect((await g.send('POST', '/api/cart', { sku_id: a, count: 1 })).body.error.fields.count).toMatch(`${max_per_order} 件`);
      expect((await g.list()).body[0]).toMatchObject({ id: a, max: max_per_order, stock_state: 'ok' });
      await t.db('skus').where({ id: a }).update({ is_launched: false });
      expect(await sku()).toMatchObject({ is_launched: false, max_per_order: 0 });
      expect((await g.list()).body[0]).toMatchObject({ id: a, selected: false, max: 0, stock_state: 'off_sale' });
    } finally {
      await t.db('skus').where({ id: a }).update({ stock: 200, is_launched: true });
    }
  });

  it('holds at most 50 lines (CART_FULL), for guests and customers', async () => {
    const g = guest();
    const user = await loginAs(app);
    for (const sku_id of skus.slice(0, MAX_LINES)) {
      expect((await g.send('POST', '/api/cart', { sku_id, count: 1 })).status).toBe(201);
      expect((await call(app, 'POST', '/api/cart', { body: { sku_id, count: 1 }, headers: user.headers })).status).toBe(201);
    }
    expect(g.cookie.length).toBeLessThan(4096);
    const next = skus[MAX_LINES]!;
    for (const r of [await g.send('POST', '/api/cart', { sku_id: next, count: 1 }), await call(app, 'PUT', '/api/cart', { body: { sku_id: next, count: 1, selected: true }, headers: user.headers })]) {
      expect(r.status).toBe(400);
      expect(r.body.error.code).toBe('CART_FULL');
      expect(Object.keys(r.body.error.fields)).toEqual(['sku_id']);
    }
    // a line already in the cart still changes
    expect((await g.send('POST', '/api/cart', { sku_id: skus[0], count: 1 })).body.count).toBe(2);
    expect((await call(app, 'POST', '/api/cart', { body: { sku_id: skus[0], count: 1 }, headers: user.headers })).body.count).toBe(2);
    expect((await g.list()).body).toHaveLength(MAX_LINES);

    // a SKU taken off sale since frees its line
    await t.db('skus').where({ id: skus[1] }).update({ is_launched: false });
    try {
      expect((await g.send('POST', '/api/cart', { sku_id: next, count: 1 })).status).toBe(201);
      expect((await call(app, 'POST', '/api/cart', { body: { sku_id: next, count: 1 }, headers: user.headers })).status).toBe(201);
      const mine = await call(app, 'GET', '/api/cart', { headers: user.headers });
      expect(mine.body).toHaveLength(MAX_LINES);
      expect(mine.body.at(-1).id).toBe(next);
    } finally {
      await t.db('skus').where({ id: skus[1] }).update({ is_launched: true });
    }
  });

  it('keeps a customer’s cart on the server, survives a restart, and ignores a guest cookie sent alongside', async () => {
    const user = await loginAs(app);
    const as = (method: string, body?: unknown, path = '/api/cart') => call(app, method, path, { body, headers: user.headers });
    const [a, b, c] = skus as [number, number, number];
    expect((await as('GET')).body).toEqual([]);
    const first = await as('POST', { sku_id: c, count: 2 });
    expect(first.status).toBe(201);
    expect(first.body).toEqual({ sku_id: c, count: 2, selected: true });
    expect(first.cookies[CART_COOKIE]).toBeUndefined();
    expect((await as('POST', { sku_id: a, count: 1, selected: false })).body).toEqual({ sku_id: a, count: 1, selected: false });
    expect((await as('POST', { sku_id: c, count: 3 })).body).toEqual({ sku_id: c, count: 5, selected: true });
    expect((await as('PUT', { sku_id: b, count: 4, selected: true })).body).toEqual({ sku_id: b, count: 4, selected: true });
    expect(counts((await as('GET')).body)).toEqual([
      [c, 5, true],
      [a, 1, false],
      [b, 4, true],
    ]);
    expect((await as('PUT', { selected: false }, '/api/cart/selection')).body).toEqual({ selected: false });
    expect((await as('PUT', { sku_id: c, count: 1, selected: true })).status).toBe(200);
    expect((await as('DELETE', { sku_id: a })).status).toBe(204);
    expect((await as('DELETE', { sku_id: a })).status).toBe(204);
    const expected = [
      [c, 1, true],
      [b, 4, false],
    ];
    expect(counts((await as('GET')).body)).toEqual(expected);

    if (redisUrl) {
      // the original's layout, plus the order of addition
      const r = new Redis(redisUrl);
      expect(await r.hgetall(`meiduo:cart:${user.userId}`)).toEqual({ [c]: '1', [b]: '4' });
      expect(await r.smembers(`meiduo:cart_selected:${user.userId}`)).toEqual([String(c)]);
      expect(await r.zrange(`meiduo:cart_order:${user.userId}`, 0, -1)).toEqual([String(c), String(b)]);
      await r.quit();
    } else {
      expect(Number((await t.db('cart_lines').where({ user_id: user.userId }).count({ n: '*' }))[0]!.n)).toBe(2);
    }

    const g = guest();
    await g.send('POST', '/api/cart', { sku_id: a, count: 9 });
    const both = await call(app, 'GET', '/api/cart', { headers: { ...user.headers, cookie: `${CART_COOKIE}=${g.cookie}` } });
    expect(counts(both.body)).toEqual(expected);

    await restart();
    expect(counts((await as('GET')).body)).toEqual(expected);
    // the guest's cookie is signed with a key that outlives the process, too
    expect(counts((await g.list()).body)).toEqual([[a, 9, true]]);
  });

  it('merges the guest cart at login: the cookie’s count and selection win, account lines stay, the cookie is cleared', async () => {
    const user = await createUser(app.services);
    const grant = await app.services.accounts.grant(app.services.systemContext('test'), user);
    const account = { authorization: `Bearer ${grant.token}` };
    const [a, b, c, d] = skus as [number, number, number, number];
    await call(app, 'POST', '/api/cart', { body: { sku_id: a, count: 5 }, headers: account });
    await call(app, 'POST', '/api/cart', { body: { sku_id: c, count: 1, selected: false }, headers: account });
    await call(app, 'POST', '/api/cart', { body: { sku_id: d, count: 3 }, headers: account });

    const g = guest();
    await g.send('POST', '/api/cart', { sku_id: b, count: 1, selected: false });
    await g.send('POST', '/api/cart', { sku_id: a, count: 2, selected: false });
    await g.send('POST', '/api/cart', { sku_id: c, count: 4 });
    await g.send('POST', '/api/cart', { sku_id: unlaunched, count: 1 }); // refused: never in the cookie

    const login = await call(app, 'POST', '/api/sessions', { body: { account: user.username, password: user.password }, headers: { cookie: `${CART_COOKIE}=${g.cookie}` } });
    expect(login.status).toBe(201);
    expect(login.cookies[CART_COOKIE]).toBe('');
    expect(login.headers['set-cookie']!.find((c) => c.startsWith(`${CART_COOKIE}=`))).toMatch(/Max-Age=0/);

    const merged = await call(app, 'GET', '/api/cart', { headers: { authorization: `Bearer ${login.body.token}` } });
    expect(counts(merged.body)).toEqual([
      [a, 2, false],
      [c, 4, true],
      [d, 3, true],
      [b, 1, false],
    ]);

    // a login without a cart cookie sets none; one with a bad cookie clears it and changes nothing
    const plain = await call(app, 'POST', '/api/sessions', { body: { account: user.username, password: user.password } });
    expect(plain.status).toBe(201);
    expect(plain.cookies[CART_COOKIE]).toBeUndefined();
    const tampered = await call(app, 'POST', '/api/sessions', { body: { account: user.username, password: user.password }, headers: { cookie: `${CART_COOKIE}=${g.cookie.slice(0, -2)}xx` } });
    expect(tampered.status).toBe(201);
    expect(tampered.cookies[CART_COOKIE]).toBe('');
    expect(counts((await call(app, 'GET', '/api/cart', { headers: account })).body)).toEqual(counts(merged.body));
  });

  it('cuts a merged cart to 50 lines, dropping the account-only lines added longest ago', async () => {
    const user = await createUser(app.services);
    const ctx = userContext(user.id);
    const none = jar();
    const accountSkus = skus.slice(0, 45);
    for (const sku_id of accountSkus) await app.services.cart.add(ctx, none, { sku_id, count: 1 });
    const cookies = jar();
    const guestSkus = [...skus.slice(40, 45), ...skus.slice(45, 55)]; // 5 in both, 10 new: 55 lines
    for (const sku_id of guestSkus) await app.services.cart.add(guestContext(), cookies, { sku_id, count: 2 });
    expect(none.value).toBeUndefined();
    expect(cookies.value).toBeTruthy();

    await app.services.cart.mergeGuest({ userId: user.id, context: guestContext(), cookies });
    expect(cookies.value).toBeUndefined();
    const merged = await app.services.cart.list(ctx, none);
    expect(merged.map((i) => i.id)).toEqual([...skus.slice(5, 45), ...skus.slice(45, 55)]);
    expect(merged.map((i) => i.count)).toEqual([...Array(35).fill(1), ...Array(15).fill(2)]);
  });

  it('gives checkout the selected lines in the order added, and removes ordered lines', async () => {
    const user = await createUser(app.services);
    const ctx = userContext(user.id);
    const none = jar();
    const [a, b, c] = skus as [number, number, number];
    await app.services.cart.add(ctx, none, { sku_id: b, count: 2 });
    await app.services.cart.add(ctx, none, { sku_id: a, count: 1, selected: false });
    await app.services.cart.add(ctx, none, { sku_id: c, count: 3 });
    expect(await app.services.cart.selectedLines(ctx, user.id)).toEqual([
      { sku_id: b, count: 2 },
      { sku_id: c, count: 3 },
    ]);
    await app.services.cart.removeLines(ctx, user.id, [b, c]);
    expect(await app.services.cart.selectedLines(ctx, user.id)).toEqual([]);
    expect(counts(await app.services.cart.list(ctx, none))).toEqual([[a, 1, false]]);
    await app.services.cart.removeLines(ctx, user.id, []);
  });

  it('serialises concurrent adds of one customer (no lost increment, no duplicate line)', async () => {
    const user = await loginAs(app);
    const [a] = skus as [number];
    const replies = await Promise.all(Array.from({ length: 20 }, () => call(app, 'POST', '/api/cart', { body: { sku_id: a, count: 1 }, headers: user.headers })));
    expect(replies.map((r) => r.status)).toEqual(Array(20).fill(201));
    expect(replies.map((r) => r.body.count).sort((x, y) => x - y)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(counts((await call(app, 'GET', '/api/cart', { headers: user.headers })).body)).toEqual([[a, 20, true]]);
  });

  it('answers each of a burst of adds by its own SKU (the checks that share one query)', async () => {
    const user = await loginAs(app);
    const [a, b, c] = skus as [number, number, number];
    await t.db('skus').where({ id: c }).update({ stock: 1 });
    try {
      const bodies = [
        { sku_id: a, count: 1 },
        { sku_id: UNKNOWN, count: 1 },
        { sku_id: b, count: 2 },
        { sku_id: unlaunched, count: 1 },
        { sku_id: c, count: 2 },
        { sku_id: a, count: 1 },
      ];
      const replies = await Promise.all(bodies.map((body) => call(app, 'POST', '/api/cart', { body, headers: user.headers })));
      expect(replies.map((r) => r.status)).toEqual([201, 400, 201, 400, 400, 201]);
      expect(Object.keys(replies[1]!.body.error.fields)).toEqual(['sku_id']);
      expect(Object.keys(replies[3]!.body.error.fields)).toEqual(['sku_id']);
      expect(Object.keys(replies[4]!.body.error.fields)).toEqual(['count']);
      expect(counts((await call(app, 'GET', '/api/cart', { headers: user.headers })).body)).toEqual(
        expect.arrayContaining([
          [a, 2, true],
          [b, 2, true],
        ]),
      );
    } finally {
      await t.db('skus').where({ id: c }).update({ stock: 200 });
    }
  });

  it('describes the routes, with their bounds, in the OpenAPI document', async () => {
    const doc = (await app.json('/api/openapi.json')).body;
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/cart', '/api/cart/selection']));
    const post = doc.paths['/api/cart'].post;
    expect(post.security).toEqual([]); // public: guests have a cart too
    const schema = post.requestBody.content['application/json'].schema;
    expect(schema.properties.count).toMatchObject({ type: 'integer', minimum: 1, maximum: MAX_COUNT_PER_LINE });
    expect(schema.required).toEqual(expect.arrayContaining(['sku_id', 'count']));
    expect(schema.required).not.toContain('selected');
  });
});
