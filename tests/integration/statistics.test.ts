import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../api/clock.ts';
import { ANONYMOUS, systemContext, type Actor, type RequestContext } from '../../api/context.ts';
import { StatisticsService } from '../../api/services/statistics/statistics-service.ts';
import { REPEAT_VIEW_SECONDS } from '../../api/services/statistics/views.ts';
import { call } from '../helpers/api-client.ts';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { createTestDb, type TestDb } from '../helpers/db.ts';
import { DB_KINDS, redisDbUrl, emptyRedis } from '../helpers/env.ts';

// The admin statistics on known data, over HTTP with an injected clock and admin actor: the day
// boundary in Beijing time (23:59 and 00:01), another SHOP_TZ, empty days as 0, exact money; the
// views pipeline (route → cache counter → flush → table), with two flushes at once and flushes
// that died half way; 401/403 and bad query input.

const PERM = 'statistics.view_statistics';
const H = 3600_000;
const DAY = 24 * H;
/** 2026-12-04 12:00 in Beijing (UTC+8). */
const NOON = Date.UTC(2026, 11, 4, 4, 0);
/** Beijing 2026-12-03 23:59 and 2026-12-04 00:01. */
const BEFORE_MIDNIGHT = Date.UTC(2026, 11, 3, 15, 59);
const AFTER_MIDNIGHT = Date.UTC(2026, 11, 3, 16, 1);

describe.each(DB_KINDS)('statistics on %s', (kind) => {
  let t: TestDb;
  let app: TestApp;
  let adminId: number;
  const clock = new ManualClock(NOON);
  const redisUrl = kind === 'mysql' ? redisDbUrl(1) : undefined;
  let skus: { id: number; category_id: number }[];
  let baseUsers: number;
  let ctx: RequestContext;

  // who calls: a header names the actor the injected authenticator answers with
  const as = (who: 'admin' | 'staff' | 'nobody') => ({ headers: { 'x-test-actor': who } });
  const get = (p: string, who: 'admin' | 'staff' | 'nobody' = 'admin') => app.json(p, as(who));

  let userSeq = 0;
  const addUser = async (createdAt: number, lastActiveAt: number | null = null) => {
    userSeq++;
    const [id] = await t.db('users').insert({
      username: `stat_${userSeq}`,
      password_hash: 'x',
      mobile: `1380000${String(userSeq).padStart(4, '0')}`,
      created_at: createdAt,
      updated_at: createdAt,
      last_active_at: lastActiveAt,
    });
    return Number(id);
  };
  let orderSeq = 0;
  const addOrder = async (userId: number, createdAt: number, payment: string, status = 2, lines: [skuId: number, count: number, price: string][] = []) => {
    orderSeq++;
    const order_id = `T${String(orderSeq).padStart(20, '0')}`;
    await t.db('orders').insert({
      order_id, user_id: userId, receiver: '张三', province: '北京市', city: '北京市', district: '海淀区', place: '中关村', mobile: '13800000000',
      total_count: 1, total_amount: payment, freight: '0.00', payment_amount: payment, pay_method: 1, status, created_at: createdAt, updated_at: createdAt,
    });
    for (const [sku_id, count, price] of lines) await t.db('order_lines').insert({ order_id, sku_id, name: 'x', count, price });
  };

  beforeAll(async () => {
    t = await createTestDb(kind, { seed: true });
    await emptyRedis(redisUrl);
    baseUsers = Number((await t.db('users').count({ n: '*' }))[0]!.n);
    adminId = await addUser(Date.UTC(2020, 0, 1));
    const actors: Record<string, Actor> = {
      admin: { kind: 'admin', userId: adminId, permissions: new Set([PERM]) },
      staff: { kind: 'admin', userId: adminId, permissions: new Set(['goods.view_sku']) },
    };
    app = await startTestApp(t, {
      redisUrl,
      overrides: {
        clock,
        authenticator: { authenticate: async ({ headers }) => actors[String(headers['x-test-actor'])] ?? ANONYMOUS },
      },
    });
    ctx = systemContext('statistics-test', { db: t.db, clock });
    skus = await t.db('skus').where('is_launched', true).orderBy('id').limit(4).select('id', 'category_id');
  });
  afterAll(async () => {
    await app?.close();
    await t?.drop();
  });

  it('refuses anonymous callers (401) and staff without the permission (403)', async () => {
    for (const p of ['/api/admin/statistics/users/total', '/api/admin/statistics/orders/daily', '/api/admin/statistics/views/today']) {
      expect((await get(p, 'nobody')).status).toBe(401);
      expect((await get(p, 'staff')).status).toBe(403);
    }
  });

  it('refuses bad query input with 400 naming the field', async () => {
    for (const q of ['days=0', 'days=91', 'days=abc', 'days=1e1', 'days=-1']) {
      const r = await get(`/api/admin/statistics/orders/daily?${q}`);
      expect(r.status, q).toBe(400);
      expect(r.body.error.fields).toHaveProperty('days');
    }
    expect((await get('/api/admin/statistics/skus/top?limit=51')).body.error.fields).toHaveProperty('limit');
    expect((await get('/api/admin/statistics/skus/top?days=31')).status).toBe(400);
    expect((await get('/api/admin/statistics/users/daily?days=')).status).toBe(400);
  });

  it('counts users and orders of the Beijing day: 23:59 is yesterday, 00:01 today; cancelled orders never', async () => {
    const yesterday = await addUser(BEFORE_MIDNIGHT, BEFORE_MIDNIGHT);
    const today = await addUser(AFTER_MIDNIGHT, AFTER_MIDNIGHT);
    const old = await addUser(NOON - 20 * DAY);
    await addOrder(yesterday, BEFORE_MIDNIGHT, '0.10', 2, [[skus[0]!.id, 1, '0.10']]);
    await addOrder(today, AFTER_MIDNIGHT, '0.20', 1, [[skus[1]!.id, 2, '0.10']]);
    await addOrder(today, AFTER_MIDNIGHT + H, '99999.99', 5, [[skus[1]!.id, 1, '99999.99']]);
    await addOrder(old, NOON - H, '100.00', 6, [[skus[2]!.id, 50, '2.00']]); // cancelled
    await addOrder(old, NOON - 20 * DAY, '0.70', 3, [[skus[2]!.id, 3, '0.10'], [skus[3]!.id, 1, '0.40']]);

    expect((await get('/api/admin/statistics/users/total')).body).toEqual({ date: '2026-12-04', count: baseUsers + 4 });
    expect((await get('/api/admin/statistics/users/new')).body).toEqual({ date: '2026-12-04', count: 1 });
    expect((await get('/api/admin/statistics/users/active')).body).toEqual({ date: '2026-12-04', count: 1 });
    expect((await get('/api/admin/statistics/users/ordered')).body).toEqual({ date: '2026-12-04', count: 1 });
    expect((await get('/api/admin/statistics/orders/today')).body).toEqual({ date: '2026-12-04', count: 2, amount: '100000.19' });

    const daily = (await get('/api/admin/statistics/orders/daily')).body as { date: string; count: number; amount: string }[];
    expect(daily).toHaveLength(30);
    expect(daily[0]!.date).toBe('2026-11-05');
    expect(daily.at(-1)).toEqual({ date: '2026-12-04', count: 2, amount: '100000.19' });
    expect(daily.at(-2)).toEqual({ date: '2026-12-03', count: 1, amount: '0.10' });
    expect(daily.find((d) => d.date === '2026-11-14')).toEqual({ date: '2026-11-14', count: 1, amount: '0.70' });
    // every other day is listed, with nothing
    expect(daily.filter((d) => d.count === 0)).toHaveLength(27);
    for (const d of daily.filter((x) => x.count === 0)) expect(d.amount).toBe('0.00');
    expect((await get('/api/admin/statistics/orders/daily?days=1')).body).toEqual([{ date: '2026-12-04', count: 2, amount: '100000.19' }]);

    const users = (await get('/api/admin/statistics/users/daily?days=30')).body as { date: string; count: number }[];
    expect(users.map((d) => d.count).reduce((a, b) => a + b, 0)).toBe(3);
    expect(users.slice(-2)).toEqual([{ date: '2026-12-03', count: 1 }, { date: '2026-12-04', count: 1 }]);
    expect(users.find((d) => d.date === '2026-11-14')!.count).toBe(1);

    // the last 7 days: skus[1] 3 units (0.20 + 99999.99), skus[0] 1; the cancelled 50 and the order of 20 days ago not
    const top = (await get('/api/admin/statistics/skus/top')).body as { sku_id: number; count: number; amount: string; name: string }[];
    expect(top.map(({ sku_id, count, amount }) => ({ sku_id, count, amount }))).toEqual([
      { sku_id: skus[1]!.id, count: 3, amount: '100000.19' },
      { sku_id: skus[0]!.id, count: 1, amount: '0.10' },
    ]);
    expect(top[0]!.name).toBe((await t.db('skus').where('id', skus[1]!.id).first('name')).name);
    expect((await get('/api/admin/statistics/skus/top?days=30&limit=1')).body.map((s: { sku_id: number }) => s.sku_id)).toEqual([skus[1]!.id]);
    const month = (await get('/api/admin/statistics/skus/top?days=30')).body as { sku_id: number; count: number; amount: string }[];
    expect(month.find((s) => s.sku_id === skus[2]!.id)).toMatchObject({ count: 3, amount: '0.30' });

    // the same from the closed days' rollup (the job's work) plus today's orders
    const { statistics } = app.services;
    const live = { week: top, month };
    expect(await statistics.rollupSales(ctx)).toBe(30);
    expect(Number((await t.db('sku_sales_days_done').count({ n: '*' }))[0]!.n)).toBe(30);
    expect((await get('/api/admin/statistics/skus/top')).body).toEqual(live.week);
    expect((await get('/api/admin/statistics/skus/top?days=30')).body).toEqual(live.month);
    // a later cancellation of a recent closed day's order shows after the next count; days past recount are not counted again
    expect(await statistics.rollupSales(ctx)).toBe(8);
    await t.db('orders').where('created_at', BEFORE_MIDNIGHT).update({ status: 6 });
    expect((await get('/api/admin/statistics/skus/top')).body).toEqual(live.week);
    await statistics.rollupSales(ctx);
    expect((await get('/api/admin/statistics/skus/top')).body.map((s: { sku_id: number }) => s.sku_id)).toEqual([skus[1]!.id]);
    await t.db('orders').where('created_at', BEFORE_MIDNIGHT).update({ status: 2 });
    await statistics.rollupSales(ctx);
    expect((await get('/api/admin/statistics/skus/top')).body).toEqual(live.week);

    // one minute before Beijing midnight everything above is still "today"; at midnight a new, empty day
    clock.set(Date.UTC(2026, 11, 4, 15, 59));
    expect((await get('/api/admin/statistics/orders/today')).body).toEqual({ date: '2026-12-04', count: 2, amount: '100000.19' });
    clock.set(Date.UTC(2026, 11, 4, 16, 0));
    expect((await get('/api/admin/statistics/orders/today')).body).toEqual({ date: '2026-12-05', count: 0, amount: '0.00' });
    expect((await get('/api/admin/statistics/users/new')).body).toEqual({ date: '2026-12-05', count: 0 });
    clock.set(NOON);
  });

  it('counts days in another SHOP_TZ: in New York the orders either side of Beijing midnight fall on 3 December', async () => {
    const ny = new StatisticsService('America/New_York');
    // 2026-12-04 04:00 UTC is 23:00 on 3 December in New York (EST, UTC−5)
    const nyCtx = systemContext('statistics-test', { db: t.db, clock: new ManualClock(NOON) });
    // 15:59, 16:01 and 17:01 UTC on 3 December are all 3 December in New York
    expect(await ny.ordersToday(nyCtx)).toEqual({ date: '2026-12-03', count: 3, amount: '100000.29' });
    expect(await ny.newUsersToday(nyCtx)).toEqual({ date: '2026-12-03', count: 2 });
    const days = await ny.ordersPerDay(nyCtx, 3);
    expect(days.map((d) => d.date)).toEqual(['2026-12-01', '2026-12-02', '2026-12-03']);
    expect(days.at(-1)).toEqual({ date: '2026-12-03', count: 3, amount: '100000.29' });
    expect(days.slice(0, 2).map((d) => d.count)).toEqual([0, 0]);
    // Beijing sees the same three orders on two days
    const bj = new StatisticsService('Asia/Shanghai');
    expect((await bj.ordersPerDay(nyCtx, 2)).map((d) => d.count)).toEqual([1, 2]);
  });

  it('marks a customer active when a session is used on a new day, once per session per day', async () => {
    const userId = await addUser(NOON - 100 * DAY);
    const sessions = app.services.accounts.sessions;
    // logged in at 23:50 Beijing time yesterday: active yesterday
    const { token } = await sessions.create(t.db, userId, Date.UTC(2026, 11, 3, 15, 50));
    const active = async () => Number((await t.db('users').where('id', userId).first('last_active_at')).last_active_at);
    expect(await active()).toBe(Date.UTC(2026, 11, 3, 15, 50));
    const before = (await get('/api/admin/statistics/users/active')).body.count;
    // 20 minutes later it is today in Beijing: the first use writes last_active_at
    const at = Date.UTC(2026, 11, 3, 16, 10);
    expect(await sessions.lookup(t.db, token, at)).not.toBeNull();
    expect(await active()).toBe(at);
    expect((await get('/api/admin/statistics/users/active')).body.count).toBe(before + 1);
    // later uses the same day write nothing
    expect(await sessions.lookup(t.db, token, at + 10 * 60_000)).not.toBeNull();
    expect(await sessions.lookup(t.db, token, at + 2 * H)).not.toBeNull();
    expect(await active()).toBe(at);
  });

  it('counts SKU page views in the cache, flushes them into the table once, and answers today’s per category', async () => {
    const [a, b] = skus;
    const post = (id: number | string, from = '127.0.0.1') => call(app, 'POST', `/api/skus/${id}/views`, { from });
    expect((await post(a!.id)).status).toBe(204);
    expect((await post(a!.id)).status).toBe(204); // again within REPEAT_VIEW_SECONDS: not counted
    expect((await post(a!.id, '127.0.0.2')).status).toBe(204);
    expect((await post(b!.id)).status).toBe(204);
    const unlaunched = (await t.db('skus').where('is_launched', false).first('id')).id;
    expect((await post(unlaunched)).status).toBe(404);
    expect((await post(999999)).status).toBe(404);
    expect((await post('abc')).status).toBe(400);
    expect((await post('0x10')).status).toBe(400);

    // nothing reaches the database before a flush
    expect((await get('/api/admin/statistics/views/today')).body).toEqual([]);
    expect(await app.services.views.flush(ctx)).toBe(3);
    const expected = new Map<number, number>();
    expected.set(a!.category_id, 2);
    expected.set(b!.category_id, (expected.get(b!.category_id) ?? 0) + 1);
    const today = async () => new Map(((await get('/api/admin/statistics/views/today')).body as { category_id: number; count: number }[]).map((r) => [r.category_id, r.count]));
    expect(await today()).toEqual(expected);
    const name = (await t.db('goods_categories').where('id', a!.category_id).first('name')).name;
    expect((await get('/api/admin/statistics/views/today')).body.find((r: { category_id: number }) => r.category_id === a!.category_id).name).toBe(name);
    // a second flush moves nothing more
    expect(await app.services.views.flush(ctx)).toBe(0);

    // after the repeat window the same address counts again, and the next flush adds
    clock.advance((REPEAT_VIEW_SECONDS + 1) * 1000);
    expect((await post(a!.id)).status).toBe(204);
    expect(await app.services.views.flush(ctx)).toBe(1);
    expected.set(a!.category_id, expected.get(a!.category_id)! + 1);
    expect(await today()).toEqual(expected);
    clock.set(NOON);
  });

  it('two flushes at once count each view once', async () => {
    const { cache, views } = app.services;
    const date = '2026-12-04';
    const cat = skus[3]!.category_id;
    const before = await tableCount(date, cat);
    for (let round = 0; round < 5; round++) {
      for (let i = 0; i < 10; i++) await cache.hashIncr(`views:${date}`, String(cat), 3600);
      const moved = await Promise.all([views.flush(ctx), views.flush(ctx), views.flush(ctx)]);
      expect(moved.reduce((x, y) => x + y, 0)).toBe(10);
    }
    expect(await tableCount(date, cat)).toBe(before + 50);
  });

  it('a flush that died after taking the counters, or after writing them, loses and doubles nothing', async () => {
    const { cache, views } = app.services;
    const date = '2026-12-04';
    const cat = skus[3]!.category_id;
    const before = await tableCount(date, cat);
    // died after the claim: the pending hash waits for the next flush
    for (let i = 0; i < 4; i++) await cache.hashIncr(`views:${date}`, String(cat), 3600);
    expect(await cache.claimHash(`views:${date}`, `views:${date}:pending`, '_flush', 'dead-1')).toBe(true);
    await cache.hashIncr(`views:${date}`, String(cat), 3600); // a view after the claim
    expect(await views.flush(ctx)).toBe(5);
    expect(await tableCount(date, cat)).toBe(before + 5);
    // died after its transaction committed, before deleting the pending hash
    for (let i = 0; i < 3; i++) await cache.hashIncr(`views:${date}`, String(cat), 3600);
    expect(await cache.claimHash(`views:${date}`, `views:${date}:pending`, '_flush', 'dead-2')).toBe(true);
    await t.db.transaction(async (trx) => {
      await trx('sku_view_flushes').insert({ id: 'dead-2', created_at: NOON });
      await trx('sku_category_views').where({ date, category_id: cat }).increment('count', 3);
    });
    expect(await views.flush(ctx)).toBe(0);
    expect(await cache.hashGetAll(`views:${date}:pending`)).toEqual({});
    expect(await tableCount(date, cat)).toBe(before + 8);
  });

  // a worker sharing the cache (Redis) flushes what the web process counted: its job's first run comes at start
  it.runIf(kind === 'mysql')('a worker’s statistics.flush-views job moves the counters into the table', async () => {
    const cat = skus[0]!.category_id;
    const before = await tableCount('2026-12-04', cat);
    expect((await call(app, 'POST', `/api/skus/${skus[0]!.id}/views`, { from: '127.0.0.9' })).status).toBe(204);
    const worker = await startTestApp(t, { redisUrl, worker: true, overrides: { clock } });
    try {
      const deadline = performance.now() + 15_000;
      while ((await tableCount('2026-12-04', cat)) === before && performance.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      expect(await tableCount('2026-12-04', cat)).toBe(before + 1);
    } finally {
      await worker.close();
    }
  });

  const tableCount = async (date: string, cat: number) => Number((await t.db('sku_category_views').where({ date, category_id: cat }).first('count'))?.count ?? 0);
});
