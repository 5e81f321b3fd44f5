import { Agenda, constant, exponential, type Job } from 'agenda';
import type { Knex } from 'knex';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createDb } from '../../api/db/knex.ts';
import { KnexBackend } from '../../jobs/backends/sql-backend.ts';
import { KnexJobRepository } from '../../jobs/backends/sql-repository.ts';
import { JOB_DEFINITION } from '../../jobs/queue.ts';
import { createTestDb, type TestDb } from '../helpers/db.ts';
import { DB_KINDS } from '../helpers/env.ts';

// Real Agenda instances on the SQL backend, polling every 100 ms: jobs run, run once across
// workers, are retried with backoff, and outlive a worker that died holding their lock.

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(what: string, cond: () => boolean | Promise<boolean>, ms = 5000) {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

describe.each(DB_KINDS)('Agenda on the SQL backend, %s', (kind) => {
  let t: TestDb;
  let repo: KnexJobRepository;
  const agendas: Agenda[] = [];
  const pools: Knex[] = [];

  beforeAll(async () => {
    t = await createTestDb(kind);
    repo = new KnexJobRepository({ db: t.db });
  });
  afterAll(async () => {
    await t?.drop();
  });
  beforeEach(async () => {
    await repo.purgeAllJobs();
  });
  afterEach(async () => {
    await Promise.all(agendas.splice(0).map((a) => a.stop()));
    await Promise.all(pools.splice(0).map((p) => p.destroy()));
  });

  /** An Agenda as a worker process would have it; `ownPool` gives it its own connection(s). */
  async function agenda(opts: { ownPool?: boolean; name?: string } = {}) {
    let db = t.db;
    if (opts.ownPool) pools.push((db = createDb(t.config)));
    const a = new Agenda({ backend: new KnexBackend({ db }), processEvery: 100, name: opts.name });
    agendas.push(a);
    await a.ready;
    return a;
  }

  it('runs a job again after its lock expired before its run began (no lock count lost)', async () => {
    // Locked by the first scan because it is due before the next (1.5 s), the job waits in the local
    // queue past its lock's lifetime (0.3 s) and is dropped when its time comes. With the shop's
    // definition the next scan locks and runs it; with `lockLimit: 1`, Agenda 6.2 had counted the
    // dropped lock as still held and the process never locked the job again.
    const a = new Agenda({ backend: new KnexBackend({ db: t.db }), processEvery: 1500, defaultLockLifetime: 300 });
    agendas.push(a);
    await a.ready;
    let runs = 0;
    a.define('late', async () => {
      runs++;
    }, JOB_DEFINITION);
    await a.schedule(new Date(Date.now() + 1000), 'late');
    await a.start();
    await until('the job to run after its first lock expired', () => runs > 0, 6000);
  });

  it('runs a job once, and stopping leaves the pool to its owner', async () => {
    const a = await agenda();
    const seen: unknown[] = [];
    a.define('hello', async (job: Job) => {
      seen.push(job.attrs.data);
    });
    await a.start();
    await a.now('hello', { who: '世界' });
    await until('the run', () => seen.length === 1);
    await sleep(300);
    expect(seen).toEqual([{ who: '世界' }]);
    const [done] = (await a.queryJobs({ name: 'hello' })).jobs;
    expect(done).toMatchObject({ nextRunAt: null, state: 'completed' });
    expect(done.lockedAt).toBeUndefined();
    expect(done.lastFinishedAt).toBeInstanceOf(Date);

    await a.stop();
    // the completed job stays on record after the worker stops (its table is the caller's)
    expect(Number((await t.db('agenda_jobs').where('name', 'hello').count({ n: '*' }).first())?.n)).toBe(1);
  });

  it('runs each of 20 queued jobs exactly once between two workers', async () => {
    const runs = new Map<number, string[]>();
    const workers = await Promise.all([agenda({ name: 'w1' }), agenda({ ownPool: true, name: 'w2' })]);
    for (const [i, w] of workers.entries()) {
      w.define(
        'work',
        async (job: Job<{ n: number }>) => {
          runs.set(job.attrs.data.n, [...(runs.get(job.attrs.data.n) ?? []), `w${i + 1}`]);
          await sleep(10);
        },
        { lockLimit: 4 },
      );
    }
    for (let n = 0; n < 20; n++) await workers[0].now('work', { n });
    await Promise.all(workers.map((w) => w.start()));
    await until('20 runs', () => runs.size === 20, 10_000);
    await sleep(300); // a second run would show up by now
    expect([...runs.values()].every((by) => by.length === 1)).toBe(true);
    // with at most 4 locks each, neither could have taken them all: they really competed
    expect(new Set([...runs.values()].flat())).toEqual(new Set(['w1', 'w2']));
    const jobs = (await repo.queryJobs({ name: 'work' })).jobs;
    expect(jobs.every((j) => j.state === 'completed' && j.lastModifiedBy?.startsWith('w'))).toBe(true);
  });

  it('retries a failing job with backoff and shows failCount and failReason', async () => {
    const a = await agenda();
    let attempts = 0;
    a.define(
      'flaky',
      async () => {
        attempts++;
        throw new Error(`attempt ${attempts}`);
      },
      { backoff: constant({ delay: 50, maxRetries: 2 }) },
    );
    let recovered = 0;
    a.define(
      'recovers',
      async () => {
        if (++recovered === 1) throw new Error('first try fails');
      },
      { backoff: exponential({ delay: 50, maxRetries: 3 }) },
    );
    const exhausted = new Promise((resolve) => a.once('retry exhausted:flaky', resolve));
    await a.start();
    await a.now('flaky');
    await a.now('recovers');
    await exhausted;
    await until('the recovery', () => recovered === 2);
    await sleep(200);

    expect(attempts).toBe(3); // the first run and two retries
    const [flaky] = (await a.queryJobs({ name: 'flaky' })).jobs;
    expect(flaky).toMatchObject({ failCount: 3, failReason: 'attempt 3', state: 'failed' });
    expect(flaky.failedAt).toBeInstanceOf(Date);
    expect((await a.queryJobs({ state: 'failed' })).total).toBe(1);

    expect(recovered).toBe(2);
    const [ok] = (await a.queryJobs({ name: 'recovers' })).jobs;
    expect(ok).toMatchObject({ failReason: 'first try fails', state: 'completed' });
    expect(ok.failCount).toBeFalsy(); // reset by the successful run
  });

  it('picks up a job whose worker died holding its lock, not one a live worker holds', async () => {
    const now = Date.now();
    // what a crash mid-run leaves behind: a one-off whose run began (nextRunAt cleared) and never ended
    await repo.saveJob({ name: 'orphan', type: 'normal', priority: 0, data: {}, nextRunAt: null, lockedAt: new Date(now - 5000), lastRunAt: new Date(now - 5000) }, undefined);
    await repo.saveJob({ name: 'busy', type: 'normal', priority: 0, data: {}, nextRunAt: new Date(now - 1000), lockedAt: new Date(now) }, undefined);
    const a = await agenda();
    let orphanRuns = 0;
    let busyRuns = 0;
    a.define('orphan', async () => void orphanRuns++, { lockLifetime: 1000 });
    a.define('busy', async () => void busyRuns++, { lockLifetime: 60_000 });
    await a.start();
    await until('the orphan to run', () => orphanRuns === 1);
    await sleep(300);
    expect(orphanRuns).toBe(1);
    expect(busyRuns).toBe(0);
    const [orphan] = (await a.queryJobs({ name: 'orphan' })).jobs;
    expect(orphan.lockedAt).toBeUndefined();
    expect(orphan.lastFinishedAt!.getTime()).toBeGreaterThanOrEqual(now);
  });

  it('keeps every() to one job that repeats', async () => {
    const a = await agenda();
    let ticks = 0;
    a.define('tick', async () => void ticks++);
    await a.every(200, 'tick');
    await a.every(200, 'tick'); // as every restart of the process does
    await a.start();
    await until('two ticks', () => ticks >= 2);
    const jobs = (await a.queryJobs({ name: 'tick' })).jobs;
    expect(jobs).toHaveLength(1);
    expect(jobs[0]).toMatchObject({ type: 'single', repeatInterval: '200' });
  });

  it('runs debounced saves once, with the last data', async () => {
    const a = await agenda();
    const seen: unknown[] = [];
    a.define('reindex', async (job: Job) => void seen.push(job.attrs.data));
    for (const v of [1, 2, 3]) {
      await a.create('reindex', { sku: 7, v }).unique({ 'data.sku': 7 }).debounce(200).save();
      await sleep(30);
    }
    await a.start();
    await until('the debounced run', () => seen.length === 1);
    await sleep(300);
    expect(seen).toEqual([{ sku: 7, v: 3 }]);
    expect((await a.queryJobs({ name: 'reindex' })).total).toBe(1);
  });

  it('does not run disabled jobs until they are enabled', async () => {
    const a = await agenda();
    let runs = 0;
    a.define('paused', async () => void runs++);
    await a.now('paused');
    expect(await a.disable({ name: 'paused' })).toBe(1);
    await a.start();
    await sleep(300);
    expect(runs).toBe(0);
    expect(await a.enable({ name: 'paused' })).toBe(1);
    await until('the run', () => runs === 1);
  });
});
