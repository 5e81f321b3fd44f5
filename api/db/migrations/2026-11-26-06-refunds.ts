import type { Knex } from 'knex';

// Refunds of payments that found their order no longer unpaid (cancelled meanwhile, or already paid
// by another trade: payments.outcome = 'refund'). The payments.refund job gives the money back
// through alipay.trade.refund and records how it went here: refund_state 'pending' (to do, or to
// retry at refund_next_at), 'done', or 'failed' (Alipay refused for good, or every retry failed: a
// human's turn; refund_error and the log say why).
// Rows recorded for refund before this migration were, by the docs of that time, the list to refund
// by hand: some may have been refunded outside Alipay, so they are not refunded automatically but
// marked failed with a note to check them — paying twice is worse than a refund a human confirms.
export const BACKFILL_NOTE = 'recorded before automatic refunds: check whether it was refunded by hand';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('payments', (t) => {
    t.string('refund_state', 8).nullable();
    t.integer('refund_attempts').notNullable().defaultTo(0);
    t.bigInteger('refund_next_at').nullable();
    t.bigInteger('refunded_at').nullable();
    t.string('refund_error', 255).nullable();
    t.index(['refund_state'], 'payments_refund_state_index');
  });
  await knex('payments').where({ outcome: 'refund' }).update({ refund_state: 'failed', refund_error: BACKFILL_NOTE });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('payments', (t) => {
    t.dropIndex(['refund_state'], 'payments_refund_state_index');
  });
  await knex.schema.alterTable('payments', (t) => {
    t.dropColumn('refund_error');
    t.dropColumn('refunded_at');
    t.dropColumn('refund_next_at');
    t.dropColumn('refund_attempts');
    t.dropColumn('refund_state');
  });
}
