import type { Knex } from 'knex';
import { tableOptions } from '../dialect.ts';

// Shipping addresses and the recently-viewed SKUs of each customer.
// Addresses are soft-deleted: orders placed later keep pointing at the address they were sent to.
// users.default_address_id has no foreign key to addresses (the two tables would reference each
// other); AddressService keeps it pointing at a live address of the same user.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('addresses', (t) => {
    t.increments('id');
    t.integer('user_id').unsigned().notNullable().references('id').inTable('users').onDelete('CASCADE');
    t.string('title', 20).notNullable();
    t.string('receiver', 20).notNullable();
    // RESTRICT (the default): an area still named by an address cannot vanish under it
    t.integer('province_id').unsigned().notNullable().references('id').inTable('areas');
    t.integer('city_id').unsigned().notNullable().references('id').inTable('areas');
    t.integer('district_id').unsigned().notNullable().references('id').inTable('areas');
    t.string('place', 50).notNullable();
    t.string('mobile', 11).notNullable();
    t.string('tel', 20).nullable();
    t.string('email', 254).nullable();
    t.boolean('is_deleted').notNullable().defaultTo(false);
    t.bigInteger('created_at').notNullable();
    t.bigInteger('updated_at').notNullable();
    t.index(['user_id', 'is_deleted'], 'addresses_user_live');
    tableOptions(knex, t);
  });
  await knex.schema.createTable('browse_histories', (t) => {
    t.integer('user_id').unsigned().notNullable().references('id').inTable('users').onDelete('CASCADE');
    t.integer('sku_id').unsigned().notNullable().references('id').inTable('skus').onDelete('CASCADE');
    t.bigInteger('visited_at').notNullable();
    // one row per (user, SKU): a revisit moves the row, it never adds a second
    t.primary(['user_id', 'sku_id'], 'browse_histories_pkey');
    t.index(['user_id', 'visited_at'], 'browse_histories_user_recent');
    tableOptions(knex, t);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('browse_histories');
  await knex.schema.dropTableIfExists('addresses');
}
