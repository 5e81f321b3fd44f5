import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { brotliCompressSync, brotliDecompressSync, gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { createTestDb, type TestDb } from '../helpers/db.ts';

interface Raw {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

// node:http shows the bytes on the wire (fetch() decodes them) and sends paths as written.
function raw(app: TestApp, p: string, headers: Record<string, string> = {}, method = 'GET') {
  return new Promise<Raw>((resolve, reject) => {
    const req = http.request(app.url + p, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Sets a file's mtime `seconds` away from now (siblings are judged by mtime). */
function touch(file: string, seconds: number) {
  const t = new Date(Date.now() + seconds * 1000);
  fs.utimesSync(file, t, t);
}

// Static serving of the built site, on a hand-made dist/ laid out like a real one: dist/client is a
// symlink to releases/<id>/client (the full build is covered by the e2e test).
describe('static site serving', () => {
  let t: TestDb;
  let app: TestApp;
  let client: string;
  let outside: string;
  const page = '<!doctype html><title>商品</title>' + '<p>美多商城 iPhone 8 Plus</p>'.repeat(200);
  const release = (distDir: string, id: string) => path.join(distDir, 'releases', id, 'client');
  const write = (rel: string, body: string | Buffer) => {
    fs.mkdirSync(path.dirname(path.join(client, rel)), { recursive: true });
    fs.writeFileSync(path.join(client, rel), body);
  };

  beforeAll(async () => {
    t = await createTestDb('sqlite');
    app = await startTestApp(t);
    client = release(app.distDir, 'r1');
    fs.mkdirSync(client, { recursive: true });
    fs.symlinkSync(path.join('releases', 'r1', 'client'), path.join(app.distDir, 'client'));
    write('index.html', '<!doctype html><title>首页</title>');
    write('goods/1.html', page);
    write('admin/index.html', '<!doctype html><title>数据概览</title>');
    write('404.html', '<!doctype html><h1>页面不存在</h1>');
    write('_astro/app.Ab12Cd34.js', 'console.log("x");'.repeat(100));
    write('search/manifest.json', '{}');
    write('search/0123456789abcdef/s7.json', '{}');
    fs.mkdirSync(path.join(t.mediaDir, 'goods'), { recursive: true });
    fs.writeFileSync(path.join(t.mediaDir, 'goods', 'a.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');

    outside = fs.mkdtempSync(path.join(os.tmpdir(), 'meiduo-outside-'));
    fs.writeFileSync(path.join(outside, 'secret.txt'), 'SECRET');
  });
  afterAll(async () => {
    await app.close();
    await t.drop();
    fs.rmSync(outside, { recursive: true, force: true });
    fs.rmSync(app.distDir, { recursive: true, force: true });
  });

  const expectNotFoundPage = async (p: string) => {
    const r = await raw(app, p);
    expect(r.status, p).toBe(404);
    expect(r.body.toString(), p).toContain('页面不存在');
    expect(r.body.toString(), p).not.toContain('SECRET');
  };

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

  it('serves a folder’s index.html at /folder/ and /folder, as nginx’s try_files does (the admin console at /admin/)', async () => {
    for (const p of ['/admin/', '/admin', '/admin/index.html']) {
      const r = await app.get(p);
      expect(r.status, p).toBe(200);
      expect(await r.text(), p).toContain('数据概览');
    }
    await expectNotFoundPage('/goods');
  });

  it('keeps Vary: Accept-Encoding on a 304, for every coding of one weak ETag', async () => {
    const first = await raw(app, '/goods/1.html', { 'accept-encoding': 'br' });
    for (const ae of ['br', 'gzip', 'identity']) {
      const r = await raw(app, '/goods/1.html', { 'accept-encoding': ae, 'if-none-match': first.headers.etag! });
      expect(r.status, ae).toBe(304);
      expect(r.headers.vary, ae).toBe('Accept-Encoding');
    }
  });

  it('compresses with gzip and brotli, preferring brotli when the client rates them equally', async () => {
    const g = await raw(app, '/goods/1.html', { 'accept-encoding': 'gzip' });
    expect(g.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(g.body).toString()).toBe(page);
    expect(Number(g.headers['content-length'])).toBe(g.body.length);
    const b = await raw(app, '/goods/1.html', { 'accept-encoding': 'br' });
    expect(b.headers['content-encoding']).toBe('br');
    expect(brotliDecompressSync(b.body).toString()).toBe(page);
    expect(b.body.length).toBeLessThan(Buffer.byteLength(page) / 5);
    expect(b.headers['vary']).toBe('Accept-Encoding');
    // Chrome's header lists gzip first; the order of equal weights means nothing (RFC 9110 §12.5.3)
    expect((await raw(app, '/goods/1.html', { 'accept-encoding': 'gzip, deflate, br, zstd' })).headers['content-encoding']).toBe('br');
    expect((await raw(app, '/goods/1.html', { 'accept-encoding': 'br;q=0.5, gzip' })).headers['content-encoding']).toBe('gzip');
  });

  it('caches hashed assets for a year and picks up a replaced page at once', async () => {
    expect((await app.get('/_astro/app.Ab12Cd34.js')).headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect((await app.get('/search/0123456789abcdef/s7.json')).headers.get('cache-control')).toContain('immutable');
    expect((await app.get('/search/manifest.json')).headers.get('cache-control')).toContain('must-revalidate');
    write('goods/2.html', page);
    expect((await app.get('/goods/2.html')).status).toBe(200);
    const file = path.join(client, 'goods', '2.html');
    fs.writeFileSync(file + '.tmp', '<p>新价格</p>');
    fs.renameSync(file + '.tmp', file);
    expect(await (await app.get('/goods/2.html')).text()).toBe('<p>新价格</p>');
  });

  it('serves product pictures from the media folder', async () => {
    const r = await app.get('/media/goods/a.svg');
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('image/svg+xml');
  });

  it('answers unknown and hostile paths with the 404 page', async () => {
    for (const p of ['/nope.html', '/goods/999.html', '/%2e%2e/%2e%2e/etc/passwd', '/..%5c..%5cetc/passwd', '/%E0%A4%A', '/media/../../etc/passwd']) {
      await expectNotFoundPage(p);
    }
  });

  it('serves no dotfiles, temp files or internal twins, however the path is spelled', async () => {
    write('.env', 'SECRET=1');
    write('.git/config', 'SECRET');
    write('goods/.hidden.html', 'SECRET');
    write('goods/3.html.123.abcdef01.tmp', 'SECRET');
    write('render-internal/goods/1.html', 'SECRET');
    fs.writeFileSync(path.join(t.mediaDir, '.secret.svg'), 'SECRET');
    for (const p of [
      '/.env',
      '/%2eenv',
      '/%2Eenv',
      '/.git/config',
      '/goods/.hidden.html',
      '/goods/%2ehidden.html',
      '/goods/3.html.123.abcdef01.tmp',
      '/media/.secret.svg',
      '/render-internal/goods/1.html',
      '/render-internal/goods/1',
      '/%72ender-internal/goods/1.html', // %72 = 'r'
      '/render-internal%2Fgoods%2F1.html',
      '/goods/%252e%252e/%252e%252e/index.html', // double-encoded dots stay literal '%2e%2e' names
      '/goods%5c..%5c..%5cindex.html',
      '/goods\\..\\.env',
      '/goods/1.html%00.png',
      '/%00',
    ]) {
      await expectNotFoundPage(p);
    }
  });

  it('follows no symlink out of the served folder', async () => {
    fs.symlinkSync(path.join(outside, 'secret.txt'), path.join(client, 'leak.txt'));
    fs.symlinkSync(outside, path.join(client, 'etc'));
    fs.symlinkSync(outside, path.join(t.mediaDir, 'etc'));
    fs.symlinkSync(path.join(outside, 'secret.txt'), path.join(t.mediaDir, 'goods', 'b.svg'));
    // a symlink whose name looks harmless but that leads to a hidden file inside the root
    fs.symlinkSync(path.join(client, '.env'), path.join(client, 'env.txt'));
    for (const p of ['/leak.txt', '/etc/secret.txt', '/media/etc/secret.txt', '/media/goods/b.svg', '/env.txt']) await expectNotFoundPage(p);

    // inside the root, a link to a file inside the root is followed (documented in docs/serving.md)
    fs.symlinkSync('1.html', path.join(client, 'goods', 'alias.html'));
    const r = await raw(app, '/goods/alias.html', { 'accept-encoding': 'identity' });
    expect(r.status).toBe(200);
    expect(r.body.toString()).toBe(page);
  });

  it('notices a page replaced by a symlink that leads outside', async () => {
    write('goods/4.html', page);
    expect((await raw(app, '/goods/4.html')).status).toBe(200); // now in the cache
    const file = path.join(client, 'goods', '4.html');
    fs.symlinkSync(path.join(outside, 'secret.txt'), file + '.link');
    fs.renameSync(file + '.link', file);
    await expectNotFoundPage('/goods/4.html');
  });

  it('follows a release swap of dist/client', async () => {
    const r2 = release(app.distDir, 'r2');
    fs.cpSync(client, r2, { recursive: true, verbatimSymlinks: true });
    fs.writeFileSync(path.join(r2, 'index.html'), '<!doctype html><title>新版</title>');
    fs.writeFileSync(path.join(r2, 'only-in-r2.html'), '<p>r2</p>');
    expect(await (await app.get('/')).text()).toContain('首页');
    const link = path.join(app.distDir, 'client');
    fs.symlinkSync(path.join('releases', 'r2', 'client'), link + '.tmp');
    fs.renameSync(link + '.tmp', link);
    expect(await (await app.get('/')).text()).toContain('新版');
    expect((await app.get('/only-in-r2.html')).status).toBe(200);
    // the old release is no longer the served root, even for a link into it
    fs.symlinkSync(path.join(client, 'goods', '1.html'), path.join(r2, 'old.html'));
    await expectNotFoundPage('/old.html');
    fs.symlinkSync(path.join('releases', 'r1', 'client'), link + '.tmp');
    fs.renameSync(link + '.tmp', link);
    expect(await (await app.get('/')).text()).toContain('首页');
  });

  it('refuses writes to pages with a JSON 405', async () => {
    const r = await app.json('/goods/1.html', { method: 'POST', body: 'x' });
    expect(r.status).toBe(405);
    expect(r.headers.get('allow')).toBe('GET, HEAD');
    expect(r.body.error.code).toBe('METHOD_NOT_ALLOWED');
  });
});

describe('precompressed siblings', () => {
  let t: TestDb;
  let app: TestApp;
  let client: string;
  const html = '<!doctype html>' + '<p>预压缩的页面</p>'.repeat(300);

  beforeAll(async () => {
    t = await createTestDb('sqlite');
    app = await startTestApp(t);
    client = path.join(app.distDir, 'client');
    fs.mkdirSync(path.join(client, 'search'), { recursive: true });
    fs.writeFileSync(path.join(client, '404.html'), '<!doctype html><h1>页面不存在</h1>');
  });
  afterAll(async () => {
    await app.close();
    await t.drop();
    fs.rmSync(app.distDir, { recursive: true, force: true });
  });

  /** A main file and hand-made siblings whose bodies carry a marker, so the test sees which bytes were sent. */
  function publish(rel: string, body: string | Buffer, siblings: { br?: string | Buffer; gz?: string | Buffer } = {}, siblingAge = 0) {
    const file = path.join(client, rel);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, body);
    touch(file, -60);
    if (siblings.br !== undefined) {
      fs.writeFileSync(file + '.br', brotliCompressSync(siblings.br));
      touch(file + '.br', -60 + siblingAge);
    }
    if (siblings.gz !== undefined) {
      fs.writeFileSync(file + '.gz', gzipSync(siblings.gz));
      touch(file + '.gz', -60 + siblingAge);
    }
    return file;
  }

  it('sends the sibling the client accepts, with the main file’s type and ETag, and Vary', async () => {
    publish('a.html', html, { br: html + '<!--br-->', gz: html + '<!--gz-->' });
    const plain = await raw(app, '/a.html', { 'accept-encoding': 'identity' });
    expect(plain.body.toString()).toBe(html);
    const b = await raw(app, '/a.html', { 'accept-encoding': 'br' });
    expect(b.headers['content-encoding']).toBe('br');
    expect(brotliDecompressSync(b.body).toString()).toBe(html + '<!--br-->');
    expect(b.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(Number(b.headers['content-length'])).toBe(b.body.length);
    expect(b.headers.vary).toBe('Accept-Encoding');
    expect(b.headers.etag).toBe(plain.headers.etag); // one representation, one weak ETag
    const g = await raw(app, '/a.html', { 'accept-encoding': 'gzip' });
    expect(g.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(g.body).toString()).toBe(html + '<!--gz-->');
    const head = await raw(app, '/a.html', { 'accept-encoding': 'br' }, 'HEAD');
    expect(head.headers['content-length']).toBe(b.headers['content-length']);
  });

  it('sends the gzip sibling to a client that also takes brotli when there is no .br (search generation files)', async () => {
    const json = JSON.stringify(Array.from({ length: 200 }, (_, i) => ['手机', i]));
    publish('search/00000000000000ab/s1.json', json, { gz: json + ' ' });
    const g = await raw(app, '/search/00000000000000ab/s1.json', { 'accept-encoding': 'br, gzip' });
    expect(g.headers['content-encoding']).toBe('gzip'); // as nginx's brotli_static falls back to gzip_static
    expect(gunzipSync(g.body).toString()).toBe(json + ' '); // the sibling, not compressed here
    const b = await raw(app, '/search/00000000000000ab/s1.json', { 'accept-encoding': 'br' });
    expect(brotliDecompressSync(b.body).toString()).toBe(json); // brotli only: compressed in memory
  });

  it('ignores a sibling older than its file, and compresses in memory instead', async () => {
    publish('stale.html', html, { br: '<p>old</p>', gz: '<p>old</p>' }, -10);
    const b = await raw(app, '/stale.html', { 'accept-encoding': 'br' });
    expect(brotliDecompressSync(b.body).toString()).toBe(html);
    const g = await raw(app, '/stale.html', { 'accept-encoding': 'gzip' });
    expect(gunzipSync(g.body).toString()).toBe(html);
  });

  it('does not take a symlink as a sibling', async () => {
    const file = publish('linked.html', html);
    const elsewhere = path.join(app.distDir, 'elsewhere.br');
    fs.writeFileSync(elsewhere, brotliCompressSync('SECRET'));
    fs.symlinkSync(elsewhere, file + '.br');
    const b = await raw(app, '/linked.html', { 'accept-encoding': 'br' });
    expect(brotliDecompressSync(b.body).toString()).toBe(html);
  });

  it('picks up a sibling written after its file was first served', async () => {
    const file = publish('late.html', html);
    const first = await raw(app, '/late.html', { 'accept-encoding': 'gzip' });
    expect(gunzipSync(first.body).toString()).toBe(html);
    // a replaced page brings its new siblings: the cache follows the main file's identity
    fs.writeFileSync(file + '.new', html + '<!--v2-->');
    fs.renameSync(file + '.new', file);
    fs.writeFileSync(file + '.gz', gzipSync(html + '<!--v2 from sibling-->'));
    touch(file + '.gz', 5);
    const second = await raw(app, '/late.html', { 'accept-encoding': 'gzip' });
    expect(gunzipSync(second.body).toString()).toBe(html + '<!--v2 from sibling-->');
  });

  it('sends a file over the memory limit compressed when it has a sibling, and raw without one', async () => {
    // 5 MB, like a (smaller) search index
    const big = JSON.stringify({ docs: Array.from({ length: 250_000 }, (_, i) => `华为手机 ${i}`) });
    expect(Buffer.byteLength(big)).toBeGreaterThan(4 * 1024 * 1024);
    publish('search/00000000000000aa/b3.json', big, { gz: big });
    const g = await raw(app, '/search/00000000000000aa/b3.json', { 'accept-encoding': 'br, gzip' });
    expect(g.status).toBe(200);
    expect(g.headers['content-encoding']).toBe('gzip'); // no .br: the next best the client takes
    expect(g.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(g.headers['cache-control']).toContain('immutable');
    expect(Number(g.headers['content-length'])).toBe(g.body.length);
    expect(gunzipSync(g.body).toString()).toBe(big);
    const identity = await raw(app, '/search/00000000000000aa/b3.json', { 'accept-encoding': 'identity' });
    expect(identity.headers['content-encoding']).toBeUndefined();
    expect(identity.body.length).toBe(Buffer.byteLength(big));

    // a brotli sibling bigger than the memory limit is streamed from disk
    const huge = Buffer.alloc(4.5 * 1024 * 1024, 'x');
    const file = publish('search/00000000000000bb/b4.json', huge);
    const incompressible = crypto.randomBytes(4.5 * 1024 * 1024);
    fs.writeFileSync(file + '.br', incompressible); // not valid brotli: the server does not look inside
    touch(file + '.br', 0);
    const b = await raw(app, '/search/00000000000000bb/b4.json', { 'accept-encoding': 'br' });
    expect(b.headers['content-encoding']).toBe('br');
    expect(b.body.equals(incompressible)).toBe(true);
    const none = await raw(app, '/search/00000000000000bb/b4.json', { 'accept-encoding': 'gzip' });
    expect(none.headers['content-encoding']).toBeUndefined(); // too big to compress per request
    expect(none.body.length).toBe(huge.length);
  });

  it('does not serve a sibling as a URL of its own', async () => {
    publish('b.html', html, { br: html, gz: html });
    for (const p of ['/b.html.gz', '/b.html.br', '/search/00000000000000aa/b3.json.gz']) {
      const r = await raw(app, p);
      expect(r.status, p).toBe(404);
      expect(r.body.toString(), p).toContain('页面不存在');
    }
  });
});
