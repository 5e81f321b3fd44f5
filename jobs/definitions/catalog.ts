import { PageRebuilder } from '../pages-rebuild.ts';
import { JOB } from './names.ts';
import type { JobEnv, JobGroup } from './types.ts';

// The catalog's jobs: the pages and the search index follow the catalog's outbox
// (api/services/catalog/outbox.ts). Every process that works the queue runs them, the CLI's --wait
// included.

export function catalogJobs(env: JobEnv): JobGroup {
  const rebuilder = new PageRebuilder(env.db, env.catalog, env.config, env.log);
  return {
    jobs: [
      {
        name: JOB.rebuildPages,
        everyMs: env.config.jobs.pollMs,
        async run(job) {
          const summary = await env.keepLocked(job, () => rebuilder.drain());
          env.rebuilt(summary);
          if (summary.changes > 0) {
            env.log.info({ changes: summary.changes, rendered: summary.rendered.length, removed: summary.removed.length, full: summary.full, search: summary.search }, 'pages rebuilt');
          }
        },
      },
      {
        name: JOB.rebuildSearch,
        everyMs: env.config.jobs.pollMs,
        async run(job) {
          const drained = await env.keepLocked(job, () => rebuilder.drainSearch());
          if (drained) env.log.info(drained, 'search index published');
        },
      },
    ],
    // a warm publisher: the first edit after the worker starts costs what any edit does (docs/search.md)
    started: async () => {
      if (!env.warmSearch) return null;
      try {
        const warmed = await rebuilder.warmSearch();
        env.log.info({ docs: warmed.docs, files: warmed.files, ms: warmed.ms, rssMb: Math.round(warmed.rss / 2 ** 20) }, 'search publisher warm');
        return warmed;
      } catch (err) {
        env.log.warn({ err }, 'search publisher not warmed: the first publish tokenizes everything');
        return null;
      }
    },
    close: () => rebuilder.close(),
  };
}
