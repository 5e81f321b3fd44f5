import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loginAs } from '../helpers/accounts.ts';
import { call } from '../helpers/api-client.ts';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { createTestDb, type TestDb } from '../helpers/db.ts';
import { DB_KINDS } from '../helpers/env.ts';

// Checkout over HTTP: cart → settlement → order (Idempotency-Key) → list, detail, cancel; comments
// on a delivered order; another user's order is 404 everywhere; Alipay orders refused without keys.

describe.each(DB_KINDS)('orders API on %s', (kind) => {
  let t: TestDb;
  let app: TestApp;
  beforeAll(async () => {
    t = await createTestDb(kind, { seed: true });
    app = await startTestApp(t);
  });
  afterAll(async () => {
    await app?.close();
    await t?.drop();
  });

  async function buyer() {
    const u = await loginAs(app);
    const address = await call(app, 'POST', '/api/addresses', {
      headers: u.headers,
      body: { title: '家', receiver: '王五', province_id: 440000, city_id: 440300, district_id: 440305, place: '科技园2号', mobile: '13700001111', tel: '', email: '' },
    });
    expect(address.status, JSON.stringify(address.body)).toBe(201);
    return { ...u, addressId: address.body.id as number };
  }
  const skus = async (n: number, offset = 0) => {
    const rows = await t.db('skus').where('is_launched', true).orderBy('id').offset(offset).limit(n).select('id', 'price');
    await t.db('skus').whereIn('id', rows.map((r) => r.id)).update({ stock: 50 });
    return rows.map((r) => Number(r.id));
  };

  it('cart → settlement → order, retried with its key; listed, shown, and the lines leave the cart', async () => {
    const b = await buyer();
    const [s1, s2] = await skus(2);
    for (const [sku_id, count] of [[s1, 2], [s2, 1]]) expect((await call(app, 'POST', '/api/cart', { headers: b.headers, body: { sku_id, count } })).status).toBe(201);
    const settle = await call(app, 'GET', '/api/orders/settlement', { headers: b.headers });
    expect(settle.body).toMatchObject({ default_address_id: b.addressId, total_count: 3, freight: '10.00' });
    expect(settle.body.skus.map((s: { id: number; count: number }) => [s.id, s.count])).toEqual([[s1, 2], [s2, 1]]);
    const key = { ...b.headers, 'idempotency-key': 'checkout-0001' };
    const placed = await call(app, 'POST', '/api/orders', { headers: key, body: { address_id: b.addressId, pay_method: 1 } });
    expect(placed.status, JSON.stringify(placed.body)).toBe(201);
    expect(placed.body).toEqual({ order_id: expect.stringMatching(/^\d{24}$/), cart_cleared: true });
    const again = await call(app, 'POST', '/api/orders', { headers: key, body: { address_id: b.addressId, pay_method: 1 } });
    expect(again.body.order_id).toBe(placed.body.order_id);
    expect((await call(app, 'POST', '/api/orders', { headers: key, body: { address_id: b.addressId, pay_method: 2 } })).status).toBe(409);
    expect((await call(app, 'GET', '/api/cart', { headers: b.headers })).body).toEqual([]);
    const list = await call(app, 'GET', '/api/orders', { headers: b.headers });
    expect(list.body.count).toBe(1);
    expect(list.body.results[0]).toMatchObject({ order_id: placed.body.order_id, status: 2, status_name: '待发货', total_count: 3 });
    const one = await call(app, 'GET', `/api/orders/${placed.body.order_id}`, { headers: b.headers });
    expect(one.body.address).toMatchObject({ receiver: '王五', province: '广东省', city: '深圳市', district: '南山区' });
    expect((await call(app, 'GET', `/api/orders?status=1`, { headers: b.headers })).body.count).toBe(0);
  });

  it('refuses malformed keys and bodies, Alipay without keys, and another user’s orders', async () => {
    const [a, b] = [await buyer(), await buyer()];
    const [s] = await skus(1, 2);
    await call(app, 'POST', '/api/cart', { headers: a.headers, body: { sku_id: s, count: 1 } });
    expect((await call(app, 'POST', '/api/orders', { headers: { ...a.headers, 'idempotency-key': 'bad key!' }, body: { address_id: a.addressId, pay_method: 1 } })).status).toBe(400);
    for (const body of [{ address_id: a.addressId, pay_method: 3 }, { address_id: '1', pay_method: 1 }, { pay_method: 1 }, { address_id: 1.5, pay_method: 1 }]) {
      expect((await call(app, 'POST', '/api/orders', { headers: a.headers, body })).status, JSON.stringify(body)).toBe(400);
    }
    const alipay = await call(app, 'POST', '/api/orders', { headers: a.headers, body: { address_id: a.addressId, pay_method: 2 } });
    expect(alipay.status).toBe(400);
    expect(alipay.body.error.fields).toHaveProperty('pay_method');
    // b's address is not a's
    expect((await call(app, 'POST', '/api/orders', { headers: a.headers, body: { address_id: b.addressId, pay_method: 1 } })).body.error.fields).toHaveProperty('address_id');
    const placed = await call(app, 'POST', '/api/orders', { headers: a.headers, body: { address_id: a.addressId, pay_method: 1 } });
    expect(placed.status).toBe(201);
    for (const [method, path] of [['GET', ''], ['POST', '/cancel'], ['GET', '/uncommentgoods']] as const) {
      expect((await call(app, method, `/api/orders/${placed.body.order_id}${path}`, { headers: b.headers })).status, path).toBe(404);
    }
    expect((await call(app, 'POST', `/api/orders/${placed.body.order_id}/comments`, { headers: b.headers, body: { sku_id: s, comment: '很好很好很好', score: 5, is_anonymous: false } })).status).toBe(404);
    expect((await call(app, 'GET', '/api/orders/123', { headers: a.headers })).status).toBe(400);
    expect((await call(app, 'GET', '/api/orders/999999999999999999999999', { headers: a.headers })).status).toBe(404);
    expect((await call(app, 'GET', '/api/orders')).status).toBe(401);
    // a cash order can be cancelled before it ships, once
    expect((await call(app, 'POST', `/api/orders/${placed.body.order_id}/cancel`, { headers: a.headers })).body).toMatchObject({ status: 6, status_name: '已取消' });
    expect((await call(app, 'POST', `/api/orders/${placed.body.order_id}/cancel`, { headers: a.headers })).status).toBe(409);
  });

  it('refuses an order past the per-customer limit (ORDER_MAX_UNITS_PER_SKU, 20 by default) with a 409 naming the SKU; the cart keeps it', async () => {
    const b = await buyer();
    const [s] = await skus(1, 6);
    await t.db('skus').where({ id: s }).update({ stock: 500 });
    const name = (await t.db('skus').where({ id: s }).first('name')).name as string;
    // the cart holds to the same limit (maxPerOrder), so the page never accepts what the order refuses
    expect((await call(app, 'POST', '/api/cart', { headers: b.headers, body: { sku_id: s, count: 21 } })).body.error.fields.count).toBe('每人限购 20 件');
    expect((await call(app, 'POST', '/api/cart', { headers: b.headers, body: { sku_id: s, count: 15 } })).status).toBe(201);
    expect((await call(app, 'POST', '/api/orders', { headers: b.headers, body: { address_id: b.addressId, pay_method: 1 } })).status).toBe(201);
    // what open orders already hold the cart cannot know: the order counts it
    expect((await call(app, 'POST', '/api/cart', { headers: b.headers, body: { sku_id: s, count: 10 } })).status).toBe(201);
    const r = await call(app, 'POST', '/api/orders', { headers: b.headers, body: { address_id: b.addressId, pay_method: 1 } });
    expect(r.status).toBe(409);
    const says = `${name} 每人限购 20 件，未完成的订单中已有 15 件，本单最多还能买 5 件`;
    expect(r.body.error).toEqual({ code: 'ORDER_LIMIT_UNITS', message: `超出限购数量，订单未提交：${says}`, fields: { [`sku_${s}`]: says } });
    expect(Number((await t.db('skus').where({ id: s }).first('stock')).stock)).toBe(485);
    expect((await call(app, 'GET', '/api/cart', { headers: b.headers })).body).toMatchObject([{ id: s, count: 10 }]);
    await call(app, 'PUT', '/api/cart', { headers: b.headers, body: { sku_id: s, count: 5, selected: true } });
    expect((await call(app, 'POST', '/api/orders', { headers: b.headers, body: { address_id: b.addressId, pay_method: 1 } })).status).toBe(201);
  });

  it('comments once per line of a delivered order; the last one finishes it; anonymous names masked', async () => {
    const b = await buyer();
    const [s1, s2] = await skus(2, 4);
    for (const sku_id of [s1, s2]) await call(app, 'POST', '/api/cart', { headers: b.headers, body: { sku_id, count: 1 } });
    const { order_id } = (await call(app, 'POST', '/api/orders', { headers: b.headers, body: { address_id: b.addressId, pay_method: 1 } })).body;
    const comment = (sku_id: number, is_anonymous = false) => call(app, 'POST', `/api/orders/${order_id}/comments`, { headers: b.headers, body: { sku_id, comment: '质量很好，物流很快', score: 4, is_anonymous } });
    expect((await comment(s1)).status).toBe(409); // not delivered yet
    expect((await call(app, 'GET', `/api/orders/${order_id}/uncommentgoods`, { headers: b.headers })).body).toEqual([]);
    await t.db('orders').where({ order_id }).update({ status: 4 }); // delivered (the admin issue moves orders)
    const uncommented = (await call(app, 'GET', `/api/orders/${order_id}/uncommentgoods`, { headers: b.headers })).body;
    expect(uncommented.map((l: { sku_id: number }) => l.sku_id)).toEqual([s1, s2]);
    for (const l of uncommented) expect(l.price).toMatch(/^\d+\.\d{2}$/);
    const before = Number((await t.db('skus').where({ id: s1 }).first('comments')).comments);
    expect((await comment(s1, true)).status).toBe(201);
    expect((await comment(s1)).status).toBe(409);
    expect(Number((await t.db('skus').where({ id: s1 }).first('comments')).comments)).toBe(before + 1);
    expect((await call(app, 'GET', `/api/orders/${order_id}`, { headers: b.headers })).body.status).toBe(4);
    expect((await comment(s2)).body.order_status).toBe(5);
    expect((await call(app, 'GET', `/api/orders/${order_id}`, { headers: b.headers })).body.status).toBe(5);
    const list = await call(app, 'GET', `/api/skus/${s1}/comments`);
    expect(list.body.results[0]).toMatchObject({ comment: '质量很好，物流很快', score: 4, is_anonymous: true, username: `${b.username[0]}***${b.username.at(-1)}` });
    expect((await call(app, 'POST', `/api/orders/${order_id}/comments`, { headers: b.headers, body: { sku_id: s1, comment: '短', score: 9, is_anonymous: 'yes' } })).body.error.fields).toMatchObject({ comment: expect.any(String), score: expect.any(String), is_anonymous: expect.any(String) });
  });
});

describe('checkout with Redis down', () => {
  it('answers 503 naming the cause, and writes no order', async () => {
    const t = await createTestDb('sqlite', { seed: true });
    // nothing listens on port 1: every cache command fails
    const app = await startTestApp(t, { redisUrl: 'redis://127.0.0.1:1/0' });
    try {
      const u = await loginAs(app); // the session row is in the database; its lookup falls back there
      const now = Date.now();
      const [addressId] = await t.db('addresses').insert({ user_id: u.userId, title: '家', receiver: '赵六', province_id: 440000, city_id: 440300, district_id: 440305, place: '科技园3号', mobile: '13700002222', is_deleted: false, created_at: now, updated_at: now });
      expect((await call(app, 'GET', '/api/user', { headers: u.headers })).status).toBe(200);
      const r = await call(app, 'POST', '/api/orders', { headers: u.headers, body: { address_id: Number(addressId), pay_method: 1 } });
      expect(r.status).toBe(503);
      expect(r.body.error).toMatchObject({ code: 'CART_UNAVAILABLE', message: expect.stringContaining('订单未提交') });
      expect(await t.db('orders').where({ user_id: u.userId }).count({ n: '*' }).first()).toEqual({ n: 0 });
    } finally {
      await app.close();
      await t.drop();
    }
  }, 60_000);
});
