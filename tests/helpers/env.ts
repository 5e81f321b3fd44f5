import fs from 'node:fs';

// What this run can reach. `npm test` runs everything it can and says what it skipped;
// .ci/run provides all of it.
export const MYSQL_URL = process.env.TEST_MYSQL_URL || null;
export const REDIS_URL = process.env.TEST_REDIS_URL || null;
export const CHROMIUM = process.env.TEST_CHROMIUM ?? '/usr/bin/chromium';
export const HAS_CHROMIUM = fs.existsSync(CHROMIUM);

export type DbKind = 'sqlite' | 'mysql';
export const DB_KINDS: DbKind[] = MYSQL_URL ? ['sqlite', 'mysql'] : ['sqlite'];

/** The job stores a queue test runs on: the SQL store on each database, and Redis when reachable. */
export type JobStoreCase = [label: string, backend: 'sql' | 'redis', kind: DbKind];
export const JOB_STORES: JobStoreCase[] = [
  ...DB_KINDS.map((kind): JobStoreCase => [`SQL store on ${kind}`, 'sql', kind]),
  ...(REDIS_URL ? [['Redis store', 'redis', 'sqlite'] as JobStoreCase] : []),
];

/** TEST_REDIS_URL on its own logical database, so test files running at once never share keys. */
export function redisDbUrl(db: number): string | undefined {
  return REDIS_URL ? Object.assign(new URL(REDIS_URL), { pathname: `/${db}` }).toString() : undefined;
}

/**
 * Empties a test file's own Redis database before its app starts: a fresh MariaDB database hands out
 * the ids of the last run again, and that run's carts, throttle counts and sessions must not be found.
 * Nothing to do without Redis (`url` null or undefined).
 */
export async function emptyRedis(url: string | null | undefined): Promise<void> {
  if (!url) return;
  const { Redis } = await import('ioredis');
  const r = new Redis(url);
  try {
    await r.flushdb();
  } finally {
    await r.quit();
  }
}
