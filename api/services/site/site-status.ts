import fs from 'node:fs/promises';
import path from 'node:path';
import type { JobState } from 'agenda';
import type { Knex } from 'knex';
import type { Config } from '../../config.ts';
import type { RequestContext } from '../../context.ts';
import { db } from '../../db/transaction.ts';
import { NotFoundError } from '../../errors.ts';
import { currentRelease } from '../../../jobs/build.ts';
import { infoOf, listJobs, openJobStore, retryJob, UnknownJobError, type JobInfo, type JobStore } from '../../../jobs/job-admin.ts';
import { pendingCount, requestRebuild } from '../catalog/outbox.ts';
import { MANIFEST, SEARCH_DIR } from '../search/publish.ts';

// What the console's site page shows (docs/admin-console.md): the page outbox, the release being
// served, the search index it carries, and the job queue — the same facts `meiduo jobs` and
// `meiduo rebuild --all` work on (jobs/job-admin.ts, the catalog outbox), read and moved by staff.

export const JOB_STATES = ['running', 'scheduled', 'queued', 'completed', 'failed', 'repeating', 'paused'] as const satisfies readonly JobState[];
export type JobCounts = Record<(typeof JOB_STATES)[number], number>;

/** What the job store is opened with: the pool, never a request's transaction (SQLite has one connection). */
export interface SiteDeps {
  config: Config;
  db: Knex;
}

export interface SiteStatus {
  pending_changes: number;
  /** The release dist/client points at, and when its build finished (its stamp's time). */
  release: { id: string; built_at: string | null } | null;
  /** The search index that release serves, and when it was published. */
  search: { documents: number; published_at: string | null } | null;
  jobs: JobCounts;
}

const mtimeOf = async (file: string) => (await fs.stat(file).catch(() => null))?.mtime.toISOString() ?? null;

/** Staff look rarely: the store is opened per call (a Redis or Mongo store owns its connection). */
async function withStore<T>(deps: SiteDeps, work: (s: JobStore) => Promise<T>): Promise<T> {
  const store = await openJobStore(deps.config, deps.db);
  try {
    return await work(store);
  } finally {
    await store.close();
  }
}

export async function siteStatus(context: RequestContext, deps: SiteDeps): Promise<SiteStatus> {
  const releaseId = await currentRelease(deps.config.distDir);
  const manifestFile = path.join(deps.config.distDir, 'client', SEARCH_DIR, MANIFEST);
  const manifest = await fs.readFile(manifestFile, 'utf8').then((s) => JSON.parse(s) as { count: number }, () => null);
  const overview = await withStore(deps, (s) => s.repository.getJobsOverview());
  const jobs = Object.fromEntries(JOB_STATES.map((s) => [s, 0])) as JobCounts;
  for (const row of overview) for (const s of JOB_STATES) jobs[s] += row[s] ?? 0;
  return {
    pending_changes: await pendingCount(context),
    release: releaseId ? { id: releaseId, built_at: await mtimeOf(path.join(deps.config.distDir, '.meiduo-build.json')) } : null,
    search: manifest ? { documents: manifest.count, published_at: await mtimeOf(manifestFile) } : null,
    jobs,
  };
}

export type JobRow = {
  id: string;
  name: string;
  state: JobState;
  fail_count: number;
  fail_reason: string | null;
  next_run_at: string | null;
  last_run_at: string | null;
  last_finished_at: string | null;
};

const iso = (d: Date | null) => (d ? d.toISOString() : null);
const row = (j: JobInfo): JobRow => ({
  id: j.id, name: j.name, state: j.state, fail_count: j.failCount, fail_reason: j.failReason,
  next_run_at: iso(j.nextRunAt), last_run_at: iso(j.lastRunAt), last_finished_at: iso(j.lastFinishedAt),
});

/**
 * Jobs of a state (all when none), their name containing `keyword`, the most recently run first; a
 * page of them, paged by the store itself (with state computed there: `total` counts after it).
 */
export async function jobList(deps: SiteDeps, q: { state?: JobState; keyword?: string; page: number; pageSize: number }): Promise<{ count: number; results: JobRow[] }> {
  const { jobs, total } = await withStore(deps, (s) =>
    s.repository.queryJobs({
      ...(q.state ? { state: q.state } : {}),
      ...(q.keyword ? { search: q.keyword } : {}),
      sort: { lastRunAt: 'desc', name: 'asc' },
      skip: (q.page - 1) * q.pageSize,
      limit: q.pageSize,
    }),
  );
  return { count: total, results: jobs.map((j) => row(infoOf(j))) };
}

/** `meiduo jobs retry ID` for staff: the job runs again now. 404 for an id the store does not have. */
export async function retryJobById(deps: SiteDeps, id: string): Promise<{ before: JobRow; after: JobRow }> {
  return withStore(deps, async (s) => {
    const [found] = await listJobs(s.repository, { id });
    if (!found) throw new NotFoundError('任务不存在', 'JOB_NOT_FOUND');
    try {
      return { before: row(found), after: row(await retryJob(s.repository, id)) };
    } catch (e) {
      if (e instanceof UnknownJobError) throw new NotFoundError('任务不存在', 'JOB_NOT_FOUND');
      throw e;
    }
  });
}

/** `meiduo rebuild --all` for staff: a full rebuild in the outbox; its change id is what rebuildProgress follows. */
export async function requestFullRebuild(context: RequestContext, who: string): Promise<number> {
  return requestRebuild(context, [{ kind: 'full', reason: `admin console (${who})` }]);
}

export interface RebuildProgress {
  change_id: number;
  /** pages: the change (and older ones) still waiting for the pages job; search: for the index; done: live. */
  stage: 'pages' | 'search' | 'done';
  pending_changes: number;
  pending_search: number;
}

/**
 * Where a requested rebuild is, from the database alone (the outbox's rule, waitUntilApplied):
 * changes ≤ id still pending → pages; then any search request left → search; else done. A search
 * request made after the change finished counts too, so 'done' may come a publish later, never early.
 */
export async function rebuildProgress(context: RequestContext, changeId: number): Promise<RebuildProgress> {
  const q = db(context);
  const pendingChanges = Number((await q('page_changes').where('id', '<=', changeId).count({ n: '*' }).first())?.n ?? 0);
  const pendingSearch = Number((await q('search_requests').count({ n: '*' }).first())?.n ?? 0);
  const stage = pendingChanges > 0 ? 'pages' : pendingSearch > 0 ? 'search' : 'done';
  return { change_id: changeId, stage, pending_changes: pendingChanges, pending_search: pendingSearch };
}
