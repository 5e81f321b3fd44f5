import type { Knex } from 'knex';

// A search request says what it needs: 'index' (a searchable field changed: rebuild the Lunr index
// and the display file) or 'display' (only what results show — price, picture, comments — changed:
// republish the small display file beside the same index). Rows from before this migration were
// all full rebuilds, hence the default.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('search_requests', (t) => {
    t.string('scope', 10).notNullable().defaultTo('index');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('search_requests', (t) => {
    t.dropColumn('scope');
  });
}
