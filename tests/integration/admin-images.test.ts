import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import zlib from 'node:zlib';
import pino from 'pino';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withTransaction } from '../../api/db/transaction.ts';
import { adminMediaRoutes } from '../../api/routes/admin/media.ts';
import { MediaService } from '../../api/services/media/media-service.ts';
import { LocalMediaStorage } from '../../api/services/media/storage.ts';
import { call } from '../helpers/api-client.ts';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { createTestDb, type TestDb } from '../helpers/db.ts';
import { DB_KINDS } from '../helpers/env.ts';

// Picture uploads (docs/admin-media.md) on both databases: what is stored is re-encoded in the
// pages' sizes without metadata, what is refused is refused from its first bytes or its header
// (415, 413, 400) without being decoded or buffered whole, and files go from storage when the last
// row naming them goes — not before.

const ALL = ['goods.view_sku_image', 'goods.add_sku_image', 'goods.change_sku_image', 'goods.delete_sku_image', 'goods.change_brand'];

/** A picture of noise, so its encoding cannot be tiny: `width`×`height`, in `format`. */
async function noise(width: number, height: number, format: 'jpeg' | 'png' | 'webp', opts: { alpha?: boolean } = {}): Promise<Buffer> {
  const channels = opts.alpha ? 4 : 3;
  const raw = Buffer.alloc(width * height * channels);
  for (let i = 0; i < raw.length; i++) raw[i] = (i * 2654435761) >>> 24 ^ (i & 0xff);
  const img = sharp(raw, { raw: { width, height, channels } });
  return format === 'jpeg' ? img.jpeg({ quality: 90 }).toBuffer() : format === 'png' ? img.png().toBuffer() : img.webp().toBuffer();
}

/** A PNG whose header says 20,000 × 20,000 (1-bit grey): ~50 KB that would decode to 400 megapixels. */
function pngBomb(): Buffer {
  const crc = (buf: Buffer) => {
    let c = ~0;
    for (const b of buf) {
      c ^= b;
      for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
    }
    return ~c >>> 0;
  };
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const sum = Buffer.alloc(4);
    sum.writeUInt32BE(crc(body));
    return Buffer.concat([len, body, sum]);
  };
  const size = 20_000;
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr[8] = 1; // bit depth
  ihdr[9] = 0; // greyscale
  const rows = Buffer.alloc((1 + size / 8) * size); // filter byte + 2,500 bytes a row, all zero
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', zlib.deflateSync(rows, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

const GIF = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');
const SVG = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>');

const form = (bytes: Buffer, field = 'image', filename = 'p.jpg', type = 'image/jpeg') => {
  const f = new FormData();
  f.append(field, new Blob([new Uint8Array(bytes)], { type }), filename);
  return f;
};

describe.each(DB_KINDS)('SKU pictures and brand logos on %s', (kind) => {
  let t: TestDb;
  let app: TestApp;
  let viewer: TestApp;
  let skuId: number;
  let otherSkuId: number;
  let unlaunchedId: number;
  let userId: number;

  beforeAll(async () => {
    t = await createTestDb(kind, { seed: true });
    userId = Number((await t.db('users').first('id'))!.id);
    app = await startTestApp(t, { overrides: { authenticator: { authenticate: async () => ({ kind: 'admin', userId, permissions: new Set(ALL) }) } } });
    viewer = await startTestApp(t, { overrides: { authenticator: { authenticate: async () => ({ kind: 'admin', userId, permissions: new Set(['goods.view_sku_image']) }) } } });
    const launched = await t.db('skus').where('is_launched', true).orderBy('id').limit(2).pluck('id');
    [skuId, otherSkuId] = launched.map(Number) as [number, number];
    // a SKU of our own without pictures, not launched: its first upload becomes its default
    const base = await t.db('skus').where('id', skuId).first();
    const { id: _id, ...copy } = base;
    const [id] = await t.db('skus').insert({ ...copy, name: '无图商品', default_image: '', is_launched: false });
    unlaunchedId = Number(id ?? (await t.db('skus').max({ id: 'id' }).first())!.id);
  }, 120_000);
  afterAll(async () => {
    await viewer?.close();
    await app?.close();
    await t?.drop();
  });

  const mediaFile = (url: string) => path.join(t.mediaDir, url.replace(/^\/media\//, ''));
  const upload = (id: number, body: FormData | Buffer, headers: Record<string, string> = {}) =>
    app.json(`/api/admin/skus/${id}/images`, { method: 'POST', body: body as BodyInit, headers });

  it('stores a JPEG re-encoded in every size, rotated as its EXIF said, without metadata, served under /media', async () => {
    const photo = await sharp(await noise(1200, 900, 'jpeg'))
      .withMetadata({ orientation: 6, exif: { IFD0: { Copyright: 'secret-owner', Artist: 'someone' } } })
      .jpeg()
      .toBuffer();
    expect((await sharp(photo).metadata()).exif).toBeDefined();
    const before = Number((await t.db('page_changes').count({ n: '*' }).first())!.n);
    const r = await upload(skuId, form(photo));
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ sku_id: skuId, is_default: false });
    expect(r.body.url).toMatch(/^\/media\/images\/[0-9a-f]{2}\/[0-9a-f]{32}-800\.jpg$/);
    // a launched SKU: its own page is re-rendered for its gallery
    expect(r.body.rebuild.pages).toContain(`/goods/${skuId}.html`);
    expect(Number((await t.db('page_changes').count({ n: '*' }).first())!.n)).toBeGreaterThan(before);
    // its audit entry, committed with it
    const [entry] = await t.db('admin_audit').where({ resource: 'goods.sku_image', resource_id: String(r.body.id) }).select('action', 'actor_id', 'changes');
    expect({ ...entry, actor_id: Number(entry.actor_id) }).toMatchObject({ action: 'create', actor_id: userId });
    expect(JSON.parse(entry.changes)).toMatchObject({ sku_id: [null, skuId], image: [null, r.body.url] });

    const want = { detail: 800, card: 440, thumb: 120 } as const;
    for (const [size, edge] of Object.entries(want)) {
      const url: string = r.body.sizes[size];
      const res = await app.get(url);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('image/jpeg');
      const bytes = Buffer.from(await res.arrayBuffer());
      expect(bytes.equals(fs.readFileSync(mediaFile(url)))).toBe(true);
      const meta = await sharp(bytes).metadata();
      // 1200 × 900 turned a quarter: portrait, its long side the size's
      expect([meta.width, meta.height]).toEqual([Math.round((edge * 900) / 1200), edge]);
      expect(meta.exif).toBeUndefined();
      expect(meta.orientation).toBeUndefined();
      expect(meta.icc).toBeUndefined();
      expect(bytes.includes(Buffer.from('secret-owner'))).toBe(false);
    }
    const row = await t.db('sku_images').where('id', r.body.id).first();
    expect(row).toMatchObject({ sku_id: skuId, image: r.body.url });
  });

  it('takes PNG (transparency flattened) and WebP, never enlarges a small one, and makes the first picture the default', async () => {
    const png = await upload(unlaunchedId, form(await noise(300, 200, 'png', { alpha: true }), 'image', 'a.png', 'image/png'));
    expect(png.status).toBe(201);
    expect(png.body).toMatchObject({ is_default: true, sequence: 0 });
    // not launched: its card is on no list; its detail page is listed as the job treats it — removed
    // if there is one (plan-pages.ts planUrls, the same list the catalog editor answers)
    expect(png.body.rebuild.pages).toEqual([`/goods/${unlaunchedId}.html`]);
    expect((await t.db('skus').where('id', unlaunchedId).first('default_image')).default_image).toBe(png.body.url);
    const meta = await sharp(fs.readFileSync(mediaFile(png.body.url))).metadata();
    expect(meta).toMatchObject({ format: 'jpeg', width: 300, height: 200, hasAlpha: false });

    const webp = await upload(unlaunchedId, form(await noise(500, 500, 'webp'), 'image', 'b.webp', 'image/webp'));
    expect(webp.status).toBe(201);
    expect(webp.body).toMatchObject({ is_default: false, sequence: 1 });
    expect((await sharp(fs.readFileSync(mediaFile(webp.body.sizes.card))).metadata()).width).toBe(440);

    // 16 bits a channel: the colours survive the trip through 8-bit pixels
    const deep = await sharp({ create: { width: 64, height: 64, channels: 3, background: { r: 200, g: 30, b: 40 } } }).toColourspace('rgb16').png().toBuffer();
    expect((await sharp(deep).metadata()).depth).toBe('ushort');
    const r16 = await upload(unlaunchedId, form(deep, 'image', 'deep.png', 'image/png'));
    expect(r16.status).toBe(201);
    const { channels } = await sharp(fs.readFileSync(mediaFile(r16.body.url))).stats();
    expect(channels.map((c) => Math.round(c.mean / 10))).toEqual([20, 3, 4]);
  });

  it('refuses what is not JPEG, PNG or WebP by its bytes (415), whatever the name and type claim', async () => {
    const cases: [Buffer, string, string][] = [
      [GIF, 'a.gif', 'image/gif'],
      [Buffer.from('just some text, not a picture at all'), 'photo.jpg', 'image/jpeg'],
      [SVG, 'logo.svg', 'image/svg+xml'],
      [SVG, 'logo.png', 'image/png'],
    ];
    const count = async () => Number((await t.db('sku_images').count({ n: '*' }).first())!.n);
    const before = await count();
    for (const [bytes, name, type] of cases) {
      const r = await upload(skuId, form(bytes, 'image', name, type));
      expect(r.status, name).toBe(415);
      expect(r.body.error.code).toBe('UNSUPPORTED_IMAGE_TYPE');
    }
    expect(await count()).toBe(before);
  });

  it('refuses a decompression bomb from its header, quickly and without decoding it', async () => {
    const bomb = pngBomb();
    expect(bomb.length).toBeLessThan(100_000);
    const rss = process.memoryUsage().rss;
    const started = performance.now();
    const r = await upload(skuId, form(bomb, 'image', 'bomb.png', 'image/png'));
    const ms = performance.now() - started;
    expect(r.status).toBe(413);
    expect(r.body.error.code).toBe('IMAGE_TOO_MANY_PIXELS');
    expect(ms).toBeLessThan(1000);
    // decoded, it would be 400 MB of pixels (50 MB packed)
    expect(process.memoryUsage().rss - rss).toBeLessThan(40 * 1024 * 1024);
  });

  /**
   * A chunked upload with no length announced, as fast as it goes up to 64 MiB, stopping at the answer;
   * or `deaf`, 256 KiB every 20 ms whatever the answer, until the server cuts it.
   */
  const streamUpload = (opts: { deaf?: boolean } = {}) =>
    new Promise<{ status: number; sent: number; body: string; cut: boolean }>((resolve, reject) => {
      const url = new URL(app.url);
      const boundary = 'bound4ry';
      const req = http.request({
        host: url.hostname, port: url.port, method: 'POST', path: `/api/admin/skus/${skuId}/images`,
        headers: { 'content-type': `multipart/form-data; boundary=${boundary}`, 'transfer-encoding': 'chunked' },
      });
      let sent = 0;
      let answered: { status: number; body: string } | undefined;
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => {
          answered = { status: res.statusCode!, body: Buffer.concat(chunks).toString() };
          if (!opts.deaf) resolve({ ...answered, sent, cut: false });
        });
      });
      req.on('error', (err) => (answered ? undefined : reject(err)));
      // the server hanging up after its answer: what a deaf client waits for
      req.on('socket', (socket) => socket.on('close', () => answered && resolve({ ...answered, sent, cut: true })));
      req.write(`--${boundary}\r\nContent-Disposition: form-data; name="image"; filename="x.jpg"\r\nContent-Type: image/jpeg\r\n\r\n`);
      const piece = Buffer.alloc(256 * 1024, 7);
      const pump = () => {
        while (!answered && sent < 64 * 1024 * 1024) {
          sent += piece.length;
          if (!req.write(piece)) return void req.once('drain', pump);
        }
        if (!answered) req.end();
      };
      // deaf: a piece every 20 ms for ever (until the server cuts it, or the test's timeout)
      const trickle = () => {
        sent += piece.length;
        req.write(piece);
        if (!req.socket?.destroyed) setTimeout(trickle, 20);
      };
      if (opts.deaf) {
        trickle();
        setTimeout(() => {
          req.destroy();
          reject(new Error('still not cut after 15 s'));
        }, 15_000).unref();
      }
      else pump();
    });

  it('refuses a file over 5 MiB with 413, announced or streamed, without reading it whole', async () => {
    const big = Buffer.alloc(6 * 1024 * 1024, 1);
    const announced = await upload(skuId, form(big));
    expect(announced.status).toBe(413);

    // chunked, no length announced: 64 MiB offered, the answer comes once 5 MiB are in
    const arrayBuffers = process.memoryUsage().arrayBuffers;
    const outcome = await streamUpload();
    expect(outcome.status).toBe(413);
    expect(JSON.parse(outcome.body).error.code).toBe('PAYLOAD_TOO_LARGE');
    expect(outcome.sent).toBeLessThan(64 * 1024 * 1024);
    expect(process.memoryUsage().arrayBuffers - arrayBuffers).toBeLessThan(24 * 1024 * 1024);
  });

  it('lets a client slow to read still read its 413: the rest is dropped, not left unread to reset the connection', async () => {
    // A socket closed with bytes unread sends a reset, and on Linux a reset throws away what the client
    // has received but not read yet. Pausing the request and hanging up did that to the 413 (now and
    // then `write EPIPE` in place of an answer); this client sends 8 MiB, then reads only 300 ms later.
    const url = new URL(app.url);
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = net.connect(Number(url.port), url.hostname);
      const chunks: Buffer[] = [];
      socket.on('error', reject);
      socket.on('data', (c) => chunks.push(c));
      socket.on('close', () => resolve(Buffer.concat(chunks).toString('latin1')));
      socket.pause();
      const boundary = 'bound4ry';
      const piece = Buffer.alloc(256 * 1024, 7);
      const chunk = (b: Buffer) => Buffer.concat([Buffer.from(`${b.length.toString(16)}\r\n`), b, Buffer.from('\r\n')]);
      socket.write(
        `POST /api/admin/skus/${skuId}/images HTTP/1.1\r\nHost: ${url.host}\r\nContent-Type: multipart/form-data; boundary=${boundary}\r\nTransfer-Encoding: chunked\r\n\r\n`,
      );
      socket.write(chunk(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="image"; filename="x.jpg"\r\nContent-Type: image/jpeg\r\n\r\n`)));
      for (let i = 0; i < 32; i++) socket.write(chunk(piece));
      setTimeout(() => {
        socket.resume();
        setTimeout(() => socket.destroy(), 500); // enough to read what has come
      }, 300);
    });
    expect(answer).toMatch(/^HTTP\/1\.1 413 /);
    expect(answer).toContain('PAYLOAD_TOO_LARGE');
  });

  it('cuts a client that goes on sending after its 413', async () => {
    const started = Date.now();
    const outcome = await streamUpload({ deaf: true });
    expect(outcome.status).toBe(413);
    expect(outcome.cut).toBe(true);
    expect(Date.now() - started).toBeLessThan(10_000);
    // and serves the next request as before
    expect((await app.get('/api/health')).status).toBe(200);
  }, 20_000);

  it('lets go of an upload whose client leaves mid-body, and goes on serving', async () => {
    const url = new URL(app.url);
    await new Promise<void>((resolve) => {
      const req = http.request({
        host: url.hostname, port: url.port, method: 'POST', path: `/api/admin/skus/${skuId}/images`,
        headers: { 'content-type': 'multipart/form-data; boundary=qq', 'content-length': String(4 * 1024 * 1024) },
      });
      req.on('error', () => resolve());
      req.write('--qq\r\nContent-Disposition: form-data; name="image"; filename="a.jpg"\r\n\r\n');
      req.write(Buffer.alloc(512 * 1024, 3), () => setTimeout(() => {
        req.destroy();
        resolve();
      }, 50));
    });
    const r = await upload(skuId, form(await noise(40, 40, 'jpeg')));
    expect(r.status).toBe(201);
  });

  it('answers 400 for a malformed multipart body or a missing field, 415 for JSON, 404 for an unknown SKU', async () => {
    const noBoundary = await upload(skuId, Buffer.from('abc'), { 'content-type': 'multipart/form-data' });
    expect(noBoundary.status).toBe(400);
    const truncated = await upload(skuId, Buffer.from('--xx\r\nContent-Disposition: form-data; name="image"; filename="a.jpg"\r\n\r\nabc'), { 'content-type': 'multipart/form-data; boundary=xx' });
    expect(truncated.status).toBe(400);
    const garbage = await upload(skuId, Buffer.from('this is not multipart at all'), { 'content-type': 'multipart/form-data; boundary=xx' });
    expect(garbage.status).toBe(400);
    const wrongField = await upload(skuId, form(await noise(50, 50, 'jpeg'), 'picture'));
    expect(wrongField.status).toBe(400);
    expect(wrongField.body.error.fields).toHaveProperty('image');
    const textField = new FormData();
    textField.append('image', 'not a file');
    expect((await upload(skuId, textField)).status).toBe(400);
    const twoFiles = form(await noise(50, 50, 'jpeg'));
    twoFiles.append('image', new Blob([new Uint8Array(await noise(50, 50, 'jpeg'))], { type: 'image/jpeg' }), 'b.jpg');
    expect((await upload(skuId, twoFiles)).status).toBe(400);
    const json = await upload(skuId, Buffer.from('{}'), { 'content-type': 'application/json' });
    expect(json.status).toBe(415);
    const unknown = await upload(9_999_999, form(await noise(50, 50, 'jpeg')));
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('SKU_NOT_FOUND');
  });

  it('sets the order and the default picture, re-rendering the SKU’s pages', async () => {
    const a = (await upload(otherSkuId, form(await noise(100, 100, 'jpeg')))).body;
    const b = (await upload(otherSkuId, form(await noise(120, 100, 'jpeg')))).body;
    const list = await app.json(`/api/admin/skus/${otherSkuId}/images`);
    expect(list.status).toBe(200);
    const ids: number[] = list.body.results.map((i: { id: number }) => i.id);
    expect(ids.slice(-2)).toEqual([a.id, b.id]);

    const order = [b.id, ...ids.filter((id) => id !== b.id)];
    const r = await app.json(`/api/admin/skus/${otherSkuId}/images`, { method: 'PATCH', body: JSON.stringify({ order, default_image_id: b.id }), headers: { 'content-type': 'application/json' } });
    expect(r.status).toBe(200);
    expect(r.body.results.map((i: { id: number }) => i.id)).toEqual(order);
    expect(r.body.results[0]).toMatchObject({ id: b.id, sequence: 0, is_default: true });
    expect(r.body.default_image).toBe(b.url);
    // a new default picture shows on its cards: its list pages too
    expect(r.body.rebuild.pages).toContain(`/goods/${otherSkuId}.html`);
    expect(r.body.rebuild.pages.some((p: string) => p.startsWith('/list/'))).toBe(true);
    expect((await t.db('skus').where('id', otherSkuId).first('default_image')).default_image).toBe(b.url);

    const bad = await app.json(`/api/admin/skus/${otherSkuId}/images`, { method: 'PATCH', body: JSON.stringify({ order: order.slice(1) }), headers: { 'content-type': 'application/json' } });
    expect(bad.status).toBe(400);
    const foreign = await app.json(`/api/admin/skus/${otherSkuId}/images`, { method: 'PATCH', body: JSON.stringify({ default_image_id: 9_999_999 }), headers: { 'content-type': 'application/json' } });
    expect(foreign.status).toBe(400);
    expect((await app.json(`/api/admin/skus/9999999/images`)).status).toBe(404);
  });

  it('deletes a picture: its files stay while another row uses the same bytes, and go with the last', async () => {
    const bytes = await noise(200, 160, 'jpeg');
    const one = (await upload(skuId, form(bytes))).body;
    const two = (await upload(otherSkuId, form(bytes))).body;
    expect(two.url).toBe(one.url); // named by content: stored once
    const files = Object.values(one.sizes as Record<string, string>).map(mediaFile);
    expect(files.every((f) => fs.existsSync(f))).toBe(true);

    const del1 = await app.json(`/api/admin/skus/${skuId}/images/${one.id}`, { method: 'DELETE' });
    expect(del1.status).toBe(200);
    expect(del1.body.rebuild.pages).toContain(`/goods/${skuId}.html`);
    expect(await t.db('sku_images').where('id', one.id).first()).toBeUndefined();
    expect(files.every((f) => fs.existsSync(f))).toBe(true);

    const del2 = await app.json(`/api/admin/skus/${otherSkuId}/images/${two.id}`, { method: 'DELETE' });
    expect(del2.status).toBe(200);
    expect(files.some((f) => fs.existsSync(f))).toBe(false);
    expect(await t.db('media_files').where('key', one.url.replace(/^\/media\//, '').replace(/-800\.jpg$/, '')).first()).toBeUndefined();
    expect((await app.get(one.url)).status).toBe(404);

    // the wrong SKU's picture id, or one gone already: 404
    expect((await app.json(`/api/admin/skus/${skuId}/images/${two.id}`, { method: 'DELETE' })).status).toBe(404);
  });

  it('deleting the default picture makes the next one the default', async () => {
    const list = (await app.json(`/api/admin/skus/${unlaunchedId}/images`)).body;
    const def = list.results.find((i: { is_default: boolean }) => i.is_default);
    const r = await app.json(`/api/admin/skus/${unlaunchedId}/images/${def.id}`, { method: 'DELETE' });
    expect(r.status).toBe(200);
    const next = list.results.find((i: { id: number }) => i.id !== def.id);
    expect(r.body.default_image).toBe(next.url);
    expect(fs.existsSync(mediaFile(def.url))).toBe(false);
  });

  it('replaces a brand logo (a PNG, transparency kept) and removes the old one’s file', async () => {
    const brandId = Number((await t.db('brands').first('id')).id);
    const first = await app.json(`/api/admin/brands/${brandId}/logo`, { method: 'POST', body: form(await noise(800, 800, 'png', { alpha: true }), 'image', 'l.png', 'image/png') });
    expect(first.status).toBe(200);
    expect(first.body.logo).toMatch(/^\/media\/logos\/[0-9a-f]{2}\/[0-9a-f]{32}-400\.png$/);
    const meta = await sharp(fs.readFileSync(mediaFile(first.body.logo))).metadata();
    expect(meta).toMatchObject({ format: 'png', width: 200, height: 200, hasAlpha: true });
    const res = await app.get(first.body.logo);
    expect(res.headers.get('content-type')).toBe('image/png');

    const second = await app.json(`/api/admin/brands/${brandId}/logo`, { method: 'POST', body: form(await noise(300, 100, 'webp'), 'image', 'l.webp', 'image/webp') });
    expect(second.status).toBe(200);
    expect((await t.db('brands').where('id', brandId).first('logo')).logo).toBe(second.body.logo);
    expect(fs.existsSync(mediaFile(first.body.logo))).toBe(false);
    expect(fs.existsSync(mediaFile(second.body.logo))).toBe(true);
    expect((await app.json(`/api/admin/brands/9999999/logo`, { method: 'POST', body: form(await noise(30, 30, 'png'), 'image', 'l.png', 'image/png') })).status).toBe(404);
  });

  it('answers 403 to staff without the permission, and changes nothing', async () => {
    const before = Number((await t.db('sku_images').count({ n: '*' }).first())!.n);
    expect((await viewer.json(`/api/admin/skus/${skuId}/images`)).status).toBe(200);
    const r = await viewer.json(`/api/admin/skus/${skuId}/images`, { method: 'POST', body: form(await noise(50, 50, 'jpeg')) });
    expect(r.status).toBe(403);
    const some = Number((await t.db('sku_images').where('sku_id', skuId).first('id')).id);
    expect((await viewer.json(`/api/admin/skus/${skuId}/images/${some}`, { method: 'DELETE' })).status).toBe(403);
    expect((await viewer.json(`/api/admin/skus/${skuId}/images`, { method: 'PATCH', body: '{"order":[]}', headers: { 'content-type': 'application/json' } })).status).toBe(403);
    expect((await viewer.json(`/api/admin/brands/1/logo`, { method: 'POST', body: form(await noise(50, 50, 'png'), 'image', 'l.png', 'image/png') })).status).toBe(403);
    expect(Number((await t.db('sku_images').count({ n: '*' }).first())!.n)).toBe(before);
  });

  it('removes files only after the transaction that dropped their last use commits (a rolled-back delete keeps them)', async () => {
    const { services } = app;
    const context = services.systemContext('test');
    const image = await services.media.addSkuImage(context, skuId, await noise(90, 90, 'jpeg'));
    const file = mediaFile(image.url);
    // a caller's transaction (a SKU editor deleting a picture, then failing later): nothing goes
    await expect(withTransaction(context, async (tx) => {
      await services.media.deleteSkuImage(tx, skuId, image.id);
      throw new Error('the caller fails after the delete');
    })).rejects.toThrow('the caller fails');
    expect(await t.db('sku_images').where('id', image.id).first()).toBeDefined();
    await new Promise((r) => setTimeout(r, 100)); // a sweep would have run by now
    expect(fs.existsSync(file)).toBe(true);
    // the same, committed: the files go once it has
    await withTransaction(context, (tx) => services.media.deleteSkuImage(tx, skuId, image.id));
    for (let i = 0; i < 50 && fs.existsSync(file); i++) await new Promise((r) => setTimeout(r, 20));
    expect(fs.existsSync(file)).toBe(false);
  });

  it('an upload whose transaction fails leaves neither a row nor files behind', async () => {
    const { services } = app;
    const local = new LocalMediaStorage(t.mediaDir);
    let puts = 0;
    // the second size cannot be written (a full disk, an object store's outage)
    const failing = Object.assign(Object.create(local) as LocalMediaStorage, {
      put: async (key: string, data: Buffer, type: string) => {
        if (++puts === 2) throw new Error('disk full');
        return local.put(key, data, type);
      },
    });
    const media = new MediaService(failing, services.catalog, services.log);
    const rows = Number((await t.db('sku_images').count({ n: '*' }).first())!.n);
    const bytes = await noise(70, 70, 'jpeg');
    await expect(media.addSkuImage(services.systemContext('test'), skuId, bytes)).rejects.toThrow('disk full');
    expect(Number((await t.db('sku_images').count({ n: '*' }).first())!.n)).toBe(rows);
    const stored = fs.readdirSync(path.join(t.mediaDir, 'images'), { recursive: true }).map(String);
    const ok = await services.media.addSkuImage(services.systemContext('test'), skuId, bytes); // the same bytes, now stored
    const base = path.basename(ok.url).replace(/-800\.jpg$/, '');
    expect(stored.filter((f) => f.includes(base))).toEqual([]);
    expect(await t.db('media_files').where('key', 'like', `%${base}`).count({ n: '*' }).first()).toMatchObject({ n: 1 });
  });

  it('first uploads of the same bytes at once never deadlock (MariaDB took a gap lock on the missing media_files row in each)', async () => {
    const { services } = app;
    const warnings: Record<string, unknown>[] = [];
    const log = pino({ level: 'warn', base: undefined }, { write: (line: string) => void warnings.push(JSON.parse(line)) });
    const media = new MediaService(services.media.storage, services.catalog, log);
    const ids = (await t.db('skus').orderBy('id').limit(8).pluck('id')).map(Number);
    for (let round = 0; round < 3; round++) {
      const bytes = await noise(60 + round, 60, 'jpeg'); // bytes no upload has stored yet
      const done = await Promise.allSettled(ids.map((id) => media.addSkuImage(services.systemContext('test'), id, bytes)));
      expect(done.map((d) => d.status), `round ${round}`).toEqual(ids.map(() => 'fulfilled'));
      const urls = new Set(done.map((d) => (d as PromiseFulfilledResult<{ url: string }>).value.url));
      expect(urls.size).toBe(1);
      expect(fs.existsSync(mediaFile([...urls][0]!))).toBe(true);
    }
    expect(warnings.map((w) => w.msg)).toEqual([]);
  });

  it('same bytes at once: uploads to several SKUs store one picture; a delete racing an upload of them never loses the files', async () => {
    const ids = (await t.db('skus').orderBy('id').limit(4).pluck('id')).map(Number);
    const bytes = await noise(150, 150, 'jpeg');
    const all = await Promise.all(ids.map((id) => upload(id, form(bytes))));
    expect(all.map((r) => r.status)).toEqual(ids.map(() => 201));
    const url: string = all[0]!.body.url;
    expect(new Set(all.map((r) => r.body.url))).toEqual(new Set([url]));
    const base = url.replace(/^\/media\//, '').replace(/-800\.jpg$/, '');
    expect(Number((await t.db('media_files').where('key', base).count({ n: '*' }).first())!.n)).toBe(1);
    for (const r of all.slice(1)) expect((await app.json(`/api/admin/skus/${r.body.sku_id}/images/${r.body.id}`, { method: 'DELETE' })).status).toBe(200);

    // the last use deleted while the same bytes are uploaded again elsewhere, several times over
    let current = all[0]!.body;
    for (let round = 0; round < 6; round++) {
      const target = ids[(round % 3) + 1]!;
      const [del, up] = await Promise.all([
        app.json(`/api/admin/skus/${current.sku_id}/images/${current.id}`, { method: 'DELETE' }),
        upload(target, form(bytes)),
      ]);
      expect([del.status, up.status]).toEqual([200, 201]);
      for (const f of Object.values(up.body.sizes as Record<string, string>)) expect(fs.existsSync(mediaFile(f)), `round ${round}: ${f}`).toBe(true);
      current = up.body;
    }
    expect((await app.json(`/api/admin/skus/${current.sku_id}/images/${current.id}`, { method: 'DELETE' })).status).toBe(200);
    expect(fs.existsSync(mediaFile(url))).toBe(false);
  });

  it('answers malformed input to every picture route, as staff, with a 4xx in the error shape and changes nothing', async () => {
    // api-malformed.test.ts sweeps every route as a customer, who is refused before any body is
    // read; this sweeps the picture routes as the staff who may call them
    const tables = ['sku_images', 'skus', 'brands', 'page_changes', 'media_files'];
    const counts = async () => Promise.all(tables.map(async (tb) => Number((await t.db(tb).count({ n: '*' }).first())!.n)));
    const before = await counts();
    const junkParams = ['abc', '-1', '0', '1e3', '99999999999999999999', '%00', '..%2F..%2Fetc', 'a'.repeat(300)];
    const b = 'zz';
    const part = (headers: string, body: string) => `--${b}\r\n${headers}\r\n\r\n${body}\r\n`;
    const multipart: [string, string][] = [
      ['', `multipart/form-data; boundary=${b}`],
      [`--${b}--\r\n`, `multipart/form-data; boundary=${b}`],
      ['junk', 'multipart/form-data; boundary='],
      ['junk', 'multipart/form-data; boundary="'],
      [part('Content-Type: image/jpeg', 'x') + `--${b}--`, `multipart/form-data; boundary=${b}`],
      [part('Content-Disposition: form-data', 'x') + `--${b}--`, `multipart/form-data; boundary=${b}`],
      [part('Content-Disposition: form-data; name="image"', 'x'.repeat(2000)) + `--${b}--`, `multipart/form-data; boundary=${b}`],
      [Array.from({ length: 30 }, (_, i) => part(`Content-Disposition: form-data; name="f${i}"`, 'v')).join('') + `--${b}--`, `multipart/form-data; boundary=${b}`],
      [part('Content-Disposition: form-data; name="image"; filename="../../etc/passwd"', 'root:x:0:0') + `--${b}--`, `multipart/form-data; boundary=${b}`],
      [part('Content-Disposition: form-data; name="image"; filename="a.jpg"', '\xff\xd8\xff\xe0 truncated jpeg') + `--${b}--`, `multipart/form-data; boundary=${b}`],
      ['{"order":[1,2]}', 'application/json'],
      ['{"order":"x","default_image_id":-1}', 'application/json'],
      ['{"order":[1.5]}', 'application/json'],
      ['{"default_image_id":99999999999999999999}', 'application/json'],
      ['{', 'application/json'],
      ['image=x', 'application/x-www-form-urlencoded'],
      ['hello', 'text/plain'],
    ];
    const failures: string[] = [];
    for (const route of adminMediaRoutes) {
      const method = route.method.toUpperCase();
      for (const j of junkParams) {
        const r = await call(app, method, route.path.replace(/:\w+/g, j));
        if (r.status < 400 || r.status >= 500 || typeof r.body?.error?.code !== 'string') failures.push(`${r.status} ${method} ${route.path} ${j}`);
      }
      if (method === 'GET' || method === 'DELETE') continue;
      for (const [raw, type] of multipart) {
        const r = await call(app, method, route.path.replace(/:\w+/g, '1'), { raw, headers: { 'content-type': type } });
        if (r.status < 400 || r.status >= 500 || typeof r.body?.error?.code !== 'string') failures.push(`${r.status} ${method} ${route.path} ${type} ${raw.slice(0, 40)}`);
      }
    }
    expect(failures).toEqual([]);
    expect(await counts()).toEqual(before);
  });
});
