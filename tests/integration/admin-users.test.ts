import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { zoneDays } from '../../api/shop-days.ts';
import { createUser, loginAs } from '../helpers/accounts.ts';
import { createStaff, type TestStaff } from '../helpers/admin.ts';
import { call } from '../helpers/api-client.ts';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { createTestDb, type TestDb } from '../helpers/db.ts';
import { DB_KINDS } from '../helpers/env.ts';

// Staff's customer routes (docs/admin.md, 用户): the list (keyword in username, mobile or email,
// taken literally; active state; the shop's days joined; paging and ordering; never staff), one
// customer with addresses, orders and the total paid, and PATCH is_active — deactivating ends the
// customer's shop sessions at once (their token answers 401), login is refused, one audit entry;
// reactivating lets them log in again. Without the permission nothing changes.

describe.each(DB_KINDS)('admin customer routes on %s', (kind) => {
  let t: TestDb;
  let app: TestApp;
  let desk: TestStaff;
  let viewer: TestStaff;
  let other: TestStaff;
  beforeAll(async () => {
    t = await createTestDb(kind);
    app = await startTestApp(t);
    desk = await createStaff(app, { permissions: ['users.view_user', 'users.change_user'] });
    viewer = await createStaff(app, { permissions: ['users.view_user'] });
    other = await createStaff(app, { permissions: ['users.view_staff', 'orders.view_order'] });
  });
  afterAll(async () => {
    await app?.close();
    await t?.drop();
  });

  const list = (q: string, headers = desk.headers) => call(app, 'GET', `/api/admin/users?${q}`, { headers });
  const names = (r: { body: { results: { username: string }[] } }) => r.body.results.map((u) => u.username);
  let serial = 0;
  /** A customer whose username starts with `prefix` (unique per call). */
  const customer = (prefix: string, opts: { email?: string; mobile?: string } = {}) =>
    createUser(app.services, { username: `${prefix}${++serial}`, mobile: opts.mobile }).then(async (u) => {
      if (opts.email) await t.db('users').where({ id: u.id }).update({ email: opts.email });
      return u;
    });

  it('lists customers only, found by username, mobile or email (taken literally), by state and the shop’s days joined, paged', async () => {
    const a = await customer('findme_', { email: 'alpha@example.com' });
    const b = await customer('findme_', { email: 'beta@example.com' });
    const c = await customer('findme_');
    await createStaff(app, { permissions: [], username: 'findme_staff' });
    const r = await list('keyword=findme_');
    expect(r.status).toBe(200);
    expect(names(r).sort()).toEqual([a.username, b.username, c.username].sort());
    expect(r.body.count).toBe(3);
    const row = r.body.results.find((u: { id: number }) => u.id === a.id);
    expect(row).toMatchObject({ username: a.username, mobile: a.mobile, email: 'alpha@example.com', is_active: true, last_active_at: null, orders_count: 0 });
    expect(row.date_joined).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    // by the whole mobile, a piece of it, the email
    expect(names(await list(`keyword=${b.mobile}`))).toEqual([b.username]);
    expect(names(await list(`keyword=${c.mobile.slice(3)}`))).toEqual([c.username]);
    expect(names(await list('keyword=beta%40example'))).toEqual([b.username]);
    // % and _ are text, not patterns: 'findme%' matches nobody, 'findme_' only names with an underscore
    expect((await list('keyword=findme%25')).body.count).toBe(0);
    const d = await customer('findmeX');
    expect(names(await list('keyword=findme_'))).not.toContain(d.username);
    expect(names(await list('keyword=findme'))).toContain(d.username);
    // staff never appear, whatever the filter
    expect(names(await list('keyword=findme_staff'))).toEqual([]);
    expect(names(await list('page_size=100')).some((n: string) => n.startsWith('staff_') || n === 'findme_staff')).toBe(false);

    // by state
    await t.db('users').where({ id: c.id }).update({ is_active: false });
    expect(names(await list('keyword=findme_&is_active=false'))).toEqual([c.username]);
    expect(names(await list('keyword=findme_&is_active=true')).sort()).toEqual([a.username, b.username].sort());

    // the shop's days joined (Asia/Shanghai by default): 2026-12-03 23:30 there is still the 3rd
    const days = zoneDays(app.services.config.shopTimeZone);
    await t.db('users').where({ id: a.id }).update({ created_at: days.day('2026-12-03').end - 30 * 60_000 });
    await t.db('users').where({ id: b.id }).update({ created_at: days.day('2026-12-04').start });
    await t.db('users').where({ id: c.id }).update({ created_at: days.day('2026-12-10').start });
    expect(names(await list('keyword=findme_&date_from=2026-12-03&date_to=2026-12-03'))).toEqual([a.username]);
    expect(names(await list('keyword=findme_&date_from=2026-12-04&date_to=2026-12-04'))).toEqual([b.username]);
    expect(names(await list('keyword=findme_&date_to=2026-12-04')).sort()).toEqual([a.username, b.username].sort());

    // ordering and paging: pages never overlap, count is the whole match
    const byId = names(await list('keyword=findme&ordering=id&page_size=100'));
    expect(byId).toEqual([a, b, c, d].map((u) => u.username));
    const p1 = await list('keyword=findme&ordering=id&page_size=2&page=1');
    const p2 = await list('keyword=findme&ordering=id&page_size=2&page=2');
    expect(p1.body.count).toBe(4);
    expect([...names(p1), ...names(p2)]).toEqual(byId);
    expect(names(await list('keyword=findme&ordering=-id&page_size=100'))).toEqual([...byId].reverse());
    expect(names(await list('keyword=findme_&ordering=date_joined&is_active=true'))).toEqual([a.username, b.username]);
    expect(names(await list('keyword=findme_&ordering=-date_joined&is_active=true'))).toEqual([b.username, a.username]);
  });

  it('shows one customer with addresses, orders and the exact total paid; a staff id or an unknown one is 404', async () => {
    const u = await loginAs(app);
    const now = app.services.clock.now().getTime();
    const order = { user_id: u.userId, receiver: '张三', province: '北京市', city: '北京市', district: '海淀区', place: '1号', mobile: u.mobile, total_count: 1, total_amount: '0.00', freight: '10.00', created_at: now, updated_at: now };
    const oid = (n: number) => `20261204${String(u.userId).padStart(8, '0')}${String(n).padStart(8, '0')}`;
    await t.db('orders').insert([
      { ...order, order_id: oid(1), status: 2, pay_method: 2, payment_amount: '0.10', paid_at: now }, // Alipay, paid
      { ...order, order_id: oid(2), status: 5, pay_method: 2, payment_amount: '0.20', paid_at: now }, // Alipay, done
      { ...order, order_id: oid(3), status: 4, pay_method: 1, payment_amount: '1999.00' }, // cash, received
      { ...order, order_id: oid(4), status: 2, pay_method: 1, payment_amount: '50.00' }, // cash, not yet delivered
      { ...order, order_id: oid(5), status: 6, pay_method: 2, payment_amount: '70.00', paid_at: now }, // paid, cancelled (refunded)
      { ...order, order_id: oid(6), status: 1, pay_method: 2, payment_amount: '80.00' }, // unpaid
    ]);
    const address = await call(app, 'POST', '/api/addresses', {
      headers: u.headers,
      body: { title: '家', receiver: '钱七', province_id: 440000, city_id: 440300, district_id: 440305, place: '科技园5号', mobile: '13700003333', tel: '', email: '' },
    });
    expect(address.status).toBe(201);
    const r = await call(app, 'GET', `/api/admin/users/${u.userId}`, { headers: viewer.headers });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      id: u.userId,
      username: u.username,
      mobile: u.mobile,
      is_active: true,
      orders_count: 6,
      paid_orders_count: 3,
      total_paid: '1999.30',
      addresses_count: 1,
      default_address: { id: address.body.id, receiver: '钱七', place: '科技园5号' },
      sessions_count: 1,
      qq_bound: false,
    });
    expect(r.body.last_active_at).not.toBeNull();
    expect((await list(`keyword=${u.username}`)).body.results[0].orders_count).toBe(6);

    for (const id of [desk.userId, 99_999_999]) {
      const missing = await call(app, 'GET', `/api/admin/users/${id}`, { headers: desk.headers });
      expect(missing.status, String(id)).toBe(404);
      expect(missing.body.error.code).toBe('USER_NOT_FOUND');
      expect((await call(app, 'PATCH', `/api/admin/users/${id}`, { headers: desk.headers, body: { is_active: false } })).status).toBe(404);
    }
    // the staff member PATCHed above is untouched
    expect(Number((await t.db('users').where({ id: desk.userId }).first('is_active')).is_active)).toBe(1);
  });

  it('deactivates a customer: their sessions end at once, login is refused, one audit entry; reactivating lets them in again', async () => {
    const u = await loginAs(app);
    const second = await call(app, 'POST', '/api/sessions', { body: { account: u.username, password: u.password } });
    expect(second.status).toBe(201);
    const tokens = [u.token, second.body.token as string];
    for (const token of tokens) expect((await call(app, 'GET', '/api/user', { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);

    const off = await call(app, 'PATCH', `/api/admin/users/${u.userId}`, { headers: desk.headers, body: { is_active: false } });
    expect(off.status).toBe(200);
    expect(off.body).toMatchObject({ id: u.userId, is_active: false, sessions_count: 0 });
    for (const token of tokens) expect((await call(app, 'GET', '/api/user', { headers: { authorization: `Bearer ${token}` } })).status).toBe(401);
    const refused = await call(app, 'POST', '/api/sessions', { body: { account: u.username, password: u.password } });
    expect(refused.status).toBe(400);
    expect((await call(app, 'POST', '/api/sessions', { body: { account: u.mobile, password: u.password } })).status).toBe(400);

    const audit = async () => (await t.db('admin_audit').where({ resource: 'users.user', resource_id: String(u.userId) }).orderBy('id').select('action', 'actor_name', 'changes')).map((e) => ({ ...e, changes: JSON.parse(e.changes) }));
    expect(await audit()).toEqual([{ action: 'update', actor_name: desk.username, changes: { is_active: [true, false] } }]);
    // again: nothing to change, nothing audited
    expect((await call(app, 'PATCH', `/api/admin/users/${u.userId}`, { headers: desk.headers, body: { is_active: false } })).status).toBe(200);
    expect(await audit()).toHaveLength(1);

    const on = await call(app, 'PATCH', `/api/admin/users/${u.userId}`, { headers: desk.headers, body: { is_active: true } });
    expect(on.status).toBe(200);
    expect(on.body.is_active).toBe(true);
    expect((await audit()).at(-1)).toEqual({ action: 'update', actor_name: desk.username, changes: { is_active: [false, true] } });
    expect((await call(app, 'POST', '/api/sessions', { body: { account: u.username, password: u.password } })).status).toBe(201);
  });

  // SQLite has one writer at a time, in-process through one connection: a login cannot interleave with
  // a deactivation there (and holding a second connection's write lock would block better-sqlite3's thread)
  it.skipIf(kind === 'sqlite')('a login racing a deactivation is refused: it waits for the deactivation and reads the account again', async () => {
    const u = await createUser(app.services);
    // the deactivation's transaction holds the user row while the login (password checked against
    // the account as it was) comes to create its session
    const trx = await t.db.transaction();
    await trx('users').where('id', u.id).update({ is_active: false });
    const login = call(app, 'POST', '/api/sessions', { body: { account: u.username, password: u.password } });
    await new Promise((r) => setTimeout(r, 400));
    await trx('auth_tokens').where('user_id', u.id).del(); // what revokeAll does inside it
    await trx.commit();
    const r = await login;
    expect(r.status).toBe(400);
    expect(Number((await t.db('auth_tokens').where('user_id', u.id).count({ n: '*' }).first())!.n)).toBe(0);
  });

  it.skipIf(kind !== 'mysql')('a session looked up while its revocation is uncommitted is not left cached after the commit', async () => {
    const u = await loginAs(app);
    const { sessions } = app.services.accounts;
    const now = Date.now();
    const trx = await t.db.transaction();
    try {
      expect(await sessions.revokeAll(trx, u.userId)).toBe(1);
      // another request, on the pool, before the commit: the row is still there for it, and it caches the session
      expect(await sessions.lookup(t.db, u.token, now)).toMatchObject({ userId: u.userId });
      await trx.commit();
    } finally {
      if (!trx.isCompleted()) await trx.rollback();
    }
    await new Promise((r) => setImmediate(r)); // the after-commit step runs on the commit's promise
    expect(await sessions.lookup(t.db, u.token, now)).toBeNull();
    expect((await call(app, 'GET', '/api/user', { headers: u.headers })).status).toBe(401);
  });

  it('refuses nobody (401), a customer’s token (401) and staff without the permission (403), changing nothing', async () => {
    const u = await loginAs(app);
    const target = await customer('guarded_');
    const cases: [string, Record<string, string>, number][] = [
      ['anonymous', {}, 401],
      ['customer', u.headers, 401],
      ['other staff', other.headers, 403],
    ];
    for (const [who, headers, status] of cases) {
      expect((await call(app, 'GET', '/api/admin/users', { headers })).status, who).toBe(status);
      expect((await call(app, 'GET', `/api/admin/users/${target.id}`, { headers })).status, who).toBe(status);
      expect((await call(app, 'PATCH', `/api/admin/users/${target.id}`, { headers, body: { is_active: false } })).status, who).toBe(status);
    }
    // viewing is not changing
    expect((await call(app, 'PATCH', `/api/admin/users/${target.id}`, { headers: viewer.headers, body: { is_active: false } })).status).toBe(403);
    expect(Number((await t.db('users').where({ id: target.id }).first('is_active')).is_active)).toBe(1);
    expect(await t.db('admin_audit').where({ resource: 'users.user', resource_id: String(target.id) })).toHaveLength(0);
    expect((await call(app, 'GET', '/api/user', { headers: u.headers })).status).toBe(200);
  });

  it('answers malformed input with 400 naming the field', async () => {
    const target = await customer('malformed_');
    for (const [q, field] of [
      ['is_active=yes', 'is_active'],
      ['date_from=2026-13-01', 'date_from'],
      ['date_from=2026-12-05&date_to=2026-12-04', 'date_from'],
      ['ordering=username', 'ordering'],
      ['page=0', 'page'],
      ['page_size=1000', 'page_size'],
      [`keyword=${'x'.repeat(51)}`, 'keyword'],
    ]) {
      const r = await list(q);
      expect(r.status, q).toBe(400);
      expect(Object.keys(r.body.error.fields ?? {}), q).toContain(field);
    }
    expect((await call(app, 'GET', '/api/admin/users/abc', { headers: desk.headers })).status).toBe(400);
    for (const body of [{}, { is_active: 'no' }, { is_active: false, is_staff: true }, { username: 'x' }]) {
      const r = await call(app, 'PATCH', `/api/admin/users/${target.id}`, { headers: desk.headers, body });
      expect(r.status, JSON.stringify(body)).toBe(400);
    }
    expect(Number((await t.db('users').where({ id: target.id }).first('is_active')).is_active)).toBe(1);
  });
});
