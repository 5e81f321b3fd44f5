import type { JobParameters, JobState } from 'agenda';

// A job's state as Agenda 6 computes it (computeJobState in agenda/dist/types/JobQuery.js), copied so
// that the SQL store, and with it `meiduo jobs`, does not load Agenda (~150 ms of luxon, cron-parser
// and date.js) to read a table. tests/unit/job-state.test.ts compares the two over every combination,
// so an Agenda upgrade that changes the rules fails there.

type StateFields = Pick<JobParameters, 'lockedAt' | 'lastFinishedAt' | 'failedAt' | 'nextRunAt' | 'repeatInterval'>;

export function jobState(job: StateFields, now: Date = new Date()): JobState {
  const { lockedAt, lastFinishedAt, failedAt, nextRunAt, repeatInterval } = job;
  if (lockedAt) return 'running';
  // a failure at least as recent as the last finish
  if (failedAt && (!lastFinishedAt || failedAt >= lastFinishedAt)) return 'failed';
  if (repeatInterval) return 'repeating';
  if (nextRunAt && nextRunAt > now) return 'scheduled';
  if (nextRunAt && nextRunAt <= now) return 'queued';
  return 'completed';
}
