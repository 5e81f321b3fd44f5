import { Agenda, exponential, type AgendaBackend, type Job } from 'agenda';
import type { Knex } from 'knex';
import type { Config } from '../api/config.ts';
import type { Logger } from '../api/logger.ts';
import { KnexBackend } from './backends/sql-backend.ts';
import { PageRebuilder, type RebuildSummary } from './pages-rebuild.ts';

// The job queue: Agenda 6 over the backend JOBS_BACKEND names. Every process that enqueues work
// creates one; workers (the web process in the embedded default, `meiduo worker` in production) also
// start processing. Jobs are named here and nowhere else.

export const JOB = {
  /** Applies the page_changes outbox: re-renders affected pages, full builds. */
  rebuildPages: 'pages.rebuild',
  /** Publishes a new search index when search_requests has rows. */
  rebuildSearch: 'search.rebuild',
} as const;


// pages.rebuild is one repeating job document: the job lock is what keeps two workers from
// rebuilding at once (a second one-off document could be run by another worker in parallel), and
// Agenda's own one-off debounce would lose a request made while the job runs (the run's final state
// save overwrites nextRunAt). The outbox is the queue; each run applies everything pending, so edits
// that arrive together are folded into one run and their pages de-duplicated.
export async function createBackend(config: Config, db: Knex): Promise<AgendaBackend> {
  switch (config.jobs.backend) {
    case 'sql':
      return new KnexBackend({ db, lockLifetime: config.jobs.lockMs });
    case 'redis': {
      const { RedisBackend } = await import('@agendajs/redis-backend');
      return new RedisBackend({ connectionString: config.redisUrl!, keyPrefix: 'meiduo:agenda:' });
    }
    case 'mongo': {
      const { MongoBackend } = await import('@agendajs/mongo-backend');
      return new MongoBackend({ address: config.jobs.mongoUrl!, collection: 'agendaJobs' });
    }
  }
}

export interface JobQueue {
  agenda: Agenda;
  /** Start processing jobs in this process. */
  startWorker(): Promise<void>;
  /** Summaries of the rebuild runs this process performed (the web process clears its micro-cache on them). */
  onRebuilt(listener: (s: RebuildSummary) => void): () => void;
  close(): Promise<void>;
}

export async function createJobQueue(config: Config, db: Knex, log: Logger): Promise<JobQueue> {
  const backend = await createBackend(config, db);
  const lockMs = config.jobs.lockMs;
  const agenda = new Agenda({
    backend,
    name: `meiduo-${process.pid}`,
    processEvery: config.jobs.pollMs,
    // a killed worker's lock expires after this; running jobs touch their lock well within it
    defaultLockLifetime: config.jobs.lockMs,
  });
  agenda.on('error', (err) => log.error({ err }, 'job queue error'));
  agenda.on('fail', (err, job) => log.error({ err, job: job.attrs.name, failCount: job.attrs.failCount }, 'job failed; it will be retried'));

  const listeners = new Set<(s: RebuildSummary) => void>();
  const rebuilder = new PageRebuilder(db, config, log);

  // Long work (a full build takes tens of seconds) keeps its lock fresh, so only a dead worker's
  // lock ever expires and another worker takes over within JOBS_LOCK_MS.
  const keepLocked = async <T>(job: Job, work: () => Promise<T>): Promise<T> => {
    const timer = setInterval(() => job.touch().catch(() => {}), lockMs / 3);
    try {
      return await work();
    } finally {
      clearInterval(timer);
    }
  };
  const retry = { backoff: exponential({ delay: 1000, maxDelay: 60_000, maxRetries: 8 }) };

  agenda.define(
    JOB.rebuildPages,
    async (job: Job) => {
      const summary = await keepLocked(job, () => rebuilder.drain());
      for (const l of listeners) l(summary);
      if (summary.changes > 0) {
        log.info({ changes: summary.changes, rendered: summary.rendered.length, removed: summary.removed.length, full: summary.full, search: summary.search }, 'pages rebuilt');
      }
    },
    { concurrency: 1, lockLimit: 1, ...retry },
  );
  agenda.define(
    JOB.rebuildSearch,
    async (job: Job) => {
      if (await keepLocked(job, () => rebuilder.drainSearch())) log.info('search index published');
    },
    { concurrency: 1, lockLimit: 1, ...retry },
  );

  let started = false;
  return {
    agenda,
    async startWorker() {
      await agenda.ready;
      await agenda.every(config.jobs.pollMs, JOB.rebuildPages);
      await agenda.every(config.jobs.pollMs, JOB.rebuildSearch);
      await agenda.start();
      started = true;
    },
    onRebuilt(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async close() {
      if (started) {
        // let a running rebuild finish (its connection is about to close); a full build may not, and
        // its lock then expires for another worker
        const r = await agenda.drain({ timeout: 60_000 });
        if (r.timedOut) await agenda.stop();
      } else {
        await backend.disconnect();
      }
      await rebuilder.close();
    },
  };
}
