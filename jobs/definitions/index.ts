import { catalogJobs } from './catalog.ts';
import { messageJobs } from './messages.ts';
import { orderJobs } from './orders.ts';
import { paymentJobs } from './payments.ts';
import { statisticsJobs } from './statistics.ts';
import type { JobEnv, JobGroup, WorkerServices } from './types.ts';

// The shop's jobs, by domain. A new job goes into its domain's file (or a new one listed here), with
// its name in names.ts; the queue (jobs/queue.ts) defines and schedules whatever this returns.

export function shopJobs(env: JobEnv, services: WorkerServices | undefined): JobGroup[] {
  const groups = [catalogJobs(env)];
  if (services) groups.push(messageJobs(env, services), orderJobs(env, services), paymentJobs(env, services), statisticsJobs(env, services));
  return groups;
}

export { JOB, type JobName } from './names.ts';
export type { JobDefinition, JobEnv, JobGroup, WorkerServices } from './types.ts';
