import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../../api/services/accounts/passwords.ts';
import { createTestDb, type TestDb } from '../helpers/db.ts';
import { DB_KINDS } from '../helpers/env.ts';

// A process killed (SIGKILL) in the middle of a burst of orders leaves no half order and loses no
// stock: for every SKU, stock now + units in order lines = stock before, and sales moved by exactly
// the units ordered; every order has all its lines. (Each buyer orders again and again: the
// per-customer limits are set out of the way.)

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

describe.each(DB_KINDS)('orders when the process dies mid-burst on %s', (kind) => {
  let t: TestDb;
  beforeAll(async () => {
    t = await createTestDb(kind, { seed: true });
  });
  afterAll(() => t.drop());

  it('keeps stock + sold exact and no order half written', async () => {
    const skus = await t.db('skus').where('is_launched', true).orderBy('id').limit(3).select('id', 'sales');
    await t.db('skus').whereIn('id', skus.map((s) => s.id)).update({ stock: 100_000 });
    const before = new Map(skus.map((s) => [Number(s.id), { stock: 100_000, sales: Number(s.sales) }]));
    const now = Date.now();
    const hash = await hashPassword('kill-pass-1');
    const users: number[] = [];
    for (let i = 0; i < 8; i++) {
      const [id] = await t.db('users').insert({ username: `kill_${i}_user`, password_hash: hash, mobile: `1350000${String(i).padStart(4, '0')}`, email_active: false, is_active: true, created_at: now, updated_at: now });
      await t.db('addresses').insert({ user_id: id, title: '家', receiver: '李四', province_id: 110000, city_id: 110100, district_id: 110101, place: '东城1号', mobile: '13500000000', is_deleted: false, created_at: now, updated_at: now });
      users.push(Number(id));
    }
    const script = `
      import { parseDatabaseUrl } from './api/config.ts';
      import { createDb } from './api/db/knex.ts';
      import { systemClock } from './api/clock.ts';
      import { AddressService } from './api/services/addresses/address-service.ts';
      import { AreaService } from './api/services/areas/area-service.ts';
      import { OrderService } from './api/services/orders/order-service.ts';
      const db = createDb(parseDatabaseUrl(process.env.KILL_DB_URL));
      const lines = ${JSON.stringify(skus.map((s, i) => ({ sku_id: Number(s.id), count: i + 1 })))};
      const cart = { selectedLines: async () => lines, removeLines: async () => {} };
      const users = ${JSON.stringify(users)};
      const orders = new OrderService(cart, new AddressService(new AreaService()), { orders: { locking: process.env.KILL_LOCKING, payTimeoutMs: 1800000, hotRebuildEveryMs: 300000, maxUnitsPerSku: 1e6, maxOpenOrders: 1e6 } }, true);
      let placed = 0;
      const loop = async (userId) => {
        const address = await db('addresses').where({ user_id: userId }).first('id');
        for (;;) {
          await orders.commit({ actor: { kind: 'user', userId }, requestId: 'kill', clock: systemClock, ip: '', db }, userId, { address_id: address.id, pay_method: 1 });
          if (++placed === 10) process.stdout.write('placing\\n');
        }
      };
      await Promise.all(users.map(loop));`;
    for (const locking of ['pessimistic', 'optimistic']) {
      const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: ROOT, env: { ...process.env, KILL_DB_URL: t.url, KILL_LOCKING: locking } });
      let stderr = '';
      child.stderr.on('data', (d) => (stderr += d));
      const exited = new Promise((resolve) => child.on('close', resolve));
      await new Promise<void>((resolve, reject) => {
        child.stdout.once('data', () => resolve());
        void exited.then((code) => reject(new Error(`child exited (${code}) before placing orders: ${stderr}`)));
      });
      await new Promise((r) => setTimeout(r, 300 + Math.random() * 400)); // somewhere mid-transaction, most likely
      child.kill('SIGKILL');
      await exited;
    }
    const orders = Number((await t.db('orders').count({ n: '*' }).first())?.n);
    expect(orders).toBeGreaterThan(20);
    for (const [id, b] of before) {
      const sku = await t.db('skus').where({ id }).first('stock', 'sales');
      // this test's shoppers' lines only: the demo catalog's seeded comments are order lines too
      const sold = Number((await t.db('order_lines as l').join('orders as o', 'o.order_id', 'l.order_id').whereIn('o.user_id', users).where({ 'l.sku_id': id }).sum({ n: 'l.count' }).first())?.n ?? 0);
      expect(Number(sku.stock) + sold, `sku ${id}`).toBe(b.stock);
      expect(Number(sku.sales) - b.sales, `sku ${id}`).toBe(sold);
    }
    // every order whole: its lines add up to its count, and no line without its order
    const partial = await t.db('orders as o')
      .leftJoin('order_lines as l', 'l.order_id', 'o.order_id')
      .groupBy('o.order_id', 'o.total_count')
      .havingRaw('coalesce(sum(l.count), 0) <> o.total_count')
      .select('o.order_id');
    expect(partial).toEqual([]);
    const orphans = await t.db('order_lines as l').leftJoin('orders as o', 'o.order_id', 'l.order_id').whereNull('o.order_id').count({ n: '*' }).first();
    expect(Number(orphans?.n)).toBe(0);
  }, 120_000);
});
