// Admin statistics (issue 14): each /api/admin/statistics/… answer ≤ 100 ms on a shop with 100,000
// customers and 1,000,000 orders (1–2 lines each) spread over the last 365 days — on MariaDB and on
// SQLite. Seeds a bench database once (bulk inserts; kept for the next run), then serves the API
// in-process with a staff actor (the authenticator is the one test seam the bench uses: admin
// sessions come with the admin branch) and times each route sequentially, as a dashboard loads it.
//   node bench/statistics.mjs                       MariaDB, then SQLite
//   BENCH_SETUPS=sqlite node bench/statistics.mjs
//   BENCH_MYSQL_URL='mysql://root@localhost/meiduo_bench_stats?socket=/run/mysqld/mysqld.sock'
//   BENCH_STATS_USERS=100000 BENCH_STATS_ORDERS=1000000 BENCH_STATS_RUNS=50   the sizes and samples
import path from 'node:path';
import Database from 'better-sqlite3';
import { tsImport } from 'tsx/esm/api';
import { ROOT, connect, ensureMysqlDatabase, loadAverage, machine, meiduoWith } from './lib.mjs';

const USERS = Number(process.env.BENCH_STATS_USERS || 100_000);
const ORDERS = Number(process.env.BENCH_STATS_ORDERS || 1_000_000);
const RUNS = Number(process.env.BENCH_STATS_RUNS || 50);
const DAY = 86_400_000;

const setups = {
  mariadb: { DATABASE_URL: process.env.BENCH_MYSQL_URL || 'mysql://root@127.0.0.1:3306/meiduo_bench_stats' },
  sqlite: { DATABASE_URL: `sqlite:${path.join(ROOT, 'data', 'bench-stats.sqlite')}` },
};
const chosen = (process.env.BENCH_SETUPS || Object.keys(setups).join(',')).split(',').filter((s) => setups[s]);

const ROUTES = [
  '/api/admin/statistics/users/total',
  '/api/admin/statistics/users/new',
  '/api/admin/statistics/users/active',
  '/api/admin/statistics/users/ordered',
  '/api/admin/statistics/users/daily?days=30',
  '/api/admin/statistics/orders/today',
  '/api/admin/statistics/orders/daily?days=30',
  '/api/admin/statistics/skus/top?days=7&limit=10',
  '/api/admin/statistics/views/today',
  // staff's order list on the same shop (the console's orders page): newest first, a state, a keyword
  '/api/admin/orders?page_size=20',
  '/api/admin/orders?status=2&page_size=20',
  '/api/admin/orders?keyword=sbench_4242&page_size=20',
  '/api/admin/orders?keyword=15000004242&page_size=20',
  '/api/admin/orders?keyword=B00000000000000424242',
  '/api/admin/orders?date_from=2026-12-01&date_to=2026-12-01&page_size=20',
];

const { loadConfig } = await tsImport('../api/config.ts', import.meta.url);
const { createServices } = await tsImport('../api/services/index.ts', import.meta.url);
const { listen } = await tsImport('../api/server.ts', import.meta.url);
const { createLogger } = await tsImport('../api/logger.ts', import.meta.url);

const pct = (xs, p) => xs[Math.min(xs.length - 1, Math.floor((xs.length * p) / 100))];
const rand = (n) => Math.floor(Math.random() * n);
const money = (cents) => `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`;

/**
 * Bulk rows in chunks of one transaction each: multi-row INSERTs on MariaDB, one prepared statement
 * run per row on SQLite (its compound SELECTs stop at 500 rows, and a prepared insert is faster).
 */
async function insertChunks(db, table, total, make, chunk = 5000) {
  const file = db.client.config.client === 'better-sqlite3' ? db.client.config.connection.filename : null;
  const lite = file ? new Database(file) : null;
  let insert = null;
  try {
    for (let i = 0; i < total; i += chunk) {
      const rows = [];
      for (let k = i; k < Math.min(total, i + chunk); k++) rows.push(...[make(k)].flat());
      if (lite) {
        insert ??= lite.prepare(`INSERT INTO ${table} (${Object.keys(rows[0]).join(', ')}) VALUES (${Object.keys(rows[0]).map((c) => '@' + c).join(', ')})`);
        lite.transaction(() => {
          for (const r of rows) insert.run(Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === 'boolean' ? Number(v) : v])));
        })();
      } else {
        await db.transaction(async (trx) => {
          for (let j = 0; j < rows.length; j += 1000) await trx(table).insert(rows.slice(j, j + 1000));
        });
      }
    }
  } finally {
    lite?.close();
  }
}

async function seed(env) {
  if (env.DATABASE_URL.startsWith('mysql')) await ensureMysqlDatabase(env.DATABASE_URL);
  meiduoWith(env, ['migrate']);
  let db = connect(env.DATABASE_URL);
  if (!(await db.schema.hasTable('sku_sales_days'))) {
    // a bench database from before the statistics migration gained its rollup tables: run it again
    const migration = await tsImport('../api/db/migrations/2026-12-04-02-statistics.ts', import.meta.url);
    await migration.down(db);
    await db('knex_migrations').where('name', '2026-12-04-02-statistics').del();
    meiduoWith(env, ['migrate']);
  }
  const have = Number((await db('orders').count({ n: '*' }))[0].n);
  if (have >= ORDERS) return db;
  await db.destroy();
  console.log(`seeding ${USERS} customers and ${ORDERS} orders…`);
  meiduoWith(env, ['seed', '--reset']);
  db = connect(env.DATABASE_URL);
  if (!env.DATABASE_URL.startsWith('mysql')) await db.raw('PRAGMA journal_mode = WAL');
  const t0 = performance.now();
  const now = Date.now();
  const firstUser = Number((await db('users').max({ m: 'id' }))[0].m ?? 0) + 1;
  await insertChunks(db, 'users', USERS, (k) => ({
    id: firstUser + k,
    username: `sbench_${k}`,
    password_hash: '!',
    mobile: `15${String(k).padStart(9, '0')}`,
    email_active: false,
    is_active: true,
    created_at: now - rand(365 * DAY),
    updated_at: now,
    // about 5 % active today, the rest some time in the last two months
    last_active_at: Math.random() < 0.05 ? now - rand(8 * 3600_000) : now - rand(60 * DAY),
  }));
  const skus = (await db('skus').where('is_launched', true).select('id', 'price')).map((s) => ({ id: Number(s.id), cents: Math.round(Number(s.price) * 100) }));
  const statuses = [1, 2, 2, 3, 4, 5, 5, 5, 5, 6];
  await insertChunks(db, 'orders', ORDERS, (k) => {
    const created = now - rand(365 * DAY);
    const cents = 100 + rand(1_000_000);
    return {
      order_id: `B${String(k).padStart(20, '0')}`, user_id: firstUser + rand(USERS), receiver: '买家', province: '广东省', city: '深圳市', district: '南山区', place: '科技园',
      mobile: '13700000000', total_count: 1, total_amount: money(cents), freight: '0.00', payment_amount: money(cents), pay_method: 1 + rand(2),
      status: statuses[rand(statuses.length)], created_at: created, updated_at: created,
    };
  });
  console.log(`  users and orders in ${Math.round((performance.now() - t0) / 1000)} s`);
  await insertChunks(db, 'order_lines', ORDERS, (k) => {
    const n = 1 + rand(2);
    const first = rand(skus.length);
    return Array.from({ length: n }, (_, j) => {
      const sku = skus[(first + j) % skus.length];
      return { order_id: `B${String(k).padStart(20, '0')}`, sku_id: sku.id, name: 'x', count: 1 + rand(3), price: money(sku.cents) };
    });
  });
  const categories = await db('goods_categories').whereNotNull('parent_id').pluck('id');
  const today = new Date(now + 8 * 3600_000).toISOString().slice(0, 10);
  await db('sku_category_views').where('date', today).del();
  await insertChunks(db, 'sku_category_views', categories.length, (k) => ({ date: today, category_id: categories[k], count: 1 + rand(10_000) }));
  if (env.DATABASE_URL.startsWith('mysql')) await db.raw('ANALYZE TABLE users, orders, order_lines');
  else await db.raw('ANALYZE');
  console.log(`  seeded in ${Math.round((performance.now() - t0) / 1000)} s`);
  return db;
}

console.log(`machine: ${machine()}; ${new Date().toISOString().slice(0, 10)}; ${USERS} customers, ${ORDERS} orders over 365 days, ${RUNS} requests per route`);
for (const name of chosen) {
  const env = { ...setups[name], LOG_LEVEL: 'warn' };
  const db = await seed(env);
  const counts = { users: (await db('users').count({ n: '*' }))[0].n, orders: (await db('orders').count({ n: '*' }))[0].n, lines: (await db('order_lines').count({ n: '*' }))[0].n };
  await db.destroy();
  const config = { ...loadConfig({ ...process.env, ...env, JOBS_IN_PROCESS: 'off' }, ROOT) };
  const staff = { kind: 'admin', userId: 1, permissions: new Set(['statistics.view_statistics', 'orders.view_order']) };
  const services = createServices(config, { log: createLogger('warn'), authenticator: { authenticate: async () => staff } });
  const server = await listen(services, 0, '127.0.0.1');
  const base = `http://127.0.0.1:${server.port}`;
  // what the statistics.sales-rollup job keeps: the closed days' sales per SKU
  const r0 = performance.now();
  const counted = await services.statistics.rollupSales(services.systemContext('bench'));
  const rollupMs = performance.now() - r0;
  console.log(`\n[${name}] ${env.DATABASE_URL.replace(/\/\/[^@]*@/, '//')}: ${counts.users} users, ${counts.orders} orders, ${counts.lines} order lines; load ${loadAverage()}`);
  console.log(`sales rollup (the job's run): ${counted} days counted in ${Math.round(rollupMs)} ms`);
  console.log('route'.padEnd(72), 'p50 ms'.padStart(8), 'p95 ms'.padStart(8), 'max ms'.padStart(8));
  try {
    for (const route of ROUTES) {
      const times = [];
      for (let i = 0; i < RUNS + 3; i++) {
        const t0 = performance.now();
        const r = await fetch(base + route);
        await r.arrayBuffer();
        if (r.status !== 200) throw new Error(`${route}: ${r.status}`);
        if (i >= 3) times.push(performance.now() - t0); // the first three warm caches and statements
      }
      times.sort((a, b) => a - b);
      const f = (x) => x.toFixed(1).padStart(8);
      console.log(route.padEnd(72), f(pct(times, 50)), f(pct(times, 95)), f(times.at(-1)));
    }
  } finally {
    await server.close();
    await services.close();
  }
}
