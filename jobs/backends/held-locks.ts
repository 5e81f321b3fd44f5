import type { JobId, JobParameters, JobRepository, JobRepositoryOptions } from 'agenda';

/*
 * The job locks one process holds, kept by watching its repository calls, so that closing the
 * process releases every lock for work it did not finish. Agenda alone does not: drain() leaves the
 * jobs it locked but has not started locked (another worker gets them only when the lock expires,
 * JOBS_LOCK_MS later) and keeps starting queued ones while it waits; stop() unlocks those but neither
 * waits for the running ones nor for a lock query already under way, which then locks a job nobody
 * will run (or fails on a pool its owner has just destroyed).
 *
 * A job is held from the lock that returned it until a state save without a lock (the end of its
 * run) or an unlock; it is running from its first state save with a lock (the start of its run, then
 * every touch()). Works over any backend's repository: it sees only Agenda's JobRepository calls.
 */

interface Held {
  job: JobParameters;
  running: boolean;
  /** The run's final save, while it is under way. */
  finishing?: Promise<unknown>;
}

export class HeldLocks {
  /** The repository to give Agenda in place of the backend's own. */
  readonly repository: JobRepository;
  private readonly held = new Map<string, Held>();
  /** Jobs released while this process was running them: its later saves for them are dropped. */
  private readonly givenUp = new Set<string>();
  private readonly locking = new Set<Promise<unknown>>();
  private refusing = false;
  private waiters: (() => void)[] = [];

  constructor(private readonly inner: JobRepository) {
    const overrides: Partial<JobRepository> = {
      getNextJobToRun: (...args) => this.lock(() => inner.getNextJobToRun(...args)),
      lockJob: (...args) => this.lock(() => inner.lockJob(...args)),
      saveJobState: (job, options) => this.saveJobState(job, options),
      unlockJob: async (job) => {
        await inner.unlockJob(job);
        if (job._id) this.forget(String(job._id));
      },
      unlockJobs: (ids) => this.free(ids.map(String)),
    };
    this.repository = new Proxy(inner, {
      get(target, prop, receiver) {
        if (Object.hasOwn(overrides, prop)) return overrides[prop as keyof JobRepository];
        const value: unknown = Reflect.get(target, prop, receiver);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
  }

  /** Ids of the jobs held now, for tests and logs. */
  get ids(): string[] {
    return [...this.held.keys()];
  }

  /**
   * Releases every lock this process holds: refuses new locks at once, waits for lock calls under
   * way, unlocks the jobs held but not started, then waits up to `timeoutMs` for the running ones to
   * finish and gives up those that do not. Resolves true when every run finished.
   */
  async release(timeoutMs: number): Promise<boolean> {
    this.refusing = true;
    await Promise.allSettled(this.locking);
    await this.free(this.idle());
    const finished = await this.untilNoneRunning(timeoutMs);
    if (!finished) {
      await Promise.allSettled([...this.held.values()].map((h) => h.finishing));
      const left = [...this.held.keys()];
      for (const id of left) this.givenUp.add(id);
      await this.free(left);
    }
    return finished;
  }

  private idle(): string[] {
    return [...this.held].filter(([, h]) => !h.running).map(([id]) => id);
  }

  private async lock(call: () => Promise<JobParameters | undefined>): Promise<JobParameters | undefined> {
    if (this.refusing) return undefined;
    const locked = call().then((job) => {
      if (job?._id) this.held.set(String(job._id), { job, running: false });
      return job;
    });
    this.locking.add(locked);
    try {
      return await locked;
    } finally {
      this.locking.delete(locked);
    }
  }

  private async saveJobState(job: JobParameters, options: JobRepositoryOptions | undefined): Promise<void> {
    const id = String(job._id);
    if (this.givenUp.has(id)) return;
    const h = this.held.get(id);
    if (job.lockedAt) {
      if (!h) return this.inner.saveJobState(job, options);
      const started = h.running;
      Object.assign(h, { job: { ...job }, running: true });
      try {
        return await this.inner.saveJobState(job, options);
      } catch (err) {
        // a run whose first save failed never started (Agenda gives it up): still only locked
        if (!started) h.running = false;
        throw err;
      }
    }
    const saved = this.inner.saveJobState(job, options);
    if (!h) return saved;
    h.finishing = saved;
    try {
      await saved;
    } finally {
      // saved or gone (a job removed while it ran): either way this process holds it no more
      this.forget(id);
    }
  }

  /**
   * Makes jobs runnable by another worker now: unlocked, and a one-off whose run began (no next run
   * left) due again, since unlocked as it is it would never run again.
   */
  private async free(ids: (JobId | string)[]): Promise<void> {
    const unlock: string[] = [];
    const reschedule: JobParameters[] = [];
    for (const id of ids.map(String)) {
      const job = this.held.get(id)?.job;
      if (job && job.nextRunAt == null) reschedule.push(job);
      else unlock.push(id);
    }
    try {
      const results = await Promise.allSettled([
        unlock.length ? this.inner.unlockJobs(unlock) : undefined,
        ...reschedule.map((job) => this.inner.saveJobState({ ...job, lockedAt: undefined, nextRunAt: new Date() }, undefined)),
      ]);
      const failed = results.find((r) => r.status === 'rejected');
      if (failed) throw failed.reason;
    } finally {
      for (const id of ids) this.forget(String(id));
    }
  }

  private forget(id: string) {
    if (!this.held.delete(id)) return;
    for (const wake of this.waiters.splice(0)) wake();
  }

  private async untilNoneRunning(timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while ([...this.held.values()].some((h) => h.running)) {
      const left = deadline - Date.now();
      if (left <= 0) return false;
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        new Promise<void>((wake) => this.waiters.push(wake)),
        new Promise<void>((wake) => (timer = setTimeout(wake, left))),
      ]);
      clearTimeout(timer);
    }
    return true;
  }
}
