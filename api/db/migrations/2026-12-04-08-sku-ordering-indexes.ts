import type { Knex } from 'knex';

// Staff's SKU list (GET /api/admin/skus?ordering=…, docs/admin-catalog.md) sorts the whole catalog by
// price, stock or sales, ties by id in the same direction. The shop's list indexes start with
// category_id, so without these every page of an unfiltered sort read and sorted every SKU; with
// them a page reads its 20 index entries, forwards or backwards.
const INDEXES: [columns: string[], name: string][] = [
  [['price', 'id'], 'skus_admin_price'],
  [['stock', 'id'], 'skus_admin_stock'],
  [['sales', 'id'], 'skus_admin_sales'],
];

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('skus', (t) => {
    for (const [columns, name] of INDEXES) t.index(columns, name);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('skus', (t) => {
    for (const [columns, name] of [...INDEXES].reverse()) t.dropIndex(columns, name);
  });
}
