import type { Knex } from 'knex';

// Shipping and receipt (docs/orders.md, "The order's life"): the carrier and tracking number staff
// give when shipping, when it shipped and when it was received (epoch ms, as paid_at and
// canceled_at), why and by whom an order was cancelled, and the note of a refund a human settled.
// An order already 待收货 before this migration was shipped at its last write (as a cancelled
// order's last write was its cancellation in 2026-11-28-01-order-timeline): the auto-receive job
// counts its days from then instead of never receiving it.

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('orders', (t) => {
    t.string('express_company', 30).nullable();
    t.string('tracking_no', 40).nullable();
    t.bigInteger('shipped_at').nullable();
    t.bigInteger('received_at').nullable();
    t.string('cancel_reason', 200).nullable();
    // 'customer', 'staff' or 'system' (the unpaid-order job); null for orders cancelled before this
    t.string('canceled_by', 8).nullable();
    // the auto-receive job's query: status 3 shipped before a cutoff
    t.index(['status', 'shipped_at'], 'orders_status_shipped_index');
  });
  await knex.schema.alterTable('payments', (t) => {
    t.string('refund_note', 500).nullable();
  });
  await knex('orders').where('status', 3).update({ shipped_at: knex.ref('updated_at') });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('payments', (t) => {
    t.dropColumn('refund_note');
  });
  await knex.schema.alterTable('orders', (t) => {
    t.dropIndex(['status', 'shipped_at'], 'orders_status_shipped_index');
  });
  await knex.schema.alterTable('orders', (t) => {
    t.dropColumn('canceled_by');
    t.dropColumn('cancel_reason');
    t.dropColumn('received_at');
    t.dropColumn('shipped_at');
    t.dropColumn('tracking_no');
    t.dropColumn('express_company');
  });
}
