import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publishSearchIndex } from '../../api/services/search/publish.ts';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { createTestDb, type TestDb } from '../helpers/db.ts';
import { DB_KINDS, REDIS_URL } from '../helpers/env.ts';

describe.each(DB_KINDS)('catalog API on %s', (kind) => {
  let t: TestDb;
  let app: TestApp;
  let phones: number;
  let unlaunched: number;

  beforeAll(async () => {
    t = await createTestDb(kind, { seed: true });
    app = await startTestApp(t, { redisUrl: kind === 'mysql' ? REDIS_URL : null });
    await publishSearchIndex(t.db, path.join(app.distDir, 'client'));
    phones = (await t.db('goods_categories as c').join('goods_categories as p', 'p.id', 'c.parent_id').where({ 'c.name': '手机', 'p.name': '手机通讯' }).first('c.id')).id;
    unlaunched = (await t.db('skus').where('is_launched', false).first('id')).id;
  });
  afterAll(async () => {
    await app?.close();
    await t?.drop();
  });

  it('reports health, with the published search index before any search', async () => {
    const { status, body, headers } = await app.json('/api/health');
    expect(status).toBe(200);
    expect(body).toMatchObject({ status: 'ok', database: kind });
    expect(body.search_index).toMatch(/^[0-9a-f]{16}$/); // the published generation
    expect(headers.get('cache-control')).toBe('no-store');
  });

  it('serves the category menu', async () => {
    const { status, body } = await app.json('/api/categories');
    expect(status).toBe(200);
    expect(body).toHaveLength(11);
    expect(body[0].channels.map((c: { name: string }) => c.name)).toEqual(['手机', '运营商', '数码']);
    const cat3 = body[0].subs[0].subs[0];
    expect(cat3.url).toBe(`/list/${cat3.id}/default/1.html`);
  });

  it('serves a breadcrumb for any level', async () => {
    const leaf = await app.json(`/api/categories/${phones}`);
    expect(leaf.body).toMatchObject({ level: 3, cat1: { name: '手机' }, cat2: { name: '手机通讯' }, cat3: { id: phones, name: '手机' } });
    const top = await app.json(`/api/categories/${leaf.body.cat1.id}`);
    expect(top.body).toMatchObject({ level: 1, cat2: null, cat3: null });
  });

  it('lists a category’s SKUs in each ordering, paged', async () => {
    const all = await app.json(`/api/categories/${phones}/skus?page_size=100`);
    expect(all.status).toBe(200);
    const count = all.body.count;
    expect(count).toBeGreaterThanOrEqual(45);
    expect(all.body.results).toHaveLength(Math.min(count, 100));
    expect(Object.keys(all.body.results[0]).sort()).toEqual(['comments', 'default_image_url', 'id', 'name', 'price']);
    expect(all.body.results.every((r: { id: number }) => r.id !== unlaunched)).toBe(true);

    const byPrice = await app.json(`/api/categories/${phones}/skus?ordering=price&page_size=100`);
    const prices = byPrice.body.results.map((r: { price: string }) => Number(r.price));
    expect(prices).toEqual([...prices].sort((a, b) => a - b));
    expect(byPrice.body.results[0].price).toMatch(/^\d+\.\d{2}$/);

    const p1 = await app.json(`/api/categories/${phones}/skus?ordering=-sales&page_size=20&page=1`);
    const p2 = await app.json(`/api/categories/${phones}/skus?ordering=-sales&page_size=20&page=2`);
    const ids = [...p1.body.results, ...p2.body.results].map((r: { id: number }) => r.id);
    expect(new Set(ids).size).toBe(40);

    const hot = await app.json(`/api/categories/${phones}/hotskus`);
    expect(hot.body.map((r: { id: number }) => r.id)).toEqual(p1.body.results.slice(0, 2).map((r: { id: number }) => r.id));
  });

  it('serves a SKU with stock, launched or not', async () => {
    const sku = await app.json('/api/skus/1');
    expect(sku.status).toBe(200);
    expect(sku.body).toMatchObject({ id: 1, is_launched: true, url: '/goods/1.html' });
    expect(typeof sku.body.stock).toBe('number');
    expect(sku.headers.get('cache-control')).toBe('no-store');
    const off = await app.json(`/api/skus/${unlaunched}`);
    expect(off.body).toMatchObject({ is_launched: false, url: null });
  });

  it('reads a SKU with one prepared statement (no knex query), never another transaction’s uncommitted stock', async () => {
    const db = app.services.db;
    let queries = 0;
    const count = () => queries++;
    db.on('query', count);
    try {
      const first = await app.json('/api/skus/1');
      expect(first.status).toBe(200);
      expect(queries).toBe(0); // api/db/prepared.ts, not knex's builder and runner
    } finally {
      db.off('query', count);
    }
    const before = (await app.json('/api/skus/1')).body.stock as number;
    // a transaction holds a write to the stock: the read waits for it (SQLite's one connection) or
    // reads the committed row (MariaDB), and in both shows what was committed
    const trx = await db.transaction();
    await trx('skus').where('id', 1).update({ stock: before + 1000 });
    const during = app.json('/api/skus/1');
    await new Promise((r) => setTimeout(r, 50));
    await trx.rollback();
    expect((await during).body.stock).toBe(before);
    expect((await app.json('/api/skus/999999')).body.error.code).toBe('SKU_NOT_FOUND');
  });

  it('searches the published index and hydrates from the database', async () => {
    const r = await app.json(`/api/search?q=${encodeURIComponent('华为 手机')}&page_size=5`);
    expect(r.status).toBe(200);
    expect(r.body.count).toBeGreaterThan(5);
    expect(r.body.results).toHaveLength(5);
    expect(r.body.results[0].name).toMatch(/^华为 HUAWEI/);
    expect(r.body.index).toMatch(/^[0-9a-f]{16}$/); // the generation it searched
    const none = await app.json(`/api/search?q=${encodeURIComponent('不存在的东西xyz')}`);
    expect(none.body).toMatchObject({ count: 0, results: [] });
    const syntax = await app.json(`/api/search?q=${encodeURIComponent('6GB+64GB ~2 a:b* ^')}`);
    expect(syntax.status).toBe(200);
  });

  it.each([
    ['/api/categories/0', 400],
    ['/api/categories/-1/skus', 400],
    ['/api/categories/1.5', 400],
    ['/api/categories/abc/hotskus', 400],
    ['/api/categories/99999999999999999999', 400],
    ['/api/categories/999999', 404],
    ['/api/categories/999999/skus', 404],
    ['/api/categories/999999/hotskus', 404],
    ['/api/skus/999999', 404],
    ['/api/skus/%E0%A4%A', 400],
    ['/api/categories/1/skus?page=0', 400],
    ['/api/categories/1/skus?page=abc', 400],
    ['/api/categories/1/skus?page=2&page=3', 400],
    ['/api/categories/1/skus?page_size=101', 400],
    ['/api/categories/1/skus?ordering=name', 400],
    ['/api/categories/1/skus?ordering=price&ordering=-sales', 400],
    ['/api/categories/1/skus?page=500', 404],
    ['/api/search', 400],
    ['/api/search?q=', 400],
    [`/api/search?q=${'x'.repeat(101)}`, 400],
    ['/api/search?q=a&page=-3', 400],
    ['/api/nothing', 404],
    ['/api/', 404],
  ])('answers %s with a clear %i JSON error', async (url, status) => {
    const r = await app.json(url);
    expect(r.status).toBe(status);
    expect(r.body.error.code).toMatch(/^[A-Z_]+$/);
    expect(typeof r.body.error.message).toBe('string');
  });

  // Ids, page and page_size are decimal digits: no hex, binary, exponent, sign or blank (api/numbers.ts).
  it.each([
    ['/api/categories/0x10', 'id'],
    ['/api/categories/0b11/skus', 'id'],
    ['/api/categories/1e0/hotskus', 'id'],
    ['/api/skus/0x10', 'id'],
    ['/api/skus/0b11', 'id'],
    ['/api/skus/0o7', 'id'],
    ['/api/skus/1e0', 'id'],
    ['/api/skus/+1', 'id'],
    ['/api/skus/%2B1', 'id'],
    ['/api/skus/%201', 'id'],
    ['/api/skus/1.0', 'id'],
    ['/api/skus/%EF%BC%91', 'id'], // fullwidth 1
    ['/api/categories/1/skus?page=0x2', 'page'],
    ['/api/categories/1/skus?page=0b1', 'page'],
    ['/api/categories/1/skus?page=1e0', 'page'],
    ['/api/categories/1/skus?page=%2B1', 'page'],
    ['/api/categories/1/skus?page=', 'page'],
    ['/api/categories/1/skus?page=%201', 'page'],
    ['/api/categories/1/skus?page_size=0x10', 'page_size'],
    ['/api/categories/1/skus?page_size=1e1', 'page_size'],
    ['/api/categories/1/skus?page_size=%2B5', 'page_size'],
    ['/api/categories/1/skus?page_size=', 'page_size'],
    ['/api/search?q=a&page=0x1', 'page'],
    ['/api/search?q=a&page_size=2e1', 'page_size'],
  ])('refuses %s: %s must be decimal digits', async (url, field) => {
    const r = await app.json(url);
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('VALIDATION_ERROR');
    expect(Object.keys(r.body.error.fields)).toEqual([field]);
  });

  it('refuses a wrong method with 405 and internal routes with 404', async () => {
    const r = await app.json('/api/skus/1', { method: 'POST', body: '{bad json' });
    expect(r.status).toBe(405);
    expect(r.body.error.code).toBe('METHOD_NOT_ALLOWED');
    expect(r.headers.get('allow')).toBe('GET, HEAD');
    expect((await app.get('/render-internal/goods/1')).status).toBe(404);
  });

  it('never answers malformed input with a 5xx', async () => {
    const skuCount = Number((await t.db('skus').count({ n: '*' }).first())?.n);
    const junk = ['%', '%00', '..%2f..%2f', '\u0000', '😀', "'; drop table skus; --", '1e309', '0x10', ' 1', '[]', '{}', 'NaN', 'Infinity'];
    for (const j of junk) {
      for (const p of [`/api/skus/${j}`, `/api/categories/${j}/skus`, `/api/categories/1/skus?page=${j}&ordering=${j}&page_size=${j}`, `/api/search?q=${j}&page=${j}`]) {
        let status: number;
        try {
          status = (await app.get(p)).status;
        } catch {
          continue; // a URL fetch itself refuses to send
        }
        expect(status, p).toBeLessThan(500);
      }
    }
    // and the sweep changed nothing: every SKU is still there
    expect(Number((await t.db('skus').count({ n: '*' }).first())?.n)).toBe(skuCount);
  });
});
