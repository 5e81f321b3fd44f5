import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { createStaff } from '../helpers/admin.ts';
import { ROOT, run } from '../helpers/cli.ts';
import { createTestDb, type TestDb } from '../helpers/db.ts';

// The production front: deploy/nginx/meiduo.conf (its paths and ports replaced, nothing else) in a
// real nginx — Debian's package with the brotli static module, as .ci/run installs — in front of two
// web processes over a built shop. Whatever nginx serves itself must answer as the embedded server
// does (same cache and security headers, same 404 page, the publisher's .br/.gz siblings), and the
// API must reach the web processes with the client's address (TRUST_PROXY).

const NGINX = process.env.TEST_NGINX ?? '/usr/sbin/nginx';
const BROTLI_MODULE = '/etc/nginx/modules-enabled/50-mod-http-brotli-static.conf';
const missing = !fs.existsSync(NGINX) ? `${NGINX} is missing (apt install nginx libnginx-mod-http-brotli-static)` : !fs.existsSync(BROTLI_MODULE) ? `the brotli static module is missing (apt install libnginx-mod-http-brotli-static)` : null;
if (missing) console.warn(`nginx test skipped: ${missing}`);

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/** One request, the body as sent (no decompression), optionally from another loopback address. */
function request(url: string, opts: { method?: string; headers?: Record<string, string>; body?: string; localAddress?: string } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: opts.method ?? 'GET', headers: opts.headers, localAddress: opts.localAddress, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

/** `text` with `from` replaced by `to`, failing when the config no longer says `from` (a drifted template). */
function replaced(text: string, from: string, to: string): string {
  expect(text, `deploy/nginx/meiduo.conf no longer contains '${from}'`).toContain(from);
  return text.split(from).join(to);
}

// headers both servers must agree on, for whatever nginx serves itself
const SAME = ['cache-control', 'content-type', 'content-security-policy', 'x-content-type-options', 'referrer-policy', 'vary', 'content-encoding'];
const SECURITY = ['content-security-policy', 'x-content-type-options', 'referrer-policy'];

describe.skipIf(missing !== null)('nginx in front of the shop (deploy/nginx/meiduo.conf)', () => {
  let t: TestDb;
  let web: TestApp[] = [];
  let distDir: string;
  let tmp: string;
  let nginx: ChildProcess | null = null;
  let front: string;
  let client: string;

  beforeAll(async () => {
    t = await createTestDb('sqlite', { seed: true });
    distDir = path.join(ROOT, '.test-dist', `nginx-${process.pid}-${crypto.randomBytes(3).toString('hex')}`);
    await run(['build'], { DATABASE_URL: t.url, DIST_DIR: distDir, MEDIA_DIR: t.mediaDir, LOG_LEVEL: 'warn' });
    client = path.join(distDir, 'client');
    // two web processes, as the upstream of the config, trusting the proxy on this machine
    for (let i = 0; i < 2; i++) web.push(await startTestApp(t, { distDir, config: { trustProxy: ['127.0.0.1'] } }));

    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'meiduo-nginx-'));
    const port = await freePort();
    let conf = fs.readFileSync(path.join(ROOT, 'deploy/nginx/meiduo.conf'), 'utf8');
    conf = replaced(conf, 'listen 80;', `listen 127.0.0.1:${port};`);
    conf = replaced(conf, 'server 127.0.0.1:8000;', `server 127.0.0.1:${web[0]!.server.port};`);
    conf = replaced(conf, 'server 127.0.0.1:8001;', `server 127.0.0.1:${web[1]!.server.port};`);
    conf = replaced(conf, '/srv/meiduo/dist/client', client);
    conf = replaced(conf, '/srv/meiduo/media', t.mediaDir);
    conf = replaced(conf, '/etc/nginx/snippets/meiduo-headers.conf', path.join(ROOT, 'deploy/nginx/meiduo-headers.conf'));
    fs.writeFileSync(path.join(tmp, 'meiduo.conf'), conf);
    // the surroundings Debian's /etc/nginx/nginx.conf gives it, with every path in the temp folder
    const asRoot = process.getuid?.() === 0;
    fs.writeFileSync(
      path.join(tmp, 'nginx.conf'),
      `${asRoot ? 'user root root;\n' : ''}worker_processes 1;
pid ${tmp}/nginx.pid;
error_log ${tmp}/error.log warn;
include /etc/nginx/modules-enabled/*.conf;
events { worker_connections 256; }
http {
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    sendfile on;
    log_format upstream '$request_uri $status $upstream_addr';
    access_log ${tmp}/access.log upstream;
    client_body_temp_path ${tmp}/body;
    proxy_temp_path ${tmp}/proxy;
    fastcgi_temp_path ${tmp}/fastcgi;
    uwsgi_temp_path ${tmp}/uwsgi;
    scgi_temp_path ${tmp}/scgi;
    include ${tmp}/meiduo.conf;
}
`,
    );
    // Debian's module snippets name their .so relative to the prefix (modules/…)
    fs.symlinkSync('/usr/lib/nginx/modules', path.join(tmp, 'modules'));
    const args = ['-p', tmp, '-c', path.join(tmp, 'nginx.conf'), '-e', path.join(tmp, 'error.log')];
    const check = spawnSync(NGINX, [...args, '-t'], { encoding: 'utf8' });
    expect(check.status, check.stderr).toBe(0);
    nginx = spawn(NGINX, [...args, '-g', 'daemon off;'], { stdio: ['ignore', 'inherit', 'inherit'] });
    front = `http://127.0.0.1:${port}`;
    for (let i = 0; ; i++) {
      const up = await request(front + '/robots.txt').then(() => true, () => false);
      if (up) break;
      if (i > 100) throw new Error(`nginx did not come up: ${fs.readFileSync(path.join(tmp, 'error.log'), 'utf8')}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }, 300_000);

  afterAll(async () => {
    if (nginx && nginx.exitCode === null) {
      const exited = new Promise((r) => nginx!.once('exit', r));
      nginx.kill('SIGQUIT'); // graceful: finishes open requests
      await exited;
    }
    for (const w of web) await w.close();
    await t?.drop();
    if (distDir) fs.rmSync(distDir, { recursive: true, force: true });
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  /** The same request to nginx and straight to a web process. */
  const both = async (p: string, opts: Parameters<typeof request>[1] = {}) => {
    const [viaNginx, embedded] = await Promise.all([request(front + p, opts), request(web[0]!.url + p, opts)]);
    return { viaNginx, embedded };
  };

  const sameHeaders = (a: Answer, b: Answer, names: readonly string[], label: string) => {
    for (const name of names) expect(a.headers[name], `${label}: ${name}`).toEqual(b.headers[name]);
  };

  /** A published file that has both compressed siblings, from 1 KB: `dir` below the client folder. */
  const withSiblings = (dir: string, ext: string) => {
    const names = fs.readdirSync(path.join(client, dir)).filter((f) => f.endsWith(ext) && fs.existsSync(path.join(client, dir, f + '.br')) && fs.existsSync(path.join(client, dir, f + '.gz')));
    expect(names.length, `no ${ext} with siblings in ${dir}`).toBeGreaterThan(0);
    return `/${dir ? dir + '/' : ''}${names[0]}`;
  };

  it('serves pages, a list page, clean URLs, a hashed asset, sitemap and robots.txt with the embedded server’s headers and bytes', async () => {
    const listDir = path.join(client, 'list');
    const category = fs.readdirSync(listDir)[0]!;
    const sort = fs.readdirSync(path.join(listDir, category))[0]!;
    const listPage = `/list/${category}/${sort}/1.html`;
    const asset = withSiblings('_astro', '.js');
    const css = fs.readdirSync(path.join(client, '_astro')).find((f) => f.endsWith('.css'))!;
    // a search generation's file (immutable) beside the manifest naming it (revalidated)
    const generation = JSON.parse(fs.readFileSync(path.join(client, 'search', 'manifest.json'), 'utf8')).generation;
    const paths: string[] = ['/', '/index.html', listPage, '/goods/1.html', '/goods/1', asset, `/_astro/${css}`, '/sitemap.xml', '/robots.txt', '/search/manifest.json', `/search/${generation}/table.json`];
    // a picture the seed put in MEDIA_DIR (nginx: alias /media/)
    const picture = (fs.readdirSync(t.mediaDir, { recursive: true }) as string[]).find((f) => /\.(jpe?g|png|webp|svg)$/.test(f));
    expect(picture, 'a seeded picture').toBeDefined();
    paths.push(`/media/${picture}`);
    for (const p of paths) {
      for (const encoding of ['identity', 'gzip', 'br']) {
        const { viaNginx, embedded } = await both(p, { headers: { 'accept-encoding': encoding } });
        expect(viaNginx.status, `${p} ${encoding}`).toBe(200);
        expect(embedded.status, `${p} ${encoding}`).toBe(200);
        sameHeaders(viaNginx, embedded, SAME, `${p} (${encoding})`);
        const decoded = (a: Answer) =>
          a.headers['content-encoding'] === 'br' ? zlib.brotliDecompressSync(a.body) : a.headers['content-encoding'] === 'gzip' ? zlib.gunzipSync(a.body) : a.body;
        expect(decoded(viaNginx).equals(decoded(embedded)), `${p} (${encoding}): the same bytes`).toBe(true);
      }
    }
    const home = await request(front + '/');
    expect(home.body.toString()).toContain('美多商城');
    expect((await request(front + '/goods/1.html')).body.toString()).toContain('iPhone 8 Plus');
    expect((await request(front + asset)).headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(home.headers['cache-control']).toBe('public, max-age=0, must-revalidate');
    expect((await request(front + '/robots.txt')).body.toString()).toMatch(/^Sitemap: http/m);
    expect((await request(front + '/sitemap.xml')).body.toString()).toContain('<sitemapindex');
  });

  it('sends the publisher’s .br and .gz siblings themselves, which decompress to the file', async () => {
    for (const p of [withSiblings('_astro', '.js'), withSiblings('goods', '.html'), withSiblings('', '.html')]) {
      const original = fs.readFileSync(path.join(client, p));
      const br = await request(front + p, { headers: { 'accept-encoding': 'gzip, deflate, br' } });
      expect(br.headers['content-encoding'], p).toBe('br');
      expect(br.headers.vary, p).toBe('Accept-Encoding');
      expect(br.body.equals(fs.readFileSync(path.join(client, p + '.br'))), `${p}: the .br sibling as it is`).toBe(true);
      expect(zlib.brotliDecompressSync(br.body).equals(original), p).toBe(true);
      const gz = await request(front + p, { headers: { 'accept-encoding': 'gzip' } });
      expect(gz.headers['content-encoding'], p).toBe('gzip');
      expect(gz.body.equals(fs.readFileSync(path.join(client, p + '.gz'))), `${p}: the .gz sibling as it is`).toBe(true);
      expect(zlib.gunzipSync(gz.body).equals(original), p).toBe(true);
      const plain = await request(front + p);
      expect(plain.headers['content-encoding'], p).toBeUndefined();
      expect(plain.body.equals(original), p).toBe(true);
      // a sibling is not a URL of its own, on either server
      const { viaNginx, embedded } = await both(p + '.br');
      expect([viaNginx.status, embedded.status], p + '.br').toEqual([404, 404]);
    }
  });

  it('answers unknown pages, hidden names and wrong methods as the embedded server does', async () => {
    const page404 = fs.readFileSync(path.join(client, '404.html'));
    for (const p of ['/no-such-page', '/goods/999999.html', '/render-internal/index.html', '/.stamp', '/_astro/missing.js']) {
      const { viaNginx, embedded } = await both(p, { headers: { 'accept-encoding': 'identity' } });
      expect([viaNginx.status, embedded.status], p).toEqual([404, 404]);
      sameHeaders(viaNginx, embedded, ['cache-control', 'content-type', ...SECURITY], p);
      expect(viaNginx.body.equals(page404), `${p}: the built 404 page`).toBe(true);
    }
    const { viaNginx, embedded } = await both('/index.html', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect([viaNginx.status, embedded.status]).toEqual([405, 405]);
    sameHeaders(viaNginx, embedded, ['allow', 'cache-control', ...SECURITY], 'POST /index.html');
    expect(JSON.parse(viaNginx.body.toString()).error.code).toBe('METHOD_NOT_ALLOWED');
  });

  it('proxies the API to both web processes, with one copy of each security header', async () => {
    const health = await request(front + '/api/health');
    expect(health.status).toBe(200);
    expect(JSON.parse(health.body.toString())).toMatchObject({ status: 'ok' });
    for (const name of SECURITY) expect(health.headers[name], name).toBe((await request(web[0]!.url + '/api/health')).headers[name]);
    const { viaNginx, embedded } = await both('/api/skus/1');
    expect(viaNginx.status).toBe(200);
    expect(JSON.parse(viaNginx.body.toString())).toEqual(JSON.parse(embedded.body.toString()));
    sameHeaders(viaNginx, embedded, ['cache-control', 'content-type', ...SECURITY], '/api/skus/1');
    const unknown = await both('/api/no-such-route');
    expect([unknown.viaNginx.status, unknown.embedded.status]).toEqual([404, 404]);
    expect(JSON.parse(unknown.viaNginx.body.toString()).error.code).toBe('ROUTE_NOT_FOUND');
    for (let i = 0; i < 6; i++) await request(front + '/api/skus/1');
    const used = new Set(fs.readFileSync(path.join(tmp, 'access.log'), 'utf8').split('\n').filter((l) => l.startsWith('/api/')).map((l) => l.split(' ')[2]));
    expect([...used].sort()).toEqual(web.map((w) => `127.0.0.1:${w.server.port}`).sort());
  });

  it('passes a POST body through and the client’s address (X-Forwarded-For, TRUST_PROXY), not one the client made up', async () => {
    const staff = await createStaff(web[0]!, { permissions: ['goods.add_brand', 'goods.view_brand'] });
    const name = `品牌${crypto.randomBytes(3).toString('hex')}`;
    // from 127.0.0.2, a loopback address that is not the proxy's: nginx appends it to the header it got
    const created = await request(front + '/api/admin/brands', {
      method: 'POST',
      headers: { ...staff.headers, 'content-type': 'application/json', 'x-forwarded-for': '203.0.113.9' },
      body: JSON.stringify({ name, first_letter: 'P' }),
      localAddress: '127.0.0.2',
    });
    expect(created.status, created.body.toString()).toBe(201);
    const brand = JSON.parse(created.body.toString());
    expect(brand.name).toBe(name);
    const entry = await t.db('admin_audit').where({ resource: 'goods.brand', resource_id: String(brand.id) }).first('ip', 'action');
    expect(entry).toMatchObject({ ip: '127.0.0.2' });
  });
});
