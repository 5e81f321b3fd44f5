import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../api/clock.ts';
import { systemContext, type RequestContext } from '../../api/context.ts';
import { CatalogService } from '../../api/services/catalog/catalog-service.ts';
import { BrowseHistoryService, HISTORY_LENGTH } from '../../api/services/history/browse-history.ts';
import { loginAs } from '../helpers/accounts.ts';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { createTestDb, type TestDb } from '../helpers/db.ts';
import { DB_KINDS } from '../helpers/env.ts';

// Browse history over the seeded demo catalog: the 5 latest launched SKUs per user, newest first,
// one row per SKU; the service first, then the two routes over HTTP.

describe.each(DB_KINDS)('browse history on %s', (kind) => {
  let t: TestDb;
  let history: BrowseHistoryService;
  let launched: number[];
  let unlaunched: number;
  const clock = new ManualClock(Date.UTC(2026, 10, 26, 8, 0, 0));
  let ctx: RequestContext;
  let users = 0;

  const newUser = async (): Promise<number> => {
    users += 1;
    const [id] = await t.db('users').insert({
      username: `hist_user_${users}`,
      password_hash: 'x',
      mobile: `1370000${String(users).padStart(4, '0')}`,
      created_at: 0,
      updated_at: 0,
    });
    return Number(id);
  };
  const visit = (userId: number, skuId: number) => {
    clock.advance(1000);
    return history.record(ctx, userId, skuId, clock.now().getTime());
  };
  const ids = async (userId: number) => (await history.recent(ctx, userId)).map((s) => s.id);
  const rows = async (userId: number) => Number((await t.db('browse_histories').where({ user_id: userId }).count({ n: '*' }))[0]!.n);

  beforeAll(async () => {
    t = await createTestDb(kind, { seed: true });
    ctx = systemContext('history-test', { db: t.db, clock });
    history = new BrowseHistoryService();
    launched = await t.db('skus').where('is_launched', true).orderBy('id').limit(8).pluck('id');
    unlaunched = (await t.db('skus').where('is_launched', false).first('id')).id;
  });
  afterAll(() => t?.drop());

  it('keeps the 5 latest visits, newest first, as SKU summaries', async () => {
    const userId = await newUser();
    expect(await history.recent(ctx, userId)).toEqual([]);
    for (const id of launched.slice(0, 6)) expect(await visit(userId, id)).toEqual({ sku_id: id });
    expect(await ids(userId)).toEqual(launched.slice(1, 6).reverse());
    expect(await rows(userId)).toBe(HISTORY_LENGTH);

    // the same summary the catalog lists show
    const [first] = await history.recent(ctx, userId);
    expect(first).toEqual((await new CatalogService().summaries(ctx, [launched[5]!]))[0]);
    expect(Object.keys(first!).sort()).toEqual(['comments', 'default_image_url', 'id', 'name', 'price']);
    expect(first!.price).toMatch(/^\d+\.\d{2}$/);
  });

  it('moves a revisited SKU to the front without a second row', async () => {
    const userId = await newUser();
    const [a, b, c] = launched;
    await visit(userId, a!);
    await visit(userId, b!);
    await visit(userId, c!);
    await visit(userId, a!);
    expect(await ids(userId)).toEqual([a, c, b]);
    expect(await rows(userId)).toBe(3);
  });

  it('keeps the order of the visits when the clock stands still or steps back', async () => {
    const userId = await newUser();
    const [a, b, c] = launched;
    const at = clock.now().getTime();
    await history.record(ctx, userId, a!, at);
    await history.record(ctx, userId, b!, at);
    await history.record(ctx, userId, c!, at - 60_000);
    expect(await ids(userId)).toEqual([c, b, a]);
  });

  it('refuses an unknown or unlaunched SKU with 404 and records nothing', async () => {
    const userId = await newUser();
    for (const skuId of [unlaunched, 2_000_000_000]) {
      await expect(visit(userId, skuId)).rejects.toMatchObject({ statusCode: 404, code: 'SKU_NOT_FOUND' });
    }
    expect(await rows(userId)).toBe(0);
  });

  it('keeps each user’s history apart', async () => {
    const alice = await newUser();
    const bob = await newUser();
    await visit(alice, launched[0]!);
    await visit(bob, launched[1]!);
    await visit(alice, launched[2]!);
    expect(await ids(alice)).toEqual([launched[2], launched[0]]);
    expect(await ids(bob)).toEqual([launched[1]]);
  });

  it('keeps at most 5 rows under concurrent visits by one user', async () => {
    const userId = await newUser();
    const at = clock.now().getTime();
    await Promise.all(launched.map((id, i) => history.record(ctx, userId, id, at + i)));
    expect(await rows(userId)).toBe(HISTORY_LENGTH);
    expect(await ids(userId)).toHaveLength(HISTORY_LENGTH);
  });

  it('leaves out a SKU taken off sale after the visit', async () => {
    const userId = await newUser();
    const [a, b] = launched;
    await visit(userId, a!);
    await visit(userId, b!);
    await t.db('skus').where({ id: b }).update({ is_launched: false });
    try {
      expect(await ids(userId)).toEqual([a]);
    } finally {
      await t.db('skus').where({ id: b }).update({ is_launched: true });
    }
  });
});

describe.each(DB_KINDS)('browse history API on %s', (kind) => {
  let t: TestDb;
  let app: TestApp;
  let launched: number[];
  let unlaunched: number;

  const post = (headers: Record<string, string>, payload: unknown) =>
    app.json('/api/browse_histories', { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify(payload) });

  beforeAll(async () => {
    t = await createTestDb(kind, { seed: true });
    app = await startTestApp(t);
    launched = await t.db('skus').where('is_launched', true).orderBy('id').limit(6).pluck('id');
    unlaunched = (await t.db('skus').where('is_launched', false).first('id')).id;
  });
  afterAll(async () => {
    await app?.close();
    await t?.drop();
  });

  it('answers 401 without a session', async () => {
    expect((await app.json('/api/browse_histories')).status).toBe(401);
    expect((await post({}, { sku_id: launched[0] })).status).toBe(401);
  });

  it('records visits (201) and lists the 5 latest, newest first', async () => {
    const { headers } = await loginAs(app);
    for (const id of launched) expect(await post(headers, { sku_id: id })).toMatchObject({ status: 201, body: { sku_id: id } });
    await post(headers, { sku_id: launched[2] });
    const list = await app.json('/api/browse_histories', { headers });
    expect(list.status).toBe(200);
    expect(list.headers.get('cache-control')).toBe('no-store');
    expect(list.body.map((s: { id: number }) => s.id)).toEqual([launched[2], launched[5], launched[4], launched[3], launched[1]]);
    expect(Object.keys(list.body[0]).sort()).toEqual(['comments', 'default_image_url', 'id', 'name', 'price']);

    const other = await loginAs(app);
    expect((await app.json('/api/browse_histories', { headers: other.headers })).body).toEqual([]);
  });

  it('answers 404 for an unknown or unlaunched SKU and 400 for a bad body', async () => {
    const { headers } = await loginAs(app);
    for (const id of [unlaunched, 2_000_000_000]) {
      expect(await post(headers, { sku_id: id })).toMatchObject({ status: 404, body: { error: { code: 'SKU_NOT_FOUND' } } });
    }
    for (const payload of [{}, { sku_id: '1' }, { sku_id: 0 }, { sku_id: 1.5 }]) {
      const res = await post(headers, payload);
      expect(res.status, JSON.stringify(payload)).toBe(400);
      expect(res.body.error.fields).toHaveProperty('sku_id');
    }
    expect((await app.json('/api/browse_histories', { headers })).body).toEqual([]);
  });
});
