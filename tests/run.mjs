#!/usr/bin/env node
// `npm test`: runs every suite this machine can run and says plainly what it skipped.
//   TEST_MYSQL_URL=mysql://root@127.0.0.1:3306/test   also run the database suites on MariaDB/MySQL
//   TEST_REDIS_URL=redis://127.0.0.1:6379             also run the cache suites (and the MySQL app) on Redis
//   /usr/bin/chromium (or TEST_CHROMIUM=path)         run the browser test
// Extra arguments go to vitest, e.g. `npm test -- tests/unit`.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const chromium = process.env.TEST_CHROMIUM || '/usr/bin/chromium';
const lines = [
  ['SQLite (embedded default)', 'yes'],
  ['MariaDB/MySQL', process.env.TEST_MYSQL_URL ? `yes (${process.env.TEST_MYSQL_URL})` : 'SKIPPED: set TEST_MYSQL_URL'],
  ['Redis', process.env.TEST_REDIS_URL ? `yes (${process.env.TEST_REDIS_URL})` : 'SKIPPED: set TEST_REDIS_URL'],
  ['browser test', fs.existsSync(chromium) ? `yes (${chromium})` : `SKIPPED: no ${chromium} (apt-get install chromium)`],
];
console.log('meiduo test run:');
for (const [what, state] of lines) console.log(`  ${what.padEnd(26)} ${state}`);

const report = path.join(os.tmpdir(), `meiduo-vitest-${process.pid}.json`);
const vitest = path.join(root, 'node_modules', 'vitest', 'vitest.mjs');
const r = spawnSync(process.execPath, [vitest, 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`, ...process.argv.slice(2)], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, ASTRO_TELEMETRY_DISABLED: '1' },
});

let summary = null;
try {
  const j = JSON.parse(fs.readFileSync(report, 'utf8'));
  summary = { passed: j.numPassedTests, failed: j.numFailedTests, skipped: j.numPendingTests + j.numTodoTests };
  fs.rmSync(report, { force: true });
} catch {
  /* vitest did not get as far as writing its report */
}
const skipped = lines.filter(([, s]) => s.startsWith('SKIPPED')).map(([w]) => w);
if (skipped.length) console.log(`not covered in this run: ${skipped.join(', ')}`);
if (summary) console.log(`${summary.passed} passed, ${summary.failed} failed, ${summary.skipped} skipped`);
process.exit(r.status ?? 1);
