import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contentSecurityPolicy, securityHeaderValues } from '../../api/middleware/security-headers.ts';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { ROOT } from '../helpers/cli.ts';
import { createTestDb, type TestDb } from '../helpers/db.ts';

describe('response headers', () => {
  let t: TestDb;
  let app: TestApp;
  const page = '<!doctype html><title>商品</title>' + '<p>美多商城</p>'.repeat(200);

  beforeAll(async () => {
    t = await createTestDb('sqlite', { seed: true });
    app = await startTestApp(t, { config: { imageHosts: ['img.example.com', 'cdn.example.com:8443'] } });
    const client = path.join(app.distDir, 'client');
    fs.mkdirSync(path.join(client, 'goods'), { recursive: true });
    fs.mkdirSync(path.join(client, 'render-internal', 'goods'), { recursive: true });
    fs.writeFileSync(path.join(client, 'index.html'), page);
    fs.writeFileSync(path.join(client, 'goods', '1.html'), page);
    fs.writeFileSync(path.join(client, 'render-internal', 'goods', '1.html'), 'INTERNAL');
    fs.writeFileSync(path.join(client, '404.html'), '<!doctype html><h1>页面不存在</h1>');
  });
  afterAll(async () => {
    await app?.close();
    await t?.drop();
  });

  const every = [
    ['GET', '/'],
    ['GET', '/goods/1.html'],
    ['GET', '/nope.html'],
    ['GET', '/render-internal/goods/1'],
    ['GET', '/media/goods/none.jpg'],
    ['GET', '/api/categories'],
    ['GET', '/api/skus/1'],
    ['GET', '/api/skus/0x10'],
    ['GET', '/api/skus/999999'],
    ['GET', '/api/nope'],
    ['GET', '/api'],
    ['POST', '/api/skus/1'],
    ['POST', '/'],
    ['HEAD', '/goods/1.html'],
  ] as const;

  it('puts nosniff, a CSP and a referrer policy on every answer', async () => {
    const csp = contentSecurityPolicy(['img.example.com', 'cdn.example.com:8443']);
    expect(csp).toContain("img-src 'self' data: img.example.com cdn.example.com:8443");
    for (const d of ["frame-ancestors 'none'", "object-src 'none'", "base-uri 'self'", "form-action 'self'", "script-src 'self'", "style-src 'self'", "connect-src 'self'"]) {
      expect(csp).toContain(d);
    }
    expect(csp).not.toContain('unsafe');
    const pictures = await t.db('skus').first('default_image');
    const targets = [...every, ['GET', pictures.default_image as string] as const];
    for (const [method, p] of targets) {
      const r = await app.get(p, { method });
      const what = `${method} ${p} → ${r.status}`;
      expect(r.status, what).toBeLessThan(500);
      expect(r.headers.get('x-content-type-options'), what).toBe('nosniff');
      expect(r.headers.get('content-security-policy'), what).toBe(csp);
      expect(r.headers.get('referrer-policy'), what).toBe('strict-origin-when-cross-origin');
    }
  });

  it('states a cache policy on every API answer: no-store unless the route declares one', async () => {
    const policy = async (p: string, init?: RequestInit) => (await app.get(p, init)).headers.get('cache-control');
    for (const p of ['/api/health', '/api/skus/1', '/api/search?q=%E5%8D%8E%E4%B8%BA', '/api/skus/999999', '/api/skus/abc', '/api/nope', '/api']) {
      expect(await policy(p), p).toBe('no-store');
    }
    expect(await policy('/api/skus/1', { method: 'DELETE' })).toBe('no-store');
    // shared catalog reads may be reused as long as the API itself reuses them (CATALOG_CACHE_MS = 1 s)
    const leaf = (await app.json('/api/categories')).body[0].subs[0].subs[0].id;
    for (const p of ['/api/categories', '/api/categories/1', `/api/categories/${leaf}/skus`, `/api/categories/${leaf}/hotskus`]) {
      const r = await app.get(p);
      expect(r.status, p).toBe(200);
      expect(r.headers.get('cache-control'), p).toBe('public, max-age=1');
    }
  });

  it('answers a wrong method with 405 and the methods that are allowed', async () => {
    for (const [method, p, allow] of [
      ['POST', '/api/skus/1', 'GET, HEAD'],
      ['DELETE', '/api/categories/1/skus', 'GET, HEAD'],
      ['PUT', '/api/health', 'GET, HEAD'],
      ['POST', '/', 'GET, HEAD'],
      ['POST', '/goods/1.html', 'GET, HEAD'],
      ['DELETE', '/nope.html', 'GET, HEAD'],
      ['OPTIONS', '/media/goods/a.jpg', 'GET, HEAD'],
    ]) {
      const r = await app.json(p!, { method });
      expect(r.status, `${method} ${p}`).toBe(405);
      expect(r.headers.get('allow'), `${method} ${p}`).toBe(allow);
      expect(r.headers.get('content-type'), `${method} ${p}`).toBe('application/json; charset=utf-8');
      expect(r.body.error.code).toBe('METHOD_NOT_ALLOWED');
    }
  });

  it('answers /api with the API’s JSON 404 and internal twins with the site’s HTML 404', async () => {
    for (const p of ['/api', '/api?x=1', '/api/']) {
      const r = await app.json(p);
      expect(r.status, p).toBe(404);
      expect(r.body.error.code, p).toBe('ROUTE_NOT_FOUND');
    }
    for (const p of ['/render-internal/goods/1', '/render-internal/goods/1.html', '/render-internal', '/%72ender-internal/goods/1.html']) {
      const r = await app.get(p);
      expect(r.status, p).toBe(404);
      expect(r.headers.get('content-type'), p).toBe('text/html; charset=utf-8');
      expect(await r.text(), p).toContain('页面不存在');
    }
  });

  it('gives nginx the same security headers (deploy/nginx/meiduo-headers.conf; tests/e2e/nginx.test.ts runs it)', () => {
    const doc = fs.readFileSync(path.join(ROOT, 'deploy/nginx/meiduo-headers.conf'), 'utf8');
    for (const [name, value] of Object.entries(securityHeaderValues({ imageHosts: [] }))) {
      expect(doc, name).toContain(`add_header ${name} "${value}" always;`);
    }
  });
});
