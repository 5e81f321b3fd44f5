import { z } from 'zod';
import type { Actor } from '../../context.ts';
import { diff, recordAudit } from '../../services/admin/audit.ts';
import { withTransaction } from '../../db/transaction.ts';
import { JOB_STATES, jobList, rebuildProgress, requestFullRebuild, retryJobById, siteStatus } from '../../services/site/site-status.ts';
import { idSchema } from '../../validation.ts';
import { listQuery } from './common.ts';
import { defineRoute } from '../define.ts';
import * as answer from '../answers/site.ts';

// The site and its job queue for staff (docs/admin-console.md, the console's 站点 page): what
// `meiduo jobs` and `meiduo rebuild --all` do, behind site.view_site / site.change_site.

const view = { permission: 'site.view_site' } as const;
const change = { permission: 'site.change_site' } as const;
const who = (actor: Actor) => (actor.kind === 'admin' ? `staff ${actor.userId}` : actor.kind);

export const siteRoutes = [
  defineRoute({
    method: 'get',
    path: '/api/admin/site',
    auth: view,
    summary: 'Pending page changes, the release served and its search index, jobs per state',
    response: answer.siteStatus,
    handler: ({ context, services }) => siteStatus(context, services),
  }),
  defineRoute({
    method: 'get',
    path: '/api/admin/jobs',
    auth: view,
    summary: 'Jobs of the queue (one state, or all; keyword: part of the name), the most recently run first',
    query: listQuery.extend({ state: z.enum(JOB_STATES, { message: `state 是 ${JOB_STATES.join(', ')} 之一` }).optional() }),
    response: answer.jobPage,
    handler: ({ query, services }) => jobList(services, { state: query.state, keyword: query.keyword || undefined, page: query.page, pageSize: query.page_size }),
  }),
  defineRoute({
    method: 'post',
    path: '/api/admin/jobs/:id/retry',
    auth: change,
    summary: 'Run a job again now (as `meiduo jobs retry`): due now, no longer failed, its fail count kept',
    params: z.object({ id: z.string().min(1, '任务 id 无效').max(64, '任务 id 无效').regex(/^[A-Za-z0-9_-]+$/, '任务 id 无效') }),
    // the job store is not the request's database transaction (Redis, Mongo; SQLite's one
    // connection): the retry is written first, its audit entry in a transaction of its own
    transaction: 'service',
    response: answer.job,
    errors: [404],
    handler: async ({ params, context, services }) => {
      const r = await retryJobById(services, params.id);
      await withTransaction(context, (c) => recordAudit(c, { action: 'retry', resource: 'site.job', resourceId: params.id, changes: diff(r.before, r.after) }));
      return r.after;
    },
  }),
  defineRoute({
    method: 'post',
    path: '/api/admin/site/rebuild',
    auth: change,
    summary: 'Rebuild every page and the search index (as `meiduo rebuild --all`); follow it at /api/admin/site/rebuild/{change_id}',
    // says what to rebuild, as the CLI's --all must be said: a request without it rebuilds nothing
    body: z.strictObject({ scope: z.literal('all', { message: 'scope 只能是 all（重建全部页面与搜索索引）' }) }),
    statusCode: 202,
    transaction: true,
    examples: { body: { scope: 'all' } },
    response: answer.rebuildProgress,
    handler: async ({ context }) => {
      const changeId = await requestFullRebuild(context, who(context.actor));
      await recordAudit(context, { action: 'rebuild', resource: 'site.site', resourceId: changeId, changes: null });
      return { change_id: changeId, stage: 'pages' as const, pending_changes: 1, pending_search: 0 };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/api/admin/site/rebuild/:change_id',
    auth: view,
    summary: 'Where a requested rebuild is: pages, search, or done (live)',
    params: z.object({ change_id: idSchema }),
    response: answer.rebuildProgress,
    handler: ({ params, context }) => rebuildProgress(context, params.change_id),
  }),
];
