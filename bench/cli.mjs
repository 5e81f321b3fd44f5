// What an admin feels: wall time from pressing Enter to the command's exit, start-up included.
//   meiduo --help          (≤ 300 ms)
//   meiduo jobs            (≤ 300 ms; SQLite job store)
//   meiduo sku update …    (≤ 500 ms to commit, on SQLite; the process exits right after the commit)
// Runs each command BENCH_RUNS times (default 15) on its own demo-catalog SQLite file and prints
// min / p50 / p95 / max. `node bench/cli.mjs --root /path/to/other/checkout` measures another
// checkout's bin/meiduo.mjs against the same database (for before/after figures).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ROOT, machine } from './lib.mjs';

const { values } = parseArgs({ options: { root: { type: 'string' } } });
const root = path.resolve(values.root ?? ROOT);
const RUNS = Number(process.env.BENCH_RUNS || 15);
const env = {
  ...process.env,
  DATABASE_URL: `sqlite:${path.join(ROOT, 'data', 'bench-cli.sqlite')}`,
  DIST_DIR: path.join(ROOT, '.bench-dist-cli'),
  MEDIA_DIR: path.join(ROOT, 'data', 'bench-cli-media'),
  LOG_LEVEL: 'warn',
  JOBS_IN_PROCESS: 'off',
};

function meiduo(args) {
  const started = performance.now();
  const r = spawnSync(process.execPath, [path.join(root, 'bin/meiduo.mjs'), ...args], { cwd: root, env, encoding: 'utf8' });
  const ms = performance.now() - started;
  if (r.status !== 0) throw new Error(`meiduo ${args.join(' ')} → ${r.status}\n${r.stdout}\n${r.stderr}`);
  return ms;
}

if (!fs.existsSync(env.DATABASE_URL.slice('sqlite:'.length))) {
  console.log('seeding the demo catalog for the CLI benchmark…');
  meiduo(['seed']);
}
meiduo(['--help']); // a first run may compile the CLI; an admin's first command after an upgrade pays that once

const pct = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))];
const cases = [
  ['meiduo --help', () => ['--help']],
  ['meiduo jobs', () => ['jobs']],
  ['meiduo sku update 3 --price …', (i) => ['sku', 'update', '3', '--price', `${1000 + i}.00`]],
];
console.log(`CLI start-up, ${machine()}, ${new Date().toISOString().slice(0, 10)}, ${RUNS} runs each (${root})`);
for (const [name, argv] of cases) {
  const times = [];
  for (let i = 0; i < RUNS; i++) times.push(meiduo(argv(i)));
  const f = (ms) => `${Math.round(ms)} ms`;
  console.log(`  ${name.padEnd(32)} min ${f(Math.min(...times))}  p50 ${f(pct(times, 0.5))}  p95 ${f(pct(times, 0.95))}  max ${f(Math.max(...times))}`);
}
