// Cart (issue 8): POST /api/cart ≥ 2,000 req/s for logged-in customers on Redis. Runs `meiduo serve`
// on the database and Redis you name (default: a `meiduo_bench` MariaDB database and Redis on
// 127.0.0.1, as production runs), and on the embedded default (SQLite, carts in cart_lines) for
// comparison. Each request adds 1 of one of 50 SKUs to one of 100 customers' carts, round robin: a
// line reaches its limit of 99 only after ~500,000 requests.
//   node bench/cart.mjs                     both setups
//   BENCH_SETUPS=production node bench/cart.mjs
import path from 'node:path';
import autocannon from 'autocannon';
import { Redis } from 'ioredis';
import { tsImport } from 'tsx/esm/api';
import { ROOT, cpuMs, loadAverage, connect, ensureMysqlDatabase, machine, meiduoWith, startServer } from './lib.mjs';

const DURATION = Number(process.env.BENCH_SECONDS || 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS || 32);
const USERS = 100;
const SKUS = 50;

const MEDIA_DIR = path.join(ROOT, 'data', 'bench-media');
const setups = {
  production: {
    DATABASE_URL: process.env.BENCH_MYSQL_URL || 'mysql://root@127.0.0.1:3306/meiduo_bench',
    REDIS_URL: process.env.BENCH_REDIS_URL || 'redis://127.0.0.1:6379/15',
  },
  embedded: { DATABASE_URL: `sqlite:${path.join(ROOT, 'data', 'bench-cart.sqlite')}` },
};
const chosen = (process.env.BENCH_SETUPS || 'production,embedded').split(',');

const { TokenStore } = await tsImport('../api/services/accounts/tokens.ts', import.meta.url);

const cli = (env, args) => meiduoWith({ MEDIA_DIR, ...env }, args);

console.log(`machine: ${machine()}; ${new Date().toISOString().slice(0, 10)}`);
for (const name of chosen) {
  const env = setups[name];
  const mysql = env.DATABASE_URL.startsWith('mysql');
  if (mysql) await ensureMysqlDatabase(env.DATABASE_URL);
  cli(env, ['migrate']);
  const open = () => connect(env.DATABASE_URL);
  let db = open();
  if (Number((await db('skus').count({ n: '*' }))[0].n) === 0) {
    await db.destroy();
    cli(env, ['seed']);
    db = open();
  }
  // SKUs with stock to spare: the bench measures the cart, not the stock check refusing
  const skus = await db('skus').where('is_launched', true).orderBy('id').limit(SKUS).pluck('id');
  if (skus.length < SKUS) throw new Error(`need ${SKUS} launched SKUs, found ${skus.length}`);
  await db('skus').whereIn('id', skus).update({ stock: 1_000_000 });
  await db('auth_tokens').whereIn('user_id', db('users').select('id').where('username', 'like', 'bench_cart_%')).del();
  await db('users').where('username', 'like', 'bench_cart_%').del(); // their cart_lines go with them
  const now = Date.now();
  await db('users').insert(Array.from({ length: USERS }, (_, i) => ({ username: `bench_cart_${i}`, password_hash: '!', mobile: `1590000${String(i).padStart(4, '0')}`, email_active: false, is_active: true, created_at: now, updated_at: now })));
  // sessions issued as a login issues them, without logins: the bench is not about passwords, and
  // repeated runs would meet the login throttle
  const ids = await db('users').where('username', 'like', 'bench_cart_%').orderBy('id').pluck('id');
  const store = new TokenStore(db);
  const tokens = [];
  for (const id of ids) tokens.push((await store.issue('session', { userId: Number(id), ttlMs: 86_400_000, now })).token);
  await db.destroy();
  if (env.REDIS_URL) {
    // carts of earlier runs' customers
    const r = new Redis(env.REDIS_URL);
    const keys = [];
    for await (const batch of r.scanStream({ match: 'meiduo:cart*', count: 1000 })) keys.push(...batch);
    if (keys.length) await r.del(...keys);
    await r.quit();
  }

  const port = 18300 + chosen.indexOf(name);
  const server = await startServer(port, { ...env, MEDIA_DIR, LOG_LEVEL: 'warn', JOBS_IN_PROCESS: 'off' });
  const base = `http://127.0.0.1:${port}`;
  try {
    let n = 0;
    const add = {
      method: 'POST',
      path: '/api/cart',
      setupRequest: (req) => {
        const i = n++;
        return {
          ...req,
          headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens[i % USERS]}` },
          body: JSON.stringify({ sku_id: skus[Math.floor(i / USERS) % SKUS], count: 1 }),
        };
      },
    };
    await autocannon({ url: base, connections: CONNECTIONS, duration: 2, requests: [add] });
    const cpu0 = cpuMs(server.pid);
    const run = await autocannon({ url: base, connections: CONNECTIONS, duration: DURATION, requests: [add] });
    const cpuPerRequest = ((cpuMs(server.pid) - cpu0) * 1000) / run.requests.total;
    const check = await fetch(`${base}/api/cart`, { headers: { authorization: `Bearer ${tokens[0]}` } });
    const lines = await check.json();
    console.log(`\n[${name}] ${env.DATABASE_URL.replace(/\/\/[^@]*@/, '//')}${env.REDIS_URL ? ` + ${env.REDIS_URL}` : ' (carts in cart_lines)'}`);
    console.log(
      `POST /api/cart (${CONNECTIONS} connections, ${DURATION} s, ${USERS} customers × ${SKUS} SKUs): ${run.requests.average.toFixed(0)} req/s  p50 ${run.latency.p50} ms  p99 ${run.latency.p99} ms  non-2xx ${run.non2xx + run.errors}  server CPU ${cpuPerRequest.toFixed(0)} µs/request`,
    );
    console.log(`  load average at the end: ${loadAverage()}`);
    console.log(`  bench_cart_0's cart afterwards: ${lines.length} lines, ${lines.reduce((s, l) => s + l.count, 0)} items`);
  } finally {
    server.kill('SIGTERM');
  }
}
