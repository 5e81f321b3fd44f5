import crypto from 'node:crypto';
import { Agenda, constant, type Job, type JobParameters, type JobRepository } from 'agenda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../api/config.ts';
import { createLogger } from '../../api/logger.ts';
import { KnexBackend } from '../../jobs/backends/sql-backend.ts';
import { createJobQueue, type JobQueue } from '../../jobs/queue.ts';
import { createTestDb, type TestDb } from '../helpers/db.ts';
import { DB_KINDS, JOB_STORES, redisDbUrl } from '../helpers/env.ts';

// A job that throws something other than an Error must be recorded as failed like any other: fail
// count 1, a readable reason, its lock released, and retried by its backoff. Agenda keeps a thrown
// non-Error as the failure reason as it is; better-sqlite3 refused to store an object (and MariaDB
// a reason over 64 KB), Agenda swallowed that, and the job stayed locked with no failure recorded.
// Checked twice: the SQL store alone under a plain Agenda, and through the shop's queue, which also
// turns what was thrown into an Error (what covers the Redis and Mongo stores).

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(what: string, get: () => Promise<T | undefined>, ms = 8000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await get();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

const circular: Record<string, unknown> = { code: 'E_LOOP' };
circular.self = circular;

/** What a job throws, and what its recorded reason must look like. */
const THROWN: [string, unknown, RegExp][] = [
  ['a plain object', { code: 'E_PLAIN' }, /^\{"code":"E_PLAIN"\}$/],
  ['{} (what a forked child sends)', {}, /^\{\}/],
  ['a string', 'plain string failure', /^plain string failure$/],
  ['a number', 42, /^42$/],
  ['null', null, /^no error given \(null\)$/],
  ['undefined', undefined, /^no error given \(undefined\)$/],
  ['a circular object', circular, /E_LOOP.*\[Circular\]/],
  ['a huge string', 'x'.repeat(1_000_000), /^x{1900,}… \(\d+ more characters\)$/],
];
const RETRY_MS = 800;

/**
 * Defines one job per thrown value, failing the first run and succeeding the second; starts the
 * agenda; checks the recorded failure after the first run, then the retry. `retried(i)` says which
 * values the backoff must retry.
 */
async function throwAndCheck(agenda: Agenda, repo: JobRepository, retried: (value: unknown) => boolean) {
  const tag = crypto.randomBytes(3).toString('hex');
  const runs = THROWN.map(() => [] as number[]);
  const names = THROWN.map((_, i) => `fail-${tag}-${i}`);
  THROWN.forEach(([, value], i) => {
    agenda.define(
      names[i]!,
      async () => {
        runs[i]!.push(Date.now());
        if (runs[i]!.length === 1) throw value;
      },
      { backoff: constant({ delay: RETRY_MS, maxRetries: 3 }) },
    );
  });
  for (const name of names) await agenda.now(name);
  await agenda.start();
  try {
    const failed = await Promise.all(
      names.map((name) =>
        until(`${name} to be recorded as failed`, async () => {
          const [j] = (await repo.queryJobs({ name })).jobs;
          return j?.failCount === 1 && !j.lockedAt ? j : undefined;
        }),
      ),
    );
    THROWN.forEach(([label, value, reason], i) => {
      const j = failed[i]! as JobParameters;
      expect({ label, failReason: j.failReason }).toEqual({ label, failReason: expect.stringMatching(reason) });
      expect(j.failedAt, label).toBeInstanceOf(Date);
      if (retried(value)) expect(j.nextRunAt!.getTime() - j.failedAt!.getTime(), label).toBeGreaterThanOrEqual(RETRY_MS - 50);
    });
    await Promise.all(
      THROWN.map(([label, value], i) => (retried(value) ? until(`${label} to be retried`, async () => (runs[i]!.length >= 2 ? true : undefined)) : undefined)),
    );
    THROWN.forEach(([label, value], i) => {
      if (!retried(value)) return;
      // by the backoff, not at once and not after the lock expired
      const waited = runs[i]![1]! - runs[i]![0]!;
      expect(waited, label).toBeGreaterThanOrEqual(RETRY_MS - 50);
      expect(waited, label).toBeLessThan(RETRY_MS + 3000);
    });
    const done = await Promise.all(names.map(async (name) => (await repo.queryJobs({ name })).jobs[0]!));
    THROWN.forEach(([label, value], i) => {
      if (retried(value)) expect({ label, state: done[i]!.state, failCount: done[i]!.failCount ?? 0 }).toEqual({ label, state: 'completed', failCount: 0 });
    });
  } finally {
    await repo.removeJobs({ names });
  }
}

describe.each(DB_KINDS)('a job throwing a non-Error, SQL store alone on %s', (kind) => {
  let t: TestDb;
  let agenda: Agenda;

  beforeAll(async () => {
    t = await createTestDb(kind);
  });
  afterAll(async () => {
    await agenda?.stop();
    await t?.drop();
  });

  it('is recorded as failed with a readable reason, unlocked, and retried', async () => {
    agenda = new Agenda({ backend: new KnexBackend({ db: t.db }), processEvery: 100 });
    // Agenda reports a thrown null/undefined as an error of its own (it reads `.message` of it)
    agenda.on('error', () => {});
    await agenda.ready;
    // A thrown null/undefined makes Agenda skip its retry (it fails reading `.message`); the store
    // still records the failure. The queue's wrapper is what gets those retried (below).
    await throwAndCheck(agenda, agenda.db, (value) => value != null);
    // what the store holds is the text itself
    const rows = await t.db('agenda_jobs').select('fail_reason');
    expect(rows.every((r) => typeof r.fail_reason === 'string' || r.fail_reason === null)).toBe(true);
  }, 30_000);
});

describe.each(JOB_STORES)("a job throwing a non-Error, the shop's queue on the %s", (_, backend, kind) => {
  let t: TestDb;
  let queue: JobQueue;

  beforeAll(async () => {
    t = await createTestDb(kind);
    // its own Redis database: other test files purge the shop's job keys in the default one
    const redis = redisDbUrl(7);
    const config = loadConfig({ DATABASE_URL: t.url, JOBS_BACKEND: backend, REDIS_URL: redis, JOBS_POLL_MS: '100' });
    queue = await createJobQueue(config, t.db, createLogger('silent'), { drainTimeoutMs: 5000 });
    await queue.agenda.ready;
  });
  afterAll(async () => {
    await queue?.close();
    await t?.drop();
  });

  it('is recorded as failed with a readable reason, unlocked, and retried, whatever was thrown', async () => {
    await throwAndCheck(queue.agenda, queue.agenda.db, () => true);
  }, 30_000);

  it('keeps callback-style jobs callback-style, failing with an Error', async () => {
    const name = `callback-${crypto.randomBytes(3).toString('hex')}`;
    let seen: unknown;
    queue.agenda.define(name, (_job: Job, done: (err?: Error) => void) => {
      done({ code: 'E_CALLBACK' } as unknown as Error);
    });
    queue.agenda.once(`fail:${name}`, (err: unknown) => (seen = err));
    await queue.agenda.now(name);
    await queue.agenda.start();
    try {
      const j = await until('the failure', async () => {
        const [job] = (await queue.agenda.db.queryJobs({ name })).jobs;
        return job?.failCount === 1 && !job.lockedAt ? job : undefined;
      });
      expect(j.failReason).toBe('{"code":"E_CALLBACK"}');
      expect(seen).toBeInstanceOf(Error);
      expect((seen as Error).cause).toEqual({ code: 'E_CALLBACK' });
    } finally {
      await queue.agenda.db.removeJobs({ name });
    }
  });
});
