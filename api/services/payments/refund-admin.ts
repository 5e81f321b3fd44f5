import type { RequestContext } from '../../context.ts';
import { forUpdate } from '../../db/dialect.ts';
import { db, withTransaction } from '../../db/transaction.ts';
import { ConflictError, NotFoundError, ValidationError } from '../../errors.ts';
import { centsFromDb, formatCents } from '../../money.ts';
import { PAYMENT_REFUND_STATES, type PaymentRefundState } from '../orders/order-state.ts';

// Refunds that need a human (docs/orders.md, "Refunds that need a human"). The payments.refund job
// (payment-service.ts, refundPending) leaves a refund 'failed' when Alipay refused it for good or
// every retry failed. Staff then either send it back to the job — `retryRefund`: pending again, its
// tries counted from 0 — or say it is dealt with — `settleRefund`: refunded by hand, or found
// refunded, with a note saying how. Both are ONE conditional UPDATE from 'failed', so two staff (or
// a retry and a settle) at once change it once; anything else is 409 naming the refund's state.
// They return the values before and after, for the caller's audit entry.

export const REFUND_STATE_NAMES: Record<PaymentRefundState, string> = { pending: '退款中', done: '已退款', failed: '退款失败', settled: '已人工处理' };
export const REFUND_NOTE_MAX = 500;

const iso = (v: unknown) => (v === null || v === undefined ? null : new Date(Number(v)).toISOString());

export interface RefundRow {
  payment_id: number;
  order_id: string;
  trade_no: string;
  amount: string;
  /** 'pending' also for a row written before refund_state existed (NULL), as the refund job reads it */
  refund_state: PaymentRefundState;
  refund_state_name: string;
  refund_attempts: number;
  refund_error: string | null;
  refund_next_at: string | null;
  refunded_at: string | null;
  refund_note: string | null;
  created_at: string;
}

function toRefund(r: Record<string, any>): RefundRow {
  const state = (r.refund_state ?? 'pending') as PaymentRefundState;
  return {
    payment_id: Number(r.id),
    order_id: r.order_id,
    trade_no: r.trade_no,
    amount: formatCents(centsFromDb(r.amount)),
    refund_state: state,
    refund_state_name: REFUND_STATE_NAMES[state] ?? state,
    refund_attempts: Number(r.refund_attempts),
    refund_error: r.refund_error ?? null,
    refund_next_at: iso(r.refund_next_at),
    refunded_at: iso(r.refunded_at),
    refund_note: r.refund_note ?? null,
    created_at: iso(r.created_at)!,
  };
}

/** Payments recorded for refund, newest first; `state` narrows them (failed: a human's turn). */
export async function listRefunds(
  context: RequestContext,
  opts: { state?: string; page?: number; page_size?: number } = {},
): Promise<{ count: number; page: number; page_size: number; results: RefundRow[] }> {
  const page = opts.page ?? 1;
  const pageSize = opts.page_size ?? 20;
  if (opts.state !== undefined && !(PAYMENT_REFUND_STATES as readonly string[]).includes(opts.state)) {
    throw new ValidationError(`退款状态是 ${PAYMENT_REFUND_STATES.join('、')} 之一`, { state: `退款状态是 ${PAYMENT_REFUND_STATES.join('、')} 之一` });
  }
  if (!Number.isInteger(page) || page < 1 || !Number.isInteger(pageSize) || pageSize < 1 || pageSize > 100) {
    throw new ValidationError('页码从 1 开始，每页 1-100 条', { page: '页码从 1 开始', page_size: '每页 1-100 条' });
  }
  const base = () => {
    const q = db(context)('payments').where('outcome', 'refund');
    if (opts.state === 'pending') return q.where((w) => w.where('refund_state', 'pending').orWhereNull('refund_state'));
    return opts.state ? q.where('refund_state', opts.state) : q;
  };
  const count = Number((await base().count({ n: '*' }).first())?.n ?? 0);
  const rows = await base()
    .orderBy([{ column: 'created_at', order: 'desc' }, { column: 'id', order: 'desc' }])
    .limit(pageSize)
    .offset((page - 1) * pageSize)
    .select('id', 'order_id', 'trade_no', 'amount', 'refund_state', 'refund_attempts', 'refund_error', 'refund_next_at', 'refunded_at', 'refund_note', 'created_at');
  return { count, page, page_size: pageSize, results: rows.map(toRefund) };
}

export interface RefundChange<B, A> {
  payment_id: number;
  order_id: string;
  before: B;
  after: A;
}

type Before = { refund_state: 'failed'; refund_attempts: number; refund_error: string | null; refund_note: string | null };

/** Locks the refund row and reads what it was (the audit's "before"); the UPDATE that follows decides. */
async function lockRefund(trx: import('knex').Knex.Transaction, paymentId: number) {
  const row = await forUpdate(trx, trx('payments').where({ id: paymentId, outcome: 'refund' }).select('id', 'order_id', 'refund_state', 'refund_attempts', 'refund_error', 'refund_note')).first();
  if (!row) throw new NotFoundError('没有这笔待退款的付款', 'REFUND_NOT_FOUND');
  return row;
}

const notFailed = (state: string | null, what: string) =>
  new ConflictError(`退款当前状态为「${REFUND_STATE_NAMES[(state ?? 'pending') as PaymentRefundState] ?? state}」，不能${what}：只能处理退款失败的付款`, 'REFUND_NOT_FAILED');

/** A failed refund goes back to the payments.refund job: pending, tries from 0, due at once. */
export async function retryRefund(
  context: RequestContext,
  paymentId: number,
): Promise<RefundChange<Before, { refund_state: 'pending'; refund_attempts: 0; refund_error: null }>> {
  return withTransaction(context, async ({ trx }) => {
    const row = await lockRefund(trx, paymentId);
    const changed = await trx('payments')
      .where({ id: paymentId, outcome: 'refund', refund_state: 'failed' })
      .update({ refund_state: 'pending', refund_attempts: 0, refund_next_at: null, refund_error: null });
    if (changed !== 1) throw notFailed(row.refund_state, '重试');
    return {
      payment_id: paymentId,
      order_id: row.order_id,
      before: { refund_state: 'failed', refund_attempts: Number(row.refund_attempts), refund_error: row.refund_error ?? null, refund_note: row.refund_note ?? null },
      after: { refund_state: 'pending', refund_attempts: 0, refund_error: null },
    };
  });
}

/** A failed refund a human dealt with (refunded by hand, or found refunded): settled, with how. */
export async function settleRefund(
  context: RequestContext,
  paymentId: number,
  note: string,
): Promise<RefundChange<Before, { refund_state: 'settled'; refund_note: string; refunded_at: number }>> {
  const why = String(note ?? '').trim();
  if (!why || why.length > REFUND_NOTE_MAX) throw new ValidationError(`请说明如何处理了这笔退款（最多 ${REFUND_NOTE_MAX} 个字）`, { note: `说明是 1-${REFUND_NOTE_MAX} 个字` });
  const at = context.clock.now().getTime();
  return withTransaction(context, async ({ trx }) => {
    const row = await lockRefund(trx, paymentId);
    const changed = await trx('payments')
      .where({ id: paymentId, outcome: 'refund', refund_state: 'failed' })
      .update({ refund_state: 'settled', refund_note: why, refunded_at: at, refund_next_at: null });
    if (changed !== 1) throw notFailed(row.refund_state, '标记为已处理');
    return {
      payment_id: paymentId,
      order_id: row.order_id,
      before: { refund_state: 'failed', refund_attempts: Number(row.refund_attempts), refund_error: row.refund_error ?? null, refund_note: row.refund_note ?? null },
      after: { refund_state: 'settled', refund_note: why, refunded_at: at },
    };
  });
}
