import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Knex } from 'knex';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadConfig, type Config } from '../../api/config.ts';
import { createDb } from '../../api/db/knex.ts';
import { listJobs, openJobStore, type JobStore } from '../../jobs/job-admin.ts';
import { createJobQueue, JOB, type JobQueue } from '../../jobs/queue.ts';
import { createTestDb, type TestDb } from '../helpers/db.ts';
import { JOB_STORES, redisDbUrl } from '../helpers/env.ts';

// A worker that stops leaves no lock behind for work it did not finish: jobs it locked but had not
// started are unlocked at once, running ones when they finish (or, past the drain timeout, given up),
// so another worker takes them now rather than after JOBS_LOCK_MS (30 s). What `meiduo sku update
// --wait` did: it worked the queue while it waited, locked search.rebuild ahead of its run time,
// and exited holding that lock.

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(what: string, get: () => Promise<T | undefined | false>, ms = 5000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await get();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

/** A promise and the function that settles it. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((r) => (open = r));
  return { opened, open };
}

/** A logger keeping what it is given at warn and above: the queue reports store errors there. */
function capturingLogger() {
  const lines: { msg: string; err?: { message: string } }[] = [];
  const log = pino({ level: 'warn' }, { write: (s: string) => void lines.push(JSON.parse(s)) });
  return { log, lines };
}

/** What knex prints about a pool it could not use ("Acquire connection error: aborted"): it logs to the console. */
function knexComplaints() {
  const spy = vi.spyOn(console, 'log');
  return {
    seen: () => spy.mock.calls.map((args) => args.join(' ')).filter((line) => /connection|aborted|pool/i.test(line)),
    restore: () => spy.mockRestore(),
  };
}

describe.each(JOB_STORES)('closing a job queue, %s', (_, backend, kind) => {
  let t: TestDb;
  let dist: string;
  let store: JobStore;
  const queues: JobQueue[] = [];
  const pools: Knex[] = [];

  const configFor = (pollMs: number): Config => ({
    ...loadConfig({
      DATABASE_URL: t.url,
      JOBS_BACKEND: backend,
      // its own Redis database: other test files purge the shop's job keys in the default one
      REDIS_URL: redisDbUrl(8),
      JOBS_POLL_MS: String(pollMs),
    }),
    distDir: dist,
  });

  /** A worker as a process has it: its own pool, the shop's two jobs, `define`d extras, started. */
  async function worker(opts: { pollMs?: number; drainTimeoutMs?: number; define?: (q: JobQueue) => unknown; logger?: ReturnType<typeof capturingLogger> } = {}) {
    const db = createDb(t.config);
    pools.push(db);
    const q = await createJobQueue(configFor(opts.pollMs ?? 100), db, (opts.logger ?? capturingLogger()).log, { drainTimeoutMs: opts.drainTimeoutMs });
    queues.push(q);
    await opts.define?.(q);
    await q.startWorker();
    return { q, db };
  }

  const jobsNamed = async (name: string) => listJobs(store.repository, { name });

  beforeAll(async () => {
    t = await createTestDb(kind);
    dist = fs.mkdtempSync(path.join(os.tmpdir(), 'meiduo-dist-'));
    store = await openJobStore(configFor(100), t.db);
    // a lock left by an earlier, killed run of this file would hold the shop's jobs
    await store.repository.removeJobs({ names: [JOB.rebuildPages, JOB.rebuildSearch] });
  });
  afterEach(async () => {
    await Promise.all(queues.splice(0).map((q) => q.close()));
    await Promise.all(pools.splice(0).map((p) => p.destroy()));
  });
  afterAll(async () => {
    await store?.close();
    await t?.drop();
    fs.rmSync(dist, { recursive: true, force: true });
  });

  it('unlocks at once a job it locked ahead of its run time, and another worker runs it on time', async () => {
    const name = `ahead-${crypto.randomBytes(3).toString('hex')}`;
    const ranOn: string[] = [];
    const due = new Date(Date.now() + 1500);
    // polling every 3 s, the first worker's first scan locks what is due within 3 s, and waits for it
    const a = await worker({
      pollMs: 3000,
      define: async (q) => {
        q.agenda.define(name, async () => void ranOn.push('a'));
        await q.agenda.schedule(due, name);
      },
    });
    await until('the first worker to lock it', async () => (await jobsNamed(name))[0]?.lockedAt);

    await a.q.close();
    const closedAt = Date.now();
    expect((await jobsNamed(name))[0]!.lockedAt).toBeNull();
    // nor does the shop's own pair stay locked by the closed worker
    for (const shop of [JOB.rebuildPages, JOB.rebuildSearch]) expect((await jobsNamed(shop))[0]?.lockedAt ?? null).toBeNull();

    await worker({ define: (q) => q.agenda.define(name, async () => void ranOn.push('b')) });
    await until('the second worker to run it', async () => ranOn.length > 0, 3000);
    expect(ranOn).toEqual(['b']);
    expect(Date.now() - closedAt).toBeLessThan(3000);
    expect(Date.now()).toBeGreaterThanOrEqual(due.getTime());
  });

  it('unlocks at once the jobs waiting for a slot, lets the running one finish, and leaves no store errors', async () => {
    const name = `slot-${crypto.randomBytes(3).toString('hex')}`;
    const running = gate();
    const started = gate();
    const ranOn = new Map<number, string[]>();
    const logger = capturingLogger();
    const knex = knexComplaints();
    const record = (by: string) => async (job: { attrs: { data: { n: number } } }) => {
      ranOn.set(job.attrs.data.n, [...(ranOn.get(job.attrs.data.n) ?? []), by]);
    };
    const a = await worker({
      logger,
      define: (q) =>
        q.agenda.define(
          name,
          async (job) => {
            await record('a')(job);
            started.open();
            await running.opened;
          },
          { concurrency: 1, lockLimit: 3 },
        ),
    });
    for (const n of [1, 2, 3]) await a.q.agenda.now(name, { n });
    await started.opened;
    await until('all three to be locked by the first worker', async () => (await jobsNamed(name)).every((j) => j.lockedAt));

    const closing = a.q.close();
    // the two it had not started are free at once; the running one stays its own
    await until('the waiting jobs to be unlocked', async () => (await jobsNamed(name)).filter((j) => j.lockedAt).length === 1, 1000);
    await worker({ define: (q) => q.agenda.define(name, record('b'), { concurrency: 1, lockLimit: 3 }) });
    await until('the second worker to run both', async () => ranOn.size === 3, 3000);

    running.open();
    await closing;
    // close() resolved after the running job's last save: the pool can go now
    await a.db.destroy();
    pools.splice(pools.indexOf(a.db), 1);
    await sleep(300);

    expect([...ranOn.values()].map((by) => by.join()).sort()).toEqual(['a', 'b', 'b']);
    const jobs = await jobsNamed(name);
    expect(jobs.map((j) => [j.state, j.lockedAt])).toEqual([['completed', null], ['completed', null], ['completed', null]]);
    expect(logger.lines).toEqual([]);
    expect(knex.seen()).toEqual([]);
    knex.restore();
  });

  it('gives up a job still running at the drain timeout, for another worker to run at once', async () => {
    const name = `stuck-${crypto.randomBytes(3).toString('hex')}`;
    const release = gate();
    const ranOn: string[] = [];
    const logger = capturingLogger();
    const a = await worker({
      drainTimeoutMs: 300,
      logger,
      define: (q) =>
        q.agenda.define(name, async () => {
          ranOn.push('a');
          await release.opened;
        }),
    });
    await a.q.agenda.now(name);
    await until('the run on the first worker', async () => ranOn.length === 1);

    const t0 = Date.now();
    await a.q.close();
    expect(Date.now() - t0).toBeLessThan(2000);
    // a one-off whose run began has no next run: it is made due again rather than only unlocked
    const [given] = await jobsNamed(name);
    expect(given!.lockedAt).toBeNull();
    expect(given!.nextRunAt!.getTime()).toBeLessThanOrEqual(Date.now());
    expect(logger.lines.map((l) => l.msg)).toEqual(['jobs still running when the worker stopped were released for another worker']);

    const b = await worker({ define: (q) => q.agenda.define(name, async () => void ranOn.push('b')) });
    await until('the second worker to run it', async () => ranOn.length === 2, 3000);
    await until('its run to be saved', async () => (await jobsNamed(name))[0]!.state === 'completed');
    const after = (await b.q.agenda.db.queryJobs({ name })).jobs[0]!;

    // the abandoned run ending later writes nothing over the other worker's
    release.open();
    await sleep(300);
    const [last] = (await b.q.agenda.db.queryJobs({ name })).jobs;
    expect(last!.lastFinishedAt).toEqual(after.lastFinishedAt);
    expect(last!.lastModifiedBy).toEqual(after.lastModifiedBy);
    expect(ranOn).toEqual(['a', 'b']);
  });

  it('closes cleanly, again and again, while jobs are being locked and run', async () => {
    const name = `busy-${crypto.randomBytes(3).toString('hex')}`;
    const logger = capturingLogger();
    const knex = knexComplaints();
    for (let round = 0; round < 5; round++) {
      const a = await worker({ pollMs: 50, logger, define: (q) => q.agenda.define(name, () => sleep(30), { concurrency: 2, lockLimit: 4 }) });
      for (let n = 0; n < 6; n++) await a.q.agenda.now(name, { round, n });
      await sleep(40 + round * 25);
      await a.q.close();
      // the queue's owner destroys the pool as soon as close() resolves
      await a.db.destroy();
      pools.splice(pools.indexOf(a.db), 1);
      expect((await jobsNamed(name)).filter((j) => j.lockedAt)).toEqual([]);
    }
    await sleep(300);
    expect(logger.lines).toEqual([]);
    expect(knex.seen()).toEqual([]);
    knex.restore();
  });
});
