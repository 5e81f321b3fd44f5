import type { Knex } from 'knex';
// Types only: `meiduo jobs` reads this store without loading Agenda (see job-state.ts).
import type {
  JobId,
  JobParameters,
  JobRepository,
  JobRepositoryOptions,
  JobsOverview,
  JobsQueryOptions,
  JobsResult,
  JobsSort,
  JobWithState,
  RemoveJobsOptions,
} from 'agenda';
import { isDeadlock, isDuplicateKey, isSqlite } from '../../api/db/dialect.ts';
import { jobState } from './job-state.ts';
import {
  bool, date, failReason, ms, newRow, num, processorColumns, rowToJob, scheduleColumns, toJson, type JobRow,
} from './job-rows.ts';
import { hasDataCriteria, whereData, whereUnique } from './json-match.ts';

/*
 * Agenda 6 job storage in a SQL table (api/db/migrations/2026-11-25-01-jobs.ts) through knex, on
 * SQLite (better-sqlite3) and MariaDB/MySQL (mysql2). It follows Agenda's reference backends
 * (Mongo, Postgres, Redis) behaviour for behaviour:
 *
 * - saveJob: plain insert; update by _id (scheduling fields only: the processor's lockedAt,
 *   lastRunAt, lastFinishedAt and progress are never overwritten by a user's save, the fail fields
 *   only when given); type 'single' upserts by name and keeps a stored nextRunAt when the new one
 *   is already due; `unique` upserts by its query ('data.a.b' paths and top-level fields), with
 *   `insertOnly` returning the existing job untouched and `debounce` pushing nextRunAt back on each
 *   save (trailing, forced through by maxWait via debounceStartedAt) or keeping the first one
 *   (leading).
 * - lockJob / getNextJobToRun: compare-and-set UPDATEs whose WHERE repeats every condition that
 *   made the job lockable, so of two workers on any connections exactly one gets the job. A job is
 *   lockable when enabled and either unlocked and due by nextScanAt or locked before the deadline
 *   (its worker died); candidates go by nextRunAt (none last), then priority, highest first.
 * - unlockJob (only jobs still scheduled), unlockJobs, saveJobState (fails if the job is gone).
 * - queryJobs (name(s), id(s), search, partial data match, includeDisabled, state computed with
 *   Agenda's rules (job-state.ts), sort, skip/limit, total), getJobsOverview, getDistinctJobNames,
 *   getJobById, getQueueSize.
 * - removeJobs / disableJobs / enableJobs by id, ids, name, names, notNames and partial data;
 *   nothing at all when no criterion is given. purgeAllJobs empties the table.
 *
 * Rows and values: job-rows.ts (instants are epoch milliseconds, booleans 0/1, data JSON text);
 * data filters and unique() queries: json-match.ts. This class is the SQL of each operation.
 */

export const DEFAULT_JOBS_TABLE = 'agenda_jobs';
// Agenda's own default lock lifetime: how long lockJob waits before it treats a lock as abandoned.
const DEFAULT_LOCK_LIFETIME = 10 * 60 * 1000;
// Due jobs fetched per getNextJobToRun round; losing a race just moves on to the next one.
const LOCK_CANDIDATES = 10;
const MAX_LOCK_ROUNDS = 20;
// Deadlocks (MySQL) and duplicate single jobs are retried; more than this means something is wrong.
const MAX_ATTEMPTS = 5;

export interface KnexJobRepositoryOptions {
  db: Knex;
  tableName?: string;
  /** After how long lockJob may take over a lock (default 10 minutes, as Agenda's). */
  lockLifetime?: number;
}

type Where = (qb: Knex.QueryBuilder) => void;

export class KnexJobRepository implements JobRepository {
  readonly db: Knex;
  readonly table: string;
  private readonly sqlite: boolean;
  private readonly lockLifetime: number;

  constructor({ db, tableName = DEFAULT_JOBS_TABLE, lockLifetime = DEFAULT_LOCK_LIFETIME }: KnexJobRepositoryOptions) {
    this.db = db;
    this.table = tableName;
    this.sqlite = isSqlite(db);
    this.lockLifetime = lockLifetime;
  }

  private q(trx: Knex | Knex.Transaction = this.db) {
    return trx<JobRow>(this.table);
  }

  async connect(): Promise<void> {
    // The schema is a migration's business; say so instead of failing at the first query.
    if (!(await this.db.schema.hasTable(this.table))) {
      throw new Error(`job table "${this.table}" does not exist: run the database migrations first`);
    }
  }

  // ---- reading ---------------------------------------------------------------------------------

  async getJobById(id: string): Promise<JobParameters | null> {
    const row = await this.q().where('id', id).first();
    return row ? rowToJob(row) : null;
  }

  async getDistinctJobNames(): Promise<string[]> {
    const rows = await this.q().distinct('name').orderBy('name');
    return rows.map((r) => r.name);
  }

  async getQueueSize(): Promise<number> {
    const row = await this.q().where('next_run_at', '<', Date.now()).count({ n: '*' }).first();
    return Number(row?.n ?? 0);
  }

  async queryJobs(options: JobsQueryOptions = {}): Promise<JobsResult> {
    const { name, names, state, id, ids, search, data, includeDisabled = true, sort, skip = 0, limit = 0 } = options;
    const now = new Date();
    const filter: Where = (qb) => {
      if (name) qb.where('name', name);
      else if (names?.length) qb.whereIn('name', names);
      if (id) qb.where('id', id);
      else if (ids?.length) qb.whereIn('id', ids);
      if (search) qb.whereRaw("LOWER(??) LIKE ? ESCAPE '!'", ['name', `%${search.toLowerCase().replace(/[!%_]/g, '!$&')}%`]);
      if (data !== undefined) whereData(qb, this.sqlite, data);
      if (!includeDisabled) qb.where('disabled', 0);
    };
    const withState = (row: JobRow): JobWithState => {
      const job = rowToJob(row);
      return { ...job, _id: job._id!, state: jobState(job, now) };
    };

    // The state is computed, not stored: with a state filter the page is cut after filtering.
    if (state) {
      const rows: JobRow[] = await this.q().modify(filter).modify((qb) => this.orderBy(qb, sort));
      const jobs = rows.map(withState).filter((j) => (state === 'paused' ? j.disabled === true : j.state === state));
      const end = limit > 0 ? skip + limit : undefined;
      return { jobs: jobs.slice(skip, end), total: jobs.length };
    }
    const page = this.q().modify(filter).modify((qb) => this.orderBy(qb, sort));
    if (skip > 0) page.offset(skip);
    if (limit > 0) page.limit(limit);
    const [rows, count] = await Promise.all([page as Promise<JobRow[]>, this.q().modify(filter).count({ n: '*' }).first()]);
    return { jobs: rows.map(withState), total: Number(count?.n ?? 0) };
  }

  async getJobsOverview(): Promise<JobsOverview[]> {
    const now = new Date();
    const rows = await this.q()
      .select('name', 'locked_at', 'failed_at', 'last_finished_at', 'next_run_at', 'repeat_interval', 'disabled')
      .orderBy('name');
    const byName = new Map<string, JobsOverview>();
    for (const row of rows) {
      let o = byName.get(row.name);
      if (!o) {
        o = { name: row.name, total: 0, running: 0, scheduled: 0, queued: 0, completed: 0, failed: 0, repeating: 0, paused: 0 };
        byName.set(row.name, o);
      }
      const state = jobState({
        nextRunAt: date(row.next_run_at) ?? null,
        lockedAt: date(row.locked_at),
        failedAt: date(row.failed_at),
        lastFinishedAt: date(row.last_finished_at),
        repeatInterval: row.repeat_interval ?? undefined,
      }, now);
      o.total++;
      o[state]++;
      // a disabled job is counted under its computed state and under paused as well
      if (bool(row.disabled)) o.paused++;
    }
    return [...byName.values()];
  }

  // ---- saving ----------------------------------------------------------------------------------

  async saveJob<DATA = unknown>(job: JobParameters<DATA>, options: JobRepositoryOptions | undefined): Promise<JobParameters<DATA>> {
    const by = options?.lastModifiedBy ?? null;
    const saved = job._id
      ? await this.updateById(job, by)
      : job.type === 'single'
        ? await this.upsertSingle(job, by)
        : job.unique
          ? await this.upsertUnique(job, by)
          : await this.insert(this.db, newRow(job, by));
    // a job removed while the caller held it comes back as it was given
    return (saved ?? job) as JobParameters<DATA>;
  }

  private async insert(trx: Knex | Knex.Transaction, row: JobRow) {
    await this.q(trx).insert(row);
    return rowToJob(row);
  }

  private async updateById(job: JobParameters<unknown>, by: string | null) {
    const key = { id: String(job._id), name: job.name };
    const cols: Partial<JobRow> = scheduleColumns(job, by);
    // job.fail(reason).save() persists the failure; a save without them leaves them alone
    if (job.failReason !== undefined || job.failedAt !== undefined) cols.fail_reason = failReason(job);
    if (job.failedAt !== undefined) cols.failed_at = ms(job.failedAt);
    if (job.failCount !== undefined) cols.fail_count = job.failCount ?? null;
    if (job.unique !== undefined) cols.unique_query = toJson(job.unique);
    if (job.uniqueOpts !== undefined) cols.unique_opts = toJson(job.uniqueOpts);
    await this.q().where(key).update(cols);
    // read back rather than trust the row count: MySQL counts only rows whose values changed
    const row = await this.q().where(key).first();
    return row ? rowToJob(row) : null;
  }

  /** One job per name for type 'single' (every()); the single_key unique index settles races. */
  private async upsertSingle(job: JobParameters<unknown>, by: string | null) {
    const next = ms(job.nextRunAt);
    // A due nextRunAt must not clobber the stored one, or every restart would re-run the job now.
    const protectNext = next !== null && next <= Date.now();
    const { next_run_at: _, ...cols } = scheduleColumns(job, by);
    const nextRunAt = protectNext ? this.db.raw('COALESCE(??, ?)', ['next_run_at', next]) : next;
    for (let attempt = 1; ; attempt++) {
      const existing = await this.q().where('single_key', job.name).first('id');
      if (existing) {
        await this.q().where({ id: existing.id, single_key: job.name }).update({ ...cols, next_run_at: nextRunAt });
        const row = await this.q().where('id', existing.id).first();
        if (row) return rowToJob(row);
        // removed in between: fall through to inserting it afresh
      } else {
        try {
          return await this.insert(this.db, newRow(job, by));
        } catch (err) {
          // another process inserted it first: update that one instead
          if (!isDuplicateKey(err)) throw err;
        }
      }
      if (attempt >= MAX_ATTEMPTS) throw new Error(`could not save single job "${job.name}" after ${attempt} attempts`);
    }
  }

  /** unique(): insert, or update (insertOnly: keep, debounce: reschedule) the job matching the query. */
  private async upsertUnique(job: JobParameters<unknown>, by: string | null) {
    const debounce = job.uniqueOpts?.debounce;
    return this.writeTransaction(async (trx) => {
      const now = Date.now();
      const found = this.q(trx).where('name', job.name).modify((qb) => whereUnique(qb, this.sqlite, job.unique!)).first();
      // On MySQL this also gap-locks the name's index range, so a concurrent twin insert waits.
      const existing = await (this.sqlite ? found : found.forUpdate());
      if (!existing) {
        const row = newRow(job, by);
        if (debounce) {
          row.debounce_started_at = now;
          if (debounce.strategy !== 'leading') row.next_run_at = now + debounce.delay;
        }
        return this.insert(trx, row);
      }
      if (job.uniqueOpts?.insertOnly && !debounce) return rowToJob(existing);

      const cols: Partial<JobRow> = {
        ...scheduleColumns(job, by),
        debounce_started_at: null,
        unique_query: toJson(job.unique),
        unique_opts: toJson(job.uniqueOpts),
      };
      if (debounce) {
        const started = num(existing.debounce_started_at) ?? now;
        if (debounce.strategy === 'leading') {
          // the first save already scheduled the run; later ones only refresh the data
          cols.next_run_at = num(existing.next_run_at);
          cols.debounce_started_at = started;
        } else if (debounce.maxWait && now - started >= debounce.maxWait) {
          cols.next_run_at = now;
          cols.debounce_started_at = null; // the next save opens a new window
        } else {
          cols.next_run_at = now + debounce.delay;
          cols.debounce_started_at = started;
        }
      }
      await this.q(trx).where('id', existing.id).update(cols);
      return rowToJob({ ...existing, ...cols });
    });
  }

  async saveJobState(job: JobParameters, options: JobRepositoryOptions | undefined): Promise<void> {
    if (!job._id) throw new Error('Cannot save job state without job ID');
    const key = { id: String(job._id), name: job.name };
    const n = await this.q()
      .where(key)
      .update({
        ...processorColumns(job),
        next_run_at: ms(job.nextRunAt),
        last_modified_by: options?.lastModifiedBy ?? null,
      });
    // zero rows on MySQL may also mean "nothing changed"
    if (n === 0 && !(await this.q().where(key).first('id'))) {
      throw new Error(`job ${key.id} (name: ${job.name}) cannot be updated in the database, maybe it does not exist anymore?`);
    }
  }

  // ---- locking ---------------------------------------------------------------------------------

  async lockJob(job: JobParameters, options: JobRepositoryOptions | undefined): Promise<JobParameters | undefined> {
    if (!job._id) return undefined;
    const id = String(job._id);
    const now = Date.now();
    const nextRunAt = ms(job.nextRunAt);
    const n = await this.q()
      .where({ id, name: job.name, disabled: 0 })
      .where((w) => w.whereNull('locked_at').orWhere('locked_at', '<=', now - this.lockLifetime))
      // the job must still be the run the caller saw, not one rescheduled meanwhile
      .modify((qb) => (nextRunAt === null ? qb.whereNull('next_run_at') : qb.where('next_run_at', nextRunAt)))
      .update({ locked_at: now, last_modified_by: options?.lastModifiedBy ?? null });
    if (n !== 1) return undefined;
    const row = await this.q().where('id', id).first();
    return row ? rowToJob(row) : undefined;
  }

  async getNextJobToRun(
    jobName: string,
    nextScanAt: Date,
    lockDeadline: Date,
    now: Date | undefined,
    options: JobRepositoryOptions | undefined,
  ): Promise<JobParameters | undefined> {
    const lockedAt = (now ?? new Date()).getTime();
    const scanAt = nextScanAt.getTime();
    const deadline = lockDeadline.getTime();
    const lockable: Where = (qb) =>
      qb
        .where('name', jobName)
        .where('disabled', 0)
        .where((w) => w.where((u) => u.whereNull('locked_at').where('next_run_at', '<=', scanAt)).orWhere('locked_at', '<=', deadline));
    // Each lost race means another worker got a job, so the rounds only run out under a stampede;
    // then this poll comes back empty and the next one tries again.
    for (let round = 0; round < MAX_LOCK_ROUNDS; round++) {
      const candidates = await this.lockCandidates(jobName, scanAt, deadline);
      if (candidates.length === 0) return undefined;
      for (const c of candidates) {
        // Compare-and-set: still lockable and still holding the lock value we saw. If another worker
        // got there first, no row matches and we try the next candidate.
        const n = await this.q()
          .where('id', c.id)
          .modify(lockable)
          .modify((qb) => (c.locked_at == null ? qb.whereNull('locked_at') : qb.where('locked_at', c.locked_at)))
          .update({ locked_at: lockedAt, last_modified_by: options?.lastModifiedBy ?? null });
        if (n !== 1) continue;
        const row = await this.q().where('id', c.id).first();
        if (row) return rowToJob(row);
      }
    }
    return undefined;
  }

  /**
   * The first few lockable jobs: due and unlocked, or locked longer ago than the deadline, by next
   * run (none last) and priority. Two queries, because one with the OR cannot walk either index.
   */
  private async lockCandidates(jobName: string, scanAt: number, deadline: number) {
    const first = (qb: Knex.QueryBuilder) =>
      qb
        .select('id', 'locked_at', 'next_run_at', 'priority')
        .where('name', jobName)
        .where('disabled', 0)
        .orderBy([{ column: 'next_run_at', order: 'asc' }, { column: 'priority', order: 'desc' }])
        .limit(LOCK_CANDIDATES);
    const due: JobRow[] = await this.q().modify(first).whereNull('locked_at').where('next_run_at', '<=', scanAt);
    const abandoned: JobRow[] = await this.q().modify(first).where('locked_at', '<=', deadline);
    const key = (r: JobRow) => num(r.next_run_at) ?? Infinity;
    return [...due, ...abandoned].sort((a, b) => key(a) - key(b) || b.priority - a.priority).slice(0, LOCK_CANDIDATES);
  }

  async unlockJob(job: JobParameters): Promise<void> {
    if (!job._id) return;
    // a one-off job that is running has no nextRunAt; its lock is released when it finishes
    await this.q().where('id', String(job._id)).whereNotNull('next_run_at').update({ locked_at: null });
  }

  async unlockJobs(jobIds: (JobId | string)[]): Promise<void> {
    const ids = jobIds.map(String);
    for (let i = 0; i < ids.length; i += 500) {
      await this.q().whereIn('id', ids.slice(i, i + 500)).update({ locked_at: null });
    }
  }

  // ---- removing, disabling ---------------------------------------------------------------------

  async removeJobs(options: RemoveJobsOptions): Promise<number> {
    const filter = this.selection(options);
    return filter ? this.q().modify(filter).del() : 0;
  }

  async disableJobs(options: RemoveJobsOptions): Promise<number> {
    return this.setDisabled(options, true);
  }

  async enableJobs(options: RemoveJobsOptions): Promise<number> {
    return this.setDisabled(options, false);
  }

  async purgeAllJobs(): Promise<number> {
    return this.q().del();
  }

  /** Counts the jobs whose flag actually changed, on both databases (like Mongo's modifiedCount). */
  private async setDisabled(options: RemoveJobsOptions, disabled: boolean): Promise<number> {
    const filter = this.selection(options);
    if (!filter) return 0;
    return this.q().modify(filter).where('disabled', disabled ? 0 : 1).update({ disabled: disabled ? 1 : 0 });
  }

  /** The jobs RemoveJobsOptions designate, or null when they designate none (never "all"). */
  private selection(o: RemoveJobsOptions): Where | null {
    const parts: Where[] = [];
    if (o.id) parts.push((qb) => qb.where('id', String(o.id)));
    else if (o.ids?.length) parts.push((qb) => qb.whereIn('id', o.ids!.map(String)));
    if (o.name) parts.push((qb) => qb.where('name', o.name!));
    else if (o.names?.length) parts.push((qb) => qb.whereIn('name', o.names!));
    else if (o.notNames?.length) parts.push((qb) => qb.whereNotIn('name', o.notNames!));
    // an empty data filter ({}) designates nothing, as it adds no condition in Mongo either
    if (o.data !== undefined && hasDataCriteria(o.data)) parts.push((qb) => whereData(qb, this.sqlite, o.data));
    return parts.length ? (qb) => parts.forEach((p) => p(qb)) : null;
  }

  // ---- SQL pieces ------------------------------------------------------------------------------

  private writeTransaction<T>(work: (trx: Knex.Transaction) => Promise<T>): Promise<T> {
    const attempt = async (n: number): Promise<T> => {
      try {
        return await this.db.transaction(
          async (trx) => {
            // SQLite: take the write lock before reading, so a writer on another connection waits
            // (busy_timeout) instead of invalidating our snapshot when we come to write.
            if (this.sqlite) await trx.raw('UPDATE ?? SET id = id WHERE 0 = 1', [this.table]);
            return work(trx);
          },
          // gap locks, which keep a twin from being inserted meanwhile, exist only from this level
          this.sqlite ? undefined : { isolationLevel: 'repeatable read' },
        );
      } catch (err) {
        // InnoDB picks a victim when two such transactions wait on each other's gap locks; a
        // random pause keeps the two from colliding again at once
        if (!isDeadlock(err) || n >= MAX_ATTEMPTS) throw err;
        await new Promise((r) => setTimeout(r, Math.random() * 20 * n));
        return attempt(n + 1);
      }
    };
    return attempt(1);
  }

  private orderBy(qb: Knex.QueryBuilder, sort: JobsSort | undefined) {
    const columns: [keyof JobsSort, string, boolean][] = [
      ['nextRunAt', 'next_run_at', true],
      ['lastRunAt', 'last_run_at', true],
      ['lastFinishedAt', 'last_finished_at', true],
      ['priority', 'priority', false],
      ['name', 'name', false],
      ['data', 'data', true],
    ];
    const wanted = columns.filter(([key]) => sort?.[key] !== undefined);
    // without a sort: latest scheduled first, like the reference backends
    const order: [string, 'asc' | 'desc', boolean][] = wanted.length
      ? wanted.map(([key, column, nullable]) => [column, sort![key]!, nullable])
      : [['next_run_at', 'desc', true], ['last_run_at', 'desc', true]];
    for (const [column, dir, nullable] of order) {
      // NULLS LAST either way, as in Postgres; MySQL and SQLite would put them first ascending
      if (nullable) qb.orderByRaw('?? IS NULL', [column]);
      qb.orderBy(column, dir);
    }
    qb.orderBy('id'); // pages must not overlap when sort keys tie
  }
}
