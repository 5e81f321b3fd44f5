import { db } from '../../api/db/transaction.ts';
import { purgeOldMessages, sendDueMessages } from '../../api/services/messages/outbox.ts';
import { JOB } from './names.ts';
import type { JobEnv, JobGroup, WorkerServices } from './types.ts';

// The outgoing_messages outbox (SMS codes, verification mails), and the hourly clean-up of what has
// expired: session and one-time tokens, week-old message traces.

const PURGE_EVERY_MS = 3600_000;

export function messageJobs(env: JobEnv, services: WorkerServices): JobGroup {
  let purgedAt = 0;
  return {
    jobs: [
      {
        name: JOB.sendMessages,
        everyMs: env.config.jobs.pollMs,
        // the outbox claims each row itself, so two workers sending at once never send one twice
        async run() {
          const context = services.systemContext(JOB.sendMessages);
          const now = context.clock.now().getTime();
          const sent = await sendDueMessages(db(context), services.providers, env.log, now);
          if (sent > 0) env.log.debug({ sent }, 'messages sent');
          if (now - purgedAt >= PURGE_EVERY_MS) {
            purgedAt = now;
            const [expired, old] = [await services.accounts.tokens.purgeExpired(db(context), now), await purgeOldMessages(db(context), now)];
            if (expired + old > 0) env.log.info({ expiredTokens: expired, oldMessages: old }, 'purged');
          }
        },
      },
    ],
  };
}
