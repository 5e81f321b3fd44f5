import crypto from 'node:crypto';
import { Agenda, exponential, type Job } from 'agenda';
import type { Knex } from 'knex';
import type { Clock } from '../api/clock.ts';
import type { Config } from '../api/config.ts';
import type { RequestContext } from '../api/context.ts';
import type { Logger } from '../api/logger.ts';
import { inRequestScope } from '../api/request-scope.ts';
import { asError } from './backends/failure.ts';
import { HeldLocks } from './backends/held-locks.ts';
import { createBackend } from './backends/index.ts';
import { schedulingTurn } from './backends/scheduling.ts';
import { PageRebuilder, type RebuildSummary } from './pages-rebuild.ts';
import { purgeOldMessages, sendDueMessages, type MessageProviders } from '../api/services/messages/outbox.ts';
import { planHotPages } from '../api/services/orders/hot-pages.ts';
import { TokenStore } from '../api/services/accounts/tokens.ts';

// The job queue: Agenda 6 over the backend JOBS_BACKEND names. Every process that enqueues work
// creates one; workers (the web process in the embedded default, `meiduo worker` in production) also
// start processing. Jobs are named here and nowhere else.
//
// Who closes what: close() stops this process taking and starting jobs, releases the locks it holds
// for work it has not finished (see close()), closes the PageRebuilder (renderer, search thread)
// and the backend's connection when the backend opened it (Redis, Mongo from a URL). The knex pool
// is the caller's: destroy it after close() has resolved, never before, or the last state saves
// of the jobs fail on a destroyed pool.

export const JOB = {
  /** Applies the page_changes outbox: re-renders affected pages, full builds. */
  rebuildPages: 'pages.rebuild',
  /** Publishes a new search index when search_requests has rows. */
  rebuildSearch: 'search.rebuild',
  /** Sends due SMS and mails of the outgoing_messages outbox (api/services/messages/outbox.ts). */
  sendMessages: 'messages.send',
  /** Cancels Alipay orders unpaid past ORDER_PAY_TIMEOUT, returning their stock. */
  expireOrders: 'orders.expire',
  /** Turns the sales moves of orders into page changes for the hot pages, every HOT_REBUILD_EVERY. */
  hotPages: 'orders.hot-pages',
  /** Gives back payments recorded for refund (their order was cancelled or already paid). */
  refunds: 'payments.refund',
} as const;

/** How often unpaid orders are looked for (never less often than ORDER_PAY_TIMEOUT). */
const EXPIRE_EVERY_MS = 15_000;
/** How often payments recorded for refund are given back (one try each per run). */
const REFUND_EVERY_MS = 60_000;

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
  close(): Promise<void>;
}

export interface JobQueueOptions {
  /** How long close() lets running jobs finish (default 60 s, room for a full build's last steps). */
  drainTimeoutMs?: number;
  /**
   * The services of a worker process (serve with the in-process worker, `meiduo worker`): with them
   * it also sends the SMS/mail outbox, cancels unpaid orders and plans the hot pages. A process that
   * only works the page queue (the CLI's --wait) passes none.
   */
  services?: WorkerServices;
}

export interface WorkerServices {
  clock: Clock;
  providers: MessageProviders & { alipay?: unknown };
  orders: { cancelExpired(context: RequestContext, lastChance?: (orderId: string) => Promise<boolean>): Promise<number> };
  /** Present when Alipay is configured: asks Alipay about an order before it is cancelled. */
  payments?: {
    settleByQuery(context: RequestContext, orderId: string): Promise<unknown>;
    refundPending(context: RequestContext): Promise<{ refunded: number; failed: number; retrying: number }>;
  } | null;
  /** Each job run acts in a context of its own (its own request id in the logs). */
  systemContext(name: string): RequestContext;
}

export async function createJobQueue(config: Config, db: Knex, log: Logger, options: JobQueueOptions = {}): Promise<JobQueue> {
  const backend = await createBackend(config, db);
  const locks = new HeldLocks(backend.repository);
  const lockMs = config.jobs.lockMs;
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

  const recurring: [name: string, everyMs: number][] = [
    [JOB.rebuildPages, config.jobs.pollMs],
    [JOB.rebuildSearch, config.jobs.pollMs],
  ];
  const services = options.services;
  if (services) {
    const tokens = new TokenStore(db);
    let purgedAt = 0;
    agenda.define(
      JOB.sendMessages,
      async () => {
        const now = services.clock.now().getTime();
        const sent = await sendDueMessages(db, services.providers, log, now);
        if (sent > 0) log.debug({ sent }, 'messages sent');
        // once an hour, the same worker clears what has expired: tokens, old message traces
        if (now - purgedAt >= 3600_000) {
          purgedAt = now;
          const [expired, old] = [await tokens.purgeExpired(now), await purgeOldMessages(db, now)];
          if (expired + old > 0) log.info({ expiredTokens: expired, oldMessages: old }, 'purged');
        }
      },
      // the outbox claims each row itself, so two workers sending at once never send one twice
      { concurrency: 1, lockLimit: 1, ...retry },
    );
    recurring.push([JOB.sendMessages, config.jobs.pollMs]);

    // Alipay's part of the order jobs: asking about an order before it is cancelled, and refunds
    const payments = services.providers.alipay ? services.payments : null;
    agenda.define(
      JOB.expireOrders,
      async () => {
        const context = services.systemContext(`job:${JOB.expireOrders}`);
        const lastChance = payments
          ? (orderId: string) =>
              payments.settleByQuery(context, orderId).then(
                () => true,
                (err: unknown) => {
                  log.warn({ err, orderId }, 'could not ask Alipay about an expiring order: it stays unpaid until the next run');
                  return false;
                },
              )
          : undefined;
        const n = await services.orders.cancelExpired(context, lastChance);
        if (n > 0) log.info({ cancelled: n }, 'unpaid orders cancelled, stock returned');
      },
      // each cancel is a conditional UPDATE: two workers never return an order's stock twice
      { concurrency: 1, lockLimit: 1, ...retry },
    );
    recurring.push([JOB.expireOrders, Math.min(EXPIRE_EVERY_MS, config.orders.payTimeoutMs)]);

    agenda.define(
      JOB.hotPages,
      async () => {
        const n = await planHotPages(services.systemContext(`job:${JOB.hotPages}`));
        if (n > 0) log.info({ skus: n }, 'hot pages planned from sales');
      },
      { concurrency: 1, lockLimit: 1, ...retry },
    );
    recurring.push([JOB.hotPages, config.orders.hotRebuildEveryMs]);

    if (payments) {
      agenda.define(
        JOB.refunds,
        async (job: Job) => {
          // a run can outlast JOBS_LOCK_MS (50 refunds, each up to Alipay's timeout): the lock is kept
          // fresh so no other worker starts the same refunds meanwhile
          const run = await keepLocked(job, () => payments.refundPending(services.systemContext(`job:${JOB.refunds}`)));
          if (run.refunded + run.failed + run.retrying > 0) log.info(run, 'refunds run');
        },
        // one worker at a time; and out_request_no makes a repeated refund a no-op at Alipay anyway
        { concurrency: 1, lockLimit: 1, ...retry },
      );
      recurring.push([JOB.refunds, REFUND_EVERY_MS]);
    }
  }

  let closed: Promise<void> | null = null;
  return {
    agenda,
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
        await rebuilder.close();
      })();
      return closed;
    },
  };
}
