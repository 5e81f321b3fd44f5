import type { Knex } from 'knex';
import { tableOptions } from '../dialect.ts';

// Uploaded pictures (docs/admin-media.md). media_files lists what the storage adapter holds, one row
// per stored picture (its key names the content hash); an upload and the clean-up of a picture no
// row uses any more both lock its row, so a clean-up can never remove the files of a picture that a
// concurrent upload of the same bytes is about to use. Whether a picture is still used is asked of
// the rows that name its URL, hence the indexes on the two columns that hold most of them.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('media_files', (t) => {
    t.string('key', 100).primary();
    t.bigInteger('created_at').notNullable();
    tableOptions(knex, t);
  });
  await knex.schema.alterTable('sku_images', (t) => {
    t.index(['image'], 'sku_images_image');
  });
  await knex.schema.alterTable('skus', (t) => {
    t.index(['default_image'], 'skus_default_image');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('skus', (t) => {
    t.dropIndex(['default_image'], 'skus_default_image');
  });
  await knex.schema.alterTable('sku_images', (t) => {
    t.dropIndex(['image'], 'sku_images_image');
  });
  await knex.schema.dropTable('media_files');
}
