import type { Knex } from 'knex';

// The order detail page's timeline (docs/orders.md): when an order was paid and when it was
// cancelled, epoch ms from the request's clock. Placed is orders.created_at, commented is
// order_lines.commented_at; shipping and receipt come with the admin API. Paid orders from before
// this migration take the time of their settled payment.

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('orders', (t) => {
    t.bigInteger('paid_at').nullable();
    t.bigInteger('canceled_at').nullable();
  });
  const settled = knex('payments').where('payments.outcome', 'settled').whereRaw('payments.order_id = orders.order_id').min('created_at');
  await knex('orders').whereExists(knex('payments').where('outcome', 'settled').whereRaw('payments.order_id = orders.order_id').select(knex.raw('1'))).update({ paid_at: settled });
  // cancelled before: the last write of a cancelled order was its cancellation
  await knex('orders').where('status', 6).update({ canceled_at: knex.ref('updated_at') });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('orders', (t) => {
    t.dropColumn('canceled_at');
    t.dropColumn('paid_at');
  });
}
