import crypto from 'node:crypto';
// Types only: `meiduo jobs` reads this store without loading Agenda (see job-state.ts).
import type { JobId, JobParameters, UniqueOpts } from 'agenda';
import { failureText } from './failure.ts';

// A job as a row of the jobs table and back (api/db/migrations/2026-11-25-01-jobs.ts): instants are
// epoch milliseconds, booleans 0/1, data and the unique options JSON text, and a failure reason
// always bounded text, whatever the job threw (failure.ts). Which columns a save may write is
// decided here too: a user's save changes the schedule, the processor's saves the run state.

/** A row of the jobs table, as written and as both drivers read it back. */
export interface JobRow {
  id: string;
  name: string;
  type: string;
  single_key: string | null;
  priority: number;
  next_run_at: number | null;
  locked_at: number | null;
  last_run_at: number | null;
  last_finished_at: number | null;
  failed_at: number | null;
  fail_count: number | null;
  fail_reason: string | null;
  repeat_interval: string | null;
  repeat_timezone: string | null;
  repeat_at: string | null;
  start_date: number | null;
  end_date: number | null;
  skip_days: string | null;
  data: string | null;
  disabled: number | boolean;
  progress: number | null;
  fork: number | boolean;
  last_modified_by: string | null;
  debounce_started_at: number | null;
  unique_query: string | null;
  unique_opts: string | null;
}

export function ms(d: Date | string | number | null | undefined): number | null {
  if (d == null) return null;
  const t = new Date(d).getTime();
  // A NaN stored as NULL would silently unschedule the job.
  if (Number.isNaN(t)) throw new TypeError(`invalid date: ${String(d)}`);
  return t;
}

// mysql2 hands back a BIGINT as a string once it leaves the safe-integer range.
export const num = (v: number | string | null): number | null => (v == null ? null : Number(v));
export const date = (v: number | null): Date | undefined => (v == null ? undefined : new Date(Number(v)));
export const bool = (v: number | boolean | string) => Boolean(Number(v));
export const toJson = (v: unknown): string | null => (v === undefined ? null : JSON.stringify(v));
const fromJson = <T>(v: string | null): T | undefined => (v == null ? undefined : (JSON.parse(v) as T));

export function rowToJob<DATA = unknown>(row: JobRow): JobParameters<DATA> {
  return {
    _id: row.id as JobId,
    name: row.name,
    priority: Number(row.priority),
    nextRunAt: date(row.next_run_at) ?? null,
    type: row.type as JobParameters['type'],
    lockedAt: date(row.locked_at),
    lastFinishedAt: date(row.last_finished_at),
    failedAt: date(row.failed_at),
    failCount: num(row.fail_count) ?? undefined,
    failReason: row.fail_reason ?? undefined,
    repeatTimezone: row.repeat_timezone ?? undefined,
    lastRunAt: date(row.last_run_at),
    // Stored as text like the Postgres and Redis backends; Agenda reads "5000" as 5000 ms.
    repeatInterval: row.repeat_interval ?? undefined,
    data: fromJson<DATA>(row.data) as DATA,
    repeatAt: row.repeat_at ?? undefined,
    disabled: bool(row.disabled),
    progress: num(row.progress) ?? undefined,
    fork: bool(row.fork),
    unique: fromJson<Record<string, unknown>>(row.unique_query),
    uniqueOpts: fromJson<UniqueOpts>(row.unique_opts),
    lastModifiedBy: row.last_modified_by ?? undefined,
    debounceStartedAt: date(row.debounce_started_at),
    startDate: date(row.start_date),
    endDate: date(row.end_date),
    skipDays: fromJson<number[]>(row.skip_days),
  };
}

/** What a user's save may change: a job's definition and schedule, never its run state. */
export function scheduleColumns(job: JobParameters<unknown>, by: string | null) {
  const type = job.type || 'normal';
  return {
    priority: job.priority ?? 0,
    next_run_at: ms(job.nextRunAt),
    type,
    single_key: type === 'single' ? job.name : null,
    repeat_interval: job.repeatInterval == null ? null : String(job.repeatInterval),
    repeat_timezone: job.repeatTimezone ?? null,
    repeat_at: job.repeatAt ?? null,
    start_date: ms(job.startDate),
    end_date: ms(job.endDate),
    skip_days: job.skipDays ? JSON.stringify(job.skipDays) : null,
    data: toJson(job.data),
    disabled: job.disabled ? 1 : 0,
    fork: job.fork ? 1 : 0,
    last_modified_by: by,
  };
}

/**
 * The failure as text. Agenda's job.fail() keeps a thrown non-Error as it is, and a value neither
 * driver can store would make the run's final save fail silently, leaving the job locked.
 */
export function failReason(job: JobParameters<unknown>): string | null {
  return job.failReason == null && !job.failedAt ? null : failureText(job.failReason);
}

/** The fields the job processor owns: written on insert and by saveJobState, never by a user's save. */
export function processorColumns(job: JobParameters<unknown>) {
  return {
    locked_at: ms(job.lockedAt),
    last_run_at: ms(job.lastRunAt),
    last_finished_at: ms(job.lastFinishedAt),
    failed_at: ms(job.failedAt),
    fail_count: job.failCount ?? null,
    fail_reason: failReason(job),
    progress: job.progress ?? null,
  };
}

export function newRow(job: JobParameters<unknown>, by: string | null): JobRow {
  return {
    id: crypto.randomUUID(),
    name: job.name,
    ...scheduleColumns(job, by),
    ...processorColumns(job),
    debounce_started_at: ms(job.debounceStartedAt),
    unique_query: toJson(job.unique),
    unique_opts: toJson(job.uniqueOpts),
  };
}
