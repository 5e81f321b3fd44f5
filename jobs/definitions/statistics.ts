import { JOB } from './names.ts';
import type { JobEnv, JobGroup, WorkerServices } from './types.ts';

// Statistics: the SKU page views counted in the cache are added to sku_category_views every minute
// (api/services/statistics/views.ts says why a crashed or doubled flush counts each view once), and
// the sales of closed days are counted per SKU for the best sellers every five minutes (the last 8
// days again each time: their orders may still be cancelled).

const FLUSH_EVERY_MS = 60_000;
const ROLLUP_EVERY_MS = 5 * 60_000;

export function statisticsJobs(env: JobEnv, services: WorkerServices): JobGroup {
  return {
    jobs: [
      {
        name: JOB.flushViews,
        everyMs: FLUSH_EVERY_MS,
        async run() {
          const n = await services.views.flush(services.systemContext(JOB.flushViews));
          if (n > 0) env.log.debug({ views: n }, 'SKU page views flushed');
        },
      },
      {
        name: JOB.salesRollup,
        everyMs: ROLLUP_EVERY_MS,
        async run() {
          await services.statistics.rollupSales(services.systemContext(JOB.salesRollup));
        },
      },
    ],
  };
}
