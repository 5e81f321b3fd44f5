import crypto from 'node:crypto';
import type { JobParameters } from 'agenda';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig, type Config } from '../../api/config.ts';
import { createLogger } from '../../api/logger.ts';
import { UnknownJobError, lastRunOf, listJobs, openJobStore, retryJob, type JobStore } from '../../jobs/job-admin.ts';
import { createJobQueue } from '../../jobs/queue.ts';
import { createTestDb, type TestDb } from '../helpers/db.ts';
import { JOB_STORES, redisDbUrl } from '../helpers/env.ts';

// `meiduo jobs` on the job store without Agenda: listing, retrying, and when a job last ran.

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
describe.each(JOB_STORES)('job admin, %s', (_, backend, kind) => {
  let t: TestDb;
  let config: Config;
  let store: JobStore;
  let tag: string;
  const at = (offset: number) => new Date(Date.now() + offset);

  beforeAll(async () => {
    t = await createTestDb(kind);
    // its own Redis database: other test files purge the shop's job keys in the default one
    const redis = redisDbUrl(9);
    config = loadConfig({ DATABASE_URL: t.url, JOBS_BACKEND: backend, REDIS_URL: redis, JOBS_POLL_MS: '100' });
    store = await openJobStore(config, t.db);
  });
  beforeEach(() => {
    tag = crypto.randomBytes(3).toString('hex');
  });
  afterAll(async () => {
    await store?.close();
    await t?.drop();
  });

  const save = (over: Partial<JobParameters>) =>
    store.repository.saveJob({ name: `job-${tag}`, priority: 0, type: 'normal', data: {}, nextRunAt: null, ...over }, undefined);

  it('lists jobs with their state, runs, lock and failure, soonest first', async () => {
    const failedAt = at(-5000);
    const stuck = await save({ name: `stuck-${tag}`, nextRunAt: at(-1000), lockedAt: at(-2000), lastRunAt: at(-2000), failedAt, failCount: 2, failReason: 'disk full' });
    const later = await save({ name: `later-${tag}`, nextRunAt: at(60_000) });
    const mine = (await listJobs(store.repository)).filter((j) => j.name.endsWith(tag));
    expect(mine.map((j) => j.name)).toEqual([`stuck-${tag}`, `later-${tag}`]);
    expect(mine[0]).toEqual({
      id: String(stuck._id), name: `stuck-${tag}`, state: 'running', nextRunAt: stuck.nextRunAt, lastRunAt: stuck.lastRunAt,
      lastFinishedAt: null, failCount: 2, failReason: 'disk full', lockedAt: stuck.lockedAt,
    });
    expect(mine[1]).toMatchObject({ id: String(later._id), state: 'scheduled', failCount: 0, failReason: null, lockedAt: null, lastRunAt: null });
    expect(await listJobs(store.repository, { name: `later-${tag}` })).toHaveLength(1);
  });

  it('retries a job: due now, no longer failed or locked, its fail count kept; a worker then runs it', async () => {
    const failed = await save({ nextRunAt: null, lockedAt: at(-1000), lastRunAt: at(-2000), lastFinishedAt: at(-1500), failedAt: at(-1500), failCount: 8, failReason: 'gave up' });
    const before = Date.now();
    const info = await retryJob(store.repository, String(failed._id));
    expect(info).toMatchObject({ id: String(failed._id), state: 'queued', lockedAt: null, failCount: 8, failReason: 'gave up' });
    expect(info.nextRunAt!.getTime()).toBeGreaterThanOrEqual(before - 5);
    expect(info.nextRunAt!.getTime()).toBeLessThanOrEqual(Date.now());
    expect((await store.repository.getJobById(String(failed._id)))!.failedAt).toBeUndefined();

    const queue = await createJobQueue(config, t.db, createLogger('silent'));
    let runs = 0;
    queue.agenda.define(`job-${tag}`, async () => void runs++);
    await queue.agenda.start();
    try {
      for (let i = 0; i < 100 && runs === 0; i++) await sleep(20);
      expect(runs).toBe(1);
    } finally {
      await queue.close();
    }
  });

  it('says clearly when there is no such job', async () => {
    const missing = backend === 'sql' ? crypto.randomUUID() : `nope-${tag}`;
    await expect(retryJob(store.repository, missing)).rejects.toThrow(UnknownJobError);
    await expect(retryJob(store.repository, missing)).rejects.toThrow(`no job ${missing}`);
  });

  it('tells when jobs of a name last started or finished', async () => {
    expect(await lastRunOf(store.repository, `tick-${tag}`)).toBeNull();
    await save({ name: `tick-${tag}` });
    expect(await lastRunOf(store.repository, `tick-${tag}`)).toBeNull();
    const started = at(-1000);
    const finished = at(-3000);
    await save({ name: `tick-${tag}`, lastRunAt: at(-4000), lastFinishedAt: finished });
    await save({ name: `tick-${tag}`, lastRunAt: started, lastFinishedAt: at(-2000) });
    await save({ name: `other-${tag}`, lastRunAt: at(-10) });
    expect(await lastRunOf(store.repository, `tick-${tag}`)).toEqual(started);
  });

  it('closes only what it opened', async () => {
    const other = await openJobStore(config, t.db);
    await other.close();
    // the knex pool is the caller's and still serves
    expect(await t.db.raw('SELECT 1')).toBeTruthy();
    expect(Array.isArray(await listJobs(store.repository))).toBe(true);
  });
});
