import type { Knex } from 'knex';
import { isSqlite } from '../dialect.ts';

// The admin catalog API (docs/admin-catalog.md): keyword lists scan a name index rather than the
// table (a LIKE '%…%' cannot seek, but the index is a fraction of the rows' size), and the "is it
// still used?" counts before a delete (brand → SPUs, category → SPUs, spec → SKU options) seek
// instead of scanning. MySQL made the foreign-key ones already (and would not let a later `down`
// drop an index a foreign key then relies on), so those are SQLite's only.

const NAMES: [table: string, columns: string[], name: string][] = [
  ['skus', ['name'], 'skus_name'],
  ['spus', ['name'], 'spus_name'],
  ['contents', ['title'], 'contents_title'],
];
const FOREIGN_KEYS: [table: string, columns: string[], name: string][] = [
  ['spus', ['brand_id'], 'spus_brand'],
  ['spus', ['category1_id'], 'spus_category1'],
  ['spus', ['category2_id'], 'spus_category2'],
  ['sku_options', ['spec_id'], 'sku_options_spec'],
];
const indexesOf = (knex: Knex) => [...NAMES, ...(isSqlite(knex) ? FOREIGN_KEYS : [])];

export async function up(knex: Knex): Promise<void> {
  for (const [table, columns, name] of indexesOf(knex)) {
    await knex.schema.alterTable(table, (t) => {
      t.index(columns, name);
    });
  }
}

export async function down(knex: Knex): Promise<void> {
  for (const [table, columns, name] of indexesOf(knex).reverse()) {
    await knex.schema.alterTable(table, (t) => {
      t.dropIndex(columns, name);
    });
  }
}
