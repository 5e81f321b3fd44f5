import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_ROUTES } from '../../api/app.ts';
import { realmOf } from '../../api/routes/define.ts';
import { loginAs } from '../helpers/accounts.ts';
import { createStaff } from '../helpers/admin.ts';
import { call } from '../helpers/api-client.ts';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { createTestDb, type TestDb } from '../helpers/db.ts';
import { DB_KINDS } from '../helpers/env.ts';

// Every route the API defines — today's and every one added later, because the list is API_ROUTES —
// gets malformed paths and bodies, anonymous and logged in (the shop's routes as a customer, the
// admin API's as a superuser, who passes every permission check). None may answer 5xx, every 4xx is the
// API's error shape, and nothing in the database changes.

const JUNK_PARAMS = ['abc', '-1', '0', '1e3', '0x10', '99999999999999999999', '%00', '%E0%A4%A', '..%2F..%2Fetc', '名字', 'a'.repeat(300), '1%20OR%201=1'];

const deep = (n: number): unknown => (n === 0 ? 1 : { a: deep(n - 1) });
const BODIES: { label: string; raw: string; type?: string }[] = [
  { label: 'invalid JSON', raw: '{"a":' },
  { label: 'null', raw: 'null' },
  { label: 'array', raw: '[1,2,3]' },
  { label: 'string', raw: '"text"' },
  { label: 'number', raw: '12' },
  { label: 'empty object', raw: '{}' },
  { label: 'empty body', raw: '' },
  { label: 'proto pollution', raw: '{"__proto__":{"admin":true},"constructor":{"prototype":{"x":1}}}' },
  { label: 'deep', raw: JSON.stringify(deep(500)) },
  { label: 'huge', raw: JSON.stringify({ username: 'x'.repeat(40_000) }) },
  { label: 'form', raw: 'username=a&password=b', type: 'application/x-www-form-urlencoded' },
  { label: 'text', raw: 'hello', type: 'text/plain' },
  { label: 'utf-16 claim', raw: '{}', type: 'application/json; charset=utf-16' },
];
/** Every field the API knows, with values of every wrong type. */
const FIELDS = ['username', 'password', 'password2', 'mobile', 'sms_code', 'allow', 'account', 'image_code_id', 'image_code', 'email', 'token', 'old_password', 'access_token', 'reset_token', 'sku_id', 'title', 'receiver', 'province_id', 'city_id', 'district_id', 'place', 'tel'];
const WRONG_VALUES: unknown[] = [null, 1.5, -1, true, [], {}, '', ' ', 'x'.repeat(5000), '\u0000', '<script>alert(1)</script>', "' OR 1=1 --", 1e308, '13800138000'];
for (const [i, v] of WRONG_VALUES.entries()) {
  BODIES.push({ label: `all fields = ${JSON.stringify(v)?.slice(0, 20)}`, raw: JSON.stringify(Object.fromEntries(FIELDS.map((f) => [f, v]))) });
  if (i % 3 === 0) BODIES.push({ label: `mixed ${i}`, raw: JSON.stringify(Object.fromEntries(FIELDS.map((f, j) => [f, WRONG_VALUES[(i + j) % WRONG_VALUES.length]]))) });
}

/** A stack frame, a driver error code (SQLITE_…, ER_…: not a field such as order_id) or SQL. */
const LEAK = /at .*\.(ts|js):\d+|\bSQLITE_[A-Z]|\bER_[A-Z]|\bselect .+ from\b|\binsert into\b/;

const TABLES = ['users', 'auth_tokens', 'oauth_qq_users', 'outgoing_messages', 'addresses', 'browse_histories', 'skus', 'page_changes', 'cart_lines', 'orders', 'order_lines', 'payments', 'sales_changes',
  'admin_groups', 'admin_group_permissions', 'admin_user_groups', 'admin_user_permissions', 'admin_audit'];

describe.each(DB_KINDS)('malformed input to every API route on %s', (kind) => {
  let t: TestDb;
  let app: TestApp;
  let auth: Record<string, string>;
  let admin: Record<string, string>;

  beforeAll(async () => {
    t = await createTestDb(kind, { seed: true });
    app = await startTestApp(t);
    // a published site: GET /api/health/ready answers 503 without one (rightly: not ready), not a fault
    fs.mkdirSync(path.join(app.distDir, 'client'), { recursive: true });
    fs.writeFileSync(path.join(app.distDir, 'client', 'index.html'), '<!doctype html><title>首页</title>');
    auth = (await loginAs(app)).headers;
    admin = (await createStaff(app, { superuser: true })).headers;
  });
  afterAll(async () => {
    await app?.close();
    await t?.drop();
  });

  const counts = async () => Object.fromEntries(await Promise.all(TABLES.map(async (tb) => [tb, Number((await t.db(tb).count({ n: '*' }).first())?.n)])));

  it('never answers 5xx, always in the error shape, and changes nothing', async () => {
    const before = await counts();
    const failures: string[] = [];
    let requests = 0;
    const check = async (method: string, path: string, opts: Parameters<typeof call>[3]) => {
      requests++;
      const r = await call(app, method, path, opts);
      const what = `${method} ${path.slice(0, 80)} ${opts?.headers?.authorization ? '(user)' : '(anonymous)'} ${String(opts?.raw ?? '').slice(0, 40)}`;
      if (r.status >= 500) failures.push(`${r.status} ${what}: ${JSON.stringify(r.body).slice(0, 200)}`);
      else if (r.status >= 400 && !(typeof r.body?.error?.code === 'string' && typeof r.body.error.message === 'string')) failures.push(`bad error shape ${r.status} ${what}`);
      else if (r.status >= 400 && LEAK.test(JSON.stringify(r.body))) failures.push(`leaks internals ${what}: ${JSON.stringify(r.body).slice(0, 120)}`);
    };
    for (const route of API_ROUTES) {
      const method = route.method.toUpperCase();
      const params = route.path.match(/:\w+/g) ?? [];
      const paths = params.length === 0 ? [route.path] : JUNK_PARAMS.map((j) => route.path.replace(/:\w+/g, j));
      // logging out is no malformed request: it would end the session the rest of the sweep uses
      for (const headers of route.session === 'clear' ? [{}] : [{}, realmOf(route) === 'admin' ? admin : auth]) {
        for (const path of paths) await check(method, path + '?next=//evil.example&code=&state=&page=-1&ordering=x', { headers });
        if (method === 'GET' || method === 'DELETE') continue;
        const path = route.path.replace(/:\w+/g, '1');
        for (const b of BODIES) await check(method, path, { headers: { ...headers, 'content-type': b.type ?? 'application/json' }, raw: b.raw });
      }
    }
    expect(failures).toEqual([]);
    expect(requests).toBeGreaterThan(1000);
    expect(await counts()).toEqual(before);
  }, 240_000);
});
