import crypto from 'node:crypto';
import type { Context, Middleware } from 'koa';
import { beijingDateTime } from '../../beijing-time.ts';
import type { Clock } from '../../clock.ts';
import type { Logger } from '../../logger.ts';
import { formatCents, parseMoney } from '../../money.ts';
import { LOCAL_GATEWAY_PATH, type AlipayConfig } from '../alipay.ts';
import { CASHIER_CSS, CASHIER_PATH, cashierPage, errorPage } from './cashier.ts';
import { localAlipayKeys, type LocalAlipayKeys } from './keys.ts';
import { rsa2Sign, rsa2Verify, signAsAlipay, signContent } from './signing.ts';
import { LocalTradeBook } from './trades.ts';

// The local development gateway (ALIPAY_GATEWAY=local), served by the shop itself under /dev/alipay/:
//   GET  gateway.do  alipay.trade.page.pay: the cashier page for the shop's signed request;
//   POST pay         确认付款: records the trade, posts the signed notify to the shop's notify URL
//                    over HTTP (so PaymentService.handleNotify verifies it exactly as a real one),
//                    then sends the browser to the return URL with the signed return parameters;
//   POST gateway.do  alipay.trade.query and alipay.trade.refund, answered and signed as Alipay does.
// Like the real gateway it checks the shop's signature (the app's public key), app id, RSA2 and a
// fresh timestamp on every request, and signs with its own "Alipay" key, whose public half is the
// shop's configured Alipay public key. Mounted only when ALIPAY_GATEWAY=local, which production mode
// (NODE_ENV=production) refuses at start.

const SELLER_ID = '2088000000000000';
const BUYER_ID = '2088000000000001';
/** A request older (or newer) than this is refused, as Alipay refuses a stale timestamp. */
const TIMESTAMP_WINDOW_MS = 10 * 60_000;
/** The cashier may stay open a while before 确认付款; time_expire still bounds it. */
const PAY_WINDOW_MS = 2 * 3600_000;
const MAX_BODY = 64 * 1024;

export interface LocalGatewayDeps {
  config: AlipayConfig;
  dataDir: string;
  publicUrl: string;
  clock: Clock;
  log: Logger;
}

const fromBeijing = (s: string | undefined): number => {
  const m = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/.exec(s ?? '');
  return m ? Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!) - 8 * 3600_000 : NaN;
};

async function readForm(ctx: Context): Promise<Record<string, string> | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of ctx.req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY) return null;
    chunks.push(chunk);
  }
  // a form, as alipay-sdk and the cashier send it
  const text = Buffer.concat(chunks).toString('utf8');
  return Object.fromEntries(new URLSearchParams(text));
}

export function localAlipayGateway(deps: LocalGatewayDeps): Middleware {
  const keys: LocalAlipayKeys = localAlipayKeys(deps.dataDir);
  const book = new LocalTradeBook(deps.dataDir);
  const { config, clock, log } = deps;
  const ordersUrl = `${deps.publicUrl.replace(/\/$/, '')}/user_center_order.html`;

  /** Why the shop's request would be refused by Alipay; null when it checks out. */
  const refusal = (p: Record<string, string>, windowMs: number): string | null => {
    if (p.app_id !== config.appId) return 'isv.invalid-app-id';
    if (p.sign_type !== 'RSA2') return 'isv.invalid-signature-type';
    if ((p.charset ?? 'utf-8').toLowerCase() !== 'utf-8') return 'isv.invalid-charset';
    if (!(Math.abs(fromBeijing(p.timestamp) - clock.now().getTime()) < windowMs)) return 'isv.invalid-timestamp';
    if (!p.sign || !rsa2Verify(signContent(p, { withSignType: true }), p.sign, keys.appPublicKey)) return 'isv.invalid-signature';
    return null;
  };

  const bizOf = (p: Record<string, string>): Record<string, string> | null => {
    try {
      const biz = JSON.parse(p.biz_content ?? '') as unknown;
      return biz && typeof biz === 'object' && !Array.isArray(biz) ? (biz as Record<string, string>) : null;
    } catch {
      return null;
    }
  };

  const html = (ctx: Context, status: number, body: string) => {
    ctx.status = status;
    ctx.type = 'text/html; charset=utf-8';
    ctx.set('Cache-Control', 'no-store');
    ctx.body = body;
  };

  /** An answer as Alipay's gateway writes it: {"<method>_response":{…},"sign":"…"}, signed over the inner text. */
  const answer = (ctx: Context, method: string, data: Record<string, string>) => {
    const inner = JSON.stringify(data);
    ctx.type = 'text/html; charset=utf-8'; // sic: Alipay's gateway labels its JSON so
    ctx.body = `{"${(method || 'error').replaceAll('.', '_')}_response":${inner},"sign":"${rsa2Sign(inner, keys.alipayPrivateKey)}"}`;
  };

  /** The page-pay request checked, with what the cashier shows; a Chinese reason when refused. */
  const pagePay = (p: Record<string, string>, windowMs: number) => {
    if (p.method !== 'alipay.trade.page.pay') return { error: '不支持的接口（isv.invalid-method）' };
    const why = refusal(p, windowMs);
    if (why) return { error: `商城的支付请求未通过校验（${why}）` };
    const biz = bizOf(p);
    const cents = parseMoney(biz?.total_amount ?? '');
    if (!biz || !biz.out_trade_no || cents === null || cents <= 0) return { error: '支付请求的业务参数无效（isv.invalid-biz-content）' };
    if (!/^https?:\/\//.test(p.return_url ?? '') || !/^https?:\/\//.test(p.notify_url ?? '')) return { error: '支付请求缺少 return_url 或 notify_url' };
    const expires = biz.time_expire ? fromBeijing(biz.time_expire) : NaN;
    if (!Number.isNaN(expires) && expires <= clock.now().getTime()) return { error: '交易已超过支付期限，已关闭（ACQ.TRADE_HAS_CLOSE）' };
    return { orderId: biz.out_trade_no, subject: biz.subject ?? '', cents };
  };

  const notifyParams = (orderId: string) => {
    const t = book.get(orderId)!;
    const amount = formatCents(t.amountCents);
    return signAsAlipay(
      {
        gmt_create: beijingDateTime(t.paidAt - 5000),
        charset: 'utf-8',
        gmt_payment: beijingDateTime(t.paidAt),
        notify_time: beijingDateTime(clock.now().getTime()),
        subject: `美多商城${orderId}`,
        buyer_id: BUYER_ID,
        invoice_amount: amount,
        version: '1.0',
        notify_id: crypto.randomBytes(16).toString('hex'),
        notify_type: 'trade_status_sync',
        out_trade_no: orderId,
        total_amount: amount,
        trade_status: t.status,
        trade_no: t.tradeNo,
        auth_app_id: config.appId,
        receipt_amount: amount,
        point_amount: '0.00',
        buyer_pay_amount: amount,
        app_id: config.appId,
        seller_id: SELLER_ID,
      },
      keys.alipayPrivateKey,
    );
  };

  const returnParams = (orderId: string) => {
    const t = book.get(orderId)!;
    return signAsAlipay(
      {
        charset: 'utf-8',
        out_trade_no: orderId,
        method: 'alipay.trade.page.pay.return',
        total_amount: formatCents(t.amountCents),
        trade_no: t.tradeNo,
        auth_app_id: config.appId,
        version: '1.0',
        app_id: config.appId,
        seller_id: SELLER_ID,
        timestamp: beijingDateTime(clock.now().getTime()),
      },
      keys.alipayPrivateKey,
    );
  };

  /** Posts the notify as Alipay does: a form to notify_url; the shop must answer the text `success`. */
  const postNotify = async (notifyUrl: string, orderId: string): Promise<string> => {
    try {
      const res = await fetch(notifyUrl, { method: 'POST', body: new URLSearchParams(notifyParams(orderId)), signal: AbortSignal.timeout(10_000) });
      const text = (await res.text()).trim();
      return text === 'success' ? 'success' : `HTTP ${res.status} ${text.slice(0, 200)}`;
    } catch (err) {
      return (err as Error).message;
    }
  };

  const exec = (ctx: Context, p: Record<string, string>) => {
    const method = p.method ?? '';
    const why = refusal(p, TIMESTAMP_WINDOW_MS);
    if (why) return answer(ctx, method, { code: '40002', msg: 'Invalid Arguments', sub_code: why, sub_msg: '参数无效' });
    const biz = bizOf(p);
    if (!biz) return answer(ctx, method, { code: '40002', msg: 'Invalid Arguments', sub_code: 'isv.invalid-biz-content', sub_msg: 'biz_content 格式错误' });
    if (method === 'alipay.trade.query') {
      const t = book.get(biz.out_trade_no ?? '');
      if (!t) return answer(ctx, method, { code: '40004', msg: 'Business Failed', sub_code: 'ACQ.TRADE_NOT_EXIST', sub_msg: '交易不存在', out_trade_no: biz.out_trade_no ?? '' });
      const amount = formatCents(t.amountCents);
      return answer(ctx, method, {
        code: '10000',
        msg: 'Success',
        buyer_user_id: BUYER_ID,
        buyer_pay_amount: amount,
        out_trade_no: t.orderId,
        send_pay_date: beijingDateTime(t.paidAt),
        total_amount: amount,
        trade_no: t.tradeNo,
        trade_status: t.status,
      });
    }
    if (method === 'alipay.trade.refund') {
      const cents = parseMoney(biz.refund_amount ?? '');
      if (cents === null || cents <= 0) return answer(ctx, method, { code: '40002', msg: 'Invalid Arguments', sub_code: 'isv.invalid-parameter', sub_msg: 'refund_amount 无效' });
      const r = book.refund(biz.out_trade_no ?? '', biz.trade_no, biz.out_request_no ?? biz.trade_no ?? '', cents);
      if (!r.ok) return answer(ctx, method, { code: '40004', msg: 'Business Failed', sub_code: r.subCode, sub_msg: r.subMsg, refund_fee: '0.00' });
      log.info({ order_id: r.trade.orderId, trade_no: r.trade.tradeNo, refund_fee: formatCents(r.refundedCents) }, 'Local Alipay gateway: refunded (no money moves)');
      return answer(ctx, method, {
        code: '10000',
        msg: 'Success',
        buyer_user_id: BUYER_ID,
        fund_change: r.fundChanged ? 'Y' : 'N',
        gmt_refund_pay: beijingDateTime(clock.now().getTime()),
        out_trade_no: r.trade.orderId,
        refund_fee: formatCents(r.refundedCents),
        send_back_fee: formatCents(r.thisCents),
        trade_no: r.trade.tradeNo,
      });
    }
    return answer(ctx, method, { code: '40002', msg: 'Invalid Arguments', sub_code: 'isv.invalid-method', sub_msg: '不存在的方法名' });
  };

  return async (ctx, next) => {
    if (ctx.path !== CASHIER_PATH && !ctx.path.startsWith(`${CASHIER_PATH}/`)) return next();
    const query = Object.fromEntries(new URLSearchParams(ctx.querystring));
    if (ctx.path === `${CASHIER_PATH}/cashier.css` && (ctx.method === 'GET' || ctx.method === 'HEAD')) {
      ctx.type = 'text/css; charset=utf-8';
      ctx.body = CASHIER_CSS;
      return;
    }
    if (ctx.path === LOCAL_GATEWAY_PATH && ctx.method === 'GET') {
      const order = pagePay(query, TIMESTAMP_WINDOW_MS);
      if ('error' in order) return html(ctx, 400, errorPage(order.error!, ordersUrl));
      return html(ctx, 200, cashierPage({ orderId: order.orderId, subject: order.subject, amount: formatCents(order.cents), cancelUrl: ordersUrl, params: query }));
    }
    if (ctx.method !== 'POST' || (ctx.path !== LOCAL_GATEWAY_PATH && ctx.path !== `${CASHIER_PATH}/pay`)) {
      return html(ctx, 404, errorPage('本地支付宝网关没有这个地址', ordersUrl));
    }
    const body = await readForm(ctx);
    if (!body) return html(ctx, 400, errorPage('请求体无效', ordersUrl));
    if (ctx.path === LOCAL_GATEWAY_PATH) return exec(ctx, { ...query, ...body });

    // 确认付款: the shop's request checked again — its signature, and an age of up to 2 h rather than
    // 10 min (the customer may take a while; time_expire still applies)
    const order = pagePay(body, PAY_WINDOW_MS);
    if ('error' in order) return html(ctx, 400, errorPage(order.error!, ordersUrl));
    const before = book.get(order.orderId);
    if (before && before.amountCents !== order.cents) return html(ctx, 409, errorPage('该订单号已以另一金额付款（ACQ.TRADE_HAS_SUCCESS）', ordersUrl));
    const trade = book.pay(order.orderId, order.cents, clock.now().getTime());
    const notified = await postNotify(body.notify_url!, order.orderId);
    if (notified === 'success') log.info({ order_id: order.orderId, trade_no: trade.tradeNo }, 'Local Alipay gateway: paid (no money moves); the shop acknowledged the notify');
    // as with Alipay, a notify not acknowledged does not undo the payment: the return and the
    // unpaid-order job (alipay.trade.query) still find it
    else log.warn({ order_id: order.orderId, trade_no: trade.tradeNo, notify_url: body.notify_url, answer: notified }, 'Local Alipay gateway: the shop did not acknowledge the notify');
    const back = new URL(body.return_url!);
    for (const [k, v] of Object.entries(returnParams(order.orderId))) back.searchParams.set(k, v);
    ctx.status = 303;
    ctx.redirect(back.toString());
  };
}
