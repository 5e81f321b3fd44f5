import type { Knex } from 'knex';
import { caseSensitive, tableOptions } from '../dialect.ts';

// Statistics (docs/statistics.md). users.last_active_at: when the customer last logged in or first
// used a session on a shop day (written at most once per session per day, api/services/accounts/
// sessions.ts); backfilled from the sessions' last use. Indexes so each statistic is an index range
// scan: users by sign-up and by activity; orders by creation time, covering what the order figures
// read (status, customer, amount). SKU page views arrive per day and category from the cache
// (api/services/statistics/views.ts): sku_category_views holds the flushed totals, sku_view_flushes
// the ids of the flushes applied, so a flush retried after a crash is not counted twice.
// sku_sales_days: units and cents sold per closed shop day and SKU (orders not cancelled), kept by
// a job so the best sellers of a week read a few hundred rows instead of every order line of it;
// sku_sales_days_done says which days it holds and when they were counted.

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('users', (t) => {
    t.bigInteger('last_active_at').nullable();
    t.index(['created_at'], 'users_created');
    t.index(['last_active_at'], 'users_last_active');
  });
  const lastUse = knex('auth_tokens').where('kind', 'ses').whereRaw('auth_tokens.user_id = users.id').max('last_used_at');
  await knex('users').update({ last_active_at: lastUse });
  await knex.schema.alterTable('orders', (t) => {
    t.index(['created_at', 'status', 'user_id', 'payment_amount'], 'orders_created_stats');
  });
  await knex.schema.createTable('sku_category_views', (t) => {
    t.string('date', 10).notNullable(); // YYYY-MM-DD in SHOP_TZ
    t.integer('category_id').unsigned().notNullable(); // no foreign key: figures outlive a deleted category
    t.bigInteger('count').notNullable();
    t.primary(['date', 'category_id']);
    tableOptions(knex, t);
  });
  await knex.schema.createTable('sku_sales_days', (t) => {
    t.string('date', 10).notNullable();
    t.integer('sku_id').unsigned().notNullable();
    t.bigInteger('units').notNullable();
    t.bigInteger('cents').notNullable();
    t.primary(['date', 'sku_id']);
    tableOptions(knex, t);
  });
  await knex.schema.createTable('sku_sales_days_done', (t) => {
    t.string('date', 10).notNullable().primary();
    t.bigInteger('counted_at').notNullable();
    tableOptions(knex, t);
  });
  await knex.schema.createTable('sku_view_flushes', (t) => {
    caseSensitive(knex, t.string('id', 40).notNullable()).primary();
    t.bigInteger('created_at').notNullable();
    t.index(['created_at'], 'sku_view_flushes_created');
    tableOptions(knex, t);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('sku_view_flushes');
  await knex.schema.dropTableIfExists('sku_sales_days_done');
  await knex.schema.dropTableIfExists('sku_sales_days');
  await knex.schema.dropTableIfExists('sku_category_views');
  await knex.schema.alterTable('orders', (t) => {
    t.dropIndex([], 'orders_created_stats');
  });
  await knex.schema.alterTable('users', (t) => {
    t.dropIndex([], 'users_last_active');
    t.dropIndex([], 'users_created');
  });
  // a plain DROP COLUMN (SQLite ≥ 3.35 has it): knex's SQLite way copies the table, which the
  // foreign keys of orders and sessions refuse once customers have any
  await knex.raw('ALTER TABLE users DROP COLUMN last_active_at');
}
