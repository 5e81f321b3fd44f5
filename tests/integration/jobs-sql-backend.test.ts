import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { JobParameters } from 'agenda';
import type { Knex } from 'knex';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createDb } from '../../api/db/knex.ts';
import { KnexBackend } from '../../jobs/backends/sql-backend.ts';
import { KnexJobRepository } from '../../jobs/backends/sql-repository.ts';
import { createTestDb, type TestDb } from '../helpers/db.ts';
import { DB_KINDS } from '../helpers/env.ts';

// The JobRepository contract Agenda's shared backend suite checks, in our words: saving (insert,
// update, single, unique, insertOnly, debounce), locking and its races between two connections,
// expired locks, the next-job order, queries and states, remove/disable/enable and purge.

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const MINUTE = 60_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function job(over: Partial<JobParameters> = {}): JobParameters {
  return { name: 'job', priority: 0, nextRunAt: new Date(), type: 'normal', data: {}, ...over };
}

/** The args Agenda's processor passes: scan a little ahead, locks older than 10 minutes are dead. */
function scan(now = Date.now()): [Date, Date, Date] {
  return [new Date(now + 5000), new Date(now - 10 * MINUTE), new Date(now)];
}

/**
 * Runs `body` (JavaScript, with `repo` on its own connection to the database at `url`) in a child
 * process, starting it together with `here`, which runs in this one.
 */
async function inAnotherProcess(url: string, body: string, here: () => Promise<void>): Promise<void> {
  const script = `
    import { parseDatabaseUrl } from './api/config.ts';
    import { createDb } from './api/db/knex.ts';
    import { KnexJobRepository } from './jobs/backends/sql-repository.ts';
    const db = createDb(parseDatabaseUrl(process.env.JOBS_TEST_DB_URL));
    const repo = new KnexJobRepository({ db });
    await repo.connect();
    process.stdout.write('ready\\n');
    await new Promise((go) => process.stdin.once('data', go));
    try { ${body} } finally { await db.destroy(); process.stdin.destroy(); }`;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: ROOT,
    env: { ...process.env, JOBS_TEST_DB_URL: url },
  });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  await new Promise<void>((resolve, reject) => {
    child.stdout.once('data', () => resolve());
    void exited.then((code) => reject(new Error(`child exited (${code}) before it was ready: ${stderr}`)));
  });
  child.stdin.write('go\n');
  await here();
  const code = await exited;
  if (code !== 0) throw new Error(`child failed (${code}): ${stderr}`);
}

/** Locks jobs of a name until none is left, as a worker's queue filling does. */
async function lockAll(repo: KnexJobRepository, name: string, now?: number): Promise<JobParameters[]> {
  const got: JobParameters[] = [];
  for (;;) {
    const j = await repo.getNextJobToRun(name, ...scan(now), undefined);
    if (!j) return got;
    got.push(j);
  }
}

describe.each(DB_KINDS)('SQL job repository on %s', (kind) => {
  let t: TestDb;
  let repo: KnexJobRepository;
  // a second pool on the same database: what another worker process would use
  let otherDb: Knex;
  let other: KnexJobRepository;

  beforeAll(async () => {
    t = await createTestDb(kind);
    repo = new KnexJobRepository({ db: t.db });
    otherDb = createDb(t.config);
    other = new KnexJobRepository({ db: otherDb });
    await repo.connect();
  });
  afterAll(async () => {
    await otherDb?.destroy();
    await t?.drop();
  });
  beforeEach(async () => {
    await repo.purgeAllJobs();
  });

  const save = (over: Partial<JobParameters> = {}) => repo.saveJob(job(over), undefined);
  const get = async (id: unknown) => (await repo.getJobById(String(id)))!;

  describe('saveJob', () => {
    it('inserts a job with an id, and every field comes back as it went in', async () => {
      const at = new Date('2026-11-25T08:09:10.123Z');
      const saved = await repo.saveJob(
        job({
          name: 'full',
          priority: 7,
          nextRunAt: at,
          data: { 商品: '华为 Mate', nested: { n: 1.5, ok: true, list: [1, 'two'] } },
          repeatInterval: '5 minutes',
          repeatTimezone: 'Asia/Shanghai',
          startDate: new Date(at.getTime() - 1000),
          endDate: new Date(at.getTime() + 1000),
          skipDays: [0, 6],
          disabled: true,
          fork: true,
          lastFinishedAt: at,
        }),
        { lastModifiedBy: 'worker-1' },
      );
      expect(saved._id).toMatch(/^[0-9a-f-]{36}$/);
      const back = await get(saved._id);
      expect(back).toEqual(saved);
      expect(back).toMatchObject({
        name: 'full',
        priority: 7,
        nextRunAt: at,
        type: 'normal',
        data: { 商品: '华为 Mate', nested: { n: 1.5, ok: true, list: [1, 'two'] } },
        repeatInterval: '5 minutes',
        repeatTimezone: 'Asia/Shanghai',
        startDate: new Date(at.getTime() - 1000),
        endDate: new Date(at.getTime() + 1000),
        skipDays: [0, 6],
        disabled: true,
        fork: true,
        lastFinishedAt: at,
        lastModifiedBy: 'worker-1',
      });
      expect(back.nextRunAt).toBeInstanceOf(Date);
      expect(back.lockedAt).toBeUndefined();
    });

    it('keeps a job without data without data, and null as null', async () => {
      expect((await get((await save({ data: undefined }))._id)).data).toBeUndefined();
      expect((await get((await save({ data: null }))._id)).data).toBeNull();
    });

    it('updates a job by id without touching what the processor owns', async () => {
      const saved = await save({ priority: 5, data: { v: 1 }, nextRunAt: new Date(Date.now() - 1000) });
      const locked = (await repo.lockJob(saved, undefined))!;
      await repo.saveJobState({ ...locked, lastRunAt: new Date(), progress: 40 }, undefined);

      // what Job.save() sends: no lockedAt, lastRunAt, progress...
      const { lockedAt: _l, lastRunAt: _r, progress: _p, ...userView } = await get(saved._id);
      const updated = await repo.saveJob({ ...userView, priority: 20, data: { v: 2 } }, undefined);
      expect(updated._id).toBe(saved._id);
      expect(updated).toMatchObject({ priority: 20, data: { v: 2 }, progress: 40 });
      expect(updated.lockedAt).toEqual(locked.lockedAt);
      expect(updated.lastRunAt).toBeInstanceOf(Date);
      expect((await repo.queryJobs()).total).toBe(1);
    });

    it('persists failure fields given with an update (job.fail().save())', async () => {
      const saved = await save();
      const failedAt = new Date();
      await repo.saveJob({ ...saved, failReason: 'boom', failCount: 2, failedAt }, undefined);
      expect(await get(saved._id)).toMatchObject({ failReason: 'boom', failCount: 2, failedAt });
    });

    it('returns the job as given when it was removed meanwhile', async () => {
      const saved = await save();
      await repo.removeJobs({ id: saved._id });
      const again = await repo.saveJob({ ...saved, priority: 3 }, undefined);
      expect(again.priority).toBe(3);
      expect(await repo.getJobById(String(saved._id))).toBeNull();
    });

    it('rejects an invalid date instead of unscheduling the job', async () => {
      await expect(save({ nextRunAt: new Date('nope') })).rejects.toThrow(/invalid date/);
    });
  });

  describe("type 'single'", () => {
    it('upserts by name', async () => {
      const first = await save({ name: 'every', type: 'single', priority: 5, nextRunAt: new Date(Date.now() + MINUTE), data: { run: 1 } });
      const second = await save({ name: 'every', type: 'single', priority: 10, nextRunAt: new Date(Date.now() + 2 * MINUTE), data: { run: 2 } });
      expect(second._id).toBe(first._id);
      expect(second).toMatchObject({ priority: 10, data: { run: 2 }, type: 'single' });
      expect((await repo.queryJobs({ name: 'every' })).total).toBe(1);
      // a normal job of the same name is another job
      await save({ name: 'every' });
      expect((await repo.queryJobs({ name: 'every' })).total).toBe(2);
    });

    it('keeps the stored next run when the new one is already due, takes a future one', async () => {
      const stored = new Date(Date.now() + MINUTE);
      await save({ name: 'every', type: 'single', nextRunAt: stored });
      const due = await save({ name: 'every', type: 'single', nextRunAt: new Date(Date.now() - 1000) });
      expect(due.nextRunAt).toEqual(stored);
      const later = new Date(Date.now() + 5 * MINUTE);
      expect((await save({ name: 'every', type: 'single', nextRunAt: later })).nextRunAt).toEqual(later);
    });

    it('stays one job when two processes save it at once', async () => {
      const saves = Array.from({ length: 6 }, (_, i) =>
        (i % 2 ? other : repo).saveJob(job({ name: 'raced', type: 'single', nextRunAt: new Date(Date.now() + MINUTE), data: { i } }), undefined),
      );
      const ids = new Set((await Promise.all(saves)).map((j) => j._id));
      expect(ids.size).toBe(1);
      expect((await repo.queryJobs({ name: 'raced' })).total).toBe(1);
    });
  });

  describe('unique', () => {
    const uniq = (data: Record<string, unknown>, unique: Record<string, unknown>, uniqueOpts?: JobParameters['uniqueOpts']) =>
      save({ name: 'uniq', data, unique, uniqueOpts });

    it('updates the one job its query matches, and inserts when none does', async () => {
      const a = await uniq({ type: 'active', userId: '123', other: true }, { 'data.type': 'active', 'data.userId': '123' });
      const b = await uniq({ type: 'active', userId: '123', other: false }, { 'data.type': 'active', 'data.userId': '123' });
      expect(b._id).toBe(a._id);
      expect(b.data).toEqual({ type: 'active', userId: '123', other: false });
      const c = await uniq({ type: 'active', userId: '456' }, { 'data.type': 'active', 'data.userId': '456' });
      expect(c._id).not.toBe(a._id);
      expect((await repo.queryJobs({ name: 'uniq' })).total).toBe(2);
    });

    it('leaves the existing job alone with insertOnly', async () => {
      const a = await uniq({ k: 1, value: 'first' }, { 'data.k': 1 }, { insertOnly: true });
      const b = await uniq({ k: 1, value: 'second' }, { 'data.k': 1 }, { insertOnly: true });
      expect(b._id).toBe(a._id);
      expect((await get(a._id)).data).toEqual({ k: 1, value: 'first' });
    });

    it('matches values by type and case, nested paths and top-level fields', async () => {
      const n = await uniq({ k: 1 }, { 'data.k': 1 });
      expect((await uniq({ k: '1' }, { 'data.k': '1' }))._id).not.toBe(n._id);
      const upper = await uniq({ k: 'A' }, { 'data.k': 'A' });
      expect((await uniq({ k: 'a' }, { 'data.k': 'a' }))._id).not.toBe(upper._id);
      const deep = await uniq({ user: { id: 7, tags: ['x'] } }, { 'data.user.id': 7, 'data.user.tags': ['x'] });
      expect((await uniq({ user: { id: 7, tags: ['x'] }, v: 2 }, { 'data.user.id': 7, 'data.user.tags': ['x'] }))._id).toBe(deep._id);
      const byName = await uniq({ z: 1 }, { name: 'uniq', priority: 0, 'data.z': 1 });
      expect((await uniq({ z: 1, again: true }, { name: 'uniq', priority: 0, 'data.z': 1 }))._id).toBe(byName._id);
      expect((await repo.queryJobs({ name: 'uniq' })).total).toBe(6);
    });

    it('refuses query operators it cannot honour', async () => {
      await expect(uniq({ k: 1 }, { 'data.k': { $gt: 0 } })).rejects.toThrow(/operators/);
      await expect(uniq({ k: 1 }, { lockedAt: null })).rejects.toThrow(/unsupported key/);
    });

    it('stays one job per key when another process saves the same keys at once', async () => {
      // A real second process: better-sqlite3 waits for a busy database synchronously, so two
      // connections in one process cannot take turns inside a transaction.
      const burst = async (r: KnexJobRepository, from: string) => {
        for (let round = 0; round < 3; round++) {
          await Promise.all(Array.from({ length: 8 }, (_, k) => r.saveJob(job({ name: 'uniq', data: { k, from }, unique: { 'data.k': k } }), undefined)));
        }
      };
      await inAnotherProcess(t.url, `
        for (let round = 0; round < 3; round++) {
          await Promise.all(Array.from({ length: 8 }, (_, k) => repo.saveJob({ name: 'uniq', priority: 0, type: 'normal', nextRunAt: new Date(), data: { k, from: 'child' }, unique: { 'data.k': k } }, undefined)));
        }`, () => burst(repo, 'parent'));
      const jobs = (await repo.queryJobs({ name: 'uniq' })).jobs;
      expect(jobs.map((j) => (j.data as { k: number }).k).sort()).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    });
  });

  describe('debounce', () => {
    const deb = (data: Record<string, unknown>, debounce: NonNullable<JobParameters['uniqueOpts']>['debounce']) =>
      save({ name: 'deb', data, unique: { 'data.key': data.key }, uniqueOpts: { debounce } });

    it('trailing: delays the run and pushes it back on every save', async () => {
      const before = Date.now();
      const first = await deb({ key: 't', v: 1 }, { delay: 1000 });
      expect(first.nextRunAt!.getTime()).toBeGreaterThanOrEqual(before + 1000);
      expect(first.debounceStartedAt).toBeInstanceOf(Date);
      await sleep(30);
      const second = await deb({ key: 't', v: 2 }, { delay: 1000 });
      expect(second._id).toBe(first._id);
      expect(second.nextRunAt!.getTime()).toBeGreaterThan(first.nextRunAt!.getTime());
      expect(second.debounceStartedAt).toEqual(first.debounceStartedAt);
      expect(second.data).toEqual({ key: 't', v: 2 });
      expect((await repo.queryJobs({ name: 'deb' })).total).toBe(1);
    });

    it('trailing with maxWait: forces the run once the window is older than maxWait', async () => {
      await deb({ key: 'm' }, { delay: 2000, maxWait: 50 });
      await sleep(60);
      const forced = await deb({ key: 'm' }, { delay: 2000, maxWait: 50 });
      expect(forced.nextRunAt!.getTime()).toBeLessThanOrEqual(Date.now());
      expect(forced.debounceStartedAt).toBeUndefined();
      const reopened = await deb({ key: 'm' }, { delay: 2000, maxWait: 5000 });
      expect(reopened.nextRunAt!.getTime()).toBeGreaterThan(Date.now() + 1000);
    });

    it('leading: runs on the first save and keeps that run on later ones', async () => {
      const before = Date.now();
      const first = await deb({ key: 'l', v: 1 }, { delay: 5000, strategy: 'leading' });
      expect(first.nextRunAt!.getTime()).toBeGreaterThanOrEqual(before - 100);
      expect(first.nextRunAt!.getTime()).toBeLessThanOrEqual(Date.now());
      await sleep(20);
      const second = await deb({ key: 'l', v: 2 }, { delay: 5000, strategy: 'leading' });
      expect(second.nextRunAt).toEqual(first.nextRunAt);
      expect(second.data).toEqual({ key: 'l', v: 2 });
    });

    it('debounces each unique key on its own', async () => {
      const a = await deb({ key: 1 }, { delay: 1000 });
      const b = await deb({ key: 2 }, { delay: 1000 });
      expect(a._id).not.toBe(b._id);
    });
  });

  describe('locking', () => {
    it('locks a job once, and not again while the lock is fresh', async () => {
      const saved = await save({ nextRunAt: new Date(Date.now() - 1000) });
      const locked = await repo.lockJob(saved, { lastModifiedBy: 'w1' });
      expect(locked?._id).toBe(saved._id);
      expect(locked?.lockedAt).toBeInstanceOf(Date);
      expect(locked?.lastModifiedBy).toBe('w1');
      expect(await repo.lockJob(saved, undefined)).toBeUndefined();
    });

    it('does not lock a job rescheduled meanwhile, a disabled one, or one without an id', async () => {
      const saved = await save({ nextRunAt: new Date(Date.now() - 1000) });
      expect(await repo.lockJob({ ...saved, nextRunAt: new Date() }, undefined)).toBeUndefined();
      const off = await save({ disabled: true });
      expect(await repo.lockJob(off, undefined)).toBeUndefined();
      expect(await repo.lockJob(job(), undefined)).toBeUndefined();
    });

    it('takes over a lock older than the lock lifetime', async () => {
      const short = new KnexJobRepository({ db: t.db, lockLifetime: 1000 });
      const saved = await save({ nextRunAt: new Date(Date.now() - 1000), lockedAt: new Date(Date.now() - 5000) });
      expect(await repo.lockJob(saved, undefined)).toBeUndefined();
      expect((await short.lockJob(saved, undefined))?.lockedAt!.getTime()).toBeGreaterThan(Date.now() - 1000);
    });

    it('gives a job to exactly one of many lockJob calls on two connections', async () => {
      const saved = await save({ nextRunAt: new Date(Date.now() - 1000) });
      const tries = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? other : repo).lockJob(saved, undefined)));
      expect(tries.filter(Boolean)).toHaveLength(1);
    });

    it('unlocks a scheduled job but leaves a running one-off alone', async () => {
      const saved = await save({ nextRunAt: new Date(Date.now() - 1000) });
      const locked = (await repo.lockJob(saved, undefined))!;
      await repo.unlockJob(locked);
      expect((await get(saved._id)).lockedAt).toBeUndefined();

      const running = (await repo.lockJob(await save({ nextRunAt: new Date(Date.now() - 1000) }), undefined))!;
      await repo.saveJobState({ ...running, nextRunAt: null }, undefined); // Job.run() of a one-off
      await repo.unlockJob(running);
      expect((await get(running._id)).lockedAt).toBeInstanceOf(Date);
      await repo.unlockJobs([running._id!, saved._id!]);
      expect((await get(running._id)).lockedAt).toBeUndefined();
    });
  });

  describe('getNextJobToRun', () => {
    it('hands out due jobs by next run, then priority, then abandoned locks; skips the rest', async () => {
      const now = Date.now();
      const at = (ms: number) => new Date(now + ms);
      await save({ name: 'next', nextRunAt: at(-3000), priority: 0, data: { id: 'earliest' } });
      await save({ name: 'next', nextRunAt: at(-1000), priority: 10, data: { id: 'high' } });
      await save({ name: 'next', nextRunAt: at(-1000), priority: 20, data: { id: 'higher' } });
      await save({ name: 'next', nextRunAt: at(2000), priority: 0, data: { id: 'within-scan' } });
      await save({ name: 'next', nextRunAt: null, lockedAt: at(-11 * MINUTE), data: { id: 'dead-one-off' } });
      await save({ name: 'next', nextRunAt: at(-5000), lockedAt: at(-20 * MINUTE), data: { id: 'dead-lock' } });
      await save({ name: 'next', nextRunAt: at(MINUTE), data: { id: 'future' } });
      await save({ name: 'next', nextRunAt: at(-9000), disabled: true, data: { id: 'disabled' } });
      await save({ name: 'next', nextRunAt: at(-9000), lockedAt: at(-1000), data: { id: 'locked' } });
      await save({ name: 'other', nextRunAt: at(-9000), data: { id: 'other-name' } });
      expect((await lockAll(repo, 'next', now)).map((j) => (j.data as { id: string }).id)).toEqual(['dead-lock', 'earliest', 'higher', 'high', 'within-scan', 'dead-one-off']);
    });

    it('returns the locked job with the lock time and modifier it was given', async () => {
      await save({ name: 'who', nextRunAt: new Date(Date.now() - 1000) });
      const [scanAt, deadline, now] = scan();
      const got = await repo.getNextJobToRun('who', scanAt, deadline, now, { lastModifiedBy: 'w2' });
      expect(got).toMatchObject({ name: 'who', lockedAt: now, lastModifiedBy: 'w2' });
      expect(await repo.getNextJobToRun('who', ...scan(), undefined)).toBeUndefined();
    });

    it('gives each of 40 jobs to exactly one of 8 workers on two connections', async () => {
      const ids = await Promise.all(Array.from({ length: 40 }, (_, i) => save({ name: 'race', data: { i }, nextRunAt: new Date(Date.now() - 1000) })));
      const workers = await Promise.all(Array.from({ length: 8 }, (_, i) => lockAll(i % 2 ? other : repo, 'race')));
      const taken = workers.flat().map((j) => String(j._id));
      expect(taken).toHaveLength(40);
      expect(new Set(taken)).toEqual(new Set(ids.map((j) => String(j._id))));
    });
  });

  describe('saveJobState', () => {
    it('writes the run state and clears the lock', async () => {
      const saved = await save({ nextRunAt: new Date(Date.now() - 1000) });
      const locked = (await repo.lockJob(saved, undefined))!;
      const now = new Date();
      await repo.saveJobState({ ...locked, lockedAt: undefined, lastRunAt: now, lastFinishedAt: now, progress: 50, failCount: 1, failReason: 'Test error', failedAt: now }, undefined);
      const back = await get(saved._id);
      expect(back).toMatchObject({ lastRunAt: now, lastFinishedAt: now, progress: 50, failCount: 1, failReason: 'Test error', failedAt: now });
      expect(back.lockedAt).toBeUndefined();
      // saving the same state again is no error (MySQL reports no row changed)
      await repo.saveJobState(back, undefined);
    });

    it('fails for a job that is gone', async () => {
      const saved = await save();
      await repo.removeJobs({ id: saved._id });
      await expect(repo.saveJobState(saved, undefined)).rejects.toThrow(/does not exist anymore/);
    });

    // Agenda's job.fail(reason) keeps a thrown non-Error as it is. Stored as it was, an object made
    // better-sqlite3 refuse the final save (Agenda swallows that: the job stayed locked, with no
    // failure recorded), MariaDB wrote '[object Object]' and refused a reason over 64 KB.
    it('records any failure reason as bounded, readable text and releases the lock', async () => {
      const circular: Record<string, unknown> = { code: 'E_LOOP' };
      circular.self = circular;
      const reasons: [unknown, string | RegExp][] = [
        [{ code: 'E_PLAIN' }, '{"code":"E_PLAIN"}'],
        [{}, '{} (an object without a message)'],
        [{ message: 'child died', stack: '…' }, 'child died'],
        [42, '42'],
        [null, 'no error given (null)'],
        [undefined, 'no error given (undefined)'],
        [circular, '{"code":"E_LOOP","self":"[Circular]"}'],
        ['失败 '.repeat(100_000), /^(失败 )+… \(\d+ more characters\)$/],
      ];
      for (const [reason, text] of reasons) {
        const saved = await save({ nextRunAt: new Date(Date.now() - 1000) });
        const locked = (await repo.lockJob(saved, undefined))!;
        const now = new Date();
        await repo.saveJobState({ ...locked, lockedAt: undefined, lastFinishedAt: now, failedAt: now, failCount: 1, failReason: reason as string }, undefined);
        const back = await get(saved._id);
        expect({ reason, failReason: back.failReason }).toEqual({ reason, failReason: typeof text === 'string' ? text : expect.stringMatching(text) });
        expect(back.failReason!.length).toBeLessThanOrEqual(2000);
        expect(back).toMatchObject({ failCount: 1, failedAt: now });
        expect(back.lockedAt).toBeUndefined();
      }
    });

    it('leaves the reason empty for a job that has not failed', async () => {
      const saved = await save({ nextRunAt: new Date(Date.now() - 1000) });
      await repo.saveJobState({ ...saved, lastFinishedAt: new Date() }, undefined);
      expect((await get(saved._id)).failReason).toBeUndefined();
    });

    it('records a non-string reason given with an update as text too (job.fail(obj).save())', async () => {
      const saved = await save();
      await repo.saveJob({ ...saved, failReason: { code: 'E_SAVE' } as unknown as string, failCount: 1, failedAt: new Date() }, undefined);
      expect((await get(saved._id)).failReason).toBe('{"code":"E_SAVE"}');
    });
  });

  describe('reading', () => {
    beforeEach(async () => {
      const now = Date.now();
      await save({ name: 'job-a', priority: 10, nextRunAt: new Date(now + MINUTE), data: { type: 'alpha', count: 1, user: { id: 1 } } });
      await save({ name: 'job-b', priority: 5, nextRunAt: new Date(now + 2 * MINUTE), data: { type: 'beta', count: 2 } });
      await save({ name: 'job-a', priority: 15, nextRunAt: new Date(now + 3 * MINUTE), data: { type: 'alpha', count: 3, user: { id: 2 } } });
    });

    it('queries by name, names, id(s), search and partial data', async () => {
      const all = await repo.queryJobs();
      expect(all.total).toBe(3);
      expect((await repo.queryJobs({ name: 'job-a' })).jobs.map((j) => j.name)).toEqual(['job-a', 'job-a']);
      expect((await repo.queryJobs({ names: ['job-a', 'job-b'] })).total).toBe(3);
      expect((await repo.queryJobs({ id: String(all.jobs[0]._id) })).jobs[0]._id).toBe(all.jobs[0]._id);
      expect((await repo.queryJobs({ ids: all.jobs.slice(1).map((j) => String(j._id)) })).total).toBe(2);
      expect((await repo.queryJobs({ search: 'JOB-' })).total).toBe(3);
      expect((await repo.queryJobs({ search: '%' })).total).toBe(0); // LIKE wildcards are literal
      expect((await repo.queryJobs({ search: '-b' })).total).toBe(1);
      expect((await repo.queryJobs({ data: { type: 'alpha' } })).total).toBe(2);
      expect((await repo.queryJobs({ data: { type: 'alpha', user: { id: 2 } } })).jobs.map((j) => (j.data as { count: number }).count)).toEqual([3]);
      expect((await repo.queryJobs({ data: { count: '1' } })).total).toBe(0);
      expect((await repo.queryJobs({ name: 'job-b', data: { missing: null } })).total).toBe(1);
    });

    it('sorts (latest scheduled first by default), pages and counts the total', async () => {
      const prio = (r: { jobs: { priority: number }[] }) => r.jobs.map((j) => j.priority);
      expect(prio(await repo.queryJobs())).toEqual([15, 5, 10]);
      expect(prio(await repo.queryJobs({ sort: { priority: 'desc' } }))).toEqual([15, 10, 5]);
      expect(prio(await repo.queryJobs({ sort: { nextRunAt: 'asc' } }))).toEqual([10, 5, 15]);
      const page = await repo.queryJobs({ sort: { priority: 'asc' }, skip: 1, limit: 1 });
      expect(prio(page)).toEqual([10]);
      expect(page.total).toBe(3);
      expect(prio(await repo.queryJobs({ sort: { priority: 'asc' }, skip: 2 }))).toEqual([15]);
      // jobs never scheduled go last whichever the direction
      await save({ name: 'job-c', nextRunAt: null, priority: 1 });
      expect(prio(await repo.queryJobs({ sort: { nextRunAt: 'asc' } })).at(-1)).toBe(1);
      expect(prio(await repo.queryJobs({ sort: { nextRunAt: 'desc' } })).at(-1)).toBe(1);
    });

    it('leaves disabled jobs out on request', async () => {
      await save({ name: 'off', disabled: true });
      expect((await repo.queryJobs({ includeDisabled: true })).total).toBe(4);
      expect((await repo.queryJobs({ includeDisabled: false })).total).toBe(3);
    });

    it('filters by computed state before paging, and counts states per name', async () => {
      const now = Date.now();
      await save({ name: 'st', nextRunAt: new Date(now - 1000) }); // queued
      await save({ name: 'st', nextRunAt: new Date(now - 1000) }); // queued
      await save({ name: 'st', nextRunAt: new Date(now - 1000), lockedAt: new Date(now) }); // running
      await save({ name: 'st', nextRunAt: null, lastFinishedAt: new Date(now) }); // completed
      await save({ name: 'st', nextRunAt: null, failedAt: new Date(now), lastFinishedAt: new Date(now) }); // failed
      await save({ name: 'st', nextRunAt: new Date(now + MINUTE), repeatInterval: '1 hour' }); // repeating
      await save({ name: 'st', nextRunAt: new Date(now + MINUTE), disabled: true }); // scheduled, paused

      const queued = await repo.queryJobs({ name: 'st', state: 'queued', limit: 1 });
      expect(queued.total).toBe(2);
      expect(queued.jobs).toHaveLength(1);
      expect(queued.jobs[0].state).toBe('queued');
      for (const state of ['running', 'completed', 'failed', 'repeating', 'paused'] as const) {
        expect((await repo.queryJobs({ name: 'st', state })).total, state).toBe(1);
      }
      expect((await repo.queryJobs({ state: 'scheduled' })).total).toBe(4); // three from beforeEach

      const overview = await repo.getJobsOverview();
      expect(overview.map((o) => o.name)).toEqual(['job-a', 'job-b', 'st']);
      expect(overview.find((o) => o.name === 'st')).toEqual({
        name: 'st', total: 7, running: 1, scheduled: 1, queued: 2, completed: 1, failed: 1, repeating: 1, paused: 1,
      });
    });

    it('lists distinct names, finds by id, counts what is due', async () => {
      expect(await repo.getDistinctJobNames()).toEqual(['job-a', 'job-b']);
      expect(await repo.getJobById('00000000-0000-0000-0000-000000000000')).toBeNull();
      expect(await repo.getQueueSize()).toBe(0);
      await save({ name: 'due', nextRunAt: new Date(Date.now() - MINUTE) });
      await save({ name: 'due', nextRunAt: new Date(Date.now() - 1000) });
      expect(await repo.getQueueSize()).toBe(2);
    });
  });

  describe('remove, disable, enable, purge', () => {
    let ids: string[];
    beforeEach(async () => {
      ids = [];
      for (const [name, data] of [['a', { k: 1, tag: { x: 'y' } }], ['a', { k: 2 }], ['b', { k: 1 }], ['c', {}]] as const) {
        ids.push(String((await save({ name, data }))._id));
      }
    });
    const left = async () => (await repo.queryJobs({ sort: { name: 'asc' } })).jobs.map((j) => j.name).join('');

    it('removes by id, ids, name, names, notNames and data, alone or together', async () => {
      expect(await repo.removeJobs({ name: 'a', data: { k: 2 } })).toBe(1);
      expect(await left()).toBe('abc');
      expect(await repo.removeJobs({ notNames: ['a', 'b'] })).toBe(1);
      expect(await repo.removeJobs({ id: ids[2] })).toBe(1);
      expect(await left()).toBe('a');
      expect(await repo.removeJobs({ data: { tag: { x: 'y' } } })).toBe(1);
      expect(await repo.removeJobs({ name: 'gone' })).toBe(0);
    });

    it('removes nothing without a criterion', async () => {
      expect(await repo.removeJobs({})).toBe(0);
      expect(await repo.removeJobs({ ids: [], names: [], data: {} })).toBe(0);
      expect(await repo.disableJobs({})).toBe(0);
      expect(await left()).toBe('aabc');
    });

    it('disables and enables, counting the jobs that changed', async () => {
      expect(await repo.disableJobs({ names: ['a', 'b'] })).toBe(3);
      expect(await repo.disableJobs({ name: 'a' })).toBe(0);
      expect((await repo.queryJobs({ includeDisabled: false })).jobs.map((j) => j.name)).toEqual(['c']);
      expect(await repo.getNextJobToRun('a', ...scan(), undefined)).toBeUndefined();
      expect(await repo.enableJobs({ ids: [ids[0], ids[3]] })).toBe(1);
      expect(await repo.enableJobs({ data: { k: 1 } })).toBe(1);
      expect((await repo.queryJobs({ includeDisabled: false })).total).toBe(3);
    });

    it('purges everything', async () => {
      expect(await repo.purgeAllJobs()).toBe(4);
      expect(await repo.queryJobs()).toEqual({ jobs: [], total: 0 });
    });
  });

  describe('backend', () => {
    it('is named SQL, leaves the pool to its owner and checks its table on connect', async () => {
      const backend = new KnexBackend({ db: t.db });
      expect(backend.name).toBe('SQL');
      expect(backend.ownsConnection).toBe(false);
      await backend.connect();
      await backend.disconnect();
      expect(await t.db.raw('select 1')).toBeTruthy();
      await expect(new KnexBackend({ db: t.db, tableName: 'no_such_jobs' }).connect()).rejects.toThrow(/run the database migrations/);
    });
  });
});
