import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_ROUTES } from '../../api/app.ts';
import { ManualClock } from '../../api/clock.ts';
import type { RequestContext } from '../../api/context.ts';
import { db, withTransaction } from '../../api/db/transaction.ts';
import { recordAudit } from '../../api/services/admin/audit.ts';
import { createGroup } from '../../api/services/admin/groups.ts';
import { PERMISSION_CATALOG } from '../../api/services/admin/permission-catalog.ts';
import { ADMIN_SESSION_IDLE_MS } from '../../api/services/admin/admin-sessions.ts';
import { csrfTokenFor } from '../../api/services/accounts/sessions.ts';
import { loginAs } from '../helpers/accounts.ts';
import { createStaff } from '../helpers/admin.ts';
import { call } from '../helpers/api-client.ts';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { meiduo, run } from '../helpers/cli.ts';
import { createTestDb, type TestDb } from '../helpers/db.ts';
import { DB_KINDS, redisDbUrl, emptyRedis } from '../helpers/env.ts';

// The admin API's foundation (docs/admin.md): who may call a staff route — generated from the route
// list, so every staff route added later is swept too —, admin sessions (staff only, throttled,
// 8 idle hours, bearer or cookie + CSRF), effective permissions read per request, the grant rule,
// the last-superuser rule under concurrency, the audit trail, and the CLI.

/** Tables an admin write may change: a refused request changes none of them. */
const TABLES = ['users', 'auth_tokens', 'admin_groups', 'admin_group_permissions', 'admin_user_groups', 'admin_user_permissions', 'admin_audit'];

const STAFF_ROUTES = API_ROUTES.filter((r) => typeof r.auth === 'object');
const pathOf = (p: string) => p.replace(/:\w+/g, '1');

describe.each(DB_KINDS)('the admin API on %s', (kind) => {
  let t: TestDb;
  let app: TestApp;
  const clock = new ManualClock(Date.UTC(2026, 11, 4, 2, 0, 0));
  const redisUrl = kind === 'mysql' ? (redisDbUrl(4) ?? null) : null;
  let root: Awaited<ReturnType<typeof createStaff>>;

  beforeAll(async () => {
    t = await createTestDb(kind);
    await emptyRedis(redisUrl);
    app = await startTestApp(t, { redisUrl, overrides: { clock } });
    root = await createStaff(app, { superuser: true });
    // something for the ids in the swept paths to name
    await call(app, 'POST', '/api/admin/groups', { headers: root.headers, body: { name: '占位组' } });
  });
  afterAll(async () => {
    await app?.close();
    await t?.drop();
  });

  const counts = async () => Object.fromEntries(await Promise.all(TABLES.map(async (tb) => [tb, Number((await t.db(tb).count({ n: '*' }).first())?.n)])));
  const auditCount = async () => Number((await t.db('admin_audit').count({ n: '*' }).first())?.n);
  const systemContext = (): RequestContext => app.services.systemContext('test');

  it('declares a permission of the catalog on every staff route, and the table holds exactly the catalog', async () => {
    expect(STAFF_ROUTES.length).toBeGreaterThanOrEqual(10);
    // the walk below covers the permission routes: every other route of the admin API is named here,
    // so one added as 'public' or 'staff' by mistake is not left out of it silently
    const unwalked = API_ROUTES.filter((r) => r.path.startsWith('/api/admin') && typeof r.auth !== 'object').map((r) => `${r.method} ${r.path} ${String(r.auth)}`);
    expect(unwalked.sort()).toEqual(['delete /api/admin/sessions public', 'get /api/admin/me staff', 'post /api/admin/sessions public']);
    const catalog = new Set(PERMISSION_CATALOG.map((p) => p.codename));
    for (const r of STAFF_ROUTES) expect(catalog.has((r.auth as { permission: string }).permission), `${r.method} ${r.path}`).toBe(true);
    for (const r of STAFF_ROUTES.filter((x) => x.method !== 'get')) expect([true, 'service'], `${r.method} ${r.path} is a write`).toContain(r.transaction);
    const rows = await t.db('admin_permissions').select('codename', 'name', 'resource', 'action');
    expect(rows.map((r) => ({ ...r })).sort((a, b) => a.codename.localeCompare(b.codename))).toEqual(
      PERMISSION_CATALOG.map((p) => ({ ...p })).sort((a, b) => a.codename.localeCompare(b.codename)),
    );
    for (const p of ['goods.change_sku', 'goods.view_spec_option', 'goods.delete_channel_group', 'contents.add_content_category', 'orders.change_refund', 'users.view_staff', 'auth.view_permission', 'statistics.view_statistics', 'audit.view_audit']) {
      expect(catalog.has(p), p).toBe(true);
    }
  });

  it('guards each model by its own permissions: spec options, channel groups and content categories are not their parent’s', async () => {
    for (const [path, part, parent] of [
      ['/api/admin/spec-options', 'goods.%_spec_option', 'goods.%_spec'],
      ['/api/admin/channel-groups', 'goods.%_channel_group', 'goods.%_channel'],
      ['/api/admin/content-categories', 'contents.%_content_category', 'contents.%_content'],
    ] as const) {
      const all = (p: string) => ['view', 'add', 'change', 'delete'].map((a) => p.replace('%', a));
      const parentOnly = await createStaff(app, { permissions: all(parent) });
      const partOnly = await createStaff(app, { permissions: [part.replace('%', 'view')] });
      expect((await call(app, 'GET', path, { headers: parentOnly.headers })).status, `${path} with ${parent}`).toBe(403);
      expect((await call(app, 'GET', path, { headers: partOnly.headers })).status, `${path} with ${part}`).toBe(200);
      for (const r of API_ROUTES.filter((x) => x.path === path || x.path === `${path}/:id`)) {
        expect((r.auth as { permission: string }).permission, `${r.method} ${r.path}`).toBe(part.replace('%', { get: 'view', post: 'add', patch: 'change', put: 'change', delete: 'delete' }[r.method]));
      }
    }
  });

  it('refuses every staff route to nobody (401), a customer (401) and staff without its permission (403), changing nothing', async () => {
    const customer = await loginAs(app);
    const powerless = await createStaff(app);
    // holding every permission but the route's own still gets 403
    const before = await counts();
    const failures: string[] = [];
    for (const r of STAFF_ROUTES) {
      const method = r.method.toUpperCase();
      const permission = (r.auth as { permission: string }).permission;
      const allBut = await createStaff(app, { permissions: PERMISSION_CATALOG.map((p) => p.codename).filter((p) => p !== permission) });
      const snapshot = await counts();
      const body = method === 'GET' || method === 'DELETE' ? undefined : { name: '新组', username: 'someone_new', password: 'password123', mobile: '13900000000', is_superuser: true };
      for (const [who, headers, status] of [
        ['nobody', {}, 401],
        ['a customer', customer.headers, 401],
        ['staff without permissions', powerless.headers, 403],
        ['staff with all but the route’s permission', allBut.headers, 403],
      ] as const) {
        const res = await call(app, method, pathOf(r.path), { headers, body });
        if (res.status !== status) failures.push(`${method} ${r.path} as ${who}: ${res.status} ${JSON.stringify(res.body)}`);
      }
      expect(await counts(), `${method} ${r.path}`).toEqual(snapshot);
    }
    expect(failures).toEqual([]);
    // only the staff this test made (and their audit entries) were added
    const after = await counts();
    expect(after.admin_groups).toBe(before.admin_groups);
    expect(after.admin_user_groups).toBe(before.admin_user_groups);
  });

  it('never lets an admin session act as a customer, nor a shop session as staff', async () => {
    const customer = await loginAs(app);
    for (const r of API_ROUTES.filter((x) => x.auth === 'user')) {
      const res = await call(app, r.method.toUpperCase(), pathOf(r.path), { headers: root.headers, body: r.method === 'get' || r.method === 'delete' ? undefined : {} });
      expect(res.status, `${r.method} ${r.path}`).toBe(401);
    }
    expect((await call(app, 'GET', '/api/admin/me', { headers: customer.headers })).status).toBe(401);
    expect((await call(app, 'GET', '/api/user', { headers: customer.headers })).status).toBe(200);
    // the shop's cookie opens no admin route either
    expect((await call(app, 'GET', '/api/admin/me', { headers: { cookie: `meiduo_session=${customer.token}` } })).status).toBe(401);
  });

  describe('admin sessions', () => {
    it('lets active staff log in; a customer, an unknown name and a wrong password get one answer', async () => {
      const staff = await createStaff(app, { permissions: ['goods.view_sku'] });
      const ok = await call(app, 'POST', '/api/admin/sessions', { body: { username: staff.username, password: staff.password } });
      expect(ok.status).toBe(201);
      expect(ok.body).toEqual({ token: expect.stringMatching(/^adm_/), username: staff.username, permissions: ['goods.view_sku'] });
      const me = await call(app, 'GET', '/api/admin/me', { headers: { authorization: `Bearer ${ok.body.token}` } });
      expect(me.body).toEqual({ id: staff.userId, username: staff.username, is_superuser: false, permissions: ['goods.view_sku'] });
      const customer = await loginAs(app);
      const refused = [
        await call(app, 'POST', '/api/admin/sessions', { body: { username: customer.username, password: customer.password } }),
        await call(app, 'POST', '/api/admin/sessions', { body: { username: staff.username, password: 'wrong-password' } }),
        await call(app, 'POST', '/api/admin/sessions', { body: { username: 'nobody_here', password: 'password123' } }),
      ];
      for (const r of refused) expect({ status: r.status, body: r.body }).toEqual({ status: 400, body: { error: { code: 'LOGIN_FAILED', message: '用户名或密码错误', fields: { username: '用户名或密码错误' } } } });
      // the customer's own login still works in the shop
      expect((await call(app, 'POST', '/api/sessions', { body: { account: customer.username, password: customer.password } })).status).toBe(201);
    });

    it('throttles per account and per IP, before the password is checked', async () => {
      const staff = await createStaff(app);
      for (let i = 0; i < 5; i++) expect((await call(app, 'POST', '/api/admin/sessions', { body: { username: staff.username, password: `wrong-${i}-pw` }, from: '127.0.0.2' })).status).toBe(400);
      const sixth = await call(app, 'POST', '/api/admin/sessions', { body: { username: staff.username, password: staff.password }, from: '127.0.0.3' });
      expect(sixth.status).toBe(429);
      expect(sixth.headers['retry-after']).toMatch(/^\d+$/);
      // per IP: 30 tries of different names from one address, then even a right password from it is refused
      const other = await createStaff(app);
      for (let i = 0; i < 30; i++) await call(app, 'POST', '/api/admin/sessions', { body: { username: `guess_${i}_name`, password: 'password123' }, from: '127.0.0.4' });
      expect((await call(app, 'POST', '/api/admin/sessions', { body: { username: other.username, password: other.password }, from: '127.0.0.4' })).status).toBe(429);
      expect((await call(app, 'POST', '/api/admin/sessions', { body: { username: other.username, password: other.password }, from: '127.0.0.5' })).status).toBe(201);
    }, 60_000);

    it('ends a session after 8 idle hours (used sessions live on) and at logout', async () => {
      const staff = await createStaff(app, { permissions: ['auth.view_group'] });
      const login = await call(app, 'POST', '/api/admin/sessions', { body: { username: staff.username, password: staff.password } });
      const headers = { authorization: `Bearer ${login.body.token}` };
      clock.advance(ADMIN_SESSION_IDLE_MS - 60_000);
      expect((await call(app, 'GET', '/api/admin/me', { headers })).status).toBe(200); // used: the idle time starts again
      clock.advance(ADMIN_SESSION_IDLE_MS - 60_000);
      expect((await call(app, 'GET', '/api/admin/me', { headers })).status).toBe(200);
      clock.advance(ADMIN_SESSION_IDLE_MS + 1);
      expect((await call(app, 'GET', '/api/admin/me', { headers })).status).toBe(401);

      const again = await call(app, 'POST', '/api/admin/sessions', { body: { username: staff.username, password: staff.password } });
      const h2 = { authorization: `Bearer ${again.body.token}` };
      expect((await call(app, 'GET', '/api/admin/groups', { headers: h2 })).status).toBe(200);
      const out = await call(app, 'DELETE', '/api/admin/sessions', { headers: h2 });
      expect(out.status).toBe(204);
      expect(out.cookies).toMatchObject({ meiduo_admin_session: '', meiduo_admin_csrf: '' });
      expect((await call(app, 'GET', '/api/admin/groups', { headers: h2 })).status).toBe(401);
      // the sessions made before the clock moved have ended too: the rest of the file needs root's
      const fresh = await app.services.adminSessions.sessions.create(app.services.db, root.userId, clock.now().getTime());
      root.headers = { authorization: `Bearer ${fresh.token}` };
    });

    it('works with the admin cookie, whose writes need the CSRF header', async () => {
      const staff = await createStaff(app, { permissions: ['auth.add_group', 'auth.view_group'] });
      const login = await call(app, 'POST', '/api/admin/sessions', { body: { username: staff.username, password: staff.password } });
      const setCookies = ([] as string[]).concat(login.headers['set-cookie'] ?? []);
      expect(setCookies.find((c) => c.startsWith('meiduo_admin_session='))).toMatch(/HttpOnly/);
      expect(setCookies.find((c) => c.startsWith('meiduo_admin_csrf='))).not.toMatch(/HttpOnly/);
      expect(login.cookies.meiduo_session).toBeUndefined(); // no shop session
      const token = login.cookies.meiduo_admin_session!;
      expect(login.cookies.meiduo_admin_csrf).toBe(csrfTokenFor(token));
      const cookie = `meiduo_admin_session=${token}; meiduo_admin_csrf=${login.cookies.meiduo_admin_csrf}`;
      expect((await call(app, 'GET', '/api/admin/groups', { headers: { cookie } })).status).toBe(200);
      const audits = await auditCount();
      const forged = await call(app, 'POST', '/api/admin/groups', { headers: { cookie }, body: { name: 'csrf组' } });
      expect(forged).toMatchObject({ status: 403, body: { error: { code: 'CSRF_FAILED' } } });
      expect(await auditCount()).toBe(audits);
      const made = await call(app, 'POST', '/api/admin/groups', { headers: { cookie, 'x-csrf-token': login.cookies.meiduo_admin_csrf! }, body: { name: 'csrf组' } });
      expect(made.status).toBe(201);
      // an admin token in the shop's cookie is nobody there
      expect((await call(app, 'GET', '/api/user', { headers: { cookie: `meiduo_session=${token}` } })).status).toBe(401);
    });
  });

  describe('permissions', () => {
    it('are the groups’ and one’s own together, and a revocation acts on the next request', async () => {
      const group = (await call(app, 'POST', '/api/admin/groups', { headers: root.headers, body: { name: '只读组', permissions: ['auth.view_group'] } })).body;
      const staff = await createStaff(app, { groups: [group.id], permissions: ['auth.view_permission'] });
      expect((await call(app, 'GET', '/api/admin/me', { headers: staff.headers })).body.permissions).toEqual(['auth.view_group', 'auth.view_permission']);
      expect((await call(app, 'GET', '/api/admin/groups', { headers: staff.headers })).status).toBe(200);
      expect((await call(app, 'GET', '/api/admin/permissions', { headers: staff.headers })).status).toBe(200);
      expect((await call(app, 'GET', '/api/admin/staff', { headers: staff.headers })).status).toBe(403);
      // the group loses the permission: its member at once
      expect((await call(app, 'PATCH', `/api/admin/groups/${group.id}`, { headers: root.headers, body: { permissions: [] } })).status).toBe(200);
      expect((await call(app, 'GET', '/api/admin/groups', { headers: staff.headers })).status).toBe(403);
      // their own permission taken away: at once too
      expect((await call(app, 'PATCH', `/api/admin/staff/${staff.userId}`, { headers: root.headers, body: { permissions: [] } })).status).toBe(200);
      expect((await call(app, 'GET', '/api/admin/permissions', { headers: staff.headers })).status).toBe(403);
      // deactivated: the session is gone
      expect((await call(app, 'PATCH', `/api/admin/staff/${staff.userId}`, { headers: root.headers, body: { is_active: false } })).status).toBe(200);
      expect((await call(app, 'GET', '/api/admin/me', { headers: staff.headers })).status).toBe(401);
    });

    it('lets nobody grant what they lack: directly, through a group, to themselves, or superuser status', async () => {
      const hr = await createStaff(app, { permissions: ['users.view_staff', 'users.add_staff', 'users.change_staff', 'auth.add_group', 'auth.change_group', 'auth.view_group', 'goods.view_sku'] });
      const big = (await call(app, 'POST', '/api/admin/groups', { headers: root.headers, body: { name: '大权组', permissions: ['goods.change_sku'] } })).body;
      const audits = await auditCount();
      const before = await counts();
      const newStaff = (extra: object) => ({ username: `hire_${Math.random().toString(36).slice(2, 10)}`, password: 'password123', mobile: `139${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`, ...extra });
      const refusals = [
        await call(app, 'POST', '/api/admin/staff', { headers: hr.headers, body: newStaff({ permissions: ['goods.change_sku'] }) }),
        await call(app, 'POST', '/api/admin/staff', { headers: hr.headers, body: newStaff({ groups: [big.id] }) }),
        await call(app, 'POST', '/api/admin/staff', { headers: hr.headers, body: newStaff({ is_superuser: true }) }),
        await call(app, 'PATCH', `/api/admin/staff/${hr.userId}`, { headers: hr.headers, body: { permissions: ['users.view_staff', 'goods.change_sku'] } }),
        await call(app, 'PATCH', `/api/admin/staff/${hr.userId}`, { headers: hr.headers, body: { groups: [big.id] } }),
        await call(app, 'PATCH', `/api/admin/staff/${hr.userId}`, { headers: hr.headers, body: { is_superuser: true } }),
        await call(app, 'POST', '/api/admin/groups', { headers: hr.headers, body: { name: '偷权组', permissions: ['goods.delete_sku'] } }),
        await call(app, 'PATCH', `/api/admin/groups/${big.id}`, { headers: hr.headers, body: { permissions: ['goods.change_sku', 'goods.delete_sku'] } }),
        // and hands on nothing by touching someone who can do more
        await call(app, 'PATCH', `/api/admin/staff/${root.userId}`, { headers: hr.headers, body: { password: 'taken-over-1' } }),
      ];
      expect(refusals.map((r) => r.status)).toEqual(Array(refusals.length).fill(403));
      expect(refusals[0]!.body.error.code).toBe('GRANT_NOT_HELD');
      expect(await counts()).toEqual(before);
      expect(await auditCount()).toBe(audits);
      // what they hold they may hand on
      const hired = await call(app, 'POST', '/api/admin/staff', { headers: hr.headers, body: newStaff({ permissions: ['goods.view_sku'] }) });
      expect(hired.status).toBe(201);
      expect(hired.body).toMatchObject({ id: expect.any(Number), permissions: ['goods.view_sku'], effective_permissions: ['goods.view_sku'], is_superuser: false });
      // a group already holding what they lack may be renamed by them
      expect((await call(app, 'PATCH', `/api/admin/groups/${big.id}`, { headers: hr.headers, body: { name: '大权组2' } })).status).toBe(200);
    });

    it('never removes, demotes or deactivates the last active superuser, even when two demotions race', async () => {
      const s1 = await createStaff(app, { superuser: true });
      const s2 = await createStaff(app, { superuser: true });
      // leave s1 and s2 the only active superusers
      await t.db('users').where('is_superuser', true).whereNotIn('id', [s1.userId, s2.userId]).update({ is_superuser: false });
      try {
        const [a, b] = await Promise.all([
          call(app, 'PATCH', `/api/admin/staff/${s2.userId}`, { headers: s1.headers, body: { is_superuser: false } }),
          call(app, 'PATCH', `/api/admin/staff/${s1.userId}`, { headers: s2.headers, body: { is_superuser: false } }),
        ]);
        // the loser is refused by the rule (409), or — when the winner's demotion committed before
        // its request was authenticated — as no longer a superuser (403)
        expect([a.status, b.status].sort()).toEqual([200, expect.toSatisfy((s: number) => s === 403 || s === 409)]);
        expect(await t.db('users').where({ is_superuser: true, is_active: true }).count({ n: '*' }).first()).toMatchObject({ n: 1 });
        const last = Number((await t.db('users').where({ is_superuser: true, is_active: true }).first('id')).id);
        const other = last === s1.userId ? s2 : s1;
        const lastHeaders = last === s1.userId ? s1.headers : s2.headers;
        for (const attempt of [
          call(app, 'PATCH', `/api/admin/staff/${last}`, { headers: lastHeaders, body: { is_superuser: false } }),
          call(app, 'PATCH', `/api/admin/staff/${last}`, { headers: lastHeaders, body: { is_active: false } }),
          call(app, 'DELETE', `/api/admin/staff/${last}`, { headers: lastHeaders }),
        ]) expect(await attempt).toMatchObject({ status: 409, body: { error: { code: 'LAST_SUPERUSER' } } });
        // made a superuser again: now either may go, through the service too, racing
        await app.services.staff.update(systemContext(), other.userId, { is_superuser: true });
        const raced = await Promise.allSettled([
          app.services.staff.update(systemContext(), s1.userId, { is_active: false }),
          app.services.staff.remove(systemContext(), s2.userId),
        ]);
        expect(raced.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
        const loser = raced.find((r) => r.status === 'rejected') as PromiseRejectedResult;
        // the rule refused it (or MariaDB ended it as a deadlock's victim: a 409 to retry)
        expect(loser.reason).toMatchObject({ statusCode: 409, code: expect.stringMatching(/^(LAST_SUPERUSER|CONFLICT)$/) });
        expect(await t.db('users').where({ is_superuser: true, is_active: true }).count({ n: '*' }).first()).toMatchObject({ n: 1 });
      } finally {
        await t.db('users').where({ id: root.userId }).update({ is_superuser: true, is_active: true });
      }
    });
  });

  describe('the audit trail', () => {
    it('records who, when, where, what and the fields changed, secrets redacted', async () => {
      clock.set(Date.UTC(2026, 11, 4, 3, 0, 0));
      const made = await call(app, 'POST', '/api/admin/staff', { headers: { ...root.headers, 'x-request-id': 'audit-test-1' }, body: { username: 'audited_one', password: 'secret-pass-1', mobile: '13700137000', permissions: ['goods.view_sku'] } });
      expect(made.status).toBe(201);
      const row = await t.db('admin_audit').where({ request_id: 'audit-test-1' }).first();
      expect({ ...row, id: undefined, changes: JSON.parse(row.changes), created_at: Number(row.created_at), actor_id: Number(row.actor_id) }).toEqual({
        id: undefined,
        actor_id: root.userId,
        actor_name: root.username,
        created_at: Date.UTC(2026, 11, 4, 3, 0, 0),
        ip: '127.0.0.1',
        request_id: 'audit-test-1',
        action: 'create',
        resource: 'users.staff',
        resource_id: String(made.body.id),
        changes: { username: [null, 'audited_one'], mobile: [null, '13700137000'], password: [null, '[redacted]'], is_superuser: [null, false], groups: [null, []], permissions: [null, ['goods.view_sku']] },
      });
      await call(app, 'PATCH', `/api/admin/staff/${made.body.id}`, { headers: { ...root.headers, 'x-request-id': 'audit-test-2' }, body: { password: 'secret-pass-2', permissions: [] } });
      const patch = JSON.parse((await t.db('admin_audit').where({ request_id: 'audit-test-2' }).first()).changes);
      expect(patch).toEqual({ permissions: [['goods.view_sku'], []], password: ['[redacted]', '[redacted]'] });
      const everything = JSON.stringify(await t.db('admin_audit').select());
      expect(everything).not.toMatch(/secret-pass|scrypt\$/);
    });

    it('commits with the write it describes: a write that fails after its entry leaves neither', async () => {
      const before = await counts();
      await expect(
        withTransaction(systemContext(), async (tx) => {
          await createGroup(tx, { name: '不会留下', permissions: ['goods.view_sku'] });
          throw new Error('after the audit');
        }),
      ).rejects.toThrow('after the audit');
      await expect(
        withTransaction(systemContext(), async (tx) => {
          await recordAudit(tx, { action: 'update', resource: 'goods.sku', resourceId: 1, changes: { price: ['1.00', '2.00'] } });
          await db(tx)('admin_groups').insert({ name: '也不会', created_at: 0, updated_at: 0 });
          throw new Error('rolled back');
        }),
      ).rejects.toThrow('rolled back');
      expect(await counts()).toEqual(before);
    });

    it('can be changed or deleted through no route: the trail has one route, a GET, and every other method on its paths changes nothing', async () => {
      expect(API_ROUTES.filter((r) => /audit/.test(r.path)).map((r) => `${r.method} ${r.path}`)).toEqual(['get /api/admin/audit']);
      const entries = async () => JSON.stringify(await t.db('admin_audit').orderBy('id').select());
      const before = await entries();
      const id = (await t.db('admin_audit').max({ id: 'id' }).first())?.id ?? 1;
      for (const method of ['POST', 'PUT', 'PATCH', 'DELETE']) {
        for (const path of ['/api/admin/audit', `/api/admin/audit/${id}`, `/api/admin/audit?resource=users.staff`]) {
          const r = await call(app, method, path, { headers: root.headers, body: method === 'DELETE' ? undefined : { changes: null, actor_name: 'someone_else' } });
          expect([405, 404], `${method} ${path}: ${r.status}`).toContain(r.status);
        }
      }
      expect(await entries()).toBe(before);
    });

    it('lists entries newest first, filtered by actor, resource, id and Beijing dates, for audit.view_audit only', async () => {
      const auditor = await createStaff(app, { permissions: ['audit.view_audit'] });
      clock.set(Date.UTC(2026, 10, 30, 17, 0, 0)); // 2026-12-01 01:00 in Beijing
      const g = (await call(app, 'POST', '/api/admin/groups', { headers: root.headers, body: { name: '日期组' } })).body;
      clock.set(Date.UTC(2026, 11, 1, 17, 0, 0)); // 2026-12-02 01:00 in Beijing
      await call(app, 'PATCH', `/api/admin/groups/${g.id}`, { headers: root.headers, body: { name: '日期组2' } });
      const list = (q: string) => call(app, 'GET', `/api/admin/audit?${q}`, { headers: auditor.headers });
      const mine = await list(`resource=auth.group&resource_id=${g.id}`);
      expect(mine.body.count).toBe(2);
      expect(mine.body.results.map((e: { action: string }) => e.action)).toEqual(['update', 'create']);
      expect(mine.body.results[0]).toMatchObject({ actor: root.username, actor_id: root.userId, changes: { name: ['日期组', '日期组2'] }, at: '2026-12-01T17:00:00.000Z' });
      expect((await list(`resource=auth.group&resource_id=${g.id}&date_from=2026-12-02`)).body.results.map((e: { action: string }) => e.action)).toEqual(['update']);
      expect((await list(`resource=auth.group&resource_id=${g.id}&date_to=2026-12-01`)).body.results.map((e: { action: string }) => e.action)).toEqual(['create']);
      expect((await list(`actor=${root.username}&page_size=1`)).body.results).toHaveLength(1);
      expect((await list('actor=nobody_at_all')).body).toEqual({ count: 0, results: [] });
      expect((await list('date_from=2026-12-03&date_to=2026-12-01')).status).toBe(400);
      expect((await list('date_from=2026-02-30')).status).toBe(400);
      expect((await call(app, 'GET', '/api/admin/audit', { headers: (await createStaff(app, { permissions: ['users.view_staff'] })).headers })).status).toBe(403);
      clock.set(Date.UTC(2026, 11, 4, 4, 0, 0));
    });
  });

  describe('lists', () => {
    it('pages staff, groups and permissions, with keywords taken literally', async () => {
      const perms = await call(app, 'GET', '/api/admin/permissions?page_size=100', { headers: root.headers });
      expect(perms.body.count).toBe(PERMISSION_CATALOG.length);
      expect(perms.body.results.map((p: { codename: string }) => p.codename)).toEqual(PERMISSION_CATALOG.map((p) => p.codename).slice(0, 100));
      const sku = await call(app, 'GET', '/api/admin/permissions?keyword=SKU图片', { headers: root.headers });
      expect(sku.body.results.map((p: { codename: string }) => p.codename)).toEqual(['goods.view_sku_image', 'goods.add_sku_image', 'goods.change_sku_image', 'goods.delete_sku_image']);
      const one = await call(app, 'GET', `/api/admin/permissions/${sku.body.results[0].id}`, { headers: root.headers });
      expect(one.body).toMatchObject({ codename: 'goods.view_sku_image', name: '查看SKU图片', resource: 'goods.sku_image', action: 'view' });
      expect((await call(app, 'GET', '/api/admin/permissions/99999', { headers: root.headers })).status).toBe(404);

      // a keyword no generated name (staff_<pid>_<serial>_<hex>) can hold
      await createStaff(app, { username: 'list_a_zq' });
      await createStaff(app, { username: 'list_b_zq' });
      const staff = await call(app, 'GET', '/api/admin/staff?keyword=_zq&page_size=1&page=2', { headers: root.headers });
      expect(staff.body.count).toBe(2);
      expect(staff.body.results.map((s: { username: string }) => s.username)).toEqual(['list_b_zq']);
      expect((await call(app, 'GET', '/api/admin/staff?keyword=%25', { headers: root.headers })).body.count).toBe(0);
      // customers are not staff
      const customer = await loginAs(app);
      expect((await call(app, 'GET', `/api/admin/staff/${customer.userId}`, { headers: root.headers })).status).toBe(404);
      const groups = await call(app, 'GET', '/api/admin/groups?keyword=占位', { headers: root.headers });
      expect(groups.body.results).toEqual([expect.objectContaining({ name: '占位组', permissions: [], member_count: 0 })]);
    });

    it('refuses a duplicate name, an unknown permission or group and an empty change with a 400, changing nothing', async () => {
      const before = await counts();
      for (const [method, path, body] of [
        ['POST', '/api/admin/groups', { name: '占位组' }],
        ['POST', '/api/admin/groups', { name: '新的', permissions: ['goods.fly_sku'] }],
        ['POST', '/api/admin/staff', { username: root.username, password: 'password123', mobile: '13600136000' }],
        ['POST', '/api/admin/staff', { username: 'fresh_name_1', password: 'password123', mobile: '13600136000', groups: [999999] }],
        ['PATCH', `/api/admin/staff/${root.userId}`, {}],
        ['PATCH', '/api/admin/groups/1', {}],
      ] as const) {
        const r = await call(app, method, path, { headers: root.headers, body });
        expect(r.status, `${method} ${path} ${JSON.stringify(body)}: ${JSON.stringify(r.body)}`).toBe(400);
      }
      expect(await counts()).toEqual(before);
    });
  });

  describe('the meiduo command', () => {
    it('makes the first admin, lists staff and shows the audit trail (actor cli:admin create)', async () => {
      const env = { DATABASE_URL: t.url, LOG_LEVEL: 'warn' };
      const made = JSON.parse(await run(['admin', 'create', '--username', 'first_admin', '--password', 'first-pass-1', '--superuser', '--json'], env));
      expect(made).toMatchObject({ username: 'first_admin', is_superuser: true, mobile: null });
      const noMobile = await run(['admin', 'create', '--username', 'second_admin', '--password', 'second-pass', '--mobile', '13500135000'], env);
      expect(noMobile).toMatch(/created: second_admin/);
      await expect(run(['admin', 'create', '--username', '12345678', '--password', 'short'], env)).rejects.toThrow(/→ 2/);
      const login = await call(app, 'POST', '/api/admin/sessions', { body: { username: 'first_admin', password: 'first-pass-1' } });
      expect(login.status).toBe(201);
      expect(login.body.permissions).toHaveLength(PERMISSION_CATALOG.length);
      const listed = JSON.parse(await run(['admin', 'list', '--json'], env)) as { username: string }[];
      expect(listed.map((s) => s.username)).toEqual(expect.arrayContaining(['first_admin', 'second_admin', root.username]));
      const audit = JSON.parse(await run(['audit', '--resource', 'users.staff', '--since', '2000-01-01', '--limit', '100', '--json'], env));
      const byCli = audit.results.filter((e: { actor: string }) => e.actor.startsWith('cli:'));
      expect(byCli.map((e: { actor: string; changes: Record<string, unknown> }) => [e.actor, e.changes.username])).toEqual([
        ['cli:admin create', [null, 'second_admin']],
        ['cli:admin create', [null, 'first_admin']],
      ]);
      expect(JSON.stringify(audit)).not.toMatch(/first-pass-1/);
      await expect(run(['audit', '--since', 'yesterday'], env)).rejects.toThrow(/→ 2/);
    }, 60_000);

    it('gives a locked-out staff member a new password (admin password): old password and sessions dead, audited; a customer, an unknown name or a bad password → 2, nothing changed', async () => {
      // the CLI reaches the app's cache when the shop has one (Redis on the MySQL run), so a session
      // the app has cached ends at once; the in-process cache of a shop without Redis is the app's
      // own (docs/admin.md), so on SQLite the old tokens are not used before the reset
      const env = { DATABASE_URL: t.url, LOG_LEVEL: 'warn', ...(redisUrl ? { REDIS_URL: redisUrl } : {}) };
      const locked = await createStaff(app, { permissions: ['goods.view_sku'], password: 'old-pass-123' });
      const second = await call(app, 'POST', '/api/admin/sessions', { body: { username: locked.username, password: 'old-pass-123' } });
      expect(second.status).toBe(201);
      const oldTokens = [locked.token, second.body.token as string];
      const me = (token: string) => call(app, 'GET', '/api/admin/me', { headers: { authorization: `Bearer ${token}` } });
      if (redisUrl) for (const token of oldTokens) expect((await me(token)).status).toBe(200);
      const customer = await loginAs(app);
      const hashOf = async (id: number) => (await t.db('users').where({ id }).first('password_hash')).password_hash as string;
      const sessionsOf = async (id: number) => Number((await t.db('auth_tokens').where({ user_id: id }).count({ n: '*' }).first())?.n);
      const before = { counts: await counts(), locked: await hashOf(locked.userId), customer: await hashOf(customer.userId) };
      expect(await sessionsOf(locked.userId)).toBe(2);

      for (const [argv, message] of [
        [['--username', 'nobody_here', '--password', 'new-pass-456'], /没有这个用户：nobody_here/],
        [['--username', customer.username, '--password', 'new-pass-456'], /不是管理员账号/],
        [['--username', locked.username, '--password', 'short'], /密码是8-20个字符/],
        [['--username', locked.username, '--password', 'x'.repeat(21)], /密码是8-20个字符/],
        [['--username', locked.username], /usage: meiduo admin/],
      ] as const) {
        await expect(run(['admin', 'password', ...argv], env), argv.join(' ')).rejects.toThrow(new RegExp(`→ 2[^]*${message.source}`));
      }
      expect({ counts: await counts(), locked: await hashOf(locked.userId), customer: await hashOf(customer.userId) }).toEqual(before);
      expect((await call(app, 'GET', '/api/user', { headers: customer.headers })).status).toBe(200);

      const done = JSON.parse(await run(['admin', 'password', '--username', locked.username, '--password', 'new-pass-456', '--json'], env));
      expect(done).toMatchObject({ id: locked.userId, username: locked.username, is_active: true, effective_permissions: ['goods.view_sku'] });
      expect(await sessionsOf(locked.userId)).toBe(0);
      for (const token of oldTokens) expect((await me(token)).status).toBe(401);
      const login = (password: string) => call(app, 'POST', '/api/admin/sessions', { body: { username: locked.username, password } });
      expect((await login('old-pass-123')).status).toBe(400);
      const fresh = await login('new-pass-456');
      expect(fresh.status).toBe(201);
      expect((await me(fresh.body.token)).status).toBe(200);

      // `--password -`: from stdin, its first line
      const piped = await new Promise<string>((resolve, reject) => {
        const child = meiduo(['admin', 'password', '--username', locked.username, '--password', '-'], env);
        let output = '';
        child.stdout.on('data', (d) => (output += d));
        child.stderr.on('data', (d) => (output += d));
        child.on('close', (code) => (code === 0 ? resolve(output) : reject(new Error(`→ ${code}\n${output}`))));
        child.stdin.end('piped-pass-789\n');
      });
      expect(piped).toMatch(new RegExp(`staff ${locked.userId} ${locked.username}: password changed`));
      expect((await login('new-pass-456')).status).toBe(400);
      expect((await login('piped-pass-789')).status).toBe(201);

      const entries = await t.db('admin_audit').where({ resource: 'users.staff', resource_id: String(locked.userId), action: 'update' }).orderBy('id').select('actor_id', 'actor_name', 'changes');
      expect(entries.map((e) => ({ ...e, changes: JSON.parse(e.changes) }))).toEqual([
        { actor_id: null, actor_name: 'cli:admin password', changes: { password: ['[redacted]', '[redacted]'] } },
        { actor_id: null, actor_name: 'cli:admin password', changes: { password: ['[redacted]', '[redacted]'] } },
      ]);
    }, 90_000);
  });
});
