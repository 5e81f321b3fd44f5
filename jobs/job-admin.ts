import type { AgendaBackend, JobRepository, JobState, JobsQueryOptions, JobWithState } from 'agenda';
import type { Knex } from 'knex';
import type { Config } from '../api/config.ts';
import { createBackend } from './backends/index.ts';

// The job store as an operator sees it (`meiduo jobs`): list, retry, and when a job last ran. It
// works on the backend's repository and never loads the Agenda class, so a command that only reads
// the store starts fast (Agenda and its date libraries cost ~150 ms to import). With JOBS_BACKEND
// sql nothing of Agenda's is loaded at all; the Redis and Mongo backends import parts of it
// themselves.

export interface JobInfo {
  id: string;
  name: string;
  state: JobState;
  nextRunAt: Date | null;
  lastRunAt: Date | null;
  lastFinishedAt: Date | null;
  failCount: number;
  failReason: string | null;
  lockedAt: Date | null;
}

/** An open job store. Closing it closes what it opened; the knex pool stays the caller's. */
export interface JobStore {
  readonly backend: AgendaBackend;
  readonly repository: JobRepository;
  close(): Promise<void>;
}

/** Thrown by retryJob for an id the store does not have; its message is fit for the CLI to print. */
export class UnknownJobError extends Error {
  constructor(readonly id: string) {
    super(`no job ${id}`);
    this.name = 'UnknownJobError';
  }
}

export async function openJobStore(config: Config, db: Knex): Promise<JobStore> {
  const backend = await createBackend(config, db);
  await backend.connect();
  return {
    backend,
    repository: backend.repository,
    async close() {
      // the SQL backend's pool is the caller's; Redis and Mongo backends built from a URL own theirs
      if (backend.ownsConnection !== false) await backend.disconnect();
    },
  };
}

/** A stored job as the CLI and the admin routes show it. */
export function infoOf(j: JobWithState): JobInfo {
  return {
    id: String(j._id),
    name: j.name,
    state: j.state,
    nextRunAt: j.nextRunAt ?? null,
    lastRunAt: j.lastRunAt ?? null,
    lastFinishedAt: j.lastFinishedAt ?? null,
    failCount: j.failCount ?? 0,
    failReason: j.failReason ?? null,
    lockedAt: j.lockedAt ?? null,
  };
}

/** Jobs, soonest next run first unless `query` sorts otherwise. */
export async function listJobs(repository: JobRepository, query: JobsQueryOptions = {}): Promise<JobInfo[]> {
  const { jobs } = await repository.queryJobs({ sort: { nextRunAt: 'asc' }, ...query });
  return jobs.map(infoOf);
}

/**
 * Runs a job again now (`meiduo jobs retry ID`): due now, no longer failed, unlocked. Its fail
 * count stays, so the retry policy counts this run as one more attempt.
 */
export async function retryJob(repository: JobRepository, id: string): Promise<JobInfo> {
  const [job] = (await repository.queryJobs({ id })).jobs;
  if (!job) throw new UnknownJobError(id);
  const { state: _, ...attrs } = job;
  await repository.saveJobState({ ...attrs, nextRunAt: new Date(), failedAt: undefined, lockedAt: undefined }, undefined);
  const [after] = (await repository.queryJobs({ id })).jobs;
  if (!after) throw new UnknownJobError(id); // removed meanwhile
  return infoOf(after);
}

/**
 * When a job of this name last started or finished, or null if never. A live worker runs the
 * repeating pages.rebuild every JOBS_POLL_MS, so this tells whether one is running.
 */
export async function lastRunOf(repository: JobRepository, name: string): Promise<Date | null> {
  const { jobs } = await repository.queryJobs({ name });
  let last: Date | null = null;
  for (const j of jobs) {
    for (const at of [j.lastRunAt, j.lastFinishedAt]) if (at && (!last || at > last)) last = at;
  }
  return last;
}
