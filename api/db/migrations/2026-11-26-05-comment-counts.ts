import type { Knex } from 'knex';

// Comment counts are on prebuilt pages too (累计评价 n on a SKU's page, "n评价" on every card of it),
// so a comment notes its move in sales_changes like a sale does, and the batched hot-page job
// re-renders the pages from both: `delta` stays the sales move, `comments_delta` is the new one.
// Rows from before this migration were all sales moves, hence the default.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('sales_changes', (t) => {
    t.integer('comments_delta').notNullable().defaultTo(0);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('sales_changes', (t) => {
    t.dropColumn('comments_delta');
  });
}
