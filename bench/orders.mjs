// Order commit (issue 8): ≥ 200 orders/s on MariaDB with 50 concurrent buyers on 10 hot SKUs,
// p99 ≤ 200 ms, 0 oversold — for each ORDER_LOCKING strategy side by side, and on SQLite.
// Each buyer loops: put 1–3 of the hot SKUs in the cart (not timed), place the order (timed).
// Then a sell-out round: the 10 SKUs get 300 units in all and the 50 buyers race until none is
// left; sold must equal 300 exactly.
//   node bench/orders.mjs                         MariaDB + Redis, both strategies, then SQLite
//   BENCH_SETUPS=sqlite node bench/orders.mjs
//   BENCH_MYSQL_URL='mysql://root@localhost/meiduo_bench_orders?socket=/run/mysqld/mysqld.sock'   MariaDB through its Unix socket
//   BENCH_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof'   flags for the server's node (a CPU profile)
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { tsImport } from 'tsx/esm/api';
import { ROOT, connect, cpuMs, cpuTimes, loadAverage, stealPercent, ensureMysqlDatabase, machine, meiduoWith, startServer } from './lib.mjs';

const SECONDS = Number(process.env.BENCH_SECONDS || 10);
const BUYERS = Number(process.env.BENCH_BUYERS || 50);
const HOT = 10;
const SELL_OUT = 300;

const mysql = { DATABASE_URL: process.env.BENCH_MYSQL_URL || 'mysql://root@127.0.0.1:3306/meiduo_bench_orders', REDIS_URL: process.env.BENCH_REDIS_URL || 'redis://127.0.0.1:6379/14' };
const sqlite = { DATABASE_URL: `sqlite:${path.join(ROOT, 'data', 'bench-orders.sqlite')}` };
const setups = {
  'mariadb-pessimistic': { ...mysql, ORDER_LOCKING: 'pessimistic' },
  'mariadb-optimistic': { ...mysql, ORDER_LOCKING: 'optimistic' },
  'sqlite-pessimistic': { ...sqlite, ORDER_LOCKING: 'pessimistic' },
  'sqlite-optimistic': { ...sqlite, ORDER_LOCKING: 'optimistic' },
};
const chosen = (process.env.BENCH_SETUPS || Object.keys(setups).join(',')).split(',').flatMap((s) => Object.keys(setups).filter((k) => k.startsWith(s)));
const { hashPassword } = await tsImport('../api/services/accounts/passwords.ts', import.meta.url);

/** mariadbd's pid when the bench's server runs on this machine (its CPU is part of each order's cost). */
function mariadbPid(url) {
  if (!['127.0.0.1', 'localhost', '[::1]'].includes(new URL(url).hostname)) return null;
  try {
    return Number(execFileSync('pidof', ['mariadbd'], { encoding: 'utf8' }).trim().split(' ')[0]) || null;
  } catch {
    return null;
  }
}

const pct = (xs, p) => xs[Math.min(xs.length - 1, Math.floor((xs.length * p) / 100))];

console.log(`machine: ${machine()}; ${new Date().toISOString().slice(0, 10)}; ${BUYERS} buyers, ${HOT} hot SKUs, ${SECONDS} s`);
const prepared = new Set();
for (const [i, name] of chosen.entries()) {
  const env = setups[name];
  if (!prepared.has(env.DATABASE_URL)) {
    if (env.DATABASE_URL.startsWith('mysql')) await ensureMysqlDatabase(env.DATABASE_URL, { fresh: true });
    meiduoWith(env, ['seed', '--reset']);
    prepared.add(env.DATABASE_URL);
  }
  const db = connect(env.DATABASE_URL);
  const hot = (await db('skus').where('is_launched', true).orderBy('id').limit(HOT).pluck('id')).map(Number);
  await db('skus').whereIn('id', hot).update({ stock: 10_000_000 });
  const hash = await hashPassword('bench-pass-1');
  const now = Date.now();
  // the second strategy on one database reuses the first one's buyers (their orders keep them)
  if (!(await db('users').where('username', 'obench_0').first()))
    await db('users').insert(Array.from({ length: BUYERS }, (_, k) => ({ username: `obench_${k}`, password_hash: hash, mobile: `1590000${String(k).padStart(4, '0')}`, email_active: false, is_active: true, created_at: now, updated_at: now })));

  const port = 18300 + i;
  // each buyer orders again and again: the per-customer limits (ORDER_MAX_*) are set out of the way
  const server = await startServer(port, { ...env, LOG_LEVEL: 'warn', JOBS_IN_PROCESS: 'off', ORDER_MAX_UNITS_PER_SKU: '1000000', ORDER_MAX_OPEN: '1000000' });
  const base = `http://127.0.0.1:${port}`;
  const api = async (method, p, token, body, headers = {}) => {
    const r = await fetch(base + p, { method, headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}), ...headers }, body: body ? JSON.stringify(body) : undefined });
    const text = await r.text();
    return { status: r.status, body: text ? JSON.parse(text) : null };
  };
  try {
    const buyers = [];
    for (let k = 0; k < BUYERS; k++) {
      // a fresh cart: deselect whatever an earlier run left
      const token = (await (await fetch(`${base}/api/sessions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ account: `obench_${k}`, password: 'bench-pass-1' }) })).json()).token;
      const address = await api('POST', '/api/addresses', token, { title: '家', receiver: '买家', province_id: 440000, city_id: 440300, district_id: 440305, place: '科技园', mobile: '13700000000' });
      await api('PUT', '/api/cart/selection', token, { selected: false });
      buyers.push({ token, addressId: address.body.id, k });
    }
    const buyLoop = async (b, until, latencies, outcome) => {
      let n = b.k;
      while (Date.now() < until) {
        const lines = 1 + (n % 3);
        for (let j = 0; j < lines; j++) await api('POST', '/api/cart', b.token, { sku_id: hot[(n + j * 3) % HOT], count: 1 });
        const t0 = performance.now();
        const r = await api('POST', '/api/orders', b.token, { address_id: b.addressId, pay_method: 1 }, { 'idempotency-key': `bench-${name}-${b.k}-${n}` });
        latencies.push(performance.now() - t0);
        outcome[r.status] = (outcome[r.status] ?? 0) + 1;
        if (r.status !== 201) await api('PUT', '/api/cart/selection', b.token, { selected: false });
        n += BUYERS;
      }
    };
    // throughput
    const latencies = [];
    const outcome = {};
    const end = Date.now() + SECONDS * 1000;
    // CPU per placed order (cart adds included) of the API process and of MariaDB: figures that
    // compare across machines better than orders/s, which also moves with the hypervisor's steal
    const dbPid = env.DATABASE_URL.startsWith('mysql') ? mariadbPid(env.DATABASE_URL) : null;
    const questions = async () => (dbPid ? Number((await db.raw("SHOW GLOBAL STATUS LIKE 'Questions'"))[0][0].Value) : 0);
    const cpu0 = { server: cpuMs(server.pid), db: dbPid ? cpuMs(dbPid) : 0, client: process.cpuUsage(), machine: cpuTimes(), questions: await questions() };
    const t0 = Date.now();
    await Promise.all(buyers.map((b) => buyLoop(b, end, latencies, outcome)));
    const wall = (Date.now() - t0) / 1000;
    const placed = outcome[201] ?? 0;
    const perOrder = (ms) => ((ms * 1000) / Math.max(1, placed)).toFixed(0);
    const client = process.cpuUsage(cpu0.client);
    // MariaDB's server-wide count: on a server nothing else uses (the bench's own SHOW STATUS is one of them)
    const statements = dbPid ? `; ${(((await questions()) - cpu0.questions - 1) / Math.max(1, placed)).toFixed(1)} statements to MariaDB per order` : '';
    const cpu = `CPU per order: API ${perOrder(cpuMs(server.pid) - cpu0.server)} µs${dbPid ? `, MariaDB ${perOrder(cpuMs(dbPid) - cpu0.db)} µs` : ''}, buyers' client ${perOrder((client.user + client.system) / 1000)} µs; steal ${stealPercent(cpu0.machine, cpuTimes()).toFixed(1)}%${statements}`;
    latencies.sort((a, b) => a - b);
    // sell-out: exactly SELL_OUT units among the 10 SKUs; each buyer stops after 5 refusals in a row
    await db('skus').whereIn('id', hot).update({ stock: SELL_OUT / HOT });
    const soldBefore = Number((await db('order_lines').whereIn('sku_id', hot).sum({ n: 'count' }).first()).n);
    await Promise.all(
      buyers.map(async (b) => {
        await api('PUT', '/api/cart/selection', b.token, { selected: false });
        for (let refused = 0, n = b.k; refused < 5; n++) {
          const added = await api('POST', '/api/cart', b.token, { sku_id: hot[n % HOT], count: 1 });
          const r = added.status === 201 ? await api('POST', '/api/orders', b.token, { address_id: b.addressId, pay_method: 1 }) : added;
          if (r.status === 201) refused = 0;
          else {
            refused++;
            await api('PUT', '/api/cart/selection', b.token, { selected: false });
          }
        }
      }),
    );
    const soldAfter = Number((await db('order_lines').whereIn('sku_id', hot).sum({ n: 'count' }).first()).n);
    const stockLeft = Number((await db('skus').whereIn('id', hot).sum({ n: 'stock' }).first()).n);
    const sold = soldAfter - soldBefore;
    console.log(
      `${name.padEnd(22)} ${(placed / wall).toFixed(0).padStart(5)} orders/s (cart adds included)  commit p50 ${pct(latencies, 50).toFixed(1)} ms  p99 ${pct(latencies, 99).toFixed(1)} ms  other answers ${JSON.stringify(Object.fromEntries(Object.entries(outcome).filter(([k]) => k !== '201')))}  | sell-out of ${SELL_OUT}: sold ${sold}, stock left ${stockLeft}, oversold ${Math.max(0, sold - SELL_OUT)}\n${' '.repeat(23)}${cpu}; load average ${loadAverage()}`,
    );
  } finally {
    server.kill('SIGTERM');
    await db.destroy();
  }
}
