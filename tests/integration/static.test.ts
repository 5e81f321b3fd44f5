import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { gunzipSync, brotliDecompressSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { createTestDb, type TestDb } from '../helpers/db.ts';

function raw(app: TestApp, p: string, headers: Record<string, string>) {
  return new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
    http.get(app.url + p, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
    }).on('error', reject);
  });
}

// Static serving of the built site, on a hand-made dist/ (the full build is covered by the e2e test).
describe('static site serving', () => {
  let t: TestDb;
  let app: TestApp;
  const page = '<!doctype html><title>商品</title>' + '<p>美多商城 iPhone 8 Plus</p>'.repeat(200);

  beforeAll(async () => {
    t = await createTestDb('sqlite');
    app = await startTestApp(t);
    const client = path.join(app.distDir, 'client');
    fs.mkdirSync(path.join(client, 'goods'), { recursive: true });
    fs.mkdirSync(path.join(client, '_astro'), { recursive: true });
    fs.mkdirSync(path.join(client, 'search'), { recursive: true });
    fs.writeFileSync(path.join(client, 'index.html'), '<!doctype html><title>首页</title>');
    fs.writeFileSync(path.join(client, 'goods', '1.html'), page);
    fs.writeFileSync(path.join(client, '404.html'), '<!doctype html><h1>页面不存在</h1>');
    fs.writeFileSync(path.join(client, '_astro', 'app.Ab12Cd34.js'), 'console.log("x");'.repeat(100));
    fs.writeFileSync(path.join(client, 'search', 'manifest.json'), '{}');
    fs.writeFileSync(path.join(client, 'search', 'index.0123456789abcdef.json'), '{}');
    fs.mkdirSync(path.join(t.mediaDir, 'goods'), { recursive: true });
    fs.writeFileSync(path.join(t.mediaDir, 'goods', 'a.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
  });
  afterAll(async () => {
    await app.close();
    await t.drop();
  });

  it('serves pages with their type, an ETag and revalidation', async () => {
    const r = await app.get('/goods/1.html', { headers: { 'accept-encoding': 'identity' } });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(r.headers.get('cache-control')).toBe('public, max-age=0, must-revalidate');
    expect(await r.text()).toBe(page);
    const etag = r.headers.get('etag')!;
    expect(etag).toMatch(/^W\/".+"$/);
    // (fetch() would add Cache-Control: no-cache to a conditional request, which rightly defeats it)
    const again = await raw(app, '/goods/1.html', { 'if-none-match': etag });
    expect(again.status).toBe(304);
    expect(again.body.length).toBe(0);
    expect((await app.get('/')).status).toBe(200);
    expect((await app.get('/goods/1')).status).toBe(200);
  });

  it('compresses with gzip and brotli', async () => {
    // fetch() decodes transparently; node:http shows the bytes on the wire
    const g = await raw(app, '/goods/1.html', { 'accept-encoding': 'gzip' });
    expect(g.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(g.body).toString()).toBe(page);
    const b = await raw(app, '/goods/1.html', { 'accept-encoding': 'br' });
    expect(b.headers['content-encoding']).toBe('br');
    expect(brotliDecompressSync(b.body).toString()).toBe(page);
    expect(b.body.length).toBeLessThan(Buffer.byteLength(page) / 5);
    expect(b.headers['vary']).toBe('Accept-Encoding');
  });

  it('caches hashed assets for a year and picks up a replaced page at once', async () => {
    expect((await app.get('/_astro/app.Ab12Cd34.js')).headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect((await app.get('/search/index.0123456789abcdef.json')).headers.get('cache-control')).toContain('immutable');
    expect((await app.get('/search/manifest.json')).headers.get('cache-control')).toContain('must-revalidate');
    const file = path.join(app.distDir, 'client', 'goods', '1.html');
    fs.writeFileSync(file + '.tmp', '<p>新价格</p>');
    fs.renameSync(file + '.tmp', file);
    expect(await (await app.get('/goods/1.html')).text()).toBe('<p>新价格</p>');
  });

  it('serves product pictures from the media folder', async () => {
    const r = await app.get('/media/goods/a.svg');
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('image/svg+xml');
  });

  it('answers unknown and hostile paths with the 404 page', async () => {
    for (const p of ['/nope.html', '/goods/999.html', '/%2e%2e/%2e%2e/etc/passwd', '/..%5c..%5cetc/passwd', '/%E0%A4%A', '/media/../../etc/passwd']) {
      const r = await app.get(p);
      expect(r.status, p).toBe(404);
      expect(await r.text(), p).toContain('页面不存在');
    }
    expect((await app.get('/goods/1.html', { method: 'POST' })).status).toBe(404);
  });
});
