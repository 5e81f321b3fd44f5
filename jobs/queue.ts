import crypto from 'node:crypto';
import { Agenda, exponential, type Job } from 'agenda';
import type { Knex } from 'knex';
import type { Config } from '../api/config.ts';
import type { Logger } from '../api/logger.ts';
import type { ShopMetrics } from '../api/metrics.ts';
import { inRequestScope } from '../api/request-scope.ts';
import { CatalogService } from '../api/services/catalog/catalog-service.ts';
import { asError } from './backends/failure.ts';
import { HeldLocks } from './backends/held-locks.ts';
import { createBackend } from './backends/index.ts';
import { schedulingTurn } from './backends/scheduling.ts';
import { shopJobs, type WorkerServices } from './definitions/index.ts';
import type { RebuildSummary } from './pages-rebuild.ts';

// The job queue: Agenda 6 over the backend JOBS_BACKEND names. Every process that enqueues work
// creates one; workers (the web process in the embedded default, `meiduo worker` in production) also
// start processing. What the jobs are, by domain, is in definitions/ (names in definitions/names.ts);
// this module defines them all alike, schedules them and stops them.
//
// Who closes what: close() stops this process taking and starting jobs, releases the locks it holds
// for work it has not finished (see close()), closes what the job groups hold (the PageRebuilder's
// renderer and search thread) and the backend's connection when the backend opened it (Redis,
// Mongo from a URL). The knex pool is the caller's: destroy it after close() has resolved, never
// before, or the last state saves of the jobs fail on a destroyed pool.

export { JOB } from './definitions/names.ts';
export type { WorkerServices } from './definitions/index.ts';

/** How long close() lets running jobs finish before it gives them up. */
const DRAIN_TIMEOUT_MS = 60_000;

// Agenda's own definition takes jobs of any data
type Processor = (job: Job<any>, done: (error?: Error) => void) => unknown;

const isThenable = (v: unknown): v is PromiseLike<unknown> => typeof (v as PromiseLike<unknown> | null)?.then === 'function';

/**
 * A processor that fails only with Errors. Agenda records whatever was thrown as the failure
 * reason and reads `.message` of it: a thrown null or undefined breaks its failure handling (no
 * retry), and an object is stored as '[object Object]' by Redis. (The SQL store also turns any
 * reason into text itself, failure.ts: a forked child's failure arrives as an object.)
 */
function failingWithErrors(processor: Processor): Processor {
  // Agenda tells callback processors by their arity, so the wrapper keeps it
  if (processor.length === 2) {
    return (job, done) => {
      try {
        const result = processor(job, (err) => done(err ? asError(err) : err));
        return isThenable(result) ? Promise.resolve(result).catch((err: unknown) => Promise.reject(asError(err))) : result;
      } catch (err) {
        throw asError(err);
      }
    };
  }
  const run = processor as (job: Job) => unknown;
  return async (job) => {
    try {
      return await run(job);
    } catch (err) {
      throw asError(err);
    }
  };
}

/** Runs each run of a job in a request scope of its own: its log lines and contexts share one id. */
function scoped(name: string, processor: Processor): Processor {
  const scope = () => `job:${name}:${crypto.randomUUID()}`;
  if (processor.length === 2) return (job, done) => inRequestScope(scope(), () => processor(job, done));
  return (job) => inRequestScope(scope(), () => (processor as (job: Job) => unknown)(job));
}

/** A job's runs counted and timed by outcome (api/metrics.ts). */
function timed(metrics: ShopMetrics, name: string, run: (job: Job) => Promise<void>) {
  return async (job: Job) => {
    const start = performance.now();
    try {
      await run(job);
      metrics.job(name, 'ok', (performance.now() - start) / 1000);
    } catch (err) {
      metrics.job(name, 'failed', (performance.now() - start) / 1000);
      throw err;
    }
  };
}

/** Agenda whose every job, ours or one a test defines, fails with an Error and logs under its run's id. */
class ShopAgenda extends Agenda {
  override define(name: string, processor: Processor, options?: Parameters<Agenda['define']>[2]): void {
    super.define(name, scoped(name, failingWithErrors(processor)) as (job: Job) => Promise<void>, options);
  }
}

export interface JobQueue {
  agenda: Agenda;
  /** Start processing jobs in this process. */
  startWorker(): Promise<void>;
  /** Summaries of the rebuild runs this process performed (the web process clears its micro-cache on them). */
  onRebuilt(listener: (s: RebuildSummary) => void): () => void;
  /** What the job groups started in the background when the worker started (JobGroup.started), settled. */
  started: Promise<unknown[]>;
  close(): Promise<void>;
}

export interface JobQueueOptions {
  /** How long close() lets running jobs finish (default 60 s, room for a full build's last steps). */
  drainTimeoutMs?: number;
  /**
   * The services of a worker process (serve with the in-process worker, `meiduo worker`): with them
   * it also runs the messages, orders and payments jobs. A process that only works the page queue
   * (the CLI's --wait) passes none, and reads the catalog through a CatalogService of its own.
   */
  services?: WorkerServices;
  /**
   * Warm the search publisher thread when the worker starts and keep it (config SEARCH_PUBLISHER;
   * `meiduo worker` by default): costs the thread's memory for good, spares the first edit the
   * catalog's tokenizing (docs/search.md).
   */
  warmSearch?: boolean;
}

/**
 * How each job is defined: one run at a time in a process (and, by its lock, across processes).
 * No `lockLimit`: Agenda 6.2 drops a job whose lock expired before its run began (a process paused
 * past JOBS_LOCK_MS, a job locked ahead of its due time) without giving back its count of locks
 * held, so with `lockLimit: 1` that process never locked the job again — a worker that had stalled
 * once silently stopped running `pages.rebuild`. Each job here is one recurring document, so a limit
 * of one lock is what one document gives anyway.
 */
export const JOB_DEFINITION = { concurrency: 1 } as const;

export async function createJobQueue(config: Config, db: Knex, log: Logger, options: JobQueueOptions = {}): Promise<JobQueue> {
  const backend = await createBackend(config, db);
  const locks = new HeldLocks(backend.repository);
  const agenda = new ShopAgenda({
    // the backend as it is, but with its repository watched for the locks this process holds
    backend: {
      name: backend.name,
      repository: locks.repository,
      notificationChannel: backend.notificationChannel,
      logger: backend.logger,
      ownsConnection: backend.ownsConnection,
      connect: () => backend.connect(),
      disconnect: () => backend.disconnect(),
    },
    name: `meiduo-${process.pid}`,
    processEvery: config.jobs.pollMs,
    // a killed worker's lock expires after this; running jobs touch their lock well within it
    defaultLockLifetime: config.jobs.lockMs,
  });
  agenda.on('error', (err) => log.error({ err }, 'job queue error'));
  agenda.on('fail', (err, job) => log.error({ err, job: job.attrs.name, failCount: job.attrs.failCount }, 'job failed'));

  const listeners = new Set<(s: RebuildSummary) => void>();
  const groups = shopJobs({
    config,
    db,
    log,
    catalog: options.services?.catalog ?? new CatalogService(0, { siteUrl: config.siteUrl }),
    rebuilt: (summary) => listeners.forEach((l) => l(summary)),
    warmSearch: options.warmSearch ?? false,
    keepLocked: async (job, work) => {
      const timer = setInterval(() => job.touch().catch(() => {}), config.jobs.lockMs / 3);
      try {
        return await work();
      } finally {
        clearInterval(timer);
      }
    },
  }, options.services);

  // every job alike: one run at a time across all workers; a failed run is retried with backoff
  const retry = { backoff: exponential({ delay: 1000, maxDelay: 60_000, maxRetries: 8 }) };
  const recurring: [name: string, everyMs: number][] = [];
  for (const { name, everyMs, run } of groups.flatMap((g) => g.jobs)) {
    const metrics = options.services?.metrics;
    agenda.define(name, metrics ? timed(metrics, name, run) : (job: Job) => run(job), { ...JOB_DEFINITION, ...retry });
    recurring.push([name, everyMs]);
  }

  let closed: Promise<void> | null = null;
  let started: Promise<unknown[]> = Promise.resolve([]);
  return {
    agenda,
    get started() {
      return started;
    },
    async startWorker() {
      await agenda.ready;
      await schedulingTurn(backend, async () => {
        for (const [name, everyMs] of recurring) {
          await agenda.every(everyMs, name);
          // a store that already holds two (see scheduling.ts) gets one anew: removing only the
          // extra would also drop the Redis store's name → document reference
          if ((await agenda.db.queryJobs({ name })).total > 1) {
            await agenda.db.removeJobs({ name });
            await agenda.every(everyMs, name);
          }
        }
      });
      await agenda.start();
      started = Promise.all(groups.map((g) => g.started?.()));
    },
    onRebuilt(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    close() {
      closed ??= (async () => {
        // stop(), not drain(): it stops starting jobs at once and unlocks the ones Agenda locked and
        // has not started (drain() keeps starting queued jobs while it waits, and leaves the rest
        // locked until JOBS_LOCK_MS has passed). Not closing the backend here: running jobs still
        // save their state.
        await agenda.stop(false);
        // then: lock queries under way, running jobs (until the timeout, then given up for another
        // worker to take at once), jobs locked meanwhile
        try {
          const finished = await locks.release(options.drainTimeoutMs ?? DRAIN_TIMEOUT_MS);
          if (!finished) log.warn('jobs still running when the worker stopped were released for another worker');
        } catch (err) {
          log.error({ err }, 'could not release every job lock; they expire after JOBS_LOCK_MS');
        }
        if (backend.ownsConnection !== false) await backend.disconnect();
        for (const g of groups) await g.close?.();
      })();
      return closed;
    },
  };
}
