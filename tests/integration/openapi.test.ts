import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { API_ROUTES } from '../../api/app.ts';
import { NotFoundError } from '../../api/errors.ts';
import { createLogger } from '../../api/logger.ts';
import { decimalRangePattern, LIMITS } from '../../api/numbers.ts';
import { defineRoute, type AnyRoute } from '../../api/routes/define.ts';
import { AnswerMismatch } from '../helpers/answer-check.ts';
import { loginAs } from '../helpers/accounts.ts';
import { call } from '../helpers/api-client.ts';
import { checkedClient, startTestApp, type TestApp } from '../helpers/app.ts';
import { createTestDb, type TestDb } from '../helpers/db.ts';
import { startRouteApp, type RouteApp } from '../helpers/route-app.ts';

// The OpenAPI document is complete: every operation states its answer (schema, 204 or media type),
// its errors and headers, what the API enforces on its input, and passes Redocly's recommended
// ruleset with no problem at all. And the test client's answer check (tests/helpers/answer-check.ts),
// which every integration test goes through, really fails on an answer that drifts from its route.

const ROOT = path.resolve(import.meta.dirname, '../..');
type Json = Record<string, any>;

describe('the OpenAPI document', () => {
  let t: TestDb;
  let app: TestApp;
  let doc: Json;
  beforeAll(async () => {
    t = await createTestDb('sqlite');
    app = await startTestApp(t);
    doc = (await app.json('/api/openapi.json')).body;
  });
  afterAll(async () => {
    await app?.close();
    await t?.drop();
  });

  const operations = () =>
    Object.entries(doc.paths as Json).flatMap(([p, ops]) => Object.entries(ops as Json).map(([method, op]) => ({ key: `${method.toUpperCase()} ${p}`, op: op as Json })));

  it('has no error and no warning under Redocly’s recommended ruleset', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'meiduo-openapi-'));
    try {
      const file = path.join(dir, 'openapi.json');
      fs.writeFileSync(file, JSON.stringify(doc));
      const cli = path.join(ROOT, 'node_modules/@redocly/cli/bin/cli.js');
      const r = spawnSync(process.execPath, [cli, 'lint', '--format=json', `--config=${path.join(ROOT, 'redocly.yaml')}`, file], {
        cwd: ROOT,
        encoding: 'utf8',
        env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
      });
      const report = JSON.parse(r.stdout);
      expect(report.problems.map((p: Json) => `${p.severity} ${p.ruleId}: ${p.message} at ${JSON.stringify(p.location?.[0]?.pointer)}`)).toEqual([]);
      expect(report.totals).toEqual({ errors: 0, warnings: 0, ignored: 0 });
      expect(r.status).toBe(0);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('states every operation’s answer: a schema for JSON, none for a 204, the real media type otherwise', () => {
    for (const { key, op } of operations()) {
      expect(op.summary, key).toEqual(expect.any(String));
      const ok = Object.entries(op.responses as Json).filter(([s]) => /^2/.test(s));
      expect(ok, key).toHaveLength(1);
      const [status, answer] = ok[0]! as [string, Json];
      expect(answer.headers['X-Request-Id'], key).toEqual({ $ref: '#/components/headers/RequestId' });
      if (status === '204') {
        expect(answer.content, key).toBeUndefined();
        continue;
      }
      const [[type, media]] = Object.entries(answer.content as Json) as [[string, Json]];
      if (type === 'application/json') expect(Object.keys(media.schema).length, `${key} has an empty answer schema`).toBeGreaterThan(0);
    }
    const answer = (key: string) => operations().find((o) => o.key === key)!.op.responses;
    for (const key of ['DELETE /api/cart', 'DELETE /api/sessions', 'DELETE /api/addresses/{id}']) expect(Object.keys(answer(key))).toContain('204');
    expect(Object.keys(answer('GET /api/image_codes/{uuid}')['200'].content)).toEqual([expect.stringMatching(/^image\/(png|svg\+xml)$/)]);
    expect(answer('GET /api/docs')['200'].content).toEqual({ 'text/html': expect.anything() });
    expect(answer('POST /api/payment/alipay/notify')['200'].content).toEqual({ 'text/plain': { schema: { type: 'string', const: 'success' } } });
    expect(answer('GET /api/skus/{id}')['200'].content['application/json'].schema.properties).toMatchObject({ stock: { type: 'integer' }, price: { type: 'string' } });
  });

  it('lists the errors each operation can answer, with the shared error schema, X-Request-Id and Retry-After', () => {
    const responses = (key: string) => Object.keys(operations().find((o) => o.key === key)!.op.responses);
    expect(responses('GET /api/skus/{id}')).toEqual(['200', '400', '404', '4XX', '5XX']);
    expect(responses('GET /api/user')).toEqual(['200', '401', '403', '4XX', '5XX']);
    expect(responses('POST /api/sessions')).toEqual(['201', '400', '403', '413', '415', '429', '4XX', '5XX']);
    // the one 5xx a route answers on purpose: a load balancer reads it
    expect(responses('GET /api/health/ready')).toEqual(['200', '503', '4XX', '5XX']);
    expect(responses('POST /api/orders/{order_id}/cancel')).toEqual(expect.arrayContaining(['400', '401', '403', '404', '409']));
    const { responses: shared, schemas, headers } = doc.components;
    expect(schemas.Error).toMatchObject({ required: ['error'], properties: { error: { required: ['code', 'message'] } } });
    expect(shared.TooManyRequests.headers).toEqual({ 'X-Request-Id': { $ref: '#/components/headers/RequestId' }, 'Retry-After': { $ref: '#/components/headers/RetryAfter' } });
    expect(shared.NotFound.content['application/json'].schema).toEqual({ $ref: '#/components/schemas/Error' });
    expect(headers.RetryAfter.schema).toEqual({ type: 'integer', minimum: 1 });
  });

  it('states the ranges the API enforces on ids, page and page_size, as patterns that mean exactly them', async () => {
    const params = (key: string) => operations().find((o) => o.key === key)!.op.parameters as Json[];
    const skus = params('GET /api/categories/{id}/skus');
    const of = (name: string) => skus.find((p) => p.name === name)!.schema;
    expect(of('id')).toEqual({ type: 'string', pattern: decimalRangePattern(LIMITS.id.min, LIMITS.id.max) });
    expect(of('page')).toEqual({ type: 'string', pattern: decimalRangePattern(1, 100_000) });
    expect(of('page_size')).toEqual({ type: 'string', pattern: decimalRangePattern(1, 100) });
    const id = new RegExp(of('id').pattern);
    // the document and the API agree at the edges
    for (const [raw, accepted] of [['1', true], ['2147483647', true], ['0', false], ['2147483648', false], ['0x10', false], ['1e0', false], ['+1', false]] as const) {
      expect(id.test(raw), raw).toBe(accepted);
      expect((await app.json(`/api/skus/${raw}`)).status, raw).toBe(accepted ? 404 : 400);
    }
    const page = new RegExp(of('page').pattern);
    for (const [raw, accepted] of [['100000', true], ['100001', false]] as const) {
      expect(page.test(raw)).toBe(accepted);
      expect((await app.json(`/api/search?q=a&page=${raw}`)).status, raw).toBe(accepted ? 200 : 400);
    }
  });

  it('documents the Idempotency-Key header, the username rule and email addresses as the API checks them', async () => {
    const op = (key: string) => operations().find((o) => o.key === key)!.op;
    expect(op('POST /api/orders').parameters).toContainEqual(expect.objectContaining({ name: 'Idempotency-Key', in: 'header', required: false, schema: { type: 'string', pattern: '^[A-Za-z0-9._:-]{8,64}$' } }));
    expect(op('GET /api/orders').parameters.map((p: Json) => p.name)).not.toContain('Idempotency-Key');
    // a route that does not take the header ignores it, as the document says
    expect((await app.json('/api/health', { headers: { 'Idempotency-Key': 'bad key!' } })).status).toBe(200);
    const register = op('POST /api/users').requestBody.content['application/json'].schema.properties;
    expect(register.username).toMatchObject({ pattern: '^[A-Za-z0-9_-]{5,20}$', not: { pattern: '^[0-9]+$' } });
    const email = op('PUT /api/user/email').requestBody.content['application/json'].schema.properties.email;
    expect(email).toMatchObject({ type: 'string', format: 'email', maxLength: 254, pattern: expect.any(String) });
    const pattern = new RegExp(email.pattern);
    expect(pattern.test('a@b-.cn')).toBe(false);
    expect(pattern.test('zhang.san@mail.example.cn')).toBe(true);
  });

  it('names the permission of every staff operation (x-permission and in words), with the admin session as its security', () => {
    const staffRoutes = API_ROUTES.filter((r) => typeof r.auth === 'object');
    expect(staffRoutes.length).toBeGreaterThan(0);
    for (const r of staffRoutes) {
      const permission = (r.auth as { permission: string }).permission;
      const key = `${r.method.toUpperCase()} ${r.path.replace(/:(\w+)/g, '{$1}')}`;
      const op = operations().find((o) => o.key === key)!.op;
      expect(op['x-permission'], key).toBe(permission);
      expect(op.description, key).toContain(`\`${permission}\``);
      expect(op.security, key).toEqual([{ adminSession: [] }, { bearer: [] }]);
    }
    const me = operations().find((o) => o.key === 'GET /api/admin/me')!.op;
    expect(me['x-permission']).toBeUndefined();
    expect(me['x-meiduo-auth']).toBe('staff');
    expect(operations().find((o) => o.key === 'GET /api/user')!.op.security).toEqual([{ session: [] }, { bearer: [] }]);
    expect(doc.components.securitySchemes.adminSession).toMatchObject({ type: 'apiKey', in: 'cookie', name: 'meiduo_admin_session' });
  });

  it('has servers, a licence, tags and examples', () => {
    expect(doc.servers).toEqual([{ url: '/', description: expect.any(String) }]);
    expect(doc.info.license).toMatchObject({ name: expect.any(String) });
    expect(doc.tags.map((tag: Json) => tag.name)).toEqual(expect.arrayContaining(['accounts', 'cart', 'catalog', 'orders', 'payments']));
    for (const { key, op } of operations()) expect(op.tags, key).toHaveLength(1);
    const login = operations().find((o) => o.key === 'POST /api/sessions')!.op;
    expect(login.requestBody.content['application/json'].example).toMatchObject({ account: expect.any(String) });
    expect(login.responses['201'].content['application/json'].example).toMatchObject({ token: expect.any(String) });
  });

  it('refuses email addresses that are not what format: email means (a@b-.cn)', async () => {
    const { headers } = await loginAs(app);
    const put = (email: string) => call(app, 'PUT', '/api/user/email', { headers, body: { email } });
    for (const bad of ['a@b-.cn', 'a@-b.cn', 'a@b.123', 'a..b@c.cn', '.a@b.cn', 'a@b', `${'x'.repeat(65)}@b.cn`, `a@${'b'.repeat(64)}.cn`, 'a@b_c.cn', '"a b"@c.cn', 'a@[127.0.0.1]']) {
      const r = await put(bad);
      expect(r.status, bad).toBe(400);
      expect(r.body.error.fields, bad).toEqual({ email: '邮箱格式错误' });
    }
    for (const good of ['a@b.cn', 'zhang.san+shop@mail.example.cn', "o'brien@b-c.cn", `${'x'.repeat(64)}@b.cn`, `a@${'b'.repeat(63)}.cn`, 'a@xn--fiqs8s.cn']) {
      // a customer of its own for each: one may set at most 3 addresses in 10 minutes
      const own = await loginAs(app);
      expect((await call(app, 'PUT', '/api/user/email', { headers: own.headers, body: { email: good } })).status, good).toBe(200);
    }
  });
});

describe('the test client’s answer check', () => {
  let routeApp: RouteApp;
  let base: string;
  const routes: AnyRoute[] = [
    // the service renamed user_id to userId; the route still declares user_id
    defineRoute({ method: 'get', path: '/api/t/renamed', auth: 'public', response: z.strictObject({ user_id: z.int() }), handler: async () => ({ userId: 7 }) }),
    defineRoute({ method: 'get', path: '/api/t/fine/:id', auth: 'public', params: z.object({ id: z.string() }), response: z.strictObject({ user_id: z.int() }), handler: async () => ({ user_id: 7 }) }),
    // answers a 404 it does not declare
    defineRoute({ method: 'get', path: '/api/t/undeclared', auth: 'public', response: z.object({}), handler: async () => { throw new NotFoundError(); } }),
  ];

  beforeAll(async () => {
    // only what mount() reads of the services: these routes touch nothing else
    const services = { config: { accounts: { secureCookies: false } }, log: createLogger('silent'), authenticator: { authenticate: async () => ({ kind: 'anonymous' }) }, sessionStarted: [] };
    routeApp = await startRouteApp(services as never, routes);
    base = routeApp.base;
  });
  afterAll(async () => {
    await routeApp?.close();
  });

  it('fails on a field renamed in a service, through get, json and call alike', async () => {
    const client = checkedClient(base, routes);
    await expect(client.json('/api/t/renamed')).rejects.toThrow(AnswerMismatch);
    await expect(client.get('/api/t/renamed')).rejects.toThrow(/GET \/api\/t\/renamed → 200 \(route GET \/api\/t\/renamed\): the answer does not match the route's response schema[\s\S]*user_id/);
    await expect(call({ url: base, routes }, 'GET', '/api/t/renamed')).rejects.toThrow(/user_id/);
    // and passes what matches
    expect((await client.json('/api/t/fine/1')).body).toEqual({ user_id: 7 });
    expect((await call({ url: base, routes }, 'GET', '/api/t/fine/1')).body).toEqual({ user_id: 7 });
  });

  it('fails on a status the route does not document, and on an error without the error shape', async () => {
    const client = checkedClient(base, routes);
    await expect(client.json('/api/t/undeclared')).rejects.toThrow(/status 404 is not among the route's documented errors \(none\)/);
    // no route answers this: Koa's own plain-text 404, not the API's error shape
    await expect(client.json('/api/t/nothing')).rejects.toThrow(/no route\): Content-Type is 'text\/plain; charset=utf-8', not application\/json/);
  });

  it('checks the real API: every route of API_ROUTES declares an answer the document shows', () => {
    for (const r of API_ROUTES) {
      const json = (r.responseType ?? 'json') === 'json';
      if (json && r.statusCode !== 204) expect(r.response, `${r.method} ${r.path}`).toBeInstanceOf(z.ZodType);
    }
  });
});
