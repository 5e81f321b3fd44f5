import { JOB } from './names.ts';
import type { JobEnv, JobGroup, WorkerServices } from './types.ts';

// Payments: refunds of payments recorded for refund (their order was cancelled, or already paid by
// another trade). Only with Alipay configured.

/** How often payments recorded for refund are given back (one try each per run). */
const REFUND_EVERY_MS = 60_000;

export function paymentJobs(env: JobEnv, services: WorkerServices): JobGroup {
  if (!services.providers.alipay) return { jobs: [] };
  const payments = services.payments;
  return {
    jobs: [
      {
        name: JOB.refunds,
        everyMs: REFUND_EVERY_MS,
        // one worker at a time; and out_request_no makes a repeated refund a no-op at Alipay anyway
        async run(job) {
          // a run can outlast JOBS_LOCK_MS (50 refunds, each up to Alipay's timeout): the lock is kept
          // fresh so no other worker starts the same refunds meanwhile
          const run = await env.keepLocked(job, () => payments.refundPending(services.systemContext(JOB.refunds)));
          if (run.refunded + run.failed + run.retrying > 0) env.log.info(run, 'refunds run');
        },
      },
    ],
  };
}
