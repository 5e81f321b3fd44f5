// Full build of the bench catalog (BENCH_SKUS=10000 by default, or 100000): for each run, wall time,
// CPU seconds, peak RSS and pages per second of the whole `meiduo build` process tree — threads and
// child processes included, as GNU time (getrusage of the waited-for child) counts them — plus the
// build's own summary line. Targets (issue 18): 10,000 SKUs ≤ 25 s and ≤ 1 GB; 100,000 SKUs
// ≤ 180 s and ≤ 1.5 GB, on 2 cores. CPU seconds barely depend on what else the machine runs; wall
// time does (the machine is shared), so the load average before each run is printed too.
// BENCH_RUNS=N runs N builds (the first from an empty DIST_DIR, the others over the previous release).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { BENCH_ENV, ROOT, SKUS, ensureCatalog, loadAverage, machine } from './lib.mjs';

const TIME = '/usr/bin/time';
if (!fs.existsSync(TIME)) throw new Error(`${TIME} (GNU time) is needed to measure the build's peak RSS and CPU: apt-get install time`);

await ensureCatalog();
const runs = Number(process.env.BENCH_RUNS ?? 1);
fs.rmSync(BENCH_ENV.DIST_DIR, { recursive: true, force: true });
console.log(`machine: ${machine()}`);
for (let i = 0; i < runs; i++) {
  const load = loadAverage();
  // %e wall s, %U user s, %S system s, %M peak RSS KB (the largest of the process tree's members)
  const r = spawnSync(TIME, ['-f', 'BENCH %e %U %S %M', process.execPath, path.join(ROOT, 'bin/meiduo.mjs'), 'build'], {
    cwd: ROOT, env: { ...process.env, ...BENCH_ENV }, encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`meiduo build failed:\n${r.stdout}\n${r.stderr}`);
  const [wall, user, sys, rssKb] = r.stderr.trim().split('\n').at(-1).split(' ').slice(1).map(Number);
  const pages = Number(/built (\d+) pages/.exec(r.stdout)?.[1]);
  // the new release is live at the swap; the pages' .gz/.br siblings are written after it
  const live = Number(/live in ([\d.]+) s/.exec(r.stdout)?.[1]);
  console.log(
    `build ${i + 1}/${runs} (${SKUS} SKUs, load before ${load}): live after ${live.toFixed(1)} s, ` +
      `${wall.toFixed(1)} s wall to the last sibling, ${(user + sys).toFixed(1)} s CPU ` +
      `(${user.toFixed(1)} user + ${sys.toFixed(1)} sys), peak RSS ${(rssKb / 1024).toFixed(0)} MB, ${(pages / wall).toFixed(0)} pages/s`,
  );
  console.log(`  ${r.stdout.trim()}`);
}
