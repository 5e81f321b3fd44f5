import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acceptedCodings } from '../../api/middleware/encoding.ts';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { createTestDb, type TestDb } from '../helpers/db.ts';

interface RawAnswer {
  status: number;
  headers: Map<string, string>;
  body: Buffer;
}

/** One request written byte for byte (node:http would refuse to send most of these), answer read to the close. */
function rawHttp(port: number, request: string): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const sock = net.connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    sock.setTimeout(10_000, () => {
      sock.destroy();
      reject(new Error(`no answer to ${JSON.stringify(request.slice(0, 200))}`));
    });
    sock.on('data', (c) => chunks.push(c));
    sock.on('error', reject);
    sock.on('close', () => {
      let all = Buffer.concat(chunks);
      // skip interim answers (100 Continue)
      while (/^HTTP\/1\.[01] 1\d\d /.test(all.subarray(0, 16).toString('latin1')) && all.includes('\r\n\r\n')) {
        all = all.subarray(all.indexOf('\r\n\r\n') + 4);
      }
      const end = all.indexOf('\r\n\r\n');
      const head = all.subarray(0, end < 0 ? all.length : end).toString('latin1').split('\r\n');
      const headers = new Map<string, string>();
      for (const line of head.slice(1)) {
        const i = line.indexOf(':');
        headers.set(line.slice(0, i).toLowerCase(), line.slice(i + 1).trim());
      }
      resolve({ status: Number(head[0]!.split(' ')[1]), headers, body: end < 0 ? Buffer.alloc(0) : all.subarray(end + 4) });
    });
    sock.write(Buffer.from(request, 'latin1'));
  });
}

const request = (target: string, headers: string[], method = 'GET', body = '') =>
  `${method} ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n${headers.map((h) => h + '\r\n').join('')}\r\n${body}`;

describe('Accept-Encoding', () => {
  it.each([
    [undefined, []],
    ['', []],
    ['gzip', ['gzip']],
    ['br', ['br']],
    ['gzip, deflate, br, zstd', ['br', 'gzip']],
    ['GZIP, BR', ['br', 'gzip']],
    ['x-gzip', ['gzip']],
    ['br;q=0.5, gzip', ['gzip', 'br']],
    ['br;q=0.5, gzip;q=0.5', ['br', 'gzip']],
    ['*', ['br', 'gzip']],
    ['*;q=0.1, gzip', ['gzip', 'br']],
    ['*;q=0', []],
    ['identity;q=0', []],
    ['identity;q=0, *;q=0', []],
    ['gzip;q=0, br;q=0, identity;q=0', []],
    ['*;q=0, br', ['br']],
    ['gzip, gzip;q=0', []], // a refusal listed twice (two headers) still refuses
    ['gzip;q=abc, br;q=2, deflate', []], // malformed weights: those entries mean nothing
    ['gzip;q=0.500, br;q=0.5000', ['gzip']],
    ['gzip ; q = 0.3 ,br; Q=0.2', ['gzip', 'br']],
    ['gzip;level=9', ['gzip']],
    [',,,;;;', []],
    ['g'.repeat(10_000), []],
  ])('%j → %j', (header, expected) => {
    expect(acceptedCodings(header as string | undefined)).toEqual(expected);
  });
});

// Odd and hostile requests against every kind of answer: API, pages, pictures, unknown paths.
// Whatever arrives, the answer is below 500 and the server keeps answering.
describe('hostile requests', () => {
  let t: TestDb;
  let app: TestApp;
  let port: number;
  const page = '<!doctype html><title>商品</title>' + '<p>美多商城 iPhone 8 Plus</p>'.repeat(200);

  beforeAll(async () => {
    t = await createTestDb('sqlite', { seed: true });
    app = await startTestApp(t);
    port = app.server.port;
    const client = path.join(app.distDir, 'client');
    fs.mkdirSync(path.join(client, 'goods'), { recursive: true });
    fs.writeFileSync(path.join(client, 'index.html'), page);
    fs.writeFileSync(path.join(client, 'goods', '1.html'), page);
    fs.writeFileSync(path.join(client, '404.html'), '<!doctype html><h1>页面不存在</h1>');
    targets.push((await t.db('skus').first('default_image')).default_image); // a real picture under /media/
  });
  afterAll(async () => {
    await app?.close();
    await t?.drop();
  });

  it('answers a client that refuses every coding with the body as it is', async () => {
    for (const ae of ['identity;q=0', '*;q=0', 'identity;q=0, *;q=0', 'gzip;q=0, br;q=0, identity;q=0', 'compress, deflate']) {
      // the menu is over the JSON compression threshold; the page over the static one
      const menu = await rawHttp(port, request('/api/categories', [`Accept-Encoding: ${ae}`]));
      expect(menu.status, ae).toBe(200);
      expect(menu.headers.has('content-encoding'), ae).toBe(false);
      expect(JSON.parse(menu.body.toString())).toHaveLength(11);
      const p = await rawHttp(port, request('/goods/1.html', [`Accept-Encoding: ${ae}`]));
      expect(p.status, ae).toBe(200);
      expect(p.headers.has('content-encoding'), ae).toBe(false);
      expect(p.body.toString()).toBe(page);
    }
  });

  it('compresses large JSON in the coding the client prefers', async () => {
    // the OpenAPI document: large whatever the catalog (the demo's menu, empty categories left out, is under the threshold)
    const r = await rawHttp(port, request('/api/openapi.json', ['Accept-Encoding: gzip, deflate, br']));
    expect(r.headers.get('content-encoding')).toBe('br');
    expect(r.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(r.headers.get('vary')).toBe('Accept-Encoding');
  });

  const targets: string[] = [
    '/api/categories',
    '/api/categories/1/skus?page=1',
    '/api/skus/1',
    '/api/search?q=%E5%8D%8E%E4%B8%BA',
    '/api/health',
    '/api/openapi.json',
    '/api/docs',
    '/api/nope',
    '/api',
    '/',
    '/goods/1.html',
    '/goods/1',
    '/media/goods/none.jpg',
    '/nope.html',
    '/render-internal/goods/1',
  ];
  const headerSets: string[][] = [
    ['Accept-Encoding: identity;q=0'],
    ['Accept-Encoding: *;q=0'],
    ['Accept-Encoding: gzip;q=abc, br;q=2, identity;q=-1'],
    ['Accept-Encoding: gzip', 'Accept-Encoding: identity;q=0, *;q=0'],
    ['Accept-Encoding: br', 'Accept-Encoding: br'],
    [`Accept-Encoding: ${'gzip;q=0.5,'.repeat(1200)}`],
    ['Accept-Encoding: \u00e9\u00ff;q=1'],
    ['Accept-Encoding: ;;;,,,=,q='],
    ['Accept: application/xml;q=abc, */*;q='],
    ['Accept: \u00ff\u00fe'],
    ['Accept: text/html', 'Accept: application/json'],
    ['If-None-Match: *'],
    ['If-None-Match: "'],
    ['If-None-Match: W/'],
    [`If-None-Match: ${'"x", '.repeat(1000)}"y"`],
    ['If-Modified-Since: garbage'],
    ['If-Modified-Since: 0'],
    ['If-Modified-Since: Sat, 01 Jan 10000 00:00:00 GMT'],
    ['If-Modified-Since: Thu, 01 Jan 1970 00:00:00 GMT', 'If-None-Match: nonsense'],
    ['If-Unmodified-Since: yesterday'],
    ['Range: bytes=0-0'],
    ['Range: bytes=5-1'],
    ['Range: bytes=-1,0-1,2-3'],
    ['Range: lines=1-2'],
    ['If-Range: garbage', 'Range: bytes=0-10'],
    ['Content-Type: application/json', 'Content-Length: 0'],
    ['Content-Type: multipart/form-data; boundary='],
    ['Cache-Control: no-cache, max-age=abc'],
    ['Cookie: =; ;;a=%ZZ'],
    ['X-Forwarded-For: ::::', 'X-Forwarded-Host: evil.example', 'X-Forwarded-Proto: gopher'],
    ['Origin: null'],
    ['Expect: 100-continue'],
  ];

  it('never answers odd headers with a 5xx', async () => {
    for (const target of targets) {
      for (const headers of headerSets) {
        const r = await rawHttp(port, request(target, headers));
        expect(r.status, `${target} ${JSON.stringify(headers).slice(0, 120)}`).toBeGreaterThanOrEqual(200);
        expect(r.status, `${target} ${JSON.stringify(headers).slice(0, 120)}`).toBeLessThan(500);
      }
    }
  });

  it('never answers odd request lines, hosts and bodies with a 5xx', async () => {
    const raws = [
      'GET /api/skus/%E0%A4%A HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
      'GET /api/skus/% HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
      'GET /goods/%E0%A4%A.html HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
      'GET /media/% HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
      'GET /%C0%AE%C0%AE/%C0%AE%C0%AE/etc/passwd HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
      'GET /goods/\u0000.html HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
      'GET /goods\\..\\..\\etc\\passwd HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
      'GET //api//skus//1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
      'GET http://evil.example/api/skus/1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
      'GET * HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
      'OPTIONS * HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
      'GET /api/health HTTP/1.1\r\nConnection: close\r\n\r\n', // no Host
      'GET /api/health HTTP/1.1\r\nHost: \r\nConnection: close\r\n\r\n',
      'GET / HTTP/1.1\r\nHost: [::1\r\nConnection: close\r\n\r\n',
      'GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\nConnection: close\r\n\r\n',
      `GET / HTTP/1.1\r\nHost: ${'h'.repeat(4000)}:99999\r\nConnection: close\r\n\r\n`,
      'GET /api/skus/1 HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n{bad}',
      'GET /goods/1.html HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\nConnection: close\r\n\r\n',
      'GET /goods/1.html HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\nConnection: close\r\n\r\nab',
      'GET /goods/1.html HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n5\r\nhello\r\n0\r\n\r\n',
      'GET / HTTP/1.0\r\n\r\n',
      'GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\nX-Huge: ' + 'a'.repeat(20_000) + '\r\n\r\n',
      'POST /api/skus/1 HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 9\r\nConnection: close\r\n\r\n{bad json',
      'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nConnection: close\r\n\r\na=b',
      'PROPFIND /media/ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
      'TRACE /api/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
      'DELETE /render-internal/goods/1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
      'HEAD /api/categories HTTP/1.1\r\nHost: x\r\nAccept-Encoding: identity;q=0\r\nConnection: close\r\n\r\n',
      'HEAD /goods/1.html HTTP/1.1\r\nHost: x\r\nAccept-Encoding: *;q=0\r\nConnection: close\r\n\r\n',
    ];
    for (const r of raws) {
      const answer = await rawHttp(port, r);
      expect(answer.status, JSON.stringify(r.slice(0, 120))).toBeGreaterThanOrEqual(200);
      expect(answer.status, JSON.stringify(r.slice(0, 120))).toBeLessThan(500);
    }
    expect((await app.json('/api/health')).status).toBe(200);
  });
});
