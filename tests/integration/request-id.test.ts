import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { loadConfig } from '../../api/config.ts';
import { systemContext } from '../../api/context.ts';
import { db } from '../../api/db/transaction.ts';
import { createLogger } from '../../api/logger.ts';
import { inRequestScope } from '../../api/request-scope.ts';
import { defineRoute, type AnyRoute } from '../../api/routes/define.ts';
import { createServices, type Services } from '../../api/services/index.ts';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { createTestDb, type TestDb } from '../helpers/db.ts';
import { startRouteApp, type RouteApp } from '../helpers/route-app.ts';

// The request id (api/middleware/request-id.ts, api/request-scope.ts): every answer carries
// X-Request-Id — error answers and pages included — and every log line written while the request
// is handled carries the same id as `req_id`, across awaits and with requests interleaved.

/** A log destination the test reads back. */
function logLines() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      for (const l of String(chunk).split('\n')) if (l.trim()) lines.push(JSON.parse(l));
      done();
    },
  });
  return { lines, stream };
}

describe('the request id', () => {
  let t: TestDb;
  let app: TestApp;
  let services: Services;
  let routeApp: RouteApp;
  const log = logLines();

  const routes: AnyRoute[] = [
    defineRoute({
      method: 'get',
      path: '/api/t/logs',
      auth: 'public',
      response: z.object({ requestId: z.string() }),
      handler: async ({ context, services: s }) => {
        s.log.info('before the query');
        await db(context).raw('select 1');
        await new Promise((r) => setTimeout(r, 20)); // another request runs meanwhile
        s.log.info('after the query');
        return { requestId: context.requestId };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/t/fails',
      auth: 'public',
      response: z.never(),
      handler: async () => {
        throw new Error('boom');
      },
    }),
  ];

  beforeAll(async () => {
    t = await createTestDb('sqlite', { seed: true });
    app = await startTestApp(t);
    services = createServices(loadConfig({ DATABASE_URL: t.url }), { log: createLogger('info', log.stream) });
    routeApp = await startRouteApp(services, routes);
  }, 120_000);

  afterAll(async () => {
    await routeApp?.close();
    await services?.close();
    await app?.close();
    await t?.drop();
  });

  it('is on every answer: API, 400, 401, 404, 405, 413 and pages', async () => {
    const cases: [string, RequestInit | undefined, number][] = [
      ['/api/categories', undefined, 200],
      ['/api/skus/abc', undefined, 400],
      ['/api/user', undefined, 401],
      ['/api/skus/999999', undefined, 404],
      ['/api/nothing-here', undefined, 404],
      ['/api/categories', { method: 'DELETE' }, 405],
      ['/api/sessions', { method: 'POST', headers: { 'content-type': 'application/json' }, body: 'x'.repeat(100_000) }, 413],
      ['/no-such-page.html', undefined, 404],
      ['/', { method: 'POST' }, 405],
    ];
    for (const [path, init, status] of cases) {
      const res = await app.get(path, init);
      await res.arrayBuffer();
      expect(res.status, path).toBe(status);
      expect(res.headers.get('x-request-id'), `${init?.method ?? 'GET'} ${path}`).toMatch(/^[0-9a-f-]{36}$/);
    }
  });

  it('keeps a sane id from a proxy, on error answers too, and replaces an odd one', async () => {
    const kept = await app.get('/api/skus/999999', { headers: { 'X-Request-Id': 'lb-7f3a.1' } });
    expect(kept.status).toBe(404);
    expect(kept.headers.get('x-request-id')).toBe('lb-7f3a.1');
    const odd = await app.get('/api/skus/999999', { headers: { 'X-Request-Id': 'a\tb' + 'c'.repeat(80) } });
    expect(odd.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('marks every log line of the request, across awaits, with requests interleaved', async () => {
    log.lines.length = 0;
    const ids = ['req-a', 'req-b', 'req-c'];
    const answers = await Promise.all(ids.map((id) => fetch(routeApp.base + '/api/t/logs', { headers: { 'X-Request-Id': id } }).then((r) => r.json())));
    expect(answers.map((a) => a.requestId)).toEqual(ids);
    for (const id of ids) {
      expect(log.lines.filter((l) => l.req_id === id).map((l) => l.msg)).toEqual(['before the query', 'after the query']);
    }
    expect(log.lines.every((l) => typeof l.req_id === 'string')).toBe(true);
  });

  it('marks the error line of a failed request with the id its answer carries', async () => {
    log.lines.length = 0;
    const res = await fetch(routeApp.base + '/api/t/fails');
    expect(res.status).toBe(500);
    const id = res.headers.get('x-request-id');
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    const line = log.lines.find((l) => l.msg === 'request failed');
    expect(line?.req_id).toBe(id);
  });

  it('gives a system context (a job run, a command) the id of the scope it is made in', () => {
    const deps = { db: t.db, clock: services.clock };
    expect(inRequestScope('job:pages.rebuild:1', () => systemContext('pages.rebuild', deps).requestId)).toBe('job:pages.rebuild:1');
    expect(systemContext('cli:sku update', deps).requestId).toMatch(/^cli:sku update:[0-9a-f-]{36}$/);
  });
});
