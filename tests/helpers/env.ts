import fs from 'node:fs';

// What this run can reach. `npm test` runs everything it can and says what it skipped;
// .ci/run provides all of it.
export const MYSQL_URL = process.env.TEST_MYSQL_URL || null;
export const REDIS_URL = process.env.TEST_REDIS_URL || null;
export const CHROMIUM = process.env.TEST_CHROMIUM ?? '/usr/bin/chromium';
export const HAS_CHROMIUM = fs.existsSync(CHROMIUM);

export type DbKind = 'sqlite' | 'mysql';
export const DB_KINDS: DbKind[] = MYSQL_URL ? ['sqlite', 'mysql'] : ['sqlite'];
