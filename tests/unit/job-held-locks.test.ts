import type { JobId, JobParameters, JobRepository } from 'agenda';
import { describe, expect, it } from 'vitest';
import { HeldLocks } from '../../jobs/backends/held-locks.ts';

// The lock bookkeeping behind JobQueue.close(), on a fake repository that records what it is asked
// (the integration tests run the same through Agenda on SQLite, MariaDB and Redis).

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const job = (id: string, over: Partial<JobParameters> = {}): JobParameters => ({
  _id: id as JobId, name: 'j', priority: 0, type: 'normal', data: {}, nextRunAt: new Date(Date.now() + 100), lockedAt: new Date(), ...over,
});

function fakeRepository(next: (JobParameters | Promise<JobParameters | undefined>)[]) {
  const calls: [string, unknown][] = [];
  const repo = {
    async getNextJobToRun() {
      calls.push(['getNextJobToRun', null]);
      return next.shift();
    },
    async saveJobState(j: JobParameters) {
      calls.push(['saveJobState', { id: j._id, lockedAt: j.lockedAt, nextRunAt: j.nextRunAt }]);
    },
    async unlockJob(j: JobParameters) {
      calls.push(['unlockJob', j._id]);
    },
    async unlockJobs(ids: string[]) {
      calls.push(['unlockJobs', ids]);
    },
    async getQueueSize() {
      return 7;
    },
  };
  return { repo: repo as unknown as JobRepository, calls };
}

const lockNext = (r: JobRepository) => r.getNextJobToRun('j', new Date(), new Date(), undefined, undefined);

describe('HeldLocks', () => {
  it('passes every other call through to the repository', async () => {
    const { repo } = fakeRepository([]);
    expect(await new HeldLocks(repo).repository.getQueueSize()).toBe(7);
  });

  it('releases jobs held but not started: unlocked, or due again when a begun one-off', async () => {
    const { repo, calls } = fakeRepository([job('due'), job('taken-over', { nextRunAt: null })]);
    const locks = new HeldLocks(repo);
    await lockNext(locks.repository);
    await lockNext(locks.repository);
    expect(locks.ids).toEqual(['due', 'taken-over']);

    const t0 = Date.now();
    expect(await locks.release(1000)).toBe(true);
    expect(Date.now() - t0).toBeLessThan(100);
    expect(locks.ids).toEqual([]);
    const released = calls.filter(([c]) => c !== 'getNextJobToRun');
    expect(released).toEqual([
      ['unlockJobs', ['due']],
      ['saveJobState', { id: 'taken-over', lockedAt: undefined, nextRunAt: expect.any(Date) }],
    ]);
    expect((released[1]![1] as { nextRunAt: Date }).nextRunAt.getTime()).toBeLessThanOrEqual(Date.now());
  });

  it('locks nothing once releasing, and releases what a lock call under way returns', async () => {
    let resolve!: (j: JobParameters) => void;
    const { repo, calls } = fakeRepository([new Promise((r) => (resolve = r))]);
    const locks = new HeldLocks(repo);
    const underWay = lockNext(locks.repository);
    const releasing = locks.release(1000);
    expect(await lockNext(locks.repository)).toBeUndefined();
    resolve(job('late'));
    expect((await underWay)?._id).toBe('late');
    await releasing;
    expect(calls).toEqual([['getNextJobToRun', null], ['unlockJobs', ['late']]]);
  });

  it('waits for a running job to finish, and forgets jobs Agenda unlocked itself', async () => {
    const { repo, calls } = fakeRepository([job('run'), job('far')]);
    const locks = new HeldLocks(repo);
    const running = (await lockNext(locks.repository))!;
    await locks.repository.saveJobState(running, undefined); // the run's start
    await locks.repository.unlockJob((await lockNext(locks.repository))!); // too far ahead
    expect(locks.ids).toEqual(['run']);

    let done = false;
    const releasing = locks.release(2000).then((finished) => ((done = true), finished));
    await sleep(100);
    expect(done).toBe(false);
    await locks.repository.saveJobState({ ...running, lockedAt: undefined }, undefined); // the run's end
    expect(await releasing).toBe(true);
    expect(calls.filter(([c]) => c.startsWith('unlock'))).toEqual([['unlockJob', 'far']]);
  });

  it('counts a run whose first save failed as not started', async () => {
    const { repo, calls } = fakeRepository([job('gone')]);
    const locks = new HeldLocks(repo);
    const locked = (await lockNext(locks.repository))!;
    repo.saveJobState = async () => {
      throw new Error('store down');
    };
    await expect(locks.repository.saveJobState(locked, undefined)).rejects.toThrow('store down');
    const t0 = Date.now();
    expect(await locks.release(5000)).toBe(true);
    expect(Date.now() - t0).toBeLessThan(100);
    expect(calls.at(-1)).toEqual(['unlockJobs', ['gone']]);
  });

  it('gives up a run that outlasts the timeout, and drops what that run saves later', async () => {
    const { repo, calls } = fakeRepository([job('slow', { nextRunAt: new Date(Date.now() + 60_000) })]);
    const locks = new HeldLocks(repo);
    const running = (await lockNext(locks.repository))!;
    await locks.repository.saveJobState(running, undefined);
    expect(await locks.release(50)).toBe(false);
    expect(calls.at(-1)).toEqual(['unlockJobs', ['slow']]);
    const before = calls.length;
    await locks.repository.saveJobState({ ...running, lockedAt: undefined }, undefined);
    expect(calls.length).toBe(before);
  });
});
