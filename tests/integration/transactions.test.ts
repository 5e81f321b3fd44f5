import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ManualClock } from '../../api/clock.ts';
import { loadConfig } from '../../api/config.ts';
import type { Actor, RequestContext } from '../../api/context.ts';
import { db, withTransaction } from '../../api/db/transaction.ts';
import { createLogger } from '../../api/logger.ts';
import { alipayGateway } from '../../api/providers/alipay.ts';
import { defineRoute, type AnyRoute } from '../../api/routes/define.ts';
import { updateSku } from '../../api/services/catalog/catalog-editor.ts';
import { pendingCount } from '../../api/services/catalog/outbox.ts';
import { createServices, type Services } from '../../api/services/index.ts';
import { createUser } from '../helpers/accounts.ts';
import { createTestDb, type TestDb } from '../helpers/db.ts';
import { startRouteApp, type RouteApp } from '../helpers/route-app.ts';
import { DB_KINDS } from '../helpers/env.ts';
import { startAlipayStandIn, type AlipayStandIn } from '../helpers/standins/alipay.ts';

// One transaction a request shares (api/db/transaction.ts): a `transaction: true` route whose
// handler calls every service completes — on SQLite a service that read through the pool while the
// request's transaction holds the one connection would wait for itself until knex gives up — and
// every read inside it sees the request's own uncommitted writes (on MariaDB a pool read would not).
// A handler that throws after a catalog edit leaves neither the edit nor its page-change row.

// well under knex's 60 s acquire timeout: a service that does not join the transaction hangs here
const DEADLOCK_MS = 8000;

describe.each(DB_KINDS)('one transaction per request on %s', (kind) => {
  let t: TestDb;
  let services: Services;
  let routeApp: RouteApp;
  let standIn: AlipayStandIn;
  let actor: Actor = { kind: 'anonymous' };
  const clock = new ManualClock(Date.UTC(2026, 11, 4, 8, 0, 0));

  const everyService = defineRoute({
    method: 'post',
    path: '/api/t/every-service',
    auth: 'user',
    transaction: true,
    body: z.object({ sku_id: z.number().int() }),
    response: z.record(z.string(), z.unknown()),
    handler: async ({ body, context, services: s }) => {
      const userId = (context.actor as { userId: number }).userId;
      const seen: Record<string, unknown> = {};
      // catalog: a write first, then every read must see it
      const edit = await updateSku(context, body.sku_id, { price: '1.23', stock: 50 });
      seen.changeId = edit.changeId;
      seen.skuPrice = (await s.catalog.sku(context, body.sku_id)).price;
      const menu = await s.catalog.menu(context);
      seen.menu = menu.length;
      const category = edit.after.categoryId;
      seen.category = (await s.catalog.category(context, category)).id;
      seen.listPrice = (await s.catalog.listSkus(context, category, 'price', 1, 100)).results.find((r) => r.id === body.sku_id)?.price;
      seen.hot = (await s.catalog.hotSkus(context, category)).length;
      seen.summaries = (await s.catalog.summaries(context, [body.sku_id]))[0]?.price;
      seen.search = (await s.search.search(context, 'iPhone', 1, 20)).count;
      seen.pending = await pendingCount(context);
      // areas and addresses
      const provinces = await s.areas.provinces(context);
      seen.provinces = provinces.length;
      const address = await s.addresses.create(context, userId, {
        receiver: '张三', province_id: 440000, city_id: 440300, district_id: 440305, place: '科技园 1 号', mobile: '13800138000',
      });
      seen.addresses = (await s.addresses.list(context, userId)).addresses.length;
      // account
      seen.username = (await s.accounts.profile(context)).username;
      // browse history
      await s.history.record(context, userId, body.sku_id, clock.now().getTime());
      seen.history = (await s.history.recent(context, userId)).map((h) => h.id);
      // cart → order → payment → comments, all in this one transaction
      await s.cart.add(context, { get: () => undefined, set: () => {} }, { sku_id: body.sku_id, count: 2 });
      seen.cart = (await s.cart.list(context, { get: () => undefined, set: () => {} })).map((l) => [l.id, l.count]);
      seen.settlement = (await s.orders.settlement(context, userId)).payment_amount;
      const order = await s.orders.commit(context, userId, { address_id: address.id, pay_method: 2 });
      seen.orders = (await s.orders.list(context, userId, { page: 1, pageSize: 10 })).count;
      seen.stockAfterOrder = (await s.catalog.sku(context, body.sku_id)).stock;
      seen.payUrl = (await s.payments.paymentUrl(context, userId, order.order_id)).alipay_url.startsWith(standIn.gateway);
      seen.comments = (await s.comments.forSku(context, body.sku_id, 1, 10)).count;
      seen.uncommented = (await s.comments.uncommented(context, userId, order.order_id)).length;
      seen.cancelled = (await s.orders.cancel(context, userId, order.order_id)).status;
      seen.stockAfterCancel = (await s.catalog.sku(context, body.sku_id)).stock;
      // a service's own withTransaction joins the request's instead of opening a second one
      seen.joined = await withTransaction(context, async (inner) => inner.trx === context.trx);
      return seen;
    },
  });

  const failingEdit = defineRoute({
    method: 'post',
    path: '/api/t/failing-edit',
    auth: 'public',
    transaction: true,
    body: z.object({ sku_id: z.number().int() }),
    response: z.never(),
    handler: async ({ body, context }) => {
      await updateSku(context, body.sku_id, { price: '7.77', name: '不该留下的名字' });
      // the edit and its page-change record are both in the transaction …
      expect(await pendingCount(context)).toBeGreaterThan(0);
      throw new Error('after the edit'); // … and go with it
    },
  });

  beforeAll(async () => {
    t = await createTestDb(kind, { seed: true });
    standIn = await startAlipayStandIn({ appId: '2021000000000001' });
    const config = loadConfig({ DATABASE_URL: t.url, LOG_LEVEL: 'silent' });
    services = createServices(config, {
      log: createLogger('silent'),
      clock,
      authenticator: { authenticate: async () => actor },
      alipay: alipayGateway(standIn.config(), clock),
    });
    routeApp = await startRouteApp(services, [everyService, failingEdit] as AnyRoute[]);
  }, 120_000);

  afterAll(async () => {
    await routeApp?.close();
    await services?.close();
    await standIn?.close();
    await t?.drop();
  });

  const post = async (path: string, body: unknown) => {
    const res = await fetch(routeApp.base + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), signal: AbortSignal.timeout(DEADLOCK_MS) });
    return { status: res.status, body: (await res.json()) as any };
  };

  const sku = (id: number) => t.db('skus').where({ id }).first('price', 'name', 'stock');

  it('a transactional route that calls every service completes, each read seeing the request’s own writes', async () => {
    const user = await createUser(services);
    actor = { kind: 'user', userId: user.id };
    const changesBefore = Number((await t.db('page_changes').count({ n: '*' }).first())?.n);
    const seededComments = Number((await t.db('skus').where({ id: 1 }).first('comments')).comments); // the demo's own
    const { status, body } = await post('/api/t/every-service', { sku_id: 1 });
    expect(status, JSON.stringify(body)).toBe(200);
    expect(body).toMatchObject({
      skuPrice: '1.23',
      listPrice: '1.23',
      summaries: '1.23',
      provinces: 31,
      addresses: 1,
      username: user.username,
      history: [1],
      cart: [[1, 2]],
      settlement: '12.46', // 2 × 1.23 + 10.00 freight
      orders: 1,
      stockAfterOrder: 48,
      payUrl: true,
      comments: seededComments,
      uncommented: 0,
      cancelled: 6,
      stockAfterCancel: 50,
      joined: true,
    });
    expect(body.menu).toBeGreaterThan(0);
    // committed together: the edit, its page-change record, the order and its cancel
    expect(await sku(1)).toMatchObject({ stock: 50 });
    expect(Number((await t.db('page_changes').count({ n: '*' }).first())?.n)).toBeGreaterThan(changesBefore);
    expect(await t.db('orders').where({ user_id: user.id }).pluck('status')).toEqual([6]);
  }, 30_000);

  it('a handler that throws after a catalog edit leaves neither the edit nor its page-change row', async () => {
    actor = { kind: 'anonymous' };
    const before = await sku(2);
    const changes = await t.db('page_changes').select('id');
    const { status } = await post('/api/t/failing-edit', { sku_id: 2 });
    expect(status).toBe(500);
    expect(await sku(2)).toEqual(before);
    expect(await t.db('page_changes').select('id')).toEqual(changes);
  }, 30_000);

  it('outside a route, withTransaction opens one transaction and db(context) uses it', async () => {
    const context: RequestContext = services.systemContext('transactions-test');
    expect(db(context)).toBe(services.db);
    await expect(
      withTransaction(context, async (tx) => {
        expect(db(tx)).toBe(tx.trx);
        await updateSku(tx, 3, { name: '回滚的名字' });
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    expect((await sku(3)).name).not.toBe('回滚的名字');
  });
});
