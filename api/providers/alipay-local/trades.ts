import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { beijingDateTime } from '../../beijing-time.ts';


// What the local gateway knows of payments: one trade per out_trade_no (paid on its cashier) and the
// refunds made on it, kept in DATA_DIR/alipay-local-trades.json so that a restart does not make a
// paid order look unknown to alipay.trade.query (the unpaid-order job) or alipay.trade.refund.
// One process owns it (the web process serving the gateway); it is small and written whole.

export type LocalTradeStatus = 'TRADE_SUCCESS' | 'TRADE_CLOSED';

export interface LocalTrade {
  orderId: string;
  tradeNo: string;
  amountCents: number;
  status: LocalTradeStatus;
  paidAt: number;
  /** out_request_no → cents refunded by that request. */
  refunds: Record<string, number>;
}

export type RefundAnswer =
  | { ok: true; trade: LocalTrade; fundChanged: boolean; refundedCents: number; thisCents: number }
  | { ok: false; subCode: string; subMsg: string };

export const LOCAL_TRADES_FILE = 'alipay-local-trades.json';

export class LocalTradeBook {
  private readonly file: string;
  private trades = new Map<string, LocalTrade>();

  constructor(dataDir: string) {
    this.file = path.join(dataDir, LOCAL_TRADES_FILE);
    try {
      const stored = JSON.parse(fs.readFileSync(this.file, 'utf8')) as LocalTrade[];
      for (const t of stored) this.trades.set(t.orderId, t);
    } catch {
      /* none yet, or unreadable: a development book starts empty */
    }
  }

  get(orderId: string): LocalTrade | undefined {
    return this.trades.get(orderId);
  }

  /** The customer pays the order: its trade (the same one if it was paid before). */
  pay(orderId: string, amountCents: number, at: number): LocalTrade {
    const before = this.trades.get(orderId);
    if (before) return before;
    // as Alipay numbers them: the Beijing day, 22001, then digits (28 in all)
    const day = beijingDateTime(at).slice(0, 10).replace(/-/g, '');
    const tradeNo = `${day}22001${String(crypto.randomInt(0, 1e10)).padStart(10, '0')}${crypto.randomInt(10_000, 100_000)}`;
    const trade: LocalTrade = { orderId, tradeNo, amountCents, status: 'TRADE_SUCCESS', paidAt: at, refunds: {} };
    this.trades.set(orderId, trade);
    this.save();
    return trade;
  }

  /** alipay.trade.refund: idempotent per out_request_no; never more than was paid; a trade refunded in full closes. */
  refund(orderId: string, tradeNo: string | undefined, requestNo: string, amountCents: number): RefundAnswer {
    const t = this.trades.get(orderId);
    if (!t || (tradeNo !== undefined && tradeNo !== t.tradeNo)) return { ok: false, subCode: 'ACQ.TRADE_NOT_EXIST', subMsg: '交易不存在' };
    const total = () => Object.values(t.refunds).reduce((a, b) => a + b, 0);
    const before = t.refunds[requestNo];
    if (before !== undefined) {
      if (before !== amountCents) return { ok: false, subCode: 'ACQ.REFUND_AMT_NOT_EQUAL_TOTAL', subMsg: '退款金额与原退款请求不一致' };
      return { ok: true, trade: t, fundChanged: false, refundedCents: total(), thisCents: amountCents };
    }
    if (t.status !== 'TRADE_SUCCESS') return { ok: false, subCode: 'ACQ.TRADE_STATUS_ERROR', subMsg: '交易状态不合法' };
    if (total() + amountCents > t.amountCents) return { ok: false, subCode: 'ACQ.REASON_TRADE_REFUND_FEE_ERR', subMsg: '退款金额超限' };
    t.refunds[requestNo] = amountCents;
    if (total() === t.amountCents) t.status = 'TRADE_CLOSED';
    this.save();
    return { ok: true, trade: t, fundChanged: true, refundedCents: total(), thisCents: amountCents };
  }

  private save(): void {
    fs.mkdirSync(path.dirname(this.file), { recursive: true });
    const tmp = `${this.file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify([...this.trades.values()], null, 1));
    fs.renameSync(tmp, this.file);
  }
}

