// Shared by the bench scripts: a 10,000-SKU catalog in its own SQLite file and its own dist/.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import knexFactory from 'knex';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const SKUS = Number(process.env.BENCH_SKUS || 10000);
export const BENCH_ENV = {
  DATABASE_URL: process.env.BENCH_DATABASE_URL || `sqlite:${path.join(ROOT, 'data', `bench-${SKUS}.sqlite`)}`,
  DIST_DIR: path.join(ROOT, '.bench-dist'),
  MEDIA_DIR: path.join(ROOT, 'data', 'bench-media'),
  LOG_LEVEL: 'warn',
  ASTRO_TELEMETRY_DISABLED: '1',
};
const env = { ...process.env, ...BENCH_ENV };

export function meiduo(args, opts = {}) {
  const r = spawnSync(process.execPath, [path.join(ROOT, 'bin/meiduo.mjs'), ...args], { cwd: ROOT, env, encoding: 'utf8', ...opts });
  if (r.status !== 0) throw new Error(`meiduo ${args.join(' ')} failed:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

export async function ensureCatalog() {
  const url = BENCH_ENV.DATABASE_URL;
  const file = url.startsWith('sqlite:') ? url.slice(7) : null;
  if (file && fs.existsSync(file)) {
    meiduo(['migrate']);
    return;
  }
  if (!file) {
    // MariaDB/MySQL (BENCH_DATABASE_URL=mysql://root@127.0.0.1:3306/meiduo_bench): seeded once, kept
    await ensureMysqlDatabase(url);
    const k = connect(url);
    try {
      const has = await k.schema.hasTable('skus');
      const n = has ? Number((await k('skus').count({ n: '*' }))[0].n) : 0;
      if (n >= SKUS) {
        meiduo(['migrate']);
        return;
      }
    } finally {
      await k.destroy();
    }
  }
  console.log(`seeding a ${SKUS}-SKU catalog…`);
  console.log(meiduo(['seed', '--reset', '--skus', String(SKUS)]).trim());
}

export async function ensureBuilt() {
  await ensureCatalog();
  // a build of the current layout (dist/releases/<id>, with the re-render twins)
  if (fs.existsSync(path.join(BENCH_ENV.DIST_DIR, 'releases')) && fs.existsSync(path.join(BENCH_ENV.DIST_DIR, 'client', 'index.html'))) return null;
  return meiduo(['build']).trim();
}

/** `meiduo serve` on the bench catalog, or with `extraEnv` on top (another database, Redis …). */
export async function startServer(port, extraEnv = {}, { stderr = false } = {}) {
  // BENCH_NODE_ARGS: flags for the server's node (e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`, which NODE_OPTIONS refuses)
  const nodeArgs = process.env.BENCH_NODE_ARGS ? process.env.BENCH_NODE_ARGS.split(' ').filter(Boolean) : [];
  const child = spawn(process.execPath, [...nodeArgs, path.join(ROOT, 'bin/meiduo.mjs'), 'serve'], {
    cwd: ROOT,
    env: { ...env, ...extraEnv, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'ignore', stderr ? 'pipe' : 'inherit'], // stderr: the caller reads the log lines
  });
  for (let i = 0; i < 100; i++) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/api/health`)).ok) return child;
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  child.kill();
  throw new Error('server did not start');
}

export function machine() {
  const cpu = fs.readFileSync('/proc/cpuinfo', 'utf8').match(/model name\s*:\s*(.*)/)?.[1] ?? 'unknown CPU';
  return `${cpu}, ${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
}

/** CPU ms a process has used (Linux /proc): per request, a figure other load on the machine barely moves. */
export function cpuMs(pid) {
  const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(f[11]) + Number(f[12])) * 10;
}

/** The 1, 5 and 15 minute load averages, as the kernel writes them. */
export const loadAverage = () => fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');

/** The machine's CPU counters (/proc/stat); `stealPercent(a, b)` is the share the hypervisor gave to other guests in between. */
export function cpuTimes() {
  const f = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  return { total: f.slice(0, 8).reduce((a, b) => a + b, 0), idle: f[3] + f[4], steal: f[7] ?? 0 };
}
export const stealPercent = (a, b) => (b.total > a.total ? ((b.steal - a.steal) * 100) / (b.total - a.total) : 0);

/** `meiduo …` with `env` on top of this process's environment (another database, Redis …). */
export function meiduoWith(env, args) {
  const r = spawnSync(process.execPath, [path.join(ROOT, 'bin/meiduo.mjs'), ...args], { cwd: ROOT, env: { ...process.env, ...env }, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`meiduo ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

/** Creates the MySQL database a URL names when missing; `fresh` drops it first. */
export async function ensureMysqlDatabase(url, { fresh = false } = {}) {
  const u = new URL(url);
  const name = u.pathname.slice(1);
  const admin = knexFactory({ client: 'mysql2', connection: { host: u.hostname, port: Number(u.port || 3306), user: decodeURIComponent(u.username), password: decodeURIComponent(u.password) } });
  try {
    if (fresh) await admin.raw(`drop database if exists \`${name}\``);
    await admin.raw(`create database if not exists \`${name}\` character set utf8mb4`);
  } finally {
    await admin.destroy();
  }
}

/** A knex handle on a bench DATABASE_URL (mysql://… or sqlite:…). */
export function connect(url) {
  if (!url.startsWith('mysql')) return knexFactory({ client: 'better-sqlite3', connection: { filename: url.slice(7) }, useNullAsDefault: true });
  // ?socket=<path> as the shop reads it (api/config.ts); mysql2 itself knows only socketPath
  const u = new URL(url);
  const socketPath = u.searchParams.get('socket');
  u.search = '';
  const connection = socketPath ? { socketPath, user: decodeURIComponent(u.username || 'root'), password: decodeURIComponent(u.password), database: decodeURIComponent(u.pathname.slice(1)) } : u.toString();
  return knexFactory({ client: 'mysql2', connection });
}

/** Mixed queries: the judged ones, names, name fragments, bigrams, captions pasted whole; seeded. */
export async function mixedQueries(db, n) {
  const { judgedQueries } = await import('../tests/helpers/judged-queries.ts');
  const rows = await db('skus').where('is_launched', true).orderBy('id').select('name', 'caption').limit(5000);
  let seed = 18;
  const rnd = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
  const pick = (xs) => xs[Math.floor(rnd() * xs.length)];
  const makers = [
    () => pick(judgedQueries).q,
    () => pick(rows).name,
    () => Array.from(pick(rows).name).slice(0, 2 + Math.floor(rnd() * 4)).join(''),
    () => (pick(rows).caption ?? '').slice(0, 60),
    () => pick(judgedQueries).q + ' ' + Array.from(pick(rows).name).slice(2, 5).join(''),
  ];
  return Array.from({ length: n }, () => pick(makers)());
}
