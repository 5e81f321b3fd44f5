import type { Config } from '../../api/config.ts';
import { UsageError, args } from './arguments.ts';
import { cliContext, withDb } from './terminal.ts';

/** `meiduo jobs [--json]`: queued, running and failed jobs and pending page changes; `meiduo jobs retry ID`. Loads no Agenda (job-admin.ts). */
export async function run(config: Config, argv: string[]) {
  const [sub, ...rest] = argv;
  const admin = await import('../job-admin.ts');
  const { pendingCount } = await import('../../api/services/catalog/outbox.ts');
  await withDb(config, async (db) => {
    const store = await admin.openJobStore(config, db);
    try {
      if (sub === 'retry') {
        const { positionals } = args(rest, {}, 1);
        if (!positionals[0]) throw new UsageError('which job? meiduo jobs retry ID');
        const job = await admin.retryJob(store.repository, positionals[0]).catch((err: unknown) => {
          throw err instanceof admin.UnknownJobError ? new UsageError(err.message) : err;
        });
        return console.log(`job ${job.id} (${job.name}) will run again now`);
      }
      const { values } = args(sub === undefined ? [] : argv, {});
      const rows = await admin.listJobs(store.repository);
      const pending = await pendingCount(await cliContext(db, 'jobs'));
      if (values.json) return console.log(JSON.stringify({ backend: config.jobs.backend, pendingPageChanges: pending, jobs: rows }));
      console.log(`job store: ${config.jobs.backend}; page changes waiting: ${pending}`);
      const iso = (d: Date | null) => (d ? d.toISOString() : '-');
      for (const j of rows) {
        console.log(`${j.id}  ${j.name.padEnd(16)} ${j.state.padEnd(10)} next ${iso(j.nextRunAt)}  last ${iso(j.lastFinishedAt)}${j.failCount ? `  failed ×${j.failCount}: ${j.failReason}` : ''}`);
      }
      if (rows.length === 0) console.log('no jobs');
    } finally {
      await store.close();
    }
  });
}
