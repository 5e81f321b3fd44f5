import crypto from 'node:crypto';
import http from 'node:http';
import type { AlipayConfig } from '../../../api/providers/alipay.ts';

// A stand-in for Alipay's gateway.do on 127.0.0.1, with its own RSA key pair in the place of
// Alipay's (shared/reference/providers.md). Like the real gateway it checks OUR signature on every
// request with the app's public key (all parameters but `sign`, empty values left out, sorted,
// `k=v&…`, SHA256withRSA), the app id, RSA2 and a fresh Beijing-time timestamp; it answers
// alipay.trade.query and alipay.trade.refund (full or partial refunds per out_request_no; the same
// out_request_no again is answered fund_change N; more than was paid is refused) in Alipay's JSON — {"alipay_trade_query_response":{…},"sign":"…"}, the sign over
// the exact text of the inner object — and shows a "cashier" for a page-pay URL. `pay` stands for a
// customer paying; `notifyFor` / `returnFor` give what Alipay then posts and appends to return_url,
// signed as Alipay signs them (without sign and sign_type). alipay-sdk's verification code
// (checkNotifySign, checkResponseSign/getSignStr) was read to match these byte for byte.

export interface RsaPair {
  privateKey: string;
  publicKey: string;
}

export function rsaPair(): RsaPair {
  return crypto.generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
}

/** Alipay's string to sign: `sign` (and, for what Alipay sends, `sign_type`) and empty values left out, sorted by key. */
export function signContent(params: Record<string, string>, opts: { withSignType: boolean }): string {
  return Object.keys(params)
    .filter((k) => k !== 'sign' && (opts.withSignType || k !== 'sign_type') && params[k] !== '' && params[k] !== undefined)
    .sort()
    .map((k) => `${k}=${params[k]}`)
    .join('&');
}

export const rsa2Sign = (content: string, privateKey: string): string => crypto.createSign('RSA-SHA256').update(content, 'utf8').sign(privateKey, 'base64');

export function rsa2Verify(content: string, sign: string, publicKey: string): boolean {
  try {
    return crypto.createVerify('RSA-SHA256').update(content, 'utf8').verify(publicKey, sign, 'base64');
  } catch {
    return false;
  }
}

/** Parameters as Alipay signs what it sends (notify, return): sign_type RSA2 added, then signed. */
export function signAsAlipay(params: Record<string, string>, privateKey: string): Record<string, string> {
  const out = { ...params };
  delete out.sign;
  delete out.sign_type;
  return { ...out, sign_type: 'RSA2', sign: rsa2Sign(signContent(out, { withSignType: false }), privateKey) };
}

const beijing = (ms: number) => new Date(ms + 8 * 3600_000).toISOString().slice(0, 19).replace('T', ' ');
const fromBeijing = (s: string) => {
  const m = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/.exec(s);
  return m ? Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!) - 8 * 3600_000 : NaN;
};

export type StandInTradeStatus = 'TRADE_SUCCESS' | 'TRADE_FINISHED' | 'WAIT_BUYER_PAY' | 'TRADE_CLOSED';

export interface StandInTrade {
  orderId: string;
  tradeNo: string;
  /** What the customer paid, as Alipay writes it ("88.80"). */
  amount: string;
  status: StandInTradeStatus;
  paidAt: number;
}

export interface AlipayStandIn {
  /** http://127.0.0.1:port/gateway.do */
  gateway: string;
  appId: string;
  /** The stand-in's "Alipay" key pair: its public key is what the shop configures as Alipay's. */
  alipayKeys: RsaPair;
  /** The app's key pair the stand-in checks requests against (generated unless given). */
  appKeys: RsaPair;
  /** An AlipayConfig for the shop pointing at this stand-in. */
  config(overrides?: Partial<AlipayConfig>): AlipayConfig;
  trades: Map<string, StandInTrade>;
  /** Every gateway call: the method, its parameters, and why it was refused (null: accepted). */
  requests: { method: string; params: Record<string, string>; refused: string | null }[];
  /** Answer 502 to every gateway call (Alipay unreachable). */
  outage: boolean;
  /** Sign answers with a key that is not Alipay's (a man in the middle). */
  forgeResponses: boolean;
  /** Refunds made, per trade number: out_request_no → amount in cents. */
  refunds: Map<string, Map<string, number>>;
  /** Answer every alipay.trade.refund with this business refusal (sub_code), e.g. ACQ.SYSTEM_ERROR. */
  refuseRefunds: string | null;
  /** Carry out refunds but answer 502 (the answer lost on the way back). */
  loseAnswers: boolean;
  /** A customer pays the order on Alipay's cashier; returns the recorded trade. */
  pay(orderId: string, amount: string, status?: StandInTradeStatus): StandInTrade;
  /** What Alipay posts to notify_url about the order's trade (overrides before signing). */
  notifyFor(orderId: string, overrides?: Record<string, string>): Record<string, string>;
  /** What Alipay appends to return_url for the order's trade (overrides before signing). */
  returnFor(orderId: string, overrides?: Record<string, string>): Record<string, string>;
  /** Signs parameters as Alipay signs a notify (with the stand-in's Alipay key, or `privateKey`). */
  signNotify(params: Record<string, string>, privateKey?: string): Record<string, string>;
  /** Why a request to the gateway would be refused (our signature, app id, …); null when fine. */
  checkRequest(params: Record<string, string>): string | null;
  close(): Promise<void>;
}

export async function startAlipayStandIn(opts: { appId: string; appKeys?: RsaPair; returnUrl?: string; notifyUrl?: string }): Promise<AlipayStandIn> {
  const alipayKeys = rsaPair();
  const appKeys = opts.appKeys ?? rsaPair();
  const forger = rsaPair();
  const trades = new Map<string, StandInTrade>();
  const requests: AlipayStandIn['requests'] = [];
  const sellerId = '2088102177649450';

  const checkRequest = (p: Record<string, string>): string | null => {
    if (p.app_id !== opts.appId) return 'isv.invalid-app-id';
    if (p.sign_type !== 'RSA2') return 'isv.invalid-signature-type';
    if (p.charset !== 'utf-8') return 'isv.invalid-charset';
    const ts = fromBeijing(p.timestamp ?? '');
    if (!(Math.abs(ts - Date.now()) < 10 * 60_000)) return 'isv.invalid-timestamp';
    if (!p.sign || !rsa2Verify(signContent(p, { withSignType: true }), p.sign, appKeys.publicKey)) return 'isv.invalid-signature';
    return null;
  };

  const self: AlipayStandIn = {
    gateway: '',
    appId: opts.appId,
    alipayKeys,
    appKeys,
    trades,
    requests,
    outage: false,
    forgeResponses: false,
    refunds: new Map(),
    refuseRefunds: null,
    loseAnswers: false,
    config: (overrides = {}) => ({
      appId: opts.appId,
      privateKey: appKeys.privateKey,
      alipayPublicKey: alipayKeys.publicKey,
      gateway: self.gateway,
      returnUrl: opts.returnUrl ?? 'http://127.0.0.1/pay_success.html',
      notifyUrl: opts.notifyUrl ?? 'http://127.0.0.1/api/payment/alipay/notify',
      ...overrides,
    }),
    pay(orderId, amount, status = 'TRADE_SUCCESS') {
      const day = beijing(Date.now()).slice(0, 10).replace(/-/g, '');
      const trade = { orderId, tradeNo: `${day}22001${String(crypto.randomInt(0, 1e10)).padStart(10, '0')}${crypto.randomInt(10_000, 100_000)}`, amount, status, paidAt: Date.now() };
      trades.set(orderId, trade);
      return trade;
    },
    notifyFor(orderId, overrides = {}) {
      const t = trades.get(orderId);
      if (!t) throw new Error(`no trade for ${orderId}: pay() first`);
      return self.signNotify({
        gmt_create: beijing(t.paidAt - 5000),
        charset: 'utf-8',
        gmt_payment: beijing(t.paidAt),
        notify_time: beijing(Date.now()),
        subject: `美多商城${orderId}`,
        buyer_id: '2088102177846880',
        invoice_amount: t.amount,
        version: '1.0',
        notify_id: crypto.randomBytes(16).toString('hex'),
        fund_bill_list: JSON.stringify([{ amount: t.amount, fundChannel: 'ALIPAYACCOUNT' }]),
        notify_type: 'trade_status_sync',
        out_trade_no: orderId,
        total_amount: t.amount,
        trade_status: t.status,
        trade_no: t.tradeNo,
        auth_app_id: opts.appId,
        receipt_amount: t.amount,
        point_amount: '0.00',
        buyer_pay_amount: t.amount,
        app_id: opts.appId,
        seller_id: sellerId,
        ...overrides,
      });
    },
    returnFor(orderId, overrides = {}) {
      const t = trades.get(orderId);
      if (!t) throw new Error(`no trade for ${orderId}: pay() first`);
      return self.signNotify({
        charset: 'utf-8',
        out_trade_no: orderId,
        method: 'alipay.trade.page.pay.return',
        total_amount: t.amount,
        trade_no: t.tradeNo,
        auth_app_id: opts.appId,
        version: '1.0',
        app_id: opts.appId,
        seller_id: sellerId,
        timestamp: beijing(t.paidAt + 2000),
        ...overrides,
      });
    },
    signNotify: (params, privateKey = alipayKeys.privateKey) => signAsAlipay(params, privateKey),
    checkRequest,
    close: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections(); // the SDK's keep-alive sockets
      }),
  };

  /** An answer as Alipay's gateway writes it: the method's response object, signed as text. */
  const answer = (res: http.ServerResponse, method: string, data: Record<string, string>) => {
    const inner = JSON.stringify(data);
    const sign = rsa2Sign(inner, self.forgeResponses ? forger.privateKey : alipayKeys.privateKey);
    res.setHeader('Content-Type', 'text/html;charset=utf-8'); // sic: Alipay's gateway labels its JSON so
    res.end(`{"${method.replaceAll('.', '_')}_response":${inner},"sign":"${sign}"}`);
  };

  const cents = (amount: string) => {
    const m = /^(\d{1,9})(?:\.(\d{1,2}))?$/.exec(amount);
    return m ? Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0')) : null;
  };
  const yuan = (c: number) => `${Math.floor(c / 100)}.${String(c % 100).padStart(2, '0')}`;

  /** alipay.trade.refund: by out_trade_no (and trade_no when given), idempotent per out_request_no. */
  const refund = (res: http.ServerResponse, biz: Record<string, string>) => {
    const method = 'alipay.trade.refund';
    const fail = (sub_code: string, sub_msg: string) => answer(res, method, { code: '40004', msg: 'Business Failed', sub_code, sub_msg, refund_fee: '0.00', send_back_fee: '0.00' });
    const t = trades.get(biz.out_trade_no ?? '');
    if (!t || (biz.trade_no !== undefined && biz.trade_no !== t.tradeNo)) return fail('ACQ.TRADE_NOT_EXIST', '交易不存在');
    const amount = cents(biz.refund_amount ?? '');
    if (amount === null || amount <= 0) return answer(res, method, { code: '40002', msg: 'Invalid Arguments', sub_code: 'isv.invalid-parameter', sub_msg: 'refund_amount 无效' });
    if (self.refuseRefunds) return fail(self.refuseRefunds, '退款失败 (stand-in)');
    const requestNo = biz.out_request_no ?? t.tradeNo;
    const made = self.refunds.get(t.tradeNo) ?? new Map<string, number>();
    self.refunds.set(t.tradeNo, made);
    const before = made.get(requestNo);
    if (before !== undefined && before !== amount) return fail('ACQ.REFUND_AMT_NOT_EQUAL_TOTAL', '退款金额与原退款请求不一致');
    // a refund made before is answered again (fund_change N) even once it closed the trade
    if (before === undefined && t.status !== 'TRADE_SUCCESS' && t.status !== 'TRADE_FINISHED') return fail('ACQ.TRADE_STATUS_ERROR', '交易状态不合法');
    const total = [...made.values()].reduce((a, b) => a + b, 0);
    if (before === undefined && total + amount > cents(t.amount)!) return fail('ACQ.REASON_TRADE_REFUND_FEE_ERR', '退款金额超限');
    if (before === undefined) made.set(requestNo, amount);
    // a trade refunded in full is closed, as Alipay closes it
    if ([...made.values()].reduce((a, b) => a + b, 0) === cents(t.amount)) t.status = 'TRADE_CLOSED';
    if (self.loseAnswers) {
      res.statusCode = 502;
      return res.end('Bad Gateway');
    }
    return answer(res, method, {
      code: '10000',
      msg: 'Success',
      buyer_logon_id: '159****5620',
      buyer_user_id: '2088102177846880',
      fund_change: before === undefined ? 'Y' : 'N',
      gmt_refund_pay: beijing(Date.now()),
      out_trade_no: t.orderId,
      refund_fee: yuan([...made.values()].reduce((a, b) => a + b, 0)),
      send_back_fee: yuan(amount),
      trade_no: t.tradeNo,
    });
  };

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://stand-in');
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (url.pathname !== '/gateway.do') {
        res.statusCode = 404;
        return res.end();
      }
      if (self.outage) {
        res.statusCode = 502;
        return res.end('Bad Gateway');
      }
      const text = Buffer.concat(chunks).toString('utf8');
      const type = req.headers['content-type'] ?? '';
      const body: Record<string, string> = type.includes('json') && text ? JSON.parse(text) : Object.fromEntries(new URLSearchParams(text));
      const params: Record<string, string> = { ...Object.fromEntries(url.searchParams), ...body };
      const method = params.method ?? '';
      const refused = checkRequest(params);
      requests.push({ method, params, refused });

      if (req.method === 'GET') {
        // the browser on the cashier page of alipay.trade.page.pay
        res.setHeader('Content-Type', 'text/html;charset=utf-8');
        if (method !== 'alipay.trade.page.pay' || refused) {
          res.statusCode = 400;
          return res.end(`<h1>支付宝 (stand-in): 错误 ${refused ?? 'isv.invalid-method'}</h1>`);
        }
        const biz = JSON.parse(params.biz_content ?? '{}') as Record<string, string>;
        return res.end(`<h1>支付宝收银台 (stand-in)</h1><p>${biz.subject} ¥${biz.total_amount}</p>`);
      }

      if (refused) return answer(res, method || 'error', { code: '40002', msg: 'Invalid Arguments', sub_code: refused, sub_msg: '参数无效' });
      if (method !== 'alipay.trade.query' && method !== 'alipay.trade.refund') return answer(res, method, { code: '40002', msg: 'Invalid Arguments', sub_code: 'isv.invalid-method', sub_msg: '不存在的方法名' });
      let biz: Record<string, string>;
      try {
        biz = JSON.parse(params.biz_content ?? '');
      } catch {
        return answer(res, method, { code: '40002', msg: 'Invalid Arguments', sub_code: 'isv.invalid-biz-content', sub_msg: 'biz_content 格式错误' });
      }
      if (method === 'alipay.trade.refund') return refund(res, biz);
      const t = trades.get(biz.out_trade_no ?? '');
      if (!t) {
        return answer(res, method, {
          code: '40004', msg: 'Business Failed', sub_code: 'ACQ.TRADE_NOT_EXIST', sub_msg: '交易不存在',
          buyer_pay_amount: '0.00', invoice_amount: '0.00', out_trade_no: biz.out_trade_no ?? '', point_amount: '0.00', receipt_amount: '0.00',
        });
      }
      const paid = t.status === 'TRADE_SUCCESS' || t.status === 'TRADE_FINISHED';
      return answer(res, method, {
        code: '10000',
        msg: 'Success',
        buyer_logon_id: '159****5620',
        buyer_pay_amount: paid ? t.amount : '0.00',
        buyer_user_id: '2088102177846880',
        invoice_amount: paid ? t.amount : '0.00',
        out_trade_no: t.orderId,
        point_amount: '0.00',
        receipt_amount: paid ? t.amount : '0.00',
        ...(paid ? { send_pay_date: beijing(t.paidAt) } : {}),
        total_amount: t.amount,
        trade_no: t.tradeNo,
        trade_status: t.status,
      });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  self.gateway = `http://127.0.0.1:${port}/gateway.do`;
  return self;
}
