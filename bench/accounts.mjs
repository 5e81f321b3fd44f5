// Accounts (issue 7): POST /sessions p50 ≤ 150 ms at the chosen scrypt cost, and GET /user
// ≥ 3,000 req/s with sessions cached in Redis. Runs `meiduo serve` on the database and Redis you
// name (default: a `meiduo_bench` MariaDB database and Redis on 127.0.0.1, as production runs), and
// on the embedded default (SQLite + in-process cache) for comparison.
//   node bench/accounts.mjs                     both setups
//   BENCH_SETUPS=embedded node bench/accounts.mjs
import path from 'node:path';
import autocannon from 'autocannon';
import { tsImport } from 'tsx/esm/api';
import { ROOT, connect, ensureMysqlDatabase, machine, meiduoWith, startServer } from './lib.mjs';

const DURATION = Number(process.env.BENCH_SECONDS || 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS || 32);
const LOGINS = Number(process.env.BENCH_LOGINS || 200);
const USERS = 50;

const setups = {
  production: {
    DATABASE_URL: process.env.BENCH_MYSQL_URL || 'mysql://root@127.0.0.1:3306/meiduo_bench',
    REDIS_URL: process.env.BENCH_REDIS_URL || 'redis://127.0.0.1:6379/15',
  },
  embedded: { DATABASE_URL: `sqlite:${path.join(ROOT, 'data', 'bench-accounts.sqlite')}` },
};
const chosen = (process.env.BENCH_SETUPS || 'production,embedded').split(',');

const { hashPassword } = await tsImport('../api/services/accounts/passwords.ts', import.meta.url);

const pct = (xs, p) => xs[Math.min(xs.length - 1, Math.floor((xs.length * p) / 100))];

console.log(`machine: ${machine()}; ${new Date().toISOString().slice(0, 10)}`);
for (const name of chosen) {
  const env = setups[name];
  if (env.DATABASE_URL.startsWith('mysql')) await ensureMysqlDatabase(env.DATABASE_URL);
  meiduoWith(env, ['migrate']);
  const db = connect(env.DATABASE_URL);
  await db('auth_tokens').del();
  await db('users').where('username', 'like', 'bench_%').del();
  const hash = await hashPassword('bench-pass-1');
  const now = Date.now();
  await db('users').insert(Array.from({ length: USERS }, (_, i) => ({ username: `bench_${i}`, password_hash: hash, mobile: `1580000${String(i).padStart(4, '0')}`, email_active: false, is_active: true, created_at: now, updated_at: now })));
  await db.destroy();

  const port = 18200 + chosen.indexOf(name);
  const server = await startServer(port, { ...env, LOG_LEVEL: 'warn', JOBS_IN_PROCESS: 'off' });
  const base = `http://127.0.0.1:${port}`;
  try {
    // logins one after another (the figure a customer feels), then 8 at once
    const times = [];
    for (let i = 0; i < LOGINS; i++) {
      const t0 = performance.now();
      const r = await fetch(`${base}/api/sessions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ account: `bench_${i % USERS}`, password: 'bench-pass-1' }) });
      if (r.status !== 201) throw new Error(`login ${r.status} ${await r.text()}`);
      await r.arrayBuffer();
      times.push(performance.now() - t0);
    }
    times.sort((a, b) => a - b);
    const tokens = [];
    for (let i = 0; i < USERS; i++) {
      const r = await fetch(`${base}/api/sessions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ account: `bench_${i}`, password: 'bench-pass-1' }) });
      tokens.push((await r.json()).token);
    }
    const parallel = await autocannon({
      url: base,
      connections: 8,
      amount: 200,
      requests: [{ method: 'POST', path: '/api/sessions', headers: { 'content-type': 'application/json' }, setupRequest: (req) => ({ ...req, body: JSON.stringify({ account: `bench_${Math.floor(Math.random() * USERS)}`, password: 'bench-pass-1' }) }) }],
    });
    let n = 0;
    await autocannon({ url: base, connections: CONNECTIONS, duration: 2, requests: [{ path: '/api/user', setupRequest: (req) => ({ ...req, headers: { authorization: `Bearer ${tokens[n++ % USERS]}` } }) }] });
    const me = await autocannon({ url: base, connections: CONNECTIONS, duration: DURATION, requests: [{ path: '/api/user', setupRequest: (req) => ({ ...req, headers: { authorization: `Bearer ${tokens[n++ % USERS]}` } }) }] });
    console.log(`\n[${name}] ${env.DATABASE_URL.replace(/\/\/[^@]*@/, '//')}${env.REDIS_URL ? ` + ${env.REDIS_URL}` : ' + in-process cache'}`);
    console.log(`POST /api/sessions one at a time (${LOGINS}): p50 ${pct(times, 50).toFixed(1)} ms  p95 ${pct(times, 95).toFixed(1)} ms  max ${times.at(-1).toFixed(1)} ms`);
    console.log(`POST /api/sessions 8 at once (200): ${parallel.requests.average.toFixed(0)} req/s  p50 ${parallel.latency.p50} ms  p99 ${parallel.latency.p99} ms  non-2xx ${parallel.non2xx + parallel.errors}`);
    console.log(`GET /api/user (${CONNECTIONS} connections, ${DURATION} s, ${USERS} sessions): ${me.requests.average.toFixed(0)} req/s  p50 ${me.latency.p50} ms  p99 ${me.latency.p99} ms  non-2xx ${me.non2xx + me.errors}`);
  } finally {
    server.kill('SIGTERM');
  }
}
