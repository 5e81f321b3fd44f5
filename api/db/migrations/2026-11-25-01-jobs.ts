import type { Knex } from 'knex';
import { caseSensitive, tableOptions } from '../dialect.ts';

// The Agenda job queue (jobs/backends/sql-repository.ts). Every instant is a BIGINT of epoch
// milliseconds rather than a DATETIME: SQLite has no date type, and integers compare, sort and
// round-trip to the millisecond identically on both databases without any time zone in play.

export const JOBS_TABLE = 'agenda_jobs';

// Names and the JSON we match against are compared byte for byte: Agenda job names are identifiers
// ('Email' is not 'email') and unique keys in job data must not fold case either, while the
// table's default collation on MySQL is case-insensitive.

export async function createJobsTable(knex: Knex, table: string): Promise<void> {
  await knex.schema.createTable(table, (t) => {
    t.string('id', 36).primary(); // random UUID, so ids never collide across processes
    caseSensitive(knex, t.string('name', 255).notNullable());
    t.string('type', 10).notNullable().defaultTo('normal'); // 'normal' | 'single'
    // = name for type 'single', NULL otherwise: the unique index makes "one single job per name"
    // hold even when two processes call agenda.every() at once (NULLs never collide).
    caseSensitive(knex, t.string('single_key', 255).nullable().unique(`${table}_single_key`));
    t.integer('priority').notNullable().defaultTo(0);
    t.bigInteger('next_run_at').nullable();
    t.bigInteger('locked_at').nullable();
    t.bigInteger('last_run_at').nullable();
    t.bigInteger('last_finished_at').nullable();
    t.bigInteger('failed_at').nullable();
    t.integer('fail_count').nullable();
    t.text('fail_reason').nullable();
    t.string('repeat_interval', 255).nullable();
    t.string('repeat_timezone', 100).nullable();
    t.string('repeat_at', 255).nullable();
    t.bigInteger('start_date').nullable();
    t.bigInteger('end_date').nullable();
    t.string('skip_days', 40).nullable(); // JSON array of weekdays
    caseSensitive(knex, t.text('data', 'longtext').nullable()); // JSON; NULL when the job has no data
    t.boolean('disabled').notNullable().defaultTo(false);
    t.double('progress').nullable();
    t.boolean('fork').notNullable().defaultTo(false);
    t.string('last_modified_by', 255).nullable();
    t.bigInteger('debounce_started_at').nullable();
    // `unique` is a reserved word in SQL, hence unique_query.
    t.text('unique_query').nullable(); // JSON
    t.text('unique_opts').nullable(); // JSON
    tableOptions(knex, t);
    // getNextJobToRun's abandoned jobs: one name's locks older than the lock lifetime
    t.index(['name', 'locked_at'], `${table}_name_locked`);
    // getQueueSize and dashboards: everything due, whatever its name
    t.index(['next_run_at'], `${table}_next_run_at`);
  });
  // getNextJobToRun's due jobs: one name, earliest first, then highest priority. The index is in
  // that order (knex cannot say DESC) so the scan stops at the first few rows without sorting.
  await knex.raw('CREATE INDEX ?? ON ?? (??, ??, ?? DESC)', [`${table}_next_job`, table, 'name', 'next_run_at', 'priority']);
}

export async function up(knex: Knex): Promise<void> {
  await createJobsTable(knex, JOBS_TABLE);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists(JOBS_TABLE);
}
