import type { Knex } from 'knex';
import { tableOptions } from '../dialect.ts';

// The catalog of the original shop (meiduo-original.md §2.4, §2.5, §2.8), with its flaws fixed:
// one channel per first-level category, unique (sku, spec) rows whose option must belong to the spec
// (composite foreign key), unique content slot keys, and a content slot may point at a SKU.

const money = (t: Knex.CreateTableBuilder, name: string) => t.decimal(name, 10, 2).notNullable().defaultTo(0);

// Every table: created/updated times and the dialect's table options.
const timestamps = (knex: Knex, t: Knex.CreateTableBuilder) => {
  t.datetime('create_time').notNullable().defaultTo(knex.fn.now());
  t.datetime('update_time').notNullable().defaultTo(knex.fn.now());
  tableOptions(knex, t);
};

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('goods_categories', (t) => {
    t.increments('id');
    t.string('name', 20).notNullable();
    t.integer('parent_id').unsigned().nullable().references('id').inTable('goods_categories').onDelete('CASCADE');
    t.integer('sequence').notNullable().defaultTo(0);
    timestamps(knex, t);
    t.index(['parent_id', 'sequence']);
  });

  await knex.schema.createTable('channel_groups', (t) => {
    t.increments('id');
    t.string('name', 20).notNullable();
    t.integer('sequence').notNullable().defaultTo(0);
    tableOptions(knex, t);
  });

  await knex.schema.createTable('goods_channels', (t) => {
    t.increments('id');
    t.integer('group_id').unsigned().notNullable().references('id').inTable('channel_groups').onDelete('RESTRICT');
    t.integer('category_id').unsigned().notNullable().unique().references('id').inTable('goods_categories').onDelete('CASCADE');
    t.string('url', 200).notNullable().defaultTo('');
    t.integer('sequence').notNullable().defaultTo(0);
    timestamps(knex, t);
  });

  await knex.schema.createTable('brands', (t) => {
    t.increments('id');
    t.string('name', 40).notNullable().unique();
    t.string('logo', 200).notNullable().defaultTo('');
    t.string('first_letter', 1).notNullable().defaultTo('');
    timestamps(knex, t);
  });

  await knex.schema.createTable('spus', (t) => {
    t.increments('id');
    t.string('name', 100).notNullable();
    t.integer('brand_id').unsigned().notNullable().references('id').inTable('brands').onDelete('RESTRICT');
    t.integer('category1_id').unsigned().notNullable().references('id').inTable('goods_categories').onDelete('RESTRICT');
    t.integer('category2_id').unsigned().notNullable().references('id').inTable('goods_categories').onDelete('RESTRICT');
    t.integer('category3_id').unsigned().notNullable().references('id').inTable('goods_categories').onDelete('RESTRICT');
    t.integer('sales').notNullable().defaultTo(0);
    t.integer('comments').notNullable().defaultTo(0);
    t.text('desc_detail').notNullable();
    t.text('desc_pack').notNullable();
    t.text('desc_service').notNullable();
    timestamps(knex, t);
    t.index(['category3_id']);
  });

  await knex.schema.createTable('spu_specs', (t) => {
    t.increments('id');
    t.integer('spu_id').unsigned().notNullable().references('id').inTable('spus').onDelete('CASCADE');
    t.string('name', 20).notNullable();
    t.integer('sequence').notNullable().defaultTo(0);
    timestamps(knex, t);
    t.unique(['spu_id', 'name']);
  });

  await knex.schema.createTable('spec_options', (t) => {
    t.increments('id');
    t.integer('spec_id').unsigned().notNullable().references('id').inTable('spu_specs').onDelete('CASCADE');
    t.string('value', 40).notNullable();
    t.integer('sequence').notNullable().defaultTo(0);
    timestamps(knex, t);
    t.unique(['spec_id', 'value']);
    t.unique(['id', 'spec_id']); // target of sku_options' composite key
  });

  await knex.schema.createTable('skus', (t) => {
    t.increments('id');
    t.integer('spu_id').unsigned().notNullable().references('id').inTable('spus').onDelete('CASCADE');
    t.integer('category_id').unsigned().notNullable().references('id').inTable('goods_categories').onDelete('RESTRICT');
    t.string('name', 100).notNullable();
    t.string('caption', 200).notNullable().defaultTo('');
    money(t, 'price');
    money(t, 'cost_price');
    money(t, 'market_price');
    t.integer('stock').notNullable().defaultTo(0);
    t.integer('sales').notNullable().defaultTo(0);
    t.integer('comments').notNullable().defaultTo(0);
    t.boolean('is_launched').notNullable().defaultTo(true);
    t.string('default_image', 200).notNullable().defaultTo('');
    timestamps(knex, t);
    t.index(['spu_id']);
    // one index per list ordering, so a category page is an index range scan
    t.index(['category_id', 'is_launched', 'create_time'], 'skus_list_default');
    t.index(['category_id', 'is_launched', 'price'], 'skus_list_price');
    t.index(['category_id', 'is_launched', 'sales'], 'skus_list_hot');
  });

  await knex.schema.createTable('sku_options', (t) => {
    t.increments('id');
    t.integer('sku_id').unsigned().notNullable().references('id').inTable('skus').onDelete('CASCADE');
    t.integer('spec_id').unsigned().notNullable().references('id').inTable('spu_specs').onDelete('RESTRICT');
    t.integer('option_id').unsigned().notNullable();
    t.foreign(['option_id', 'spec_id']).references(['id', 'spec_id']).inTable('spec_options').onDelete('RESTRICT');
    t.unique(['sku_id', 'spec_id']);
    t.index(['option_id']);
    tableOptions(knex, t);
  });

  await knex.schema.createTable('sku_images', (t) => {
    t.increments('id');
    t.integer('sku_id').unsigned().notNullable().references('id').inTable('skus').onDelete('CASCADE');
    t.string('image', 200).notNullable();
    t.integer('sequence').notNullable().defaultTo(0);
    timestamps(knex, t);
    t.index(['sku_id', 'sequence']);
  });

  await knex.schema.createTable('content_categories', (t) => {
    t.increments('id');
    t.string('name', 50).notNullable();
    t.string('key', 50).notNullable().unique();
    timestamps(knex, t);
  });

  await knex.schema.createTable('contents', (t) => {
    t.increments('id');
    t.integer('category_id').unsigned().notNullable().references('id').inTable('content_categories').onDelete('RESTRICT');
    t.string('title', 100).notNullable();
    t.string('url', 300).notNullable().defaultTo('');
    t.string('image', 200).notNullable().defaultTo('');
    t.text('text').nullable();
    t.integer('sequence').notNullable().defaultTo(0);
    t.boolean('status').notNullable().defaultTo(true);
    t.integer('sku_id').unsigned().nullable().references('id').inTable('skus').onDelete('SET NULL');
    timestamps(knex, t);
    t.index(['category_id', 'sequence']);
    t.index(['sku_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const table of [
    'contents',
    'content_categories',
    'sku_images',
    'sku_options',
    'skus',
    'spec_options',
    'spu_specs',
    'spus',
    'brands',
    'goods_channels',
    'channel_groups',
    'goods_categories',
  ]) {
    await knex.schema.dropTableIfExists(table);
  }
}
