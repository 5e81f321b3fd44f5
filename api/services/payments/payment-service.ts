import type { Knex } from 'knex';
import type { Cache } from '../../cache/cache.ts';
import type { RequestContext } from '../../context.ts';
import { isDeadlock, violatedUnique } from '../../db/dialect.ts';
import { db, withTransaction } from '../../db/transaction.ts';
import { AppError, ConflictError, NotFoundError } from '../../errors.ts';
import type { Logger } from '../../logger.ts';
import { centsFromDb, formatCents, parseMoney } from '../../money.ts';
import { AlipayError, isPaidStatus, type AlipayGateway, type RefundResult, type TradeStatus } from '../../providers/alipay.ts';
import { ORDER_ID, ORDER_STATUS, PAY_METHOD } from '../orders/order-rules.ts';
import { ReturnQueryThrottle } from './return-queries.ts';

// Alipay payments (docs: shared/reference/providers.md; the original trusted the browser's return
// alone — meiduo-original.md §6 #11). Money reaches us three ways: Alipay's async notify (the
// proof), the browser coming back (a hint), and alipay.trade.query (for a notify that never came;
// the unpaid-order job asks before cancelling). Each is checked the same way — Alipay's signature,
// our app id, an order of ours, the order's amount to the cent — and then settled in ONE
// transaction whose two guards decide every race:
// - UNIQUE(payments.trade_no): a trade is recorded once; a duplicate or concurrent notify is a
//   replay and changes nothing;
// - `UPDATE orders SET status=2 WHERE order_id=? AND status=1`, the mirror of cancelOrderIn:
//   whichever of payment and cancellation commits second sees the other's result. A payment that
//   finds the order no longer unpaid (cancelled by the job, or paid by another trade) is still
//   recorded, with outcome 'refund', and logged: money to give back, never lost. A paid order the
//   customer cancels before it ships turns its settled payment into one to give back the same way
//   (cancelOrderIn, in the cancel's transaction). The payments.refund
//   job gives it back (refundPending): alipay.trade.refund with one out_request_no per payment, so
//   a retry after a lost answer never refunds twice.
//
// The return carries no trade_status, so it settles nothing on its own: after its signature checks
// out, Alipay is asked (queryTrade) and the order settles only if the query confirms the same trade
// paid for the same amount. If Alipay cannot be asked, the answer is the order's status as it is
// (1 = 待支付: the page says "confirming"); the notify or the job settles it later. The return is
// public and replayable, so it asks only about an order still unpaid (or cancelled: a late payment
// is recorded for refund), at most once per order every 10 s (return-queries.ts); a paid order
// never makes it ask again.

export type PaymentSource = 'notify' | 'return' | 'query';
export type PaymentOutcome = 'settled' | 'refund';

export interface Settlement {
  order_id: string;
  trade_no: string;
  /** 'replay': this trade was recorded before (by any source); nothing changed. */
  outcome: PaymentOutcome | 'replay';
}

export interface QuerySettlement {
  order_id: string;
  trade_no: string | null;
  trade_status: TradeStatus;
  /**
   * settled / refund / replay as for a notify; 'unpaid': Alipay holds no paid trade (safe to cancel);
   * 'refused': a paid trade whose amount is not the order's (logged; not settled).
   */
  outcome: PaymentOutcome | 'replay' | 'unpaid' | 'refused';
}

/** Something that claims to come from Alipay did not check out; nothing was changed. */
export class PaymentRefusedError extends AppError {
  constructor(readonly reason: string) {
    super({ message: '支付结果校验失败', statusCode: 400, code: 'PAYMENT_REFUSED' });
  }
}

const TRADE_NO = /^[0-9A-Za-z_-]{1,64}$/;

/** Alipay's answers that no retry of the same refund can change: a human must look. */
const FINAL_REFUSALS = new Set(['ACQ.TRADE_NOT_EXIST', 'ACQ.TRADE_NOT_ALLOW_REFUND', 'ACQ.TRADE_HAS_CLOSE', 'ACQ.TRADE_STATUS_ERROR', 'ACQ.REASON_TRADE_REFUND_FEE_ERR', 'ACQ.REFUND_AMT_NOT_EQUAL_TOTAL']);
/** Tries of one refund before it is left to a human: with refundRetryDelay, about three days. */
export const MAX_REFUND_ATTEMPTS = 20;

/** The wait after a failed try: 1, 2, 4 … minutes, at most 6 hours (an Alipay outage, a short balance). */
export const refundRetryDelay = (attempts: number) => Math.min(60_000 * 2 ** Math.max(0, attempts - 1), 6 * 3600_000);

export interface RefundRun {
  refunded: number;
  failed: number;
  /** Still pending after this run (Alipay unreachable, or a refusal worth retrying), to be tried again later. */
  retrying: number;
}

interface CheckedPayment {
  orderId: string;
  tradeNo: string;
  amountCents: number;
}

export interface PaymentObserver {
  outcome?(source: 'notify' | 'return' | 'query', outcome: string): void;
  refunds?(run: RefundRun): void;
}

export class PaymentService {
  private readonly returnQueries: ReturnQueryThrottle;

  constructor(
    private readonly gateway: AlipayGateway | null,
    private readonly appId: string,
    private readonly log: Logger,
    cache: Cache,
    /** Told of each callback's or query's outcome and of each refund run (the shop's metrics count them). */
    private readonly observe: PaymentObserver = {},
  ) {
    this.returnQueries = new ReturnQueryThrottle(cache);
  }

  private alipay(): AlipayGateway {
    if (!this.gateway) throw new NotFoundError('支付宝支付暂不可用', 'ALIPAY_DISABLED');
    return this.gateway;
  }

  /** The signed Alipay URL for the user's own unpaid Alipay order. */
  async paymentUrl(context: RequestContext, userId: number, orderId: string): Promise<{ alipay_url: string }> {
    const gateway = this.alipay();
    const order = await db(context)('orders').where({ order_id: orderId, user_id: userId }).first('payment_amount', 'pay_method', 'status', 'pay_deadline');
    if (!order) throw new NotFoundError('订单不存在', 'ORDER_NOT_FOUND');
    if (Number(order.pay_method) !== PAY_METHOD.alipay || Number(order.status) !== ORDER_STATUS.unpaid) {
      throw new ConflictError('只有待支付的支付宝订单可以去支付', 'ORDER_NOT_PAYABLE');
    }
    const deadline = order.pay_deadline === null || order.pay_deadline === undefined ? null : Number(order.pay_deadline);
    // the unpaid-order job is about to cancel it: a payment now would only become a refund
    if (deadline !== null && deadline <= context.clock.now().getTime()) throw new ConflictError('订单已超过支付期限', 'ORDER_NOT_PAYABLE');
    const url = await gateway.pagePayUrl({
      orderId,
      amountCents: centsFromDb(order.payment_amount),
      subject: `美多商城${orderId}`,
      expiresAt: deadline === null ? null : new Date(deadline),
    });
    return { alipay_url: url };
  }

  /**
   * Alipay's async notify (the form it posts). Returns once the notify is handled — settled,
   * recorded for refund, a replay, or a status that asks nothing of us — so the route answers
   * `success`; throws PaymentRefusedError (400) when it does not check out, and Alipay retries.
   */
  async handleNotify(context: RequestContext, params: Record<string, string>): Promise<Settlement | { order_id: string; trade_no: string; outcome: 'ignored' }> {
    const p = await this.check(context, params, 'notify');
    if (!isPaidStatus(params.trade_status)) {
      // WAIT_BUYER_PAY / TRADE_CLOSED: genuine, but no money to book; acknowledged so Alipay stops
      this.log.info({ order_id: p.orderId, trade_no: p.tradeNo, trade_status: params.trade_status }, 'Alipay notify without payment: acknowledged');
      this.observe.outcome?.('notify', 'ignored');
      return { order_id: p.orderId, trade_no: p.tradeNo, outcome: 'ignored' };
    }
    return this.settle(context, p, 'notify');
  }

  /** The browser's return (the query Alipay appended to return_url): the order's status afterwards. */
  async handleReturn(context: RequestContext, params: Record<string, string>): Promise<{ order_id: string; trade_no: string; status: number }> {
    const p = await this.check(context, params, 'return');
    const answer = async () => ({ order_id: p.orderId, trade_no: p.tradeNo, status: await this.statusOf(context, p.orderId) });
    if (await db(context)('payments').where({ trade_no: p.tradeNo }).first('id')) return answer();
    const status = await this.statusOf(context, p.orderId);
    if (status !== ORDER_STATUS.unpaid && status !== ORDER_STATUS.canceled) return { order_id: p.orderId, trade_no: p.tradeNo, status };
    if (!(await this.returnQueries.mayQuery(p.orderId, context.clock.now().getTime()))) return { order_id: p.orderId, trade_no: p.tradeNo, status };
    let trade;
    try {
      trade = await this.alipay().queryTrade(p.orderId);
    } catch (err) {
      this.log.warn({ err, order_id: p.orderId, trade_no: p.tradeNo }, 'Alipay return: the trade could not be confirmed now; left to the notify');
      return answer();
    }
    if (isPaidStatus(trade.status) && trade.tradeNo === p.tradeNo && trade.amountCents === p.amountCents) {
      await this.settle(context, p, 'return');
    } else {
      this.log.warn({ order_id: p.orderId, trade_no: p.tradeNo, queried: trade }, 'Alipay return not confirmed by trade.query: not settled');
    }
    return answer();
  }

  /**
   * Asks Alipay about the order's trade and settles it when paid (source 'query'): for orders whose
   * notify never came. Throws AlipayError when Alipay cannot be asked, and ALIPAY_DISABLED (404)
   * without Alipay (the orders.expire job asks only when services.providers.alipay is set).
   */
  async settleByQuery(context: RequestContext, orderId: string): Promise<QuerySettlement> {
    const gateway = this.alipay();
    const order = ORDER_ID.test(orderId) ? await db(context)('orders').where({ order_id: orderId }).first('payment_amount') : undefined;
    if (!order) throw new NotFoundError('订单不存在', 'ORDER_NOT_FOUND');
    const trade = await gateway.queryTrade(orderId);
    const base = { order_id: orderId, trade_no: trade.tradeNo, trade_status: trade.status };
    if (!isPaidStatus(trade.status) || !trade.tradeNo) {
      this.observe.outcome?.('query', 'unpaid');
      return { ...base, outcome: 'unpaid' };
    }
    const amountCents = centsFromDb(order.payment_amount);
    if (trade.amountCents !== amountCents) {
      this.log.error({ order_id: orderId, trade_no: trade.tradeNo, paid: trade.amountCents, expected: amountCents }, 'Alipay trade amount differs from the order: not settled');
      this.observe.outcome?.('query', 'refused');
      return { ...base, outcome: 'refused' };
    }
    const s = await this.settle(context, { orderId, tradeNo: trade.tradeNo, amountCents }, 'query');
    return { ...base, outcome: s.outcome };
  }

  /**
   * Gives back the payments recorded for refund (the payments.refund job): each is refunded in full
   * on its own trade with out_request_no `RF<payment id>`, the same on every try, so a try whose
   * answer was lost is answered fund_change N the next time and the money moves once. A try that
   * fails waits refundRetryDelay; a refusal no retry can change, MAX_REFUND_ATTEMPTS failed tries, or
   * Alipay reporting another refunded amount makes it 'failed', logged as an error for a human.
   */
  async refundPending(context: RequestContext, limit = 50): Promise<RefundRun> {
    const gateway = this.alipay();
    const now = context.clock.now().getTime();
    // NULL too: a row written by a process still on the code before refund_state existed (a rolling deploy)
    const pending = (q: Knex.QueryBuilder) => q.where('outcome', 'refund').where((w) => w.where('refund_state', 'pending').orWhereNull('refund_state'));
    const due = await pending(db(context)('payments'))
      .where((w) => w.whereNull('refund_next_at').orWhere('refund_next_at', '<=', now))
      .orderBy('id')
      .limit(limit)
      .select('id', 'order_id', 'trade_no', 'amount', 'refund_attempts');
    const run: RefundRun = { refunded: 0, failed: 0, retrying: 0 };
    for (const row of due) {
      const id = Number(row.id);
      const amountCents = centsFromDb(row.amount);
      const attempts = Number(row.refund_attempts) + 1;
      const about = { payment_id: id, order_id: row.order_id, trade_no: row.trade_no, amount: formatCents(amountCents), attempts };
      // every write is conditional on the row still pending: one settled by another worker is left alone
      const mark = (fields: Record<string, unknown>) => pending(db(context)('payments').where({ id })).update({ refund_attempts: attempts, ...fields });
      let result: RefundResult | null = null;
      let failure: unknown = null;
      try {
        result = await gateway.refundTrade({ orderId: row.order_id, tradeNo: row.trade_no, amountCents, requestNo: `RF${id}`, reason: '订单已取消或重复支付，退回付款' });
      } catch (err) {
        failure = err;
      }
      const at = context.clock.now().getTime();
      if (result && result.refundedCents === amountCents) {
        await mark({ refund_state: 'done', refunded_at: at, refund_next_at: null, refund_error: null });
        this.log.info({ ...about, fund_change: result.fundChanged }, 'Alipay payment refunded');
        run.refunded++;
      } else if (result) {
        await mark({ refund_state: 'failed', refund_next_at: null, refund_error: `Alipay reports ${formatCents(result.refundedCents)} refunded on the trade` });
        this.log.error({ ...about, refunded: formatCents(result.refundedCents) }, 'Alipay refund: the amount refunded differs from the payment; left to a human');
        run.failed++;
      } else {
        const code = failure instanceof AlipayError ? failure.providerCode : undefined;
        const message = String((failure as Error)?.message ?? failure).slice(0, 255);
        if ((code !== undefined && FINAL_REFUSALS.has(code)) || attempts >= MAX_REFUND_ATTEMPTS) {
          await mark({ refund_state: 'failed', refund_next_at: null, refund_error: message });
          this.log.error({ ...about, err: failure }, 'Alipay refund failed for good; left to a human');
          run.failed++;
        } else {
          await mark({ refund_state: 'pending', refund_next_at: at + refundRetryDelay(attempts), refund_error: message });
          this.log.warn({ ...about, err: failure, retry_in_ms: refundRetryDelay(attempts) }, 'Alipay refund not done now; retried later');
          run.retrying++;
        }
      }
    }
    this.observe.refunds?.(run);
    return run;
  }

  private async statusOf(context: RequestContext, orderId: string): Promise<number> {
    const row = await db(context)('orders').where({ order_id: orderId }).first('status');
    return Number(row?.status);
  }

  /** Signature first, then app id, order and amount; any failure is logged and refused. */
  private async check(context: RequestContext, params: Record<string, string>, source: PaymentSource): Promise<CheckedPayment> {
    const gateway = this.alipay();
    const refuse = (reason: string): never => {
      this.observe.outcome?.(source, 'refused');
      this.log.warn({ source, reason, out_trade_no: params.out_trade_no, trade_no: params.trade_no, total_amount: params.total_amount, app_id: params.app_id }, 'Alipay callback refused');
      throw new PaymentRefusedError(reason);
    };
    if (!gateway.verifyNotify(params)) return refuse('signature');
    if (params.app_id !== this.appId) return refuse('app_id');
    const orderId = params.out_trade_no ?? '';
    const tradeNo = params.trade_no ?? '';
    if (!TRADE_NO.test(tradeNo)) return refuse('trade_no');
    const order = ORDER_ID.test(orderId) ? await db(context)('orders').where({ order_id: orderId }).first('payment_amount') : undefined;
    if (!order) return refuse('unknown order');
    const amountCents = parseMoney(params.total_amount ?? '');
    if (amountCents === null || amountCents !== centsFromDb(order.payment_amount)) return refuse('amount');
    return { orderId, tradeNo, amountCents };
  }

  /** One transaction: record the trade once, and move the order 待支付 → 待发货 if it still is. */
  private async settle(context: RequestContext, p: CheckedPayment, source: PaymentSource): Promise<Settlement> {
    const at = context.clock.now().getTime();
    for (let attempt = 0; ; attempt++) {
      try {
        const outcome = await withTransaction(context, async ({ trx }): Promise<PaymentOutcome | 'replay'> => {
          if (await trx('payments').where({ trade_no: p.tradeNo }).first('id')) return 'replay';
          const changed = await trx('orders').where({ order_id: p.orderId, status: ORDER_STATUS.unpaid }).update({ status: ORDER_STATUS.unsent, updated_at: at, paid_at: at });
          const result: PaymentOutcome = changed === 1 ? 'settled' : 'refund';
          await trx('payments').insert({
            order_id: p.orderId,
            trade_no: p.tradeNo,
            amount: formatCents(p.amountCents),
            source,
            outcome: result,
            refund_state: result === 'refund' ? 'pending' : null,
            created_at: at,
          });
          return result;
        });
        if (outcome === 'refund') {
          const status = await this.statusOf(context, p.orderId);
          this.log.warn({ order_id: p.orderId, trade_no: p.tradeNo, amount: formatCents(p.amountCents), source, status }, 'Alipay payment for an order no longer unpaid: recorded for refund (the payments.refund job gives it back)');
        }
        this.observe.outcome?.(source, outcome);
        return { order_id: p.orderId, trade_no: p.tradeNo, outcome };
      } catch (err) {
        // a concurrent notify of the same trade committed first
        if (violatedUnique(err, { payments_trade_no_unique: 'trade_no' })) {
          this.observe.outcome?.(source, 'replay');
          return { order_id: p.orderId, trade_no: p.tradeNo, outcome: 'replay' };
        }
        // inside a caller's transaction the whole of it failed: only the caller can run it again
        if (isDeadlock(err) && attempt < 3 && !context.trx) continue;
        throw err;
      }
    }
  }
}
