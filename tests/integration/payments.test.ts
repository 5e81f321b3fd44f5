import { systemContext } from '../../api/context.ts';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../api/clock.ts';
import { ConfigError, loadConfig } from '../../api/config.ts';
import { centsFromDb, formatCents } from '../../api/money.ts';
import { AlipayError, alipayConfigFrom, alipayGateway, beijingTime } from '../../api/providers/alipay.ts';
import { newOrderId, ORDER_STATUS, PAY_METHOD } from '../../api/services/orders/order-rules.ts';
import { cancelOrderIn, OrderService } from '../../api/services/orders/order-service.ts';
import { PaymentService } from '../../api/services/payments/payment-service.ts';
import { RETURN_QUERY_EVERY_MS } from '../../api/services/payments/return-queries.ts';
import { loginAs } from '../helpers/accounts.ts';
import { call } from '../helpers/api-client.ts';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { createTestDb, type TestDb } from '../helpers/db.ts';
import { DB_KINDS, redisDbUrl } from '../helpers/env.ts';
import { rsaPair, signAsAlipay, startAlipayStandIn, type AlipayStandIn } from '../helpers/standins/alipay.ts';

// Alipay through the real adapter (alipay-sdk 4) against a stand-in gateway with its own "Alipay"
// key pair: the page-pay URL carries our signature; a notify or a return settles an order only when
// Alipay's signature, our app id, the order and its amount (to the cent) all check out; settling is
// one transaction guarded by UNIQUE(trade_no) and `… WHERE status = 1`, so replays, concurrent
// notifies and a notify racing the unpaid-order cancel each end in one consistent state — and money
// for an order no longer unpaid is recorded as 'refund', never lost.

const APP_ID = '2021000122600001';

function capturingLogger() {
  const lines: { level: number; msg: string; reason?: string; [k: string]: unknown }[] = [];
  const log = pino({ level: 'info' }, { write: (s: string) => void lines.push(JSON.parse(s)) });
  return { log, lines };
}

describe('Alipay configuration (ALIPAY_*)', () => {
  const app = rsaPair();
  const alipay = rsaPair();
  const bare = (pem: string) => pem.replace(/-----[A-Z ]+-----/g, '').replace(/\s+/g, '');

  it('is absent without an app id and keys, and complete or refused otherwise', () => {
    expect(alipayConfigFrom({}, 'http://localhost:8000')).toBeNull();
    expect(loadConfig({}).alipay).toBeNull();
    const expectVariable = (env: NodeJS.ProcessEnv, variable: string) => {
      let err: unknown;
      try {
        loadConfig(env);
      } catch (e) {
        err = e;
      }
      expect(err, variable).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).variable).toBe(variable);
      // a key is a secret: never echoed in the message
      expect((err as Error).message).not.toContain(bare(app.privateKey).slice(0, 40));
    };
    expectVariable({ ALIPAY_APP_ID: APP_ID }, 'ALIPAY_PRIVATE_KEY');
    expectVariable({ ALIPAY_APP_ID: APP_ID, ALIPAY_PRIVATE_KEY: app.privateKey }, 'ALIPAY_PUBLIC_KEY');
    expectVariable({ ALIPAY_PRIVATE_KEY: app.privateKey, ALIPAY_PUBLIC_KEY: alipay.publicKey }, 'ALIPAY_APP_ID');
    expectVariable({ ALIPAY_APP_ID: 'abc', ALIPAY_PRIVATE_KEY: app.privateKey, ALIPAY_PUBLIC_KEY: alipay.publicKey }, 'ALIPAY_APP_ID');
    expectVariable({ ALIPAY_APP_ID: APP_ID, ALIPAY_PRIVATE_KEY: 'MIIgarbage', ALIPAY_PUBLIC_KEY: alipay.publicKey }, 'ALIPAY_PRIVATE_KEY');
    expectVariable({ ALIPAY_APP_ID: APP_ID, ALIPAY_PRIVATE_KEY: app.privateKey, ALIPAY_PUBLIC_KEY: app.publicKey }, 'ALIPAY_PUBLIC_KEY'); // the app's own
    expectVariable({ ALIPAY_APP_ID: APP_ID, ALIPAY_PRIVATE_KEY: app.privateKey, ALIPAY_PUBLIC_KEY: alipay.privateKey }, 'ALIPAY_PUBLIC_KEY');
    expectVariable({ ALIPAY_APP_ID: APP_ID, ALIPAY_PRIVATE_KEY: '/no/such/key.pem', ALIPAY_PUBLIC_KEY: alipay.publicKey }, 'ALIPAY_PRIVATE_KEY');
    expectVariable({ ALIPAY_APP_ID: APP_ID, ALIPAY_PRIVATE_KEY: app.privateKey, ALIPAY_PUBLIC_KEY: alipay.publicKey, ALIPAY_NOTIFY_URL: 'ftp://x' }, 'ALIPAY_NOTIFY_URL');
    const weak = crypto.generateKeyPairSync('rsa', { modulusLength: 1024, privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });
    expectVariable({ ALIPAY_APP_ID: APP_ID, ALIPAY_PRIVATE_KEY: weak.privateKey, ALIPAY_PUBLIC_KEY: alipay.publicKey }, 'ALIPAY_PRIVATE_KEY');
  });

  it('takes keys as PEM, PEM with \\n escapes, bare base64 (PKCS#8 or PKCS#1) or a file path, and defaults the URLs', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'alipay-keys-'));
    fs.writeFileSync(path.join(dir, 'app_private_key.pem'), app.privateKey);
    fs.writeFileSync(path.join(dir, 'alipay_public_key.txt'), bare(alipay.publicKey));
    const pkcs1 = crypto.createPrivateKey(app.privateKey).export({ type: 'pkcs1', format: 'der' }).toString('base64');
    const wanted = crypto.createPublicKey(app.privateKey).export({ type: 'spki', format: 'der' });
    const forms: [string, string][] = [
      [app.privateKey, alipay.publicKey],
      [app.privateKey.replace(/\n/g, '\\n'), alipay.publicKey.replace(/\n/g, '\\n')],
      [bare(app.privateKey), bare(alipay.publicKey)],
      [pkcs1, bare(alipay.publicKey)],
      ['app_private_key.pem', 'alipay_public_key.txt'],
    ];
    for (const [priv, pub] of forms) {
      const c = loadConfig({ ALIPAY_APP_ID: APP_ID, ALIPAY_PRIVATE_KEY: priv, ALIPAY_PUBLIC_KEY: pub, PUBLIC_URL: 'https://shop.example.com/' }, dir).alipay!;
      expect(crypto.createPublicKey(c.privateKey).export({ type: 'spki', format: 'der' }).equals(wanted)).toBe(true);
      expect(c.alipayPublicKey).toBe(crypto.createPublicKey(alipay.publicKey).export({ type: 'spki', format: 'pem' }));
      expect(c).toMatchObject({
        appId: APP_ID,
        gateway: 'https://openapi-sandbox.dl.alipaydev.com/gateway.do',
        returnUrl: 'https://shop.example.com/pay_success.html',
        notifyUrl: 'https://shop.example.com/api/payment/alipay/notify',
      });
    }
    const prod = loadConfig({ ALIPAY_APP_ID: APP_ID, ALIPAY_PRIVATE_KEY: app.privateKey, ALIPAY_PUBLIC_KEY: alipay.publicKey, ALIPAY_GATEWAY: 'https://openapi.alipay.com/gateway.do' }).alipay!;
    expect(prod.gateway).toBe('https://openapi.alipay.com/gateway.do');
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

describe('Alipay adapter (alipay-sdk 4) against the stand-in gateway', () => {
  let standIn: AlipayStandIn;
  beforeAll(async () => {
    standIn = await startAlipayStandIn({ appId: APP_ID });
  });
  afterAll(async () => standIn?.close());

  it('signs the page-pay URL as the gateway checks it, in Beijing time, with the order and its deadline', async () => {
    const orderId = newOrderId(Date.now());
    const expiresAt = new Date(Date.now() + 30 * 60_000);
    const url = new URL(await alipayGateway(standIn.config()).pagePayUrl({ orderId, amountCents: 688_810, subject: `美多商城${orderId}`, expiresAt }));
    expect(url.origin + url.pathname).toBe(standIn.gateway);
    const params = Object.fromEntries(url.searchParams);
    expect(standIn.checkRequest(params)).toBeNull();
    expect(params).toMatchObject({ method: 'alipay.trade.page.pay', app_id: APP_ID, sign_type: 'RSA2', charset: 'utf-8', version: '1.0' });
    expect(JSON.parse(params.biz_content!)).toEqual({ out_trade_no: orderId, product_code: 'FAST_INSTANT_TRADE_PAY', total_amount: '6888.10', subject: `美多商城${orderId}`, time_expire: beijingTime(expiresAt) });
    // the browser on the cashier page
    expect((await fetch(url)).status).toBe(200);
    // one changed byte and the gateway refuses it
    expect(standIn.checkRequest({ ...params, biz_content: params.biz_content!.replace('6888.10', '0.01') })).toBe('isv.invalid-signature');
  });

  it('verifies what Alipay signs, and nothing else', () => {
    const gw = alipayGateway(standIn.config());
    const params = {
      app_id: APP_ID, out_trade_no: newOrderId(Date.now()), trade_no: '2026010122001400000000000001', total_amount: '10.00', trade_status: 'TRADE_SUCCESS',
      // values a double decode or a '+' would break, and an empty one Alipay leaves out of the signature
      body: '100% 正品 a+b=c&d', fund_bill_list: '[{"amount":"10.00","fundChannel":"ALIPAYACCOUNT"}]', passback_params: '',
    };
    const signed = standIn.signNotify(params);
    expect(gw.verifyNotify(signed)).toBe(true);
    expect(gw.verifyNotify({ ...signed, total_amount: '0.01' })).toBe(false);
    expect(gw.verifyNotify({ ...signed, extra: 'x' })).toBe(false);
    expect(gw.verifyNotify(signAsAlipay(params, rsaPair().privateKey))).toBe(false);
    expect(gw.verifyNotify({ ...signed, sign_type: 'RSA' })).toBe(false);
    expect(gw.verifyNotify({ ...signed, sign: 'not base64 at all!' })).toBe(false);
    const { sign: _, ...unsigned } = signed;
    expect(gw.verifyNotify(unsigned)).toBe(false);
  });

  it('queries a trade; refuses an answer not signed by Alipay, and its own request signed with another key is refused', async () => {
    const gw = alipayGateway(standIn.config());
    const orderId = newOrderId(Date.now());
    expect(await gw.queryTrade(orderId)).toEqual({ tradeNo: null, status: 'NOT_FOUND', amountCents: null });
    const trade = standIn.pay(orderId, '88.80');
    expect(await gw.queryTrade(orderId)).toEqual({ tradeNo: trade.tradeNo, status: 'TRADE_SUCCESS', amountCents: 8880 });
    expect(standIn.requests.at(-1)).toMatchObject({ method: 'alipay.trade.query', refused: null });

    await expect(alipayGateway(standIn.config({ privateKey: rsaPair().privateKey })).queryTrade(orderId)).rejects.toThrow(/isv.invalid-signature/);
    await expect(alipayGateway(standIn.config({ appId: '2021000000000999' })).queryTrade(orderId)).rejects.toThrow(/isv.invalid-app-id/);
    standIn.forgeResponses = true;
    try {
      await expect(gw.queryTrade(orderId)).rejects.toThrow(AlipayError);
    } finally {
      standIn.forgeResponses = false;
    }
    standIn.outage = true;
    try {
      await expect(gw.queryTrade(orderId)).rejects.toThrow(AlipayError);
    } finally {
      standIn.outage = false;
    }
  });
});

describe.each(DB_KINDS)('Alipay payments on %s', (kind) => {
  let t: TestDb;
  let app: TestApp;
  let standIn: AlipayStandIn;
  let orders: OrderService;
  let customer: Awaited<ReturnType<typeof loginAs>>;
  let stranger: Awaited<ReturnType<typeof loginAs>>;
  const logs = capturingLogger();

  beforeAll(async () => {
    t = await createTestDb(kind, { seed: true });
    standIn = await startAlipayStandIn({ appId: APP_ID });
    // Redis on the MySQL run: the return's query window is shared by every web process through it
    app = await startTestApp(t, { redisUrl: kind === 'mysql' ? (redisDbUrl(11) ?? null) : null, config: { alipay: standIn.config() }, overrides: { log: logs.log } });
    // the lead's services.orders when wired
    orders =
      (app.services as unknown as { orders?: OrderService }).orders ??
      new OrderService({ selectedLines: async () => [], removeLines: async () => {} }, app.services.addresses, app.services.config);
    customer = await loginAs(app);
    stranger = await loginAs(app);
  });
  afterAll(async () => {
    await app?.close();
    await standIn?.close();
    await t?.drop();
  });

  /** An order as checkout leaves it: stock taken, lines copied, 待支付 for Alipay (待发货 for cash). */
  async function placeOrder(opts: { userId?: number; payMethod?: number; count?: number; deadline?: number } = {}) {
    const db = app.services.db;
    const sku = await db('skus').where('is_launched', true).where('stock', '>=', 20).orderBy('id').first('id', 'name', 'price', 'spu_id');
    const count = opts.count ?? 2;
    const price = centsFromDb(sku.price);
    const now = Date.now();
    const orderId = newOrderId(now);
    const alipay = (opts.payMethod ?? PAY_METHOD.alipay) === PAY_METHOD.alipay;
    const stockBefore = await stockOf(Number(sku.id));
    await db.transaction(async (trx) => {
      await trx('skus').where({ id: sku.id }).update({ stock: trx.raw('stock - ?', [count]), sales: trx.raw('sales + ?', [count]) });
      await trx('spus').where({ id: sku.spu_id }).increment('sales', count);
      await trx('orders').insert({
        order_id: orderId, user_id: opts.userId ?? customer.userId, address_id: null,
        receiver: '张三', province: '北京市', city: '北京市', district: '海淀区', place: '中关村大街1号', mobile: '13800138000', tel: null, email: null,
        total_count: count, total_amount: formatCents(price * count), freight: '10.00', payment_amount: formatCents(price * count + 1000),
        pay_method: alipay ? PAY_METHOD.alipay : PAY_METHOD.cash, status: alipay ? ORDER_STATUS.unpaid : ORDER_STATUS.unsent,
        created_at: now, updated_at: now, pay_deadline: alipay ? (opts.deadline ?? now + 30 * 60_000) : null,
      });
      await trx('order_lines').insert({ order_id: orderId, sku_id: sku.id, name: sku.name, default_image_url: null, count, price: formatCents(price), is_anonymous: false, is_commented: false });
    });
    return { orderId, skuId: Number(sku.id), count, amount: formatCents(price * count + 1000), stockBefore };
  }

  const stockOf = async (skuId: number) => Number((await app.services.db('skus').where({ id: skuId }).first('stock')).stock);
  const statusOf = async (orderId: string) => Number((await app.services.db('orders').where({ order_id: orderId }).first('status')).status);
  const paymentsOf = (orderId: string) => app.services.db('payments').where({ order_id: orderId }).orderBy('id').select('trade_no', 'amount', 'source', 'outcome', 'created_at');
  const notify = (params: Record<string, string>) =>
    call(app, 'POST', '/api/payment/alipay/notify', { headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' }, raw: new URLSearchParams(params).toString() });
  const comeBack = (params: Record<string, string>) => call(app, 'PUT', `/api/payment/status?${new URLSearchParams(params)}`);
  /** The context the jobs act in (the app's own db and clock). */
  const sys = () => app.services.systemContext('payments-test');
  const cancel = (orderId: string) => app.services.db.transaction((trx) => cancelOrderIn(trx, orderId, Date.now(), { from: [ORDER_STATUS.unpaid], by: 'system' }));

  describe('the payment URL', () => {
    it('is the stand-in gateway with our signed page-pay request for the order', async () => {
      const o = await placeOrder();
      const r = await call(app, 'GET', `/api/orders/${o.orderId}/payment`, { headers: customer.headers });
      expect(r.status).toBe(200);
      const url = new URL(r.body.alipay_url);
      expect(url.origin + url.pathname).toBe(standIn.gateway);
      const params = Object.fromEntries(url.searchParams);
      expect(standIn.checkRequest(params)).toBeNull();
      expect(params).toMatchObject({ method: 'alipay.trade.page.pay', app_id: APP_ID, return_url: standIn.config().returnUrl, notify_url: standIn.config().notifyUrl });
      const biz = JSON.parse(params.biz_content!);
      expect(biz).toMatchObject({ out_trade_no: o.orderId, total_amount: o.amount, subject: `美多商城${o.orderId}`, product_code: 'FAST_INSTANT_TRADE_PAY' });
      expect(biz.time_expire).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
      expect((await fetch(url)).status).toBe(200);
    });

    it('is only for the owner’s unpaid Alipay order', async () => {
      const o = await placeOrder();
      expect((await call(app, 'GET', `/api/orders/${o.orderId}/payment`)).status).toBe(401);
      const other = await call(app, 'GET', `/api/orders/${o.orderId}/payment`, { headers: stranger.headers });
      expect([other.status, other.body.error.code]).toEqual([404, 'ORDER_NOT_FOUND']);
      expect((await call(app, 'GET', `/api/orders/${newOrderId(Date.now())}/payment`, { headers: customer.headers })).status).toBe(404);
      expect((await call(app, 'GET', '/api/orders/123/payment', { headers: customer.headers })).status).toBe(400);
      const cash = await placeOrder({ payMethod: PAY_METHOD.cash });
      const c = await call(app, 'GET', `/api/orders/${cash.orderId}/payment`, { headers: customer.headers });
      expect([c.status, c.body.error.code]).toEqual([409, 'ORDER_NOT_PAYABLE']);
      const late = await placeOrder({ deadline: Date.now() - 1000 });
      expect((await call(app, 'GET', `/api/orders/${late.orderId}/payment`, { headers: customer.headers })).status).toBe(409);
      standIn.pay(o.orderId, o.amount);
      expect((await notify(standIn.notifyFor(o.orderId))).body).toBe('success');
      expect((await call(app, 'GET', `/api/orders/${o.orderId}/payment`, { headers: customer.headers })).status).toBe(409);
    });
  });

  describe('the notify', () => {
    it('settles the order once: `success`, 待发货, one payment row', async () => {
      const o = await placeOrder();
      const trade = standIn.pay(o.orderId, o.amount);
      const r = await notify(standIn.notifyFor(o.orderId));
      expect([r.status, r.body]).toEqual([200, 'success']);
      expect(r.headers['content-type']).toMatch(/^text\/plain/);
      expect(await statusOf(o.orderId)).toBe(ORDER_STATUS.unsent);
      const rows = await paymentsOf(o.orderId);
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ trade_no: trade.tradeNo, source: 'notify', outcome: 'settled' });
      expect(formatCents(centsFromDb(rows[0].amount))).toBe(o.amount);
      expect(await stockOf(o.skuId)).toBe(o.stockBefore - o.count);

      // Alipay retries, and later says TRADE_FINISHED for the same trade: answered, nothing changes
      for (const again of [standIn.notifyFor(o.orderId), standIn.notifyFor(o.orderId, { trade_status: 'TRADE_FINISHED' })]) {
        expect((await notify(again)).body).toBe('success');
      }
      expect(await paymentsOf(o.orderId)).toEqual(rows);
      expect(await statusOf(o.orderId)).toBe(ORDER_STATUS.unsent);
    });

    it('refuses a forged or altered signature, a wrong amount, another app id and an unknown order — nothing changes, each logged', async () => {
      const o = await placeOrder();
      standIn.pay(o.orderId, o.amount);
      const genuine = standIn.notifyFor(o.orderId);
      const { sign: _, sign_type: __, ...fields } = genuine;
      const oneCentLess = formatCents(centsFromDb(o.amount) - 1);
      const cases: [string, Record<string, string>][] = [
        ['signed by another key', signAsAlipay(fields, rsaPair().privateKey)],
        ['altered after signing', { ...genuine, total_amount: oneCentLess }],
        ['one cent less, signed', standIn.notifyFor(o.orderId, { total_amount: oneCentLess, receipt_amount: oneCentLess })],
        ['one cent more, signed', standIn.notifyFor(o.orderId, { total_amount: formatCents(centsFromDb(o.amount) + 1) })],
        ['another app id, signed', standIn.notifyFor(o.orderId, { app_id: '2021000000000999' })],
        ['an order not ours, signed', standIn.notifyFor(o.orderId, { out_trade_no: newOrderId(Date.now()) })],
      ];
      for (const [label, params] of cases) {
        const before = logs.lines.length;
        const r = await notify(params);
        expect(r.status, label).toBe(400);
        expect(r.body, label).not.toBe('success');
        expect(logs.lines.slice(before).some((l) => l.level === 40 && l.msg === 'Alipay callback refused'), label).toBe(true);
      }
      expect(await statusOf(o.orderId)).toBe(ORDER_STATUS.unpaid);
      expect(await paymentsOf(o.orderId)).toEqual([]);
      expect(logs.lines.filter((l) => l.msg === 'Alipay callback refused').map((l) => l.reason)).toEqual(expect.arrayContaining(['signature', 'amount', 'app_id', 'unknown order']));
      // the genuine one still settles
      expect((await notify(genuine)).body).toBe('success');
      expect(await statusOf(o.orderId)).toBe(ORDER_STATUS.unsent);
    });

    it('acknowledges a trade that is not paid, and changes nothing', async () => {
      const o = await placeOrder();
      standIn.pay(o.orderId, o.amount, 'WAIT_BUYER_PAY');
      expect((await notify(standIn.notifyFor(o.orderId))).body).toBe('success');
      standIn.pay(o.orderId, o.amount, 'TRADE_CLOSED');
      expect((await notify(standIn.notifyFor(o.orderId))).body).toBe('success');
      expect(await statusOf(o.orderId)).toBe(ORDER_STATUS.unpaid);
      expect(await paymentsOf(o.orderId)).toEqual([]);
    });

    it('records a payment for an order already cancelled as a refund; the order stays cancelled', async () => {
      const o = await placeOrder();
      expect(await cancel(o.orderId)).toBe(true);
      expect(await stockOf(o.skuId)).toBe(o.stockBefore);
      const trade = standIn.pay(o.orderId, o.amount);
      const before = logs.lines.length;
      expect((await notify(standIn.notifyFor(o.orderId))).body).toBe('success');
      expect(await statusOf(o.orderId)).toBe(ORDER_STATUS.canceled);
      expect(await paymentsOf(o.orderId)).toEqual([expect.objectContaining({ trade_no: trade.tradeNo, outcome: 'refund', source: 'notify' })]);
      expect(await stockOf(o.skuId)).toBe(o.stockBefore);
      expect(logs.lines.slice(before).some((l) => l.level === 40 && /refund/.test(l.msg))).toBe(true);
    });

    it('records a second trade for an order already paid as a refund', async () => {
      const o = await placeOrder();
      const first = standIn.pay(o.orderId, o.amount);
      expect((await notify(standIn.notifyFor(o.orderId))).body).toBe('success');
      const second = standIn.pay(o.orderId, o.amount);
      expect((await notify(standIn.notifyFor(o.orderId))).body).toBe('success');
      expect((await paymentsOf(o.orderId)).map((p) => [p.trade_no, p.outcome])).toEqual([
        [first.tradeNo, 'settled'],
        [second.tradeNo, 'refund'],
      ]);
      expect(await statusOf(o.orderId)).toBe(ORDER_STATUS.unsent);
    });

    it('10 concurrent identical notifies make one payment', async () => {
      const o = await placeOrder();
      standIn.pay(o.orderId, o.amount);
      const body = standIn.notifyFor(o.orderId);
      const answers = await Promise.all(Array.from({ length: 10 }, () => notify(body)));
      expect(answers.map((a) => [a.status, a.body])).toEqual(Array(10).fill([200, 'success']));
      expect(await paymentsOf(o.orderId)).toHaveLength(1);
      expect((await paymentsOf(o.orderId))[0].outcome).toBe('settled');
      expect(await statusOf(o.orderId)).toBe(ORDER_STATUS.unsent);
    });

    it('racing the unpaid-order cancel: exactly one wins, and stock and payment agree', async () => {
      const seen = new Set<string>();
      for (let round = 0; round < 6; round++) {
        const o = await placeOrder();
        standIn.pay(o.orderId, o.amount);
        const body = standIn.notifyFor(o.orderId);
        // the cancel starts a little later each round, so both orders of arrival occur
        const [answer, cancelled] = await Promise.all([notify(body), sleep(round * 3).then(() => cancel(o.orderId))]);
        expect([answer.status, answer.body]).toEqual([200, 'success']);
        const status = await statusOf(o.orderId);
        const rows = await paymentsOf(o.orderId);
        expect(rows).toHaveLength(1);
        if (cancelled) {
          expect(status).toBe(ORDER_STATUS.canceled);
          expect(rows[0].outcome).toBe('refund');
          expect(await stockOf(o.skuId)).toBe(o.stockBefore);
          seen.add('cancel won');
        } else {
          expect(status).toBe(ORDER_STATUS.unsent);
          expect(rows[0].outcome).toBe('settled');
          expect(await stockOf(o.skuId)).toBe(o.stockBefore - o.count);
          seen.add('payment won');
        }
      }
      expect(seen.size).toBeGreaterThanOrEqual(1);
    });
  });

  describe('the return', () => {
    it('settles after trade.query confirms it, and is idempotent with the notify', async () => {
      const o = await placeOrder();
      const trade = standIn.pay(o.orderId, o.amount);
      const r = await comeBack(standIn.returnFor(o.orderId));
      expect([r.status, r.body]).toEqual([200, { order_id: o.orderId, trade_no: trade.tradeNo, status: ORDER_STATUS.unsent }]);
      expect(standIn.requests.some((q) => q.method === 'alipay.trade.query' && q.refused === null && q.params.biz_content?.includes(o.orderId))).toBe(true);
      const rows = await paymentsOf(o.orderId);
      expect(rows).toEqual([expect.objectContaining({ trade_no: trade.tradeNo, source: 'return', outcome: 'settled' })]);
      // the notify arrives afterwards; the browser reloads the page
      expect((await notify(standIn.notifyFor(o.orderId))).body).toBe('success');
      expect((await comeBack(standIn.returnFor(o.orderId))).body.status).toBe(ORDER_STATUS.unsent);
      expect(await paymentsOf(o.orderId)).toEqual(rows);
    });

    it('after the notify, answers the settled order without a second payment', async () => {
      const o = await placeOrder();
      standIn.pay(o.orderId, o.amount);
      expect((await notify(standIn.notifyFor(o.orderId))).body).toBe('success');
      const r = await comeBack(standIn.returnFor(o.orderId));
      expect([r.status, r.body.status]).toEqual([200, ORDER_STATUS.unsent]);
      expect(await paymentsOf(o.orderId)).toEqual([expect.objectContaining({ source: 'notify' })]);
    });

    it('settles nothing Alipay does not confirm, or cannot confirm now; the notify still can', async () => {
      const o = await placeOrder();
      standIn.pay(o.orderId, o.amount);
      const back = standIn.returnFor(o.orderId);
      standIn.pay(o.orderId, o.amount, 'WAIT_BUYER_PAY'); // Alipay's own record says: not paid
      expect((await comeBack(back)).body).toMatchObject({ order_id: o.orderId, status: ORDER_STATUS.unpaid });
      // Alipay unreachable (another order: the first was asked a moment ago, and is not asked again so soon)
      const o2 = await placeOrder();
      const paid = standIn.pay(o2.orderId, o2.amount);
      standIn.outage = true;
      try {
        const r = await comeBack(standIn.returnFor(o2.orderId));
        expect([r.status, r.body.status]).toEqual([200, ORDER_STATUS.unpaid]);
      } finally {
        standIn.outage = false;
      }
      expect(logs.lines.some((l) => l.order_id === o2.orderId && /could not be confirmed/.test(l.msg))).toBe(true);
      expect([await paymentsOf(o.orderId), await paymentsOf(o2.orderId)]).toEqual([[], []]);
      expect((await notify(standIn.notifyFor(o2.orderId))).body).toBe('success');
      expect(await paymentsOf(o2.orderId)).toEqual([expect.objectContaining({ trade_no: paid.tradeNo, outcome: 'settled' })]);
    });

    it('replayed 20 times asks Alipay once: within 10 s a return answers what is recorded; a paid order never asks again', async () => {
      const o = await placeOrder();
      standIn.pay(o.orderId, o.amount);
      const back = standIn.returnFor(o.orderId);
      standIn.pay(o.orderId, o.amount, 'WAIT_BUYER_PAY'); // not confirmed: nothing settles, so every return would ask
      const queries = () => standIn.requests.filter((q) => q.method === 'alipay.trade.query' && q.params.biz_content?.includes(o.orderId)).length;
      const replies = await Promise.all(Array.from({ length: 10 }, () => comeBack(back)));
      for (let i = 0; i < 10; i++) replies.push(await comeBack(back));
      expect(replies.map((r) => [r.status, r.body.status])).toEqual(Array(20).fill([200, ORDER_STATUS.unpaid]));
      expect(queries()).toBe(1);

      // the window is the service's clock: moved past it, the next return asks again and settles what Alipay confirms
      const clock = new ManualClock(Date.now());
      const payments = new PaymentService(app.services.providers.alipay, APP_ID, logs.log, app.services.cache);
      const onClock = systemContext('payments-test', { db: app.services.db, clock });
      expect((await payments.handleReturn(onClock, back)).status).toBe(ORDER_STATUS.unpaid);
      expect(queries()).toBe(1);
      clock.advance(RETURN_QUERY_EVERY_MS);
      const trade = standIn.pay(o.orderId, o.amount);
      const paidBack = standIn.returnFor(o.orderId);
      expect(await payments.handleReturn(onClock, paidBack)).toEqual({ order_id: o.orderId, trade_no: trade.tradeNo, status: ORDER_STATUS.unsent });
      expect(queries()).toBe(2);
      // paid: no return asks again, however late — neither this trade's nor the earlier one's
      clock.advance(3600_000);
      for (const params of [paidBack, back, back]) expect((await payments.handleReturn(onClock, params)).status).toBe(ORDER_STATUS.unsent);
      expect((await comeBack(back)).body.status).toBe(ORDER_STATUS.unsent);
      expect(queries()).toBe(2);
      expect(await paymentsOf(o.orderId)).toEqual([expect.objectContaining({ trade_no: trade.tradeNo, source: 'return', outcome: 'settled' })]);
    });

    it('refuses a forged return, or one for another amount or app', async () => {
      const o = await placeOrder();
      standIn.pay(o.orderId, o.amount);
      const { sign: _, sign_type: __, ...fields } = standIn.returnFor(o.orderId);
      for (const params of [
        signAsAlipay(fields, rsaPair().privateKey),
        { ...standIn.returnFor(o.orderId), total_amount: '0.01' },
        standIn.returnFor(o.orderId, { total_amount: formatCents(centsFromDb(o.amount) - 1) }),
        standIn.returnFor(o.orderId, { app_id: '2021000000000999' }),
      ]) {
        const r = await comeBack(params);
        expect([r.status, r.body.error?.code]).toEqual([400, 'PAYMENT_REFUSED']);
      }
      expect((await comeBack({ out_trade_no: o.orderId })).status).toBe(400);
      expect(await paymentsOf(o.orderId)).toEqual([]);
      expect(await statusOf(o.orderId)).toBe(ORDER_STATUS.unpaid);
    });
  });

  describe('settleByQuery (a notify that never came)', () => {
    it('settles a paid trade with source query, once; reports an unpaid one; refuses another amount', async () => {
      const o = await placeOrder();
      expect(await app.services.payments.settleByQuery(sys(), o.orderId)).toEqual({ order_id: o.orderId, trade_no: null, trade_status: 'NOT_FOUND', outcome: 'unpaid' });
      standIn.pay(o.orderId, o.amount, 'WAIT_BUYER_PAY');
      expect((await app.services.payments.settleByQuery(sys(), o.orderId)).outcome).toBe('unpaid');
      const trade = standIn.pay(o.orderId, o.amount);
      expect(await app.services.payments.settleByQuery(sys(), o.orderId)).toEqual({ order_id: o.orderId, trade_no: trade.tradeNo, trade_status: 'TRADE_SUCCESS', outcome: 'settled' });
      expect(await statusOf(o.orderId)).toBe(ORDER_STATUS.unsent);
      expect(await paymentsOf(o.orderId)).toEqual([expect.objectContaining({ trade_no: trade.tradeNo, source: 'query', outcome: 'settled' })]);
      expect((await app.services.payments.settleByQuery(sys(), o.orderId)).outcome).toBe('replay');
      // and the late notify is a replay too
      expect((await notify(standIn.notifyFor(o.orderId))).body).toBe('success');
      expect(await paymentsOf(o.orderId)).toHaveLength(1);

      const wrong = await placeOrder();
      standIn.pay(wrong.orderId, formatCents(centsFromDb(wrong.amount) - 1));
      expect((await app.services.payments.settleByQuery(sys(), wrong.orderId)).outcome).toBe('refused');
      expect(await statusOf(wrong.orderId)).toBe(ORDER_STATUS.unpaid);

      const gone = await placeOrder();
      await cancel(gone.orderId);
      standIn.pay(gone.orderId, gone.amount);
      expect((await app.services.payments.settleByQuery(sys(), gone.orderId)).outcome).toBe('refund');
      expect(await statusOf(gone.orderId)).toBe(ORDER_STATUS.canceled);

      standIn.outage = true;
      try {
        await expect(app.services.payments.settleByQuery(sys(), wrong.orderId)).rejects.toThrow(AlipayError);
      } finally {
        standIn.outage = false;
      }
    });
  });

  describe('refunds (the payments.refund job)', () => {
    const refundRow = (tradeNo: string) => app.services.db('payments').where({ trade_no: tradeNo }).first('id', 'refund_state', 'refund_attempts', 'refunded_at', 'refund_error');
    const refundCalls = (tradeNo: string) => standIn.requests.filter((r) => r.method === 'alipay.trade.refund' && JSON.parse(r.params.biz_content ?? '{}').trade_no === tradeNo);
    /** A payment that arrived for an order already cancelled: recorded for refund. */
    async function paidAfterCancel() {
      const o = await placeOrder();
      await cancel(o.orderId);
      const trade = standIn.pay(o.orderId, o.amount);
      expect((await notify(standIn.notifyFor(o.orderId))).body).toBe('success');
      expect(await refundRow(trade.tradeNo)).toMatchObject({ refund_state: 'pending' });
      return { ...o, trade };
    }

    it('gives the money back once, in full, on the trade, with one out_request_no per payment', async () => {
      const p = await paidAfterCancel();
      const before = await refundRow(p.trade.tradeNo);
      await app.services.payments.refundPending(sys());
      const after = await refundRow(p.trade.tradeNo);
      expect(after).toMatchObject({ refund_state: 'done', refund_attempts: 1, refund_error: null });
      expect(Number(after.refunded_at)).toBeGreaterThan(0);
      const [req] = refundCalls(p.trade.tradeNo);
      expect(req!.refused).toBeNull(); // our signature, app id and timestamp checked out
      expect(JSON.parse(req!.params.biz_content!)).toMatchObject({ out_trade_no: p.orderId, trade_no: p.trade.tradeNo, refund_amount: p.amount, out_request_no: `RF${before.id}` });
      expect(standIn.refunds.get(p.trade.tradeNo)).toEqual(new Map([[`RF${before.id}`, centsFromDb(p.amount)]]));
      // done is done: the next run does not ask again
      await app.services.payments.refundPending(sys());
      expect(refundCalls(p.trade.tradeNo)).toHaveLength(1);
      expect(await statusOf(p.orderId)).toBe(ORDER_STATUS.canceled);
    });

    /** The wait before the next try has passed (the job runs again later). */
    const waitPassed = (tradeNo: string) => app.services.db('payments').where({ trade_no: tradeNo }).update({ refund_next_at: 0 });

    it('retries while Alipay is unreachable or its answer is lost, waiting longer each time, and never refunds twice', async () => {
      const p = await paidAfterCancel();
      standIn.outage = true;
      const t0 = Date.now();
      try {
        expect((await app.services.payments.refundPending(sys())).retrying).toBeGreaterThanOrEqual(1);
        // not due again before its wait is over
        await app.services.payments.refundPending(sys());
      } finally {
        standIn.outage = false;
      }
      const first = await app.services.db('payments').where({ trade_no: p.trade.tradeNo }).first('refund_next_at');
      expect(Number(first.refund_next_at) - t0).toBeGreaterThanOrEqual(60_000);
      expect(Number(first.refund_next_at) - Date.now()).toBeLessThanOrEqual(60_000);
      expect(await refundRow(p.trade.tradeNo)).toMatchObject({ refund_state: 'pending', refund_attempts: 1, refund_error: expect.stringContaining('alipay.trade.refund failed') });
      expect(standIn.refunds.get(p.trade.tradeNo)).toBeUndefined();
      // Alipay refunds, but its answer never arrives
      await waitPassed(p.trade.tradeNo);
      standIn.loseAnswers = true;
      try {
        await app.services.payments.refundPending(sys());
      } finally {
        standIn.loseAnswers = false;
      }
      expect(await refundRow(p.trade.tradeNo)).toMatchObject({ refund_state: 'pending', refund_attempts: 2 });
      const second = await app.services.db('payments').where({ trade_no: p.trade.tradeNo }).first('refund_next_at');
      expect(Number(second.refund_next_at) - Date.now()).toBeGreaterThan(60_000); // 2 minutes now
      expect(standIn.refunds.get(p.trade.tradeNo)?.size).toBe(1);
      // the retry carries the same out_request_no: Alipay answers fund_change N, and the money moved once
      await waitPassed(p.trade.tradeNo);
      await app.services.payments.refundPending(sys());
      expect(await refundRow(p.trade.tradeNo)).toMatchObject({ refund_state: 'done', refund_attempts: 3 });
      // (the outage's call never reached the gateway; the lost answer's and the retry's did)
      expect(refundCalls(p.trade.tradeNo).map((r) => JSON.parse(r.params.biz_content!).out_request_no)).toEqual([`RF${(await refundRow(p.trade.tradeNo)).id}`, `RF${(await refundRow(p.trade.tradeNo)).id}`]);
      expect([...standIn.refunds.get(p.trade.tradeNo)!.values()]).toEqual([centsFromDb(p.amount)]);
      // a fully refunded trade is closed: asking Alipay about the order changes nothing now
      expect((await app.services.payments.settleByQuery(sys(), p.orderId)).outcome).toBe('unpaid');
      expect((await notify(standIn.notifyFor(p.orderId))).body).toBe('success'); // its TRADE_CLOSED notify
      expect(await paymentsOf(p.orderId)).toHaveLength(1);
      expect(await statusOf(p.orderId)).toBe(ORDER_STATUS.canceled);
    });

    it('keeps retrying a refusal that may pass, and leaves one that cannot to a human, logged as an error', async () => {
      const p = await paidAfterCancel();
      standIn.refuseRefunds = 'ACQ.SYSTEM_ERROR';
      try {
        await app.services.payments.refundPending(sys());
        expect(await refundRow(p.trade.tradeNo)).toMatchObject({ refund_state: 'pending', refund_error: expect.stringContaining('ACQ.SYSTEM_ERROR') });
        standIn.refuseRefunds = 'ACQ.TRADE_NOT_ALLOW_REFUND';
        await waitPassed(p.trade.tradeNo);
        const before = logs.lines.length;
        await app.services.payments.refundPending(sys());
        expect(await refundRow(p.trade.tradeNo)).toMatchObject({ refund_state: 'failed', refund_error: expect.stringContaining('ACQ.TRADE_NOT_ALLOW_REFUND') });
        expect(logs.lines.slice(before).some((l) => l.level === 50 && l.trade_no === p.trade.tradeNo && /human/.test(l.msg))).toBe(true);
      } finally {
        standIn.refuseRefunds = null;
      }
      // failed is left alone by later runs
      const calls = refundCalls(p.trade.tradeNo).length;
      await waitPassed(p.trade.tradeNo);
      await app.services.payments.refundPending(sys());
      expect(refundCalls(p.trade.tradeNo)).toHaveLength(calls);
      expect(standIn.refunds.get(p.trade.tradeNo)).toBeUndefined();
    });

    it('also refunds a payment recorded without a refund state (by a process on the previous release, mid-deploy)', async () => {
      const p = await paidAfterCancel();
      await app.services.db('payments').where({ trade_no: p.trade.tradeNo }).update({ refund_state: null });
      await app.services.payments.refundPending(sys());
      expect(await refundRow(p.trade.tradeNo)).toMatchObject({ refund_state: 'done' });
      expect(standIn.refunds.get(p.trade.tradeNo)?.size).toBe(1);
    });

    it('runs in the worker: a late payment for a cancelled order comes back without anyone asking', async () => {
      // recorded first: the worker's first run of the job (at its start, then every minute) finds it
      const p = await paidAfterCancel();
      const worker = await startTestApp(t, { worker: true, config: { alipay: standIn.config() }, overrides: { log: logs.log } });
      try {
        await expect.poll(async () => (await refundRow(p.trade.tradeNo)).refund_state, { timeout: 15_000, interval: 200 }).toBe('done');
        expect(standIn.refunds.get(p.trade.tradeNo)?.size).toBe(1);
        // (the run's summary is logged once its whole batch is through)
        await expect.poll(() => logs.lines.some((l) => l.msg === 'refunds run' && Number(l.refunded) >= 1), { timeout: 5000 }).toBe(true);
      } finally {
        await worker.close();
      }
    });
  });

  it('without Alipay keys, every payment endpoint answers 404 ALIPAY_DISABLED', async () => {
    const bare = await startTestApp(t);
    try {
      expect(bare.services.providers.alipay).toBeNull();
      const user = await loginAs(bare);
      const o = await placeOrder({ userId: user.userId });
      standIn.pay(o.orderId, o.amount);
      const answers = [
        await call(bare, 'GET', `/api/orders/${o.orderId}/payment`, { headers: user.headers }),
        await call(bare, 'PUT', `/api/payment/status?${new URLSearchParams(standIn.returnFor(o.orderId))}`),
        await call(bare, 'POST', '/api/payment/alipay/notify', { headers: { 'content-type': 'application/x-www-form-urlencoded' }, raw: new URLSearchParams(standIn.notifyFor(o.orderId)).toString() }),
      ];
      expect(answers.map((a) => [a.status, a.body.error?.code])).toEqual(Array(3).fill([404, 'ALIPAY_DISABLED']));
      await expect(bare.services.payments.settleByQuery(bare.services.systemContext('payments-test'), o.orderId)).rejects.toMatchObject({ code: 'ALIPAY_DISABLED' });
      expect(await statusOf(o.orderId)).toBe(ORDER_STATUS.unpaid);
    } finally {
      await bare.close();
    }
  });
});
