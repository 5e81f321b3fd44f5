import type { Knex } from 'knex';
import type { Config } from '../../api/config.ts';
import { JOB } from '../definitions/names.ts';
import type { JobQueue } from '../queue.ts';
import { cliContext, progressBar } from './terminal.ts';

/**
 * Waits until the changes up to `changeId` are applied: their pages written and, where they touch
 * search, the new index published (the --wait of `rebuild`, `sku update`, `content update`). A
 * worker that is alive (the shop's in-process one, or a `meiduo worker`) does the work; only when
 * none has run the repeating rebuild job lately does this process work the queue itself — and then
 * closes it, releasing every job lock it holds (jobs/queue.ts). Returns the seconds it waited.
 */
export async function waitApplied(config: Config, db: Knex, changeId: number, json: boolean | undefined): Promise<number> {
  const { waitUntilApplied } = await import('../../api/services/catalog/outbox.ts');
  const { lastRunOf, openJobStore } = await import('../job-admin.ts');
  const started = performance.now();
  const store = await openJobStore(config, db);
  // a live worker runs pages.rebuild every JOBS_POLL_MS; give it a few rounds of slack
  const aliveWithin = Math.max(2000, config.jobs.pollMs * 8);
  const workerAlive = async () => {
    const last = await lastRunOf(store.repository, JOB.rebuildPages);
    return last !== null && Date.now() - last.getTime() < aliveWithin;
  };
  let own: JobQueue | null = null;
  let starting: Promise<void> | null = null;
  const workOurselves = () =>
    (starting ??= (async () => {
      if (await workerAlive()) return;
      const { createJobQueue } = await import('../queue.ts');
      const { createLogger } = await import('../../api/logger.ts');
      const queue = await createJobQueue(config, db, createLogger(config.logLevel));
      await queue.startWorker();
      own = queue;
    })().finally(() => (starting = null)));
  const bar = json ? null : await progressBar('waiting for the rebuild [{bar}] {value}/{total} {stage}');
  let total = 0;
  let stage = '';
  let checkedAt = Date.now();
  try {
    await workOurselves();
    await waitUntilApplied(await cliContext(db, 'wait'), changeId, {
      onPending: (n, now) => {
        if (bar) {
          const label = now === 'pages' ? 'page changes applied' : 'search index published';
          if (now !== stage || n > total) {
            stage = now;
            bar.start((total = Math.max(n, 1)), 0, { stage: label });
          }
          bar.update(total - n, { stage: label });
        }
        // the worker seen at the start may have stopped since (killed: its locks expire, JOBS_LOCK_MS)
        if (!own && Date.now() - checkedAt > aliveWithin) {
          checkedAt = Date.now();
          void workOurselves().catch(() => {});
        }
      },
    });
  } finally {
    bar?.stop();
    // (casts: TypeScript does not see the assignments inside the closures above)
    await (starting as Promise<void> | null)?.catch(() => {});
    // closing releases every job lock this process still holds (jobs/queue.ts)
    await (own as JobQueue | null)?.close();
    await store.close();
  }
  return (performance.now() - started) / 1000;
}
