import type { Knex } from 'knex';
import { caseSensitive, tableOptions } from '../dialect.ts';

// Carts of logged-in customers on the embedded default (with Redis they live there), orders with a
// copy of the address and of each line's name and unit price at that moment, Alipay payments (one
// row per trade number), and the sales moves the hot-page job has not planned yet. Money is DECIMAL(10,2) (api/money.ts), times epoch ms.
const money = (t: Knex.CreateTableBuilder, name: string) => t.decimal(name, 10, 2).notNullable();

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('cart_lines', (t) => {
    t.integer('user_id').unsigned().notNullable().references('id').inTable('users').onDelete('CASCADE');
    t.integer('sku_id').unsigned().notNullable();
    t.integer('count').notNullable();
    t.boolean('selected').notNullable().defaultTo(true);
    t.bigInteger('updated_at').notNullable();
    t.primary(['user_id', 'sku_id']);
    tableOptions(knex, t);
  });
  await knex.schema.createTable('orders', (t) => {
    caseSensitive(knex, t.string('order_id', 32).notNullable()).primary();
    t.integer('user_id').unsigned().notNullable().references('id').inTable('users');
    // the key a client sent with POST /orders, and what it asked for: a retry returns this order
    caseSensitive(knex, t.string('idempotency_key', 64).nullable());
    t.string('request_hash', 64).nullable();
    t.integer('address_id').unsigned().nullable();
    t.string('receiver', 20).notNullable();
    t.string('province', 20).notNullable();
    t.string('city', 20).notNullable();
    t.string('district', 20).notNullable();
    t.string('place', 50).notNullable();
    t.string('mobile', 11).notNullable();
    t.string('tel', 20).nullable();
    t.string('email', 254).nullable();
    t.integer('total_count').notNullable();
    money(t, 'total_amount'); // goods only
    money(t, 'freight');
    money(t, 'payment_amount'); // goods + freight: what is paid
    t.smallint('pay_method').notNullable(); // 1 货到付款, 2 支付宝
    t.smallint('status').notNullable(); // 1 待支付 2 待发货 3 待收货 4 待评价 5 已完成 6 已取消
    t.bigInteger('created_at').notNullable();
    t.bigInteger('updated_at').notNullable();
    t.bigInteger('pay_deadline').nullable(); // unpaid Alipay orders are cancelled after this
    t.unique(['user_id', 'idempotency_key'], { indexName: 'orders_idempotency_unique' });
    t.index(['user_id', 'created_at'], 'orders_user_created');
    t.index(['status', 'pay_deadline'], 'orders_unpaid_due');
    tableOptions(knex, t);
  });
  await knex.schema.createTable('order_lines', (t) => {
    t.increments('id');
    caseSensitive(knex, t.string('order_id', 32).notNullable()).references('order_id').inTable('orders').onDelete('CASCADE');
    t.integer('sku_id').unsigned().notNullable();
    t.string('name', 200).notNullable();
    t.string('default_image_url', 200).nullable();
    t.integer('count').notNullable();
    money(t, 'price'); // the unit price when ordered
    t.text('comment').nullable();
    t.smallint('score').nullable();
    t.boolean('is_anonymous').notNullable().defaultTo(false);
    t.boolean('is_commented').notNullable().defaultTo(false);
    t.bigInteger('commented_at').nullable();
    t.unique(['order_id', 'sku_id'], { indexName: 'order_lines_order_sku_unique' });
    t.index(['sku_id', 'is_commented', 'commented_at'], 'order_lines_sku_comments');
    tableOptions(knex, t);
  });
  await knex.schema.createTable('payments', (t) => {
    t.increments('id');
    caseSensitive(knex, t.string('order_id', 32).notNullable()).references('order_id').inTable('orders');
    caseSensitive(knex, t.string('trade_no', 64).notNullable());
    money(t, 'amount');
    t.string('source', 8).notNullable(); // notify | return | query
    // 'settled': the order moved to 待发货; 'refund': the order had been cancelled or was already
    // paid by another trade — money to give back. Never lost either way.
    t.string('outcome', 8).notNullable();
    t.bigInteger('created_at').notNullable();
    t.unique(['trade_no'], { indexName: 'payments_trade_no_unique' });
    t.index(['order_id'], 'payments_order');
    tableOptions(knex, t);
  });
  // every order (+count) and cancellation (-count) of a SKU since the hot pages were last planned
  await knex.schema.createTable('sales_changes', (t) => {
    t.bigIncrements('id');
    t.integer('sku_id').unsigned().notNullable();
    t.integer('delta').notNullable();
    t.bigInteger('created_at').notNullable();
    tableOptions(knex, t);
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const table of ['sales_changes', 'payments', 'order_lines', 'orders', 'cart_lines']) await knex.schema.dropTableIfExists(table);
}
