import type { Knex } from 'knex';

// Other names shoppers search a brand by (苹果 for Apple, Xiaomi/Redmi for 小米), kept with the brand
// so staff can edit them; the search index gives every SKU its brand's name and these aliases.
// Stored as one comma-separated list (api/services/search/brand-aliases.ts reads and writes it).
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('brands', (t) => {
    t.string('aliases', 500).notNullable().defaultTo('');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('brands', (t) => {
    t.dropColumn('aliases');
  });
}
