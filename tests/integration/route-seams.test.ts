import Router from '@koa/router';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ManualClock } from '../../api/clock.ts';
import { loadConfig } from '../../api/config.ts';
import type { Actor } from '../../api/context.ts';
import { TooManyRequestsError } from '../../api/errors.ts';
import { decimalRangePattern } from '../../api/numbers.ts';
import { createLogger } from '../../api/logger.ts';
import { API_ROUTES } from '../../api/app.ts';
import { defineRoute, mount, realmOf, type AnyRoute } from '../../api/routes/define.ts';
import { createServices, type Services } from '../../api/services/index.ts';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { createTestDb, type TestDb } from '../helpers/db.ts';
import { startRouteApp, type RouteApp } from '../helpers/route-app.ts';
import { DB_KINDS } from '../helpers/env.ts';

// The seams accounts, orders and admin build on: auth levels enforced in mount (default deny),
// request bodies with a size limit, one transaction per route that asks, a request context with a
// clock tests can move, 401/403/409/429 errors, and the OpenAPI document made from the routes.

describe.each(DB_KINDS)('route definitions on %s', (kind) => {
  let t: TestDb;
  let services: Services;
  let routeApp: RouteApp;
  let actor: Actor = { kind: 'anonymous' };
  const clock = new ManualClock(Date.UTC(2026, 10, 25, 8, 0, 0));

  const routes: AnyRoute[] = [
    defineRoute({ method: 'get', path: '/api/t/public', auth: 'public', response: z.object({ now: z.string(), requestId: z.string() }), handler: async ({ context }) => ({ now: context.clock.now().toISOString(), requestId: context.requestId }) }),
    defineRoute({ method: 'get', path: '/api/t/user', auth: 'user', response: z.object({ actor: z.object({}).loose() }), handler: async ({ context }) => ({ actor: context.actor }) }),
    defineRoute({ method: 'get', path: '/api/t/admin', auth: { permission: 'goods.change_sku' }, response: z.object({ ok: z.boolean() }), handler: async () => ({ ok: true }) }),
    defineRoute({ method: 'get', path: '/api/t/staff', auth: 'staff', response: z.object({ ok: z.boolean() }), handler: async () => ({ ok: true }) }),
    defineRoute({
      method: 'post',
      path: '/api/t/echo',
      auth: 'public',
      statusCode: 201,
      bodyLimit: 1024,
      body: z.object({ name: z.string().min(1, '不能为空').max(20), count: z.number().int().min(1) }).strict(),
      response: z.object({ name: z.string(), count: z.int() }),
      handler: async ({ body }) => body,
    }),
    defineRoute({
      method: 'post',
      path: '/api/t/form',
      auth: 'public',
      bodyKinds: ['form'],
      body: z.object({ out_trade_no: z.string() }),
      response: z.object({ out_trade_no: z.string() }),
      handler: async ({ body }) => body,
    }),
    defineRoute({
      method: 'post',
      path: '/api/t/write',
      auth: 'public',
      transaction: true,
      body: z.object({ value: z.string(), fail: z.boolean() }),
      response: z.object({ written: z.string() }),
      handler: async ({ body, context }) => {
        await context.trx!('seam_rows').insert({ value: body.value });
        if (body.fail) throw new Error('after the write');
        return { written: body.value };
      },
    }),
    defineRoute({ method: 'get', path: '/api/t/busy', auth: 'public', response: z.never(), errors: [429], handler: async () => { throw new TooManyRequestsError(1500); } }),
  ];

  beforeAll(async () => {
    t = await createTestDb(kind);
    await t.db.schema.createTable('seam_rows', (tb) => {
      tb.increments('id');
      tb.string('value', 20);
    });
    const config = { ...loadConfig({ DATABASE_URL: t.url, LOG_LEVEL: 'silent' }) };
    services = createServices(config, { log: createLogger('silent'), clock, authenticator: { authenticate: async () => actor } });
    routeApp = await startRouteApp(services, routes);
  });

  afterAll(async () => {
    await routeApp?.close();
    await services?.close();
    await t?.drop();
  });

  const call = async (path: string, init?: RequestInit) => {
    const res = await fetch(routeApp.base + path, init);
    return { status: res.status, headers: res.headers, body: (await res.json()) as any };
  };
  const post = (path: string, body: string, type = 'application/json') => call(path, { method: 'POST', body, headers: { 'Content-Type': type } });

  it('refuses to mount a route that does not say who may call it', () => {
    const router = new Router();
    const bad = { method: 'get', path: '/api/t/x', handler: async () => ({}) } as unknown as AnyRoute;
    expect(() => mount(router, services, [bad])).toThrow(/declares no auth level/);
    expect(() => mount(router, services, [{ ...bad, auth: 'everyone' } as unknown as AnyRoute])).toThrow(/auth/);
  });

  it('refuses to mount a JSON route that does not declare its answer', () => {
    const router = new Router();
    const base = { method: 'get', path: '/api/t/y', auth: 'public', handler: async () => ({}) } as const;
    expect(() => mount(router, services, [defineRoute(base)])).toThrow(/GET \/api\/t\/y declares no response schema/);
    expect(() => mount(router, services, [defineRoute({ ...base, response: { parse() {} } as unknown as z.ZodType })])).toThrow(/no response schema/);
    // a 204 has no answer to declare, nor has a page or a picture: their media type is their declaration
    expect(() => mount(router, services, [defineRoute({ ...base, method: 'delete', statusCode: 204, handler: async () => undefined })])).not.toThrow();
    expect(() => mount(router, services, [defineRoute({ ...base, path: '/api/t/page', responseType: 'html', handler: async () => '<p>' })])).not.toThrow();
    expect(() => mount(router, services, [defineRoute({ ...base, path: '/api/t/ok', response: z.object({}) })])).not.toThrow();
  });

  it('enforces auth levels: 401 for nobody and for the wrong kind of actor, 403 for a missing permission', async () => {
    actor = { kind: 'anonymous' };
    expect(await call('/api/t/user')).toMatchObject({ status: 401, body: { error: { code: 'UNAUTHORIZED' } } });
    expect((await call('/api/t/admin')).status).toBe(401);
    expect((await call('/api/t/staff')).status).toBe(401);
    actor = { kind: 'user', userId: 7 };
    expect(await call('/api/t/user')).toMatchObject({ status: 200, body: { actor: { kind: 'user', userId: 7 } } });
    // a customer is nobody on a staff route
    expect(await call('/api/t/admin')).toMatchObject({ status: 401, body: { error: { code: 'UNAUTHORIZED' } } });
    expect((await call('/api/t/staff')).status).toBe(401);
    actor = { kind: 'admin', userId: 1, permissions: new Set(['goods.view_sku']) };
    expect(await call('/api/t/admin')).toMatchObject({ status: 403, body: { error: { code: 'FORBIDDEN' } } });
    expect((await call('/api/t/staff')).status).toBe(200);
    // and staff are nobody on a customer's route
    expect((await call('/api/t/user')).status).toBe(401);
    actor = { kind: 'admin', userId: 1, permissions: new Set(['goods.change_sku']) };
    expect(await call('/api/t/admin')).toMatchObject({ status: 200, body: { ok: true } });
    actor = { kind: 'anonymous' };
  });

  it('tells the authenticator whose route it is: the admin API’s (/api/admin/…, staff routes) or the shop’s', () => {
    expect(realmOf({ auth: 'user', path: '/api/user' })).toBe('shop');
    expect(realmOf({ auth: 'public', path: '/api/sessions' })).toBe('shop');
    expect(realmOf({ auth: 'public', path: '/api/admin/sessions' })).toBe('admin');
    expect(realmOf({ auth: 'staff', path: '/api/t/staff' })).toBe('admin');
    expect(realmOf({ auth: { permission: 'goods.change_sku' }, path: '/api/t/admin' })).toBe('admin');
    expect(realmOf({ auth: 'public', path: '/api/administrator' })).toBe('shop');
  });

  it('hands handlers a context with the injected clock and a request id', async () => {
    const a = await call('/api/t/public', { headers: { 'X-Request-Id': 'lb-1234' } });
    expect(a.body).toEqual({ now: '2026-11-25T08:00:00.000Z', requestId: 'lb-1234' });
    expect(a.headers.get('x-request-id')).toBe('lb-1234');
    clock.advance(300_000);
    const b = await call('/api/t/public', { headers: { 'X-Request-Id': '<script>' } });
    expect(b.body.now).toBe('2026-11-25T08:05:00.000Z');
    expect(b.body.requestId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('parses and validates bodies, within their limit', async () => {
    expect(await post('/api/t/echo', '{"name":"华为","count":2}')).toMatchObject({ status: 201, body: { name: '华为', count: 2 } });
    expect(await post('/api/t/echo', '{"name":"","count":0,"extra":1}')).toMatchObject({ status: 400, body: { error: { code: 'VALIDATION_ERROR' } } });
    expect((await post('/api/t/echo', '{"name":"","count":0}')).body.error.fields).toMatchObject({ name: '不能为空', count: expect.any(String) });
    expect(await post('/api/t/echo', '{"name":')).toMatchObject({ status: 400, body: { error: { message: '请求体不是有效的 JSON' } } });
    expect(await post('/api/t/echo', 'name=a', 'text/plain')).toMatchObject({ status: 415, body: { error: { code: 'UNSUPPORTED_MEDIA_TYPE' } } });
    expect(await post('/api/t/echo', JSON.stringify({ name: 'x'.repeat(2000), count: 1 }))).toMatchObject({ status: 413, body: { error: { code: 'PAYLOAD_TOO_LARGE' } } });
    // without a declared length, too: the body stops being read at the limit
    const chunked = new ReadableStream({
      start(c) {
        c.enqueue(new TextEncoder().encode('{"name":"' + 'y'.repeat(4000) + '","count":1}'));
        c.close();
      },
    });
    const res = await fetch(routeApp.base + '/api/t/echo', { method: 'POST', body: chunked, headers: { 'Content-Type': 'application/json' }, duplex: 'half' } as RequestInit);
    expect(res.status).toBe(413);
    expect(await post('/api/t/echo', '\xff\xfe', 'application/json; charset=utf-8')).toMatchObject({ status: 400 });
    expect(await post('/api/t/echo', '')).toMatchObject({ status: 400 }); // the schema wants a body
  });

  it('takes form bodies where a route says so', async () => {
    expect(await post('/api/t/form', 'out_trade_no=20261125000001&x=1', 'application/x-www-form-urlencoded')).toMatchObject({ status: 200, body: { out_trade_no: '20261125000001' } });
    expect((await post('/api/t/form', '{"out_trade_no":"1"}')).status).toBe(415);
  });

  it('runs a transaction route in one transaction: a failure leaves nothing written', async () => {
    expect(await post('/api/t/write', '{"value":"kept","fail":false}')).toMatchObject({ status: 200, body: { written: 'kept' } });
    expect((await post('/api/t/write', '{"value":"rolled back","fail":true}')).status).toBe(500);
    expect((await t.db('seam_rows').pluck('value')).sort()).toEqual(['kept']);
  });

  it('answers 429 with Retry-After in whole seconds', async () => {
    const r = await call('/api/t/busy');
    expect(r).toMatchObject({ status: 429, body: { error: { code: 'TOO_MANY_REQUESTS' } } });
    expect(r.headers.get('retry-after')).toBe('2');
  });
});

describe('the OpenAPI document', () => {
  let t: TestDb;
  let app: TestApp;
  beforeAll(async () => {
    t = await createTestDb('sqlite');
    app = await startTestApp(t);
  });
  afterAll(async () => {
    await app?.close();
    await t?.drop();
  });

  it('describes every route the API mounts, from the route definitions', async () => {
    const { status, body } = await app.json('/api/openapi.json');
    expect(status).toBe(200);
    expect(body.openapi).toBe('3.1.0');
    const defined = API_ROUTES.map((r) => `${r.method} ${r.path.replace(/:(\w+)/g, '{$1}')}`);
    const documented = Object.entries(body.paths as Record<string, Record<string, unknown>>).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m} ${p}`));
    expect(documented.sort()).toEqual([...defined, 'get /api/openapi.json', 'get /api/docs'].sort());
    const skus = body.paths['/api/categories/{id}/skus'].get;
    expect(skus.parameters).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: 'id', in: 'path', required: true, schema: expect.objectContaining({ type: 'string', pattern: decimalRangePattern(1, 2_147_483_647) }) }),
        expect.objectContaining({ name: 'ordering', in: 'query', required: false }),
      ]),
    );
    expect(skus.security).toEqual([]);
    expect(skus.responses['404']).toEqual({ $ref: '#/components/responses/NotFound' });
    expect(skus.responses['200'].content['application/json'].schema).toMatchObject({ type: 'object', required: ['count', 'results'] });
  });

  it('has a readable reference page that the Content-Security-Policy allows', async () => {
    const res = await app.get('/api/docs');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await res.text();
    for (const r of API_ROUTES) expect(html).toContain(`${r.method.toUpperCase()} ${r.path.replace(/:(\w+)/g, '{$1}')}`);
    expect(html).not.toMatch(/<script|<style|style=/i);
  });
});
