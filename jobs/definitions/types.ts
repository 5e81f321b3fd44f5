import type { Job } from 'agenda';
import type { Knex } from 'knex';
import type { Config } from '../../api/config.ts';
import type { Logger } from '../../api/logger.ts';
import type { CatalogService } from '../../api/services/catalog/catalog-service.ts';
import type { Services } from '../../api/services/index.ts';
import type { RebuildSummary } from '../pages-rebuild.ts';
import type { JobName } from './names.ts';

/**
 * One repeating job. The queue (jobs/queue.ts) defines every job the same way: one run at a time
 * across all workers, a failed run retried with exponential backoff, scheduled every `everyMs` by
 * each worker that starts (a single job in the store however many workers there are).
 */
export interface JobDefinition {
  name: JobName;
  everyMs: number;
  run(job: Job): Promise<void>;
}

/** A domain's jobs, and what they hold open (closed after the queue has stopped and released its locks). */
export interface JobGroup {
  jobs: JobDefinition[];
  /**
   * Called once the worker has started (not by a process that only enqueues): work to get ready in
   * the background, such as warming the search publisher. Returns at once; what it starts is the
   * returned promise (for tests), whose failure the group logs itself.
   */
  started?(): Promise<unknown>;
  close?(): Promise<void>;
}

/** What every process that works the queue has. */
export interface JobEnv {
  config: Config;
  /** The caller's pool (the queue never closes it). */
  db: Knex;
  log: Logger;
  catalog: CatalogService;
  /** Summaries of the rebuild runs, for the queue's onRebuilt listeners. */
  rebuilt(summary: RebuildSummary): void;
  /**
   * Runs long work (a full build takes tens of seconds) keeping the job's lock fresh, so only a dead
   * worker's lock ever expires and another worker takes over within JOBS_LOCK_MS.
   */
  keepLocked<T>(job: Job, work: () => Promise<T>): Promise<T>;
  /** Warm the search publisher when the worker starts and keep it (JobQueueOptions.warmSearch). */
  warmSearch: boolean;
}

/**
 * The services of a worker process (serve with the in-process worker, `meiduo worker`): with them it
 * also runs the messages, orders and payments jobs. A process that only works the page queue (the
 * CLI's --wait) has none.
 */
export type WorkerServices = Pick<Services, 'clock' | 'providers' | 'catalog' | 'accounts' | 'orders' | 'payments' | 'views' | 'statistics' | 'systemContext'> & Partial<Pick<Services, 'metrics'>>;
