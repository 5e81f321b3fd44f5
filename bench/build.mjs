// Full build of the 10,000-SKU catalog: seconds, pages per second, peak memory of the build process.
// Target (issue 2): ≤ 60 s and ≤ 2 GB on 2 cores.
import fs from 'node:fs';
import { BENCH_ENV, SKUS, ensureCatalog, machine, meiduo } from './lib.mjs';

ensureCatalog();
fs.rmSync(BENCH_ENV.DIST_DIR, { recursive: true, force: true });
console.log(`machine: ${machine()}`);
const runs = Number(process.env.BENCH_RUNS || 1);
for (let i = 0; i < runs; i++) {
  const out = meiduo(['build']).trim();
  console.log(`build ${i + 1}/${runs} (${SKUS} SKUs): ${out}`);
}
