import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../api/clock.ts';
import { systemContext, type Actor, type RequestContext } from '../../api/context.ts';
import { adminCatalogRoutes } from '../../api/routes/admin/catalog.ts';
import { readChanges } from '../../api/services/catalog/outbox.ts';
import { planFor, planUrls } from '../../api/services/catalog/plan-pages.ts';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { createTestDb, type TestDb } from '../helpers/db.ts';
import { DB_KINDS } from '../helpers/env.ts';

// The admin catalog API (docs/admin-catalog.md) over the demo catalog: each resource's list, get,
// create, update and delete; every rule with its 4xx and nothing changed; 409 for deleting what is
// still used; the pages a write lists are what the pages.rebuild job will plan from the outbox.

const ALL = [
  ...['sku', 'spu', 'spec', 'spec_option', 'brand', 'category', 'channel', 'channel_group'].flatMap((m) => ['view', 'add', 'change', 'delete'].map((a) => `goods.${a}_${m}`)),
  ...['content', 'content_category'].flatMap((m) => ['view', 'add', 'change', 'delete'].map((a) => `contents.${a}_${m}`)),
];

const CATALOG_TABLES = [
  'skus', 'sku_options', 'spus', 'spu_specs', 'spec_options', 'brands', 'goods_categories', 'channel_groups', 'goods_channels',
  'content_categories', 'contents', 'page_changes', 'admin_audit',
];

describe.each(DB_KINDS)('the admin catalog API on %s', (kind) => {
  let t: TestDb;
  let app: TestApp;
  let viewer: TestApp;
  let ctx: RequestContext;
  let adminId = 0;
  const actor = (permissions: string[]): Actor => ({ kind: 'admin', userId: adminId, permissions: new Set(permissions) });

  beforeAll(async () => {
    t = await createTestDb(kind, { seed: true });
    const now = Date.now();
    const [id] = await t.db('users').insert({ username: 'admin', password_hash: 'x', mobile: '13900000000', email_active: false, is_active: true, created_at: now, updated_at: now });
    adminId = Number(id);
    app = await startTestApp(t, { overrides: { authenticator: { authenticate: async () => actor(ALL) } } });
    viewer = await startTestApp(t, { overrides: { authenticator: { authenticate: async () => actor(['goods.view_sku']) } } });
    ctx = systemContext('admin-catalog-test', { db: t.db, clock: systemClock });
  }, 120_000);
  afterAll(async () => {
    await viewer?.close();
    await app?.close();
    await t?.drop();
  });
  beforeEach(async () => {
    await t.db('page_changes').del();
  });

  const call = (method: string, p: string, body?: unknown, on: TestApp = app) =>
    on.json(p, { method, headers: body === undefined ? {} : { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  const post = (p: string, body: unknown) => call('POST', p, body);
  const patch = (p: string, body: unknown) => call('PATCH', p, body);
  const del = (p: string) => call('DELETE', p);

  /** Every catalog row: a refused write must leave this unchanged. */
  async function catalogState() {
    const out: Record<string, unknown[]> = {};
    for (const table of CATALOG_TABLES) out[table] = await t.db(table).select('*').orderBy('id');
    return JSON.stringify(out);
  }
  async function expectRefused(status: number, send: () => Promise<{ status: number; body: any }>, field?: string) {
    const before = await catalogState();
    const r = await send();
    expect(r.status, JSON.stringify(r.body)).toBe(status);
    expect(r.body.error.message).toEqual(expect.any(String));
    if (field) expect(Object.keys(r.body.error.fields ?? {}), JSON.stringify(r.body)).toContain(field);
    expect(await catalogState()).toBe(before);
    return r.body.error;
  }
  /** The pages the job will plan from what is in the outbox now. */
  async function outboxPages() {
    const pending = await readChanges(ctx, 1000);
    return pending ? planUrls(ctx, await planFor(ctx, pending.changes)) : [];
  }

  /** A demo SKU with its SPU's specs, and an SPU, brand and categories to build on. */
  async function demo() {
    const row = await t.db('skus as s').join('sku_options as o', 'o.sku_id', 's.id').where('s.is_launched', true).first('s.id', 's.spu_id', 's.category_id');
    const spu = await t.db('spus').where('id', row.spu_id).first();
    return { skuId: Number(row.id), spuId: Number(row.spu_id), categoryId: Number(row.category_id), spu };
  }

  /** A fresh SPU with specs 颜色 (红, 蓝) and 内存 (8G, 16G) and no SKU. */
  async function freshSpu() {
    const { spu } = await demo();
    const tag = Math.random().toString(36).slice(2, 8);
    const s = await post('/api/admin/spus', { name: `测试手机 ${tag}`, brand_id: spu.brand_id, category1_id: spu.category1_id, category2_id: spu.category2_id, category3_id: spu.category3_id });
    expect(s.status, JSON.stringify(s.body)).toBe(201);
    const color = (await post('/api/admin/specs', { spu_id: s.body.id, name: '颜色' })).body;
    const memory = (await post('/api/admin/specs', { spu_id: s.body.id, name: '内存', sequence: 1 })).body;
    const opt = async (spec_id: number, value: string) => (await post('/api/admin/spec-options', { spec_id, value })).body.id as number;
    return {
      spu: s.body,
      color: { id: color.id as number, red: await opt(color.id, '红'), blue: await opt(color.id, '蓝') },
      memory: { id: memory.id as number, m8: await opt(memory.id, '8G'), m16: await opt(memory.id, '16G') },
    };
  }

  it('lists SKUs by page, keyword (name or id) and SPU, and gets one', async () => {
    const all = await call('GET', '/api/admin/skus?page_size=5');
    expect(all.status).toBe(200);
    expect(all.body.results).toHaveLength(5);
    expect(all.body.count).toBe(Number((await t.db('skus').count({ n: '*' }).first())!.n));
    const second = await call('GET', '/api/admin/skus?page_size=5&page=2');
    expect(second.body.results[0].id).toBeGreaterThan(all.body.results[4].id);
    const { skuId, spuId } = await demo();
    const one = await call('GET', `/api/admin/skus/${skuId}`);
    expect(one.body).toMatchObject({ id: skuId, spu_id: spuId });
    expect(one.body.specs.length).toBeGreaterThan(0);
    const word = one.body.name.slice(0, 4);
    const byName = await call('GET', `/api/admin/skus?keyword=${encodeURIComponent(word)}&page_size=100`);
    expect(byName.body.count).toBeGreaterThan(0);
    for (const s of byName.body.results) expect(s.name.toLowerCase()).toContain(word.toLowerCase());
    const byId = await call('GET', `/api/admin/skus?keyword=${skuId}`);
    expect(byId.body.results.map((s: any) => s.id)).toContain(skuId);
    const bySpu = await call('GET', `/api/admin/skus?spu_id=${spuId}&page_size=100`);
    expect(bySpu.body.results.every((s: any) => s.spu_id === spuId)).toBe(true);
    // by brand (the SPU's): exactly the SKUs of that brand's SPUs, with the category filter too
    const brandId = (await t.db('spus').where('id', spuId).first('brand_id')).brand_id;
    const brandSkus = await t.db('skus as s').join('spus as p', 'p.id', 's.spu_id').where('p.brand_id', brandId).pluck('s.id');
    const byBrand = await call('GET', `/api/admin/skus?brand_id=${brandId}&page_size=100`);
    expect(byBrand.body.count).toBe(brandSkus.length);
    expect(byBrand.body.results.map((s: any) => s.id).sort((a: number, b: number) => a - b)).toEqual(brandSkus.sort((a: number, b: number) => a - b).slice(0, 100));
    const cat = one.body.category_id;
    const both = await call('GET', `/api/admin/skus?brand_id=${brandId}&category_id=${cat}&page_size=100`);
    expect(both.body.count).toBe(await t.db('skus as s').join('spus as p', 'p.id', 's.spu_id').where({ 'p.brand_id': brandId, 's.category_id': cat }).count({ n: '*' }).first().then((r: any) => Number(r.n)));
    expect((await call('GET', '/api/admin/skus?brand_id=abc')).status).toBe(400);
    // LIKE's wildcards are taken literally
    expect((await call('GET', '/api/admin/skus?keyword=%25')).body.count).toBe(0);
    expect((await call('GET', '/api/admin/skus/999999')).status).toBe(404);
    expect((await call('GET', '/api/admin/skus?page_size=1000')).status).toBe(400);
  });

  it('orders the SKU list by id, price, stock or sales either way, ties by id; 400 naming ordering for anything else', async () => {
    // a tie on every column, so the id tie-break shows
    const ids = (await t.db('skus').orderBy('id').limit(2).pluck('id')).map(Number);
    const saved = await t.db('skus').whereIn('id', ids).select('id', 'price', 'stock', 'sales');
    await t.db('skus').whereIn('id', ids).update({ price: '0.01', stock: 0, sales: 999999 });
    try {
      const count = Number((await t.db('skus').count({ n: '*' }).first())!.n);
      const cents = (p: string) => Math.round(Number(p) * 100);
      const key: Record<string, (s: any) => number> = { id: (s) => s.id, price: (s) => cents(s.price), stock: (s) => s.stock, sales: (s) => s.sales };
      for (const column of ['id', 'price', 'stock', 'sales']) {
        for (const desc of [false, true]) {
          const ordering = `${desc ? '-' : ''}${column}`;
          // every SKU, page by page: the pages join into one sorted list with no SKU twice
          const rows: any[] = [];
          for (let page = 1; rows.length < count; page++) {
            const r = await call('GET', `/api/admin/skus?ordering=${ordering}&page_size=7&page=${page}`);
            expect(r.status, JSON.stringify(r.body)).toBe(200);
            expect(r.body.count).toBe(count);
            rows.push(...r.body.results);
            if (r.body.results.length === 0) break;
          }
          expect(new Set(rows.map((s) => s.id)).size).toBe(count);
          const sign = desc ? -1 : 1;
          for (let i = 1; i < rows.length; i++) {
            const [a, b] = [rows[i - 1], rows[i]];
            const d = (key[column]!(a) - key[column]!(b)) * sign || (a.id - b.id) * sign;
            expect(d, `${ordering}: ${a.id} before ${b.id}`).toBeLessThan(0);
          }
        }
      }
      // the tie: the two SKUs come id-ordered in the ordering's direction
      const cheapest = await call('GET', '/api/admin/skus?ordering=price&page_size=2');
      expect(cheapest.body.results.map((s: any) => s.id)).toEqual(ids);
      const best = await call('GET', '/api/admin/skus?ordering=-sales&page_size=2');
      expect(best.body.results.map((s: any) => s.id)).toEqual([...ids].reverse());
      // with the filters too
      const { spuId } = await demo();
      const filtered = await call('GET', `/api/admin/skus?spu_id=${spuId}&ordering=-price&page_size=100`);
      const expected = await t.db('skus').where('spu_id', spuId).orderBy([{ column: 'price', order: 'desc' }, { column: 'id', order: 'desc' }]).pluck('id');
      expect(filtered.body.results.map((s: any) => s.id)).toEqual(expected.map(Number));
      // no ordering: by id, as before
      const plain = await call('GET', '/api/admin/skus?page_size=3');
      expect(plain.body.results.map((s: any) => s.id)).toEqual((await t.db('skus').orderBy('id').limit(3).pluck('id')).map(Number));
      for (const junk of ['name', 'price;drop', '--price', 'PRICE', '', 'create_time', 's.price']) {
        const r = await call('GET', `/api/admin/skus?ordering=${encodeURIComponent(junk)}`);
        expect(r.status, junk).toBe(400);
        expect(Object.keys(r.body.error.fields ?? {}), junk).toEqual(['ordering']);
      }
    } finally {
      for (const { id, ...was } of saved) await t.db('skus').where({ id }).update(was);
    }
  });

  it('creates a SKU with one option per spec, lists the pages the job will render, updates only what changed, deletes it', async () => {
    const f = await freshSpu();
    const { categoryId } = await demo();
    await t.db('page_changes').del();
    const created = await post('/api/admin/skus', {
      spu_id: f.spu.id, category_id: categoryId, name: '测试手机 红 8G', price: '1999.00', stock: 5,
      specs: [{ spec_id: f.color.id, option_id: f.color.red }, { spec_id: f.memory.id, option_id: f.memory.m8 }],
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const id = created.body.id;
    expect(created.body).toMatchObject({ price: '1999.00', market_price: '1999.00', stock: 5, is_launched: true, category_id: categoryId });
    expect(created.body.pages).toContain(`/goods/${id}.html`);
    expect(created.body.pages).toContain(`/list/${categoryId}/default/1.html`);
    expect(created.body.pages).toEqual(await outboxPages());
    expect(created.body.change_id).toBe(Number((await t.db('page_changes').max({ m: 'id' }).first())!.m));

    await t.db('page_changes').del();
    const priced = await patch(`/api/admin/skus/${id}`, { price: '1888.50' });
    expect(priced.status).toBe(200);
    expect(priced.body).toMatchObject({ id, price: '1888.50', name: '测试手机 红 8G', stock: 5 });
    expect(priced.body.pages).toContain(`/goods/${id}.html`);
    expect(priced.body.pages).toEqual(await outboxPages());
    // a stock change shows on no page — unless the SKU sells out or comes back: its page's availability (JSON-LD)
    await t.db('page_changes').del();
    const stocked = await patch(`/api/admin/skus/${id}`, { stock: 2 });
    expect(stocked.body.stock).toBe(2);
    expect(stocked.body.pages).toEqual([]);
    expect(await outboxPages()).toEqual([]);
    const soldOut = await patch(`/api/admin/skus/${id}`, { stock: 0 });
    expect(soldOut.body.pages).toEqual([`/goods/${id}.html`]);
    expect(await outboxPages()).toEqual([`/goods/${id}.html`]);
    // another combination; the siblings' selectors change with it
    const moved = await patch(`/api/admin/skus/${id}`, { specs: [{ spec_id: f.color.id, option_id: f.color.blue }, { spec_id: f.memory.id, option_id: f.memory.m16 }] });
    expect(moved.status, JSON.stringify(moved.body)).toBe(200);
    expect(moved.body.specs).toEqual([{ spec_id: f.color.id, option_id: f.color.blue }, { spec_id: f.memory.id, option_id: f.memory.m16 }]);

    await t.db('page_changes').del();
    const gone = await del(`/api/admin/skus/${id}`);
    expect(gone.status).toBe(200);
    expect(gone.body.pages).toContain(`/goods/${id}.html`);
    expect(gone.body.pages).toEqual(await outboxPages());
    expect(await t.db('skus').where('id', id).first()).toBeUndefined();
    expect(await t.db('sku_options').where('sku_id', id).first()).toBeUndefined();
    expect((await del(`/api/admin/skus/${id}`)).status).toBe(404);
    expect((await patch(`/api/admin/skus/${id}`, { stock: 1 })).status).toBe(404);

    // each write's audit entry, committed with it: who, what, old → new
    const audit = await t.db('admin_audit').where({ resource: 'goods.sku', resource_id: String(id) }).orderBy('id').select('action', 'actor_id', 'actor_name', 'changes');
    expect(audit.map((a) => a.action)).toEqual(['create', 'update', 'update', 'update', 'update', 'delete']);
    expect(audit.every((a) => Number(a.actor_id) === adminId && a.actor_name === 'admin')).toBe(true);
    expect(JSON.parse(audit[1].changes)).toEqual({ price: ['1999.00', '1888.50'] });
    expect(JSON.parse(audit[2].changes)).toEqual({ stock: [5, 2] });
    expect(JSON.parse(audit[3].changes)).toEqual({ stock: [2, 0] });
  });

  it('refuses every broken SKU rule with a 4xx naming the field, changing nothing', async () => {
    const f = await freshSpu();
    const other = await freshSpu();
    const { categoryId, skuId } = await demo();
    const base = { spu_id: f.spu.id, category_id: categoryId, name: '规则', price: '10.00' };
    const both = [{ spec_id: f.color.id, option_id: f.color.red }, { spec_id: f.memory.id, option_id: f.memory.m8 }];
    const ok = await post('/api/admin/skus', { ...base, specs: both });
    expect(ok.status).toBe(201);
    const create = (body: unknown) => () => post('/api/admin/skus', body);
    // an option of another spec
    await expectRefused(400, create({ ...base, specs: [{ spec_id: f.color.id, option_id: f.memory.m16 }, { spec_id: f.memory.id, option_id: f.memory.m8 }] }), 'specs.0.option_id');
    // a spec of another SPU
    await expectRefused(400, create({ ...base, specs: [{ spec_id: other.color.id, option_id: other.color.red }, { spec_id: f.memory.id, option_id: f.memory.m8 }] }), 'specs.0.spec_id');
    // one spec missing, one spec twice
    await expectRefused(400, create({ ...base, specs: [{ spec_id: f.color.id, option_id: f.color.blue }] }), 'specs');
    await expectRefused(400, create({ ...base, specs: [{ spec_id: f.color.id, option_id: f.color.blue }, { spec_id: f.color.id, option_id: f.color.red }] }), 'specs.1.spec_id');
    // the same combination as another SKU of the SPU
    const dup = await expectRefused(409, create({ ...base, specs: [...both].reverse() }), 'specs');
    expect(dup.message).toContain(`SKU ${ok.body.id}`);
    // money and stock
    for (const price of ['12.345', '-1.00', 'abc', '1e3', 12]) await expectRefused(400, create({ ...base, specs: both, price }), 'price');
    await expectRefused(400, create({ ...base, specs: both, stock: -1 }), 'stock');
    await expectRefused(400, create({ ...base, specs: both, stock: 1.5 }), 'stock');
    // a category that is not third-level, or none
    const top = await t.db('goods_categories').whereNull('parent_id').first('id');
    await expectRefused(400, create({ ...base, specs: both, category_id: top.id }), 'category_id');
    await expectRefused(400, create({ ...base, specs: both, category_id: 999999 }), 'category_id');
    await expectRefused(400, create({ ...base, specs: both, spu_id: 999999 }), 'spu_id');
    await expectRefused(400, create({ ...base, specs: both, name: '' }), 'name');
    await expectRefused(400, create({ ...base, specs: both, colour: 'red' }));
    // updates: the same rules, a combination taken by a sibling, nothing to change
    const second = await post('/api/admin/skus', { ...base, specs: [{ spec_id: f.color.id, option_id: f.color.blue }, { spec_id: f.memory.id, option_id: f.memory.m8 }] });
    expect(second.status).toBe(201);
    await expectRefused(409, () => patch(`/api/admin/skus/${second.body.id}`, { specs: both }), 'specs');
    await expectRefused(400, () => patch(`/api/admin/skus/${skuId}`, { price: '1.001' }), 'price');
    await expectRefused(400, () => patch(`/api/admin/skus/${skuId}`, { stock: -5 }), 'stock');
    await expectRefused(400, () => patch(`/api/admin/skus/${skuId}`, { category_id: top.id }), 'category_id');
    await expectRefused(400, () => patch(`/api/admin/skus/${skuId}`, {}));
    await expectRefused(400, () => patch(`/api/admin/skus/${skuId}`, { spu_id: other.spu.id }));
    await expectRefused(404, () => patch('/api/admin/skus/999999', { stock: 1 }));
  });

  it('two concurrent creates of one spec combination: one wins, the other is a 409', async () => {
    const f = await freshSpu();
    const { categoryId } = await demo();
    const body = { spu_id: f.spu.id, category_id: categoryId, name: '并发', price: '10.00', specs: [{ spec_id: f.color.id, option_id: f.color.red }, { spec_id: f.memory.id, option_id: f.memory.m16 }] };
    for (let round = 0; round < 3; round++) {
      const results = await Promise.all([post('/api/admin/skus', body), post('/api/admin/skus', body)]);
      const statuses = results.map((r) => r.status).sort();
      expect(statuses).toEqual(round === 0 ? [201, 409] : [409, 409]);
    }
    expect(await t.db('skus').where('spu_id', f.spu.id).count({ n: '*' }).first()).toMatchObject({ n: expect.anything() });
    expect(Number((await t.db('skus').where('spu_id', f.spu.id).count({ n: '*' }).first())!.n)).toBe(1);
  });

  it('SPUs: categories must be one line of three levels; delete is 409 while it has SKUs', async () => {
    const { spu, spuId } = await demo();
    const list = await call('GET', `/api/admin/spus?keyword=${encodeURIComponent(spu.name.slice(0, 3))}`);
    expect(list.body.results.map((s: any) => s.id)).toContain(spuId);
    const others = await t.db('goods_categories as c').join('goods_categories as p', 'p.id', 'c.parent_id').whereNot('p.id', spu.category2_id).whereNotNull('p.parent_id').first('c.id');
    const body = { name: '新 SPU', brand_id: spu.brand_id, category1_id: spu.category1_id, category2_id: spu.category2_id, category3_id: spu.category3_id };
    await expectRefused(400, () => post('/api/admin/spus', { ...body, category3_id: others.id }), 'category3_id');
    await expectRefused(400, () => post('/api/admin/spus', { ...body, category1_id: spu.category2_id }), 'category1_id');
    await expectRefused(400, () => post('/api/admin/spus', { ...body, brand_id: 999999 }), 'brand_id');
    const n = Number((await t.db('skus').where('spu_id', spuId).count({ n: '*' }).first())!.n);
    const used = await expectRefused(409, () => del(`/api/admin/spus/${spuId}`));
    expect(used.message).toContain(`${n} 个 SKU`);
    // an edit of the description re-renders its SKUs' pages
    await t.db('page_changes').del();
    const edited = await patch(`/api/admin/spus/${spuId}`, { desc_service: '<p>七天无理由退货</p>' });
    expect(edited.status).toBe(200);
    expect(edited.body.desc_service).toBe('<p>七天无理由退货</p>');
    const skuIds = (await t.db('skus').where({ spu_id: spuId, is_launched: true }).pluck('id')).map(Number);
    for (const id of skuIds) expect(edited.body.pages).toContain(`/goods/${id}.html`);
    expect(edited.body.pages).toEqual(await outboxPages());
    const created = await post('/api/admin/spus', body);
    expect(created.status).toBe(201);
    expect(created.body.pages).toEqual([]);
    expect((await del(`/api/admin/spus/${created.body.id}`)).status).toBe(200);
    expect((await call('GET', `/api/admin/spus/${created.body.id}`)).status).toBe(404);
  });

  it('specs and options: 409 on deleting what SKUs use, no new spec on an SPU with SKUs, duplicates refused', async () => {
    const { skuId, spuId } = await demo();
    const option = await t.db('sku_options').where('sku_id', skuId).first();
    const usedBy = Number((await t.db('sku_options').where('spec_id', option.spec_id).count({ n: '*' }).first())!.n);
    const e1 = await expectRefused(409, () => del(`/api/admin/specs/${option.spec_id}`));
    expect(e1.message).toContain(`${usedBy} 个 SKU`);
    const e2 = await expectRefused(409, () => del(`/api/admin/spec-options/${option.option_id}`));
    expect(e2.message).toMatch(/\d+ 个 SKU/);
    await expectRefused(409, () => post('/api/admin/specs', { spu_id: spuId, name: '新规格' }), 'spu_id');
    const spec = await t.db('spu_specs').where('id', option.spec_id).first();
    const opt = await t.db('spec_options').where('id', option.option_id).first();
    await expectRefused(409, () => post('/api/admin/spec-options', { spec_id: option.spec_id, value: opt.value }), 'value');
    // renaming an option re-renders the SPU's pages
    await t.db('page_changes').del();
    const renamed = await patch(`/api/admin/spec-options/${option.option_id}`, { value: `${opt.value}·新` });
    expect(renamed.status).toBe(200);
    expect(renamed.body.pages).toContain(`/goods/${skuId}.html`);
    expect(renamed.body.pages).toEqual(await outboxPages());
    const listed = await call('GET', `/api/admin/spec-options?spec_id=${option.spec_id}`);
    expect(listed.body.results.every((o: any) => o.spec_id === option.spec_id)).toBe(true);
    expect((await call('GET', `/api/admin/specs?spu_id=${spuId}`)).body.results.map((s: any) => s.name)).toContain(spec.name);
    // unused ones go
    const f = await freshSpu();
    expect((await del(`/api/admin/spec-options/${f.color.blue}`)).status).toBe(200);
    expect((await del(`/api/admin/specs/${f.memory.id}`)).status).toBe(200);
    expect(await t.db('spec_options').where('spec_id', f.memory.id).first()).toBeUndefined();
    expect((await patch(`/api/admin/specs/${f.color.id}`, { name: '颜色分类' })).body.name).toBe('颜色分类');
  });

  it('brands: name, first letter and aliases; 409 for a used brand or a taken name', async () => {
    const { spu } = await demo();
    const brand = await t.db('brands').where('id', spu.brand_id).first();
    const n = Number((await t.db('spus').where('brand_id', brand.id).count({ n: '*' }).first())!.n);
    const used = await expectRefused(409, () => del(`/api/admin/brands/${brand.id}`));
    expect(used.message).toContain(`${n} 个 SPU`);
    await expectRefused(409, () => post('/api/admin/brands', { name: brand.name, first_letter: 'X' }), 'name');
    await expectRefused(400, () => post('/api/admin/brands', { name: '新品牌', first_letter: 'xy' }), 'first_letter');
    await expectRefused(400, () => post('/api/admin/brands', { name: '新品牌', first_letter: 'X', logo: 'http://evil/x.png' }));
    const created = await post('/api/admin/brands', { name: '新品牌', first_letter: 'X', aliases: ['Xin', ' 新 '] });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: '新品牌', first_letter: 'X', aliases: ['Xin', '新'], logo: '', pages: [] });
    expect((await call('GET', '/api/admin/brands?keyword=xin')).body.results.map((b: any) => b.id)).toContain(created.body.id);
    // renaming a used brand: its SKUs' pages and the search index
    await t.db('page_changes').del();
    const renamed = await patch(`/api/admin/brands/${brand.id}`, { name: `${brand.name}新` });
    expect(renamed.body.pages.length).toBeGreaterThan(0);
    expect(renamed.body.pages).toEqual(await outboxPages());
    expect((await readChanges(ctx, 10))!.changes).toContainEqual({ kind: 'search' });
    // its aliases alone: no page shows them, the search index does (a search publish, nothing else)
    await t.db('page_changes').del();
    const aliased = await patch(`/api/admin/brands/${brand.id}`, { aliases: ['别名一', 'Alias2'] });
    expect(aliased.body).toMatchObject({ aliases: ['别名一', 'Alias2'], pages: [] });
    expect((await readChanges(ctx, 10))!.changes).toEqual([{ kind: 'search' }]);
    expect((await del(`/api/admin/brands/${created.body.id}`)).status).toBe(200);
  });

  it('categories: three levels at most, a level kept on moving, 409 with children or SKUs; channels and groups', async () => {
    const { categoryId } = await demo();
    const leaf = await call('GET', `/api/admin/categories/${categoryId}`);
    expect(leaf.body.level).toBe(3);
    const skus = Number((await t.db('skus').where('category_id', categoryId).count({ n: '*' }).first())!.n);
    const e = await expectRefused(409, () => del(`/api/admin/categories/${categoryId}`));
    expect(e.message).toContain(`${skus} 个 SKU`);
    const parent = leaf.body.parent_id;
    const children = Number((await t.db('goods_categories').where('parent_id', parent).count({ n: '*' }).first())!.n);
    expect((await expectRefused(409, () => del(`/api/admin/categories/${parent}`))).message).toContain(`${children} 个子分类`);
    await expectRefused(400, () => post('/api/admin/categories', { name: '四级', parent_id: categoryId }), 'parent_id');
    await expectRefused(400, () => post('/api/admin/categories', { name: '', parent_id: null }), 'name');
    const one = await post('/api/admin/categories', { name: '新一级' });
    const two = await post('/api/admin/categories', { name: '新二级', parent_id: one.body.id });
    const three = await post('/api/admin/categories', { name: '新三级', parent_id: two.body.id });
    expect([one.body.level, two.body.level, three.body.level]).toEqual([1, 2, 3]);
    expect(three.body.pages).toEqual([]);
    await expectRefused(400, () => patch(`/api/admin/categories/${three.body.id}`, { parent_id: one.body.id }), 'parent_id');
    const renamed = await patch(`/api/admin/categories/${three.body.id}`, { name: '新三级品类' });
    expect(renamed.body).toMatchObject({ name: '新三级品类', pages: ['*'] });

    // channels: a first-level category each, one channel per category, groups in use kept
    const group = await post('/api/admin/channel-groups', { name: '新频道组' });
    expect(group.status).toBe(201);
    await expectRefused(400, () => post('/api/admin/channels', { group_id: group.body.id, category_id: two.body.id }), 'category_id');
    await expectRefused(400, () => post('/api/admin/channels', { group_id: group.body.id, category_id: one.body.id, url: 'javascript:alert(1)' }), 'url');
    const channel = await post('/api/admin/channels', { group_id: group.body.id, category_id: one.body.id, url: '/list/1/default/1.html' });
    expect(channel.status, JSON.stringify(channel.body)).toBe(201);
    expect(channel.body).toMatchObject({ group: '新频道组', category: '新一级', pages: ['*'] });
    await expectRefused(409, () => post('/api/admin/channels', { group_id: group.body.id, category_id: one.body.id }), 'category_id');
    expect((await expectRefused(409, () => del(`/api/admin/channel-groups/${group.body.id}`))).message).toContain('1 个频道');
    expect((await expectRefused(409, () => del(`/api/admin/categories/${one.body.id}`))).message).toContain('1 个频道');
    expect((await call('GET', '/api/admin/channels?keyword=新一级')).body.count).toBe(1);
    expect((await patch(`/api/admin/channels/${channel.body.id}`, { sequence: 9 })).body.sequence).toBe(9);
    expect((await del(`/api/admin/channels/${channel.body.id}`)).status).toBe(200);
    expect((await del(`/api/admin/channel-groups/${group.body.id}`)).status).toBe(200);
    for (const c of [three, two, one]) expect((await del(`/api/admin/categories/${c.body.id}`)).status).toBe(200);
  });

  it('content categories and contents: the homepage re-rendered, links checked, a used slot kept', async () => {
    const slot = await post('/api/admin/content-categories', { name: '测试广告位', key: 'test-slot' });
    expect(slot.status).toBe(201);
    await expectRefused(409, () => post('/api/admin/content-categories', { name: '重复', key: 'test-slot' }), 'key');
    await expectRefused(400, () => post('/api/admin/content-categories', { name: '坏', key: 'Bad Key' }), 'key');
    const { skuId } = await demo();
    await t.db('page_changes').del();
    const item = await post('/api/admin/contents', { category_id: slot.body.id, title: '双十二', url: '/goods/1.html', sku_id: skuId });
    expect(item.status, JSON.stringify(item.body)).toBe(201);
    expect(item.body).toMatchObject({ title: '双十二', status: true, sku_id: skuId, pages: ['/'] });
    expect(item.body.pages).toEqual(await outboxPages());
    await expectRefused(400, () => post('/api/admin/contents', { category_id: slot.body.id, title: 'x', url: 'javascript:alert(1)' }), 'url');
    // the picture: a site path or an http(s) address, never a script
    await expectRefused(400, () => patch(`/api/admin/contents/${item.body.id}`, { image: 'javascript:alert(1)' }), 'image');
    await expectRefused(400, () => patch(`/api/admin/contents/${item.body.id}`, { image: `/media/${'x'.repeat(200)}.jpg` }), 'image');
    expect((await patch(`/api/admin/contents/${item.body.id}`, { image: '/media/ad.jpg' })).body).toMatchObject({ image: '/media/ad.jpg' });
    await expectRefused(400, () => patch(`/api/admin/contents/${item.body.id}`, { sku_id: 999999 }), 'sku_id');
    await expectRefused(400, () => patch(`/api/admin/contents/${item.body.id}`, { category_id: 999999 }), 'category_id');
    expect((await patch(`/api/admin/contents/${item.body.id}`, { status: false })).body).toMatchObject({ status: false, title: '双十二' });
    expect((await call('GET', `/api/admin/contents?keyword=${encodeURIComponent('双十二')}`)).body.count).toBe(1);
    expect((await expectRefused(409, () => del(`/api/admin/content-categories/${slot.body.id}`))).message).toContain('1 条内容');
    expect((await del(`/api/admin/contents/${item.body.id}`)).body.pages).toEqual(['/']);
    expect((await patch(`/api/admin/content-categories/${slot.body.id}`, { name: '测试位' })).body.name).toBe('测试位');
    expect((await del(`/api/admin/content-categories/${slot.body.id}`)).status).toBe(200);
    expect((await call('GET', `/api/admin/content-categories/${slot.body.id}`)).status).toBe(404);
  });

  it('junk bodies and ids on every admin route, as an admin: a 4xx, never a 5xx, nothing changed', async () => {
    const bodies: unknown[] = [
      null, [], 'x', 7, {}, { name: 123 }, { name: 'x'.repeat(5000) }, { price: '1e309' }, { stock: 1e300 }, { specs: 'x' },
      { specs: [{ spec_id: -1, option_id: 0 }] }, { specs: [null] }, { spu_id: 2 ** 40 }, { parent_id: 'x' }, { aliases: 'a,b' },
      { aliases: [1] }, { first_letter: '' }, { url: '//evil.example' }, { sku_id: 0 }, { __proto__: { admin: true } }, { key: '../x' },
    ];
    const before = await catalogState();
    for (const r of adminCatalogRoutes) {
      if (r.method === 'get' && !r.path.includes(':id')) continue; // the lists: junk queries below
      for (const id of ['0', '999999', 'abc', '1e3']) {
        const p = r.path.replace(':id', id);
        if (r.method === 'get' || r.method === 'delete') {
          const res = await call(r.method.toUpperCase(), p);
          expect(res.status, `${r.method} ${p}`).toBeGreaterThanOrEqual(400);
          expect(res.status, `${r.method} ${p}`).toBeLessThan(500);
          continue;
        }
        for (const body of bodies) {
          const res = await call(r.method.toUpperCase(), p, body);
          expect(res.status, `${r.method} ${p} ${JSON.stringify(body)}`).toBeGreaterThanOrEqual(400);
          expect(res.status, `${r.method} ${p} ${JSON.stringify(body)}`).toBeLessThan(500);
        }
        if (!r.path.includes(':id')) break;
      }
    }
    for (const q of ['?page=0', '?page_size=0', '?page=abc', '?keyword=' + 'x'.repeat(60), '?page=1&page=2', '?spu_id=-1']) {
      const res = await call('GET', `/api/admin/skus${q}`);
      expect(res.status, q).toBe(400);
    }
    expect(await catalogState()).toBe(before);
  }, 120_000);

  it('403 for staff without the permission, whatever the body', async () => {
    const { skuId } = await demo();
    expect((await call('GET', '/api/admin/skus', undefined, viewer)).status).toBe(200);
    await expectRefused(403, () => call('PATCH', `/api/admin/skus/${skuId}`, { price: '1.00' }, viewer));
    await expectRefused(403, () => call('POST', '/api/admin/skus', {}, viewer));
    await expectRefused(403, () => call('DELETE', `/api/admin/skus/${skuId}`, undefined, viewer));
    await expectRefused(403, () => call('POST', '/api/admin/brands', { name: 'x', first_letter: 'X' }, viewer));
    expect((await call('GET', '/api/admin/brands', undefined, viewer)).status).toBe(403);
    expect((await call('GET', '/api/admin/contents', undefined, viewer)).status).toBe(403);
  });
});
