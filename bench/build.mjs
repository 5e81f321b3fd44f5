// Full build of the 10,000-SKU catalog: seconds, pages per second, peak memory of the build process.
// Target (issue 2): ≤ 60 s and ≤ 2 GB on 2 cores. Then, apart, what the build's precompression step
// (every compressible file of the release gets .gz/.br siblings before the swap) costs of that time,
// in wall time and in CPU time (which does not depend on what else the machine runs).
// BENCH_RUNS=0: only that step, on the release already built.
import fs from 'node:fs';
import path from 'node:path';
import { register } from 'tsx/esm/api';
import { BENCH_ENV, SKUS, ensureCatalog, machine, meiduo } from './lib.mjs';

await ensureCatalog();
const runs = Number(process.env.BENCH_RUNS ?? 1);
if (runs > 0) fs.rmSync(BENCH_ENV.DIST_DIR, { recursive: true, force: true });
console.log(`machine: ${machine()}`);
for (let i = 0; i < runs; i++) {
  const out = meiduo(['build']).trim();
  console.log(`build ${i + 1}/${runs} (${SKUS} SKUs): ${out}`);
}

// the same step again on the release just built (it rewrites the siblings it made)
register();
const { compressRelease } = await import('../jobs/build.ts');
const client = fs.realpathSync(path.join(BENCH_ENV.DIST_DIR, 'client'));
const started = performance.now();
const cpu = process.cpuUsage(); // every thread of the process, libuv's zlib threads included
const files = await compressRelease(client);
const { user, system } = process.cpuUsage(cpu);
console.log(
  `precompression of the release: ${files} files in ${((performance.now() - started) / 1000).toFixed(1)} s, ` +
    `${((user + system) / 1e6).toFixed(1)} s of CPU`,
);
