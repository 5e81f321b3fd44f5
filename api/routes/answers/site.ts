import { z } from 'zod';
import { JOB_STATES } from '../../services/site/site-status.ts';
import { count, id, instant } from './common.ts';

// Answers of the site routes (api/routes/admin/site.ts): the pages' outbox, the release served, the job queue.

const state = z.enum(JOB_STATES);

export const siteStatus = z.strictObject({
  pending_changes: count.meta({ description: 'catalog changes whose pages are not live yet' }),
  release: z.strictObject({ id: z.string(), built_at: instant.nullable() }).nullable().meta({ description: 'the full build being served; null before the first' }),
  search: z.strictObject({ documents: count, published_at: instant.nullable() }).nullable(),
  jobs: z.strictObject(Object.fromEntries(JOB_STATES.map((s) => [s, count])) as Record<(typeof JOB_STATES)[number], typeof count>),
});

export const job = z.strictObject({
  id: z.string(),
  name: z.string(),
  state,
  fail_count: count,
  fail_reason: z.string().nullable(),
  next_run_at: instant.nullable(),
  last_run_at: instant.nullable(),
  last_finished_at: instant.nullable(),
});
export const jobPage = z.strictObject({ count, results: z.array(job) });

export const rebuildProgress = z.strictObject({
  change_id: id,
  stage: z.enum(['pages', 'search', 'done']).meta({ description: 'pages: waiting for the pages job; search: for the search index; done: live' }),
  pending_changes: count,
  pending_search: count,
});
