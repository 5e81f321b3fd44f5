import type { Knex } from 'knex';
import { tableOptions } from '../dialect.ts';

// The outbox of catalog changes. An edit writes its change here in the same transaction as the edit
// itself, so a committed edit can never miss its page rebuild, even if the process dies before the
// rebuild job is enqueued; the job drains the rows it has applied.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('page_changes', (t) => {
    t.bigIncrements('id');
    t.text('payload').notNullable(); // JSON CatalogChange
    t.bigInteger('created_at').notNullable(); // epoch ms: when the change was recorded
    tableOptions(knex, t);
  });
  // Search index requests, kept apart so a slow index build never holds up page rebuilds.
  await knex.schema.createTable('search_requests', (t) => {
    t.bigIncrements('id');
    t.bigInteger('created_at').notNullable();
    tableOptions(knex, t);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('search_requests');
  await knex.schema.dropTableIfExists('page_changes');
}
