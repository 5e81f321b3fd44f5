import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../api/config.ts';
import { LOCAL_APP_ID } from '../../api/providers/alipay.ts';
import { CASHIER_TITLE } from '../../api/providers/alipay-local/cashier.ts';
import { LOCAL_KEYS_FILE, localAlipayKeys } from '../../api/providers/alipay-local/keys.ts';
import { signAsAlipay } from '../../api/providers/alipay-local/signing.ts';
import { LOCAL_TRADES_FILE } from '../../api/providers/alipay-local/trades.ts';
import { ORDER_STATUS } from '../../api/services/orders/order-rules.ts';
import { loginAs } from '../helpers/accounts.ts';
import { call } from '../helpers/api-client.ts';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { createTestDb, type TestDb } from '../helpers/db.ts';
import { DB_KINDS } from '../helpers/env.ts';

// ALIPAY_GATEWAY=local: the shop plays Alipay's gateway itself. The whole journey over HTTP through
// the real app — checkout, the payment URL, the cashier page, 确认付款 — and the notify the local
// gateway posts goes through the shop's real notify route, so the adapter's own verification
// (alipay-sdk, the configured Alipay public key) settles the order; the return is signed the same
// way; query and refund answer as Alipay's, so the refund job and the unpaid-order job's query work
// against it. Production mode refuses the setting.

const tmpDir = (name: string) => fs.mkdtempSync(path.join(os.tmpdir(), `${name}-`));

function expectConfigError(env: NodeJS.ProcessEnv, variable: string, text?: string) {
  let err: unknown;
  try {
    loadConfig(env);
  } catch (e) {
    err = e;
  }
  expect(err, variable).toBeInstanceOf(ConfigError);
  expect((err as ConfigError).variable).toBe(variable);
  if (text) expect((err as Error).message).toContain(text);
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((r) => server.close(r));
  return port;
}

/** The cashier form's hidden fields (the shop's signed request, carried back on 确认付款). */
const hiddenFields = (html: string): Record<string, string> => {
  const unescape = (s: string) => s.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
  return Object.fromEntries([...html.matchAll(/<input type="hidden" name="([^"]*)" value="([^"]*)">/g)].map((m) => [unescape(m[1]!), unescape(m[2]!)]));
};

describe('ALIPAY_GATEWAY=local configuration', () => {
  it('needs no app id or keys: both key pairs are made in DATA_DIR on first use and kept across a restart', () => {
    const dataDir = tmpDir('alipay-local-config');
    const env = { ALIPAY_GATEWAY: 'local', DATA_DIR: dataDir, PUBLIC_URL: 'http://localhost:8000/' };
    const first = loadConfig(env).alipay!;
    expect(first).toMatchObject({ local: true, appId: LOCAL_APP_ID, gateway: 'http://localhost:8000/dev/alipay/gateway.do', returnUrl: 'http://localhost:8000/pay_success.html', notifyUrl: 'http://localhost:8000/api/payment/alipay/notify' });
    expect(fs.existsSync(path.join(dataDir, LOCAL_KEYS_FILE))).toBe(true);
    expect(fs.statSync(path.join(dataDir, LOCAL_KEYS_FILE)).mode & 0o077).toBe(0);
    const again = loadConfig(env).alipay!;
    expect(again.privateKey).toBe(first.privateKey);
    expect(again.alipayPublicKey).toBe(first.alipayPublicKey);
    // the shop holds the stand-in Alipay's PUBLIC key, never its private one
    const keys = localAlipayKeys(dataDir);
    expect(first.alipayPublicKey).toBe(keys.alipayPublicKey);
    expect(first.privateKey).toBe(keys.appPrivateKey);
    expect(keys.alipayPublicKey).not.toBe(keys.appPublicKey);
    expect(loadConfig({ ...env, ALIPAY_APP_ID: '2021000122600009' }).alipay!.appId).toBe('2021000122600009');
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('is refused in production mode (NODE_ENV=production), and with keys of its own', () => {
    const dataDir = tmpDir('alipay-local-prod');
    expectConfigError({ ALIPAY_GATEWAY: 'local', DATA_DIR: dataDir, NODE_ENV: 'production' }, 'ALIPAY_GATEWAY', 'NODE_ENV=production');
    // refused before any key is made
    expect(fs.existsSync(path.join(dataDir, LOCAL_KEYS_FILE))).toBe(false);
    expectConfigError({ ALIPAY_GATEWAY: 'local', DATA_DIR: dataDir, ALIPAY_PRIVATE_KEY: 'app_private_key.pem' }, 'ALIPAY_PRIVATE_KEY');
    expectConfigError({ ALIPAY_GATEWAY: 'local', DATA_DIR: dataDir, ALIPAY_APP_ID: 'abc' }, 'ALIPAY_APP_ID');
    // production mode itself is fine without the local gateway
    expect(loadConfig({ NODE_ENV: 'production', DATA_DIR: dataDir }).alipay).toBeNull();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });
});

describe.each(DB_KINDS)('the local Alipay gateway on %s', (kind) => {
  let t: TestDb;
  let app: TestApp;
  let dataDir: string;

  beforeAll(async () => {
    t = await createTestDb(kind, { seed: true });
    dataDir = tmpDir('alipay-local-app');
    const port = await freePort();
    const publicUrl = `http://127.0.0.1:${port}`;
    const alipay = loadConfig({ ALIPAY_GATEWAY: 'local', DATA_DIR: dataDir, PUBLIC_URL: publicUrl }).alipay!;
    app = await startTestApp(t, { port, config: { alipay, dataDir, publicUrl } });
  });
  afterAll(async () => {
    await app?.close();
    await t?.drop();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  /** A customer's Alipay order placed through checkout: cart, address, POST /api/orders. */
  async function placeAlipayOrder() {
    const u = await loginAs(app);
    const address = await call(app, 'POST', '/api/addresses', {
      headers: u.headers,
      body: { title: '家', receiver: '王五', province_id: 440000, city_id: 440300, district_id: 440305, place: '科技园2号', mobile: '13700001111', tel: '', email: '' },
    });
    expect(address.status).toBe(201);
    const sku = await t.db('skus').where('is_launched', true).orderBy('id').first('id');
    await t.db('skus').where({ id: sku.id }).update({ stock: 50 });
    expect((await call(app, 'POST', '/api/cart', { headers: u.headers, body: { sku_id: Number(sku.id), count: 2 } })).status).toBe(201);
    const placed = await call(app, 'POST', '/api/orders', { headers: u.headers, body: { address_id: address.body.id, pay_method: 2 } });
    expect(placed.status, JSON.stringify(placed.body)).toBe(201);
    const orderId = placed.body.order_id as string;
    const row = await t.db('orders').where({ order_id: orderId }).first('payment_amount', 'status');
    expect(Number(row.status)).toBe(ORDER_STATUS.unpaid);
    return { user: u, orderId };
  }

  async function cashierFor(user: Awaited<ReturnType<typeof loginAs>>, orderId: string) {
    const r = await call(app, 'GET', `/api/orders/${orderId}/payment`, { headers: user.headers });
    expect(r.status).toBe(200);
    const url = new URL(r.body.alipay_url);
    expect(url.origin + url.pathname).toBe(`${app.url}/dev/alipay/gateway.do`);
    return url;
  }

  const statusOf = async (orderId: string) => Number((await t.db('orders').where({ order_id: orderId }).first('status')).status);
  const amountOf = async (orderId: string) => {
    const v = (await t.db('orders').where({ order_id: orderId }).first('payment_amount')).payment_amount;
    return typeof v === 'number' ? v.toFixed(2) : String(v);
  };
  const payForm = (fields: Record<string, string>) =>
    fetch(`${app.url}/dev/alipay/pay`, { method: 'POST', body: new URLSearchParams(fields), redirect: 'manual' });

  it('checkout → payment URL → cashier page → 确认付款: the notify settles the order through the real route, the return is signed', async () => {
    const { user, orderId } = await placeAlipayOrder();
    const amount = await amountOf(orderId);
    const url = await cashierFor(user, orderId);

    const page = await fetch(url);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    const html = await page.text();
    expect(html).toContain(`<title>${CASHIER_TITLE}</title>`);
    expect(CASHIER_TITLE).toMatch(/本地.*模拟/);
    expect(html).toContain(orderId);
    expect(html).toContain(`¥${amount}`);
    expect(html).not.toContain('<script');
    expect((await fetch(`${app.url}/dev/alipay/cashier.css`)).headers.get('content-type')).toContain('text/css');

    const paid = await payForm(hiddenFields(html));
    expect(paid.status).toBe(303);
    const back = new URL(paid.headers.get('location')!);
    expect(back.origin + back.pathname).toBe(`${app.url}/pay_success.html`);

    // the notify was posted over HTTP to the shop's notify route and verified there
    expect(await statusOf(orderId)).toBe(ORDER_STATUS.unsent);
    const payments = await t.db('payments').where({ order_id: orderId }).select('trade_no', 'source', 'outcome');
    expect(payments).toEqual([expect.objectContaining({ source: 'notify', outcome: 'settled' })]);

    // the return: signed with the local "Alipay" key, verified by the adapter's own code
    const ret = Object.fromEntries(back.searchParams);
    expect(ret).toMatchObject({ out_trade_no: orderId, total_amount: amount, trade_no: payments[0].trade_no, sign_type: 'RSA2' });
    const adapter = app.services.providers.alipay!;
    expect(adapter.verifyNotify(ret)).toBe(true);
    expect(adapter.verifyNotify({ ...ret, total_amount: '0.01' })).toBe(false);
    const status = await call(app, 'PUT', `/api/payment/status?${back.searchParams}`);
    expect(status.body).toEqual({ order_id: orderId, trade_no: payments[0].trade_no, status: ORDER_STATUS.unsent });
    expect((await call(app, 'PUT', `/api/payment/status?${new URLSearchParams({ ...ret, total_amount: '0.01' })}`)).status).toBe(400);

    // alipay.trade.query and alipay.trade.refund against the local gateway, through the adapter
    expect(await adapter.queryTrade(orderId)).toEqual({ tradeNo: payments[0].trade_no, status: 'TRADE_SUCCESS', amountCents: Math.round(Number(amount) * 100) });
    const refund = { orderId, tradeNo: payments[0].trade_no, amountCents: Math.round(Number(amount) * 100), requestNo: `refund-${orderId}`, reason: '测试退款' };
    expect(await adapter.refundTrade(refund)).toEqual({ fundChanged: true, refundedCents: refund.amountCents });
    expect(await adapter.refundTrade(refund)).toEqual({ fundChanged: false, refundedCents: refund.amountCents });
    expect((await adapter.queryTrade(orderId)).status).toBe('TRADE_CLOSED');
    // kept in DATA_DIR: a restarted shop's gateway still knows the trade
    expect(fs.readFileSync(path.join(dataDir, LOCAL_TRADES_FILE), 'utf8')).toContain(payments[0].trade_no);
  });

  it('refuses a tampered or forged notify, and a tampered page-pay request; query knows no unpaid trade', async () => {
    const { user, orderId } = await placeAlipayOrder();
    const amount = await amountOf(orderId);
    const url = await cashierFor(user, orderId);
    const adapter = app.services.providers.alipay!;
    expect(await adapter.queryTrade(orderId)).toEqual({ tradeNo: null, status: 'NOT_FOUND', amountCents: null });

    // the shop's request with another amount: the cashier refuses it, and so does 确认付款
    const biz = JSON.parse(url.searchParams.get('biz_content')!);
    const tampered = new URL(url);
    tampered.searchParams.set('biz_content', JSON.stringify({ ...biz, total_amount: '0.01' }));
    const refused = await fetch(tampered);
    expect(refused.status).toBe(400);
    expect(await refused.text()).toContain('isv.invalid-signature');
    expect((await payForm(Object.fromEntries(tampered.searchParams))).status).toBe(400);
    expect(await adapter.queryTrade(orderId)).toMatchObject({ status: 'NOT_FOUND' });

    const keys = localAlipayKeys(dataDir);
    const notifyOf = (params: Record<string, string>) =>
      call(app, 'POST', '/api/payment/alipay/notify', { headers: { 'content-type': 'application/x-www-form-urlencoded' }, raw: new URLSearchParams(params).toString() });
    const fields = { out_trade_no: orderId, trade_no: '2026120422001000000000012345', total_amount: amount, trade_status: 'TRADE_SUCCESS', app_id: LOCAL_APP_ID, notify_type: 'trade_status_sync' };
    // signed with the app's key (not "Alipay's"), or signed and then changed: both refused
    expect((await notifyOf(signAsAlipay(fields, keys.appPrivateKey))).status).toBe(400);
    expect((await notifyOf({ ...signAsAlipay(fields, keys.alipayPrivateKey), total_amount: '0.01' })).status).toBe(400);
    expect(await statusOf(orderId)).toBe(ORDER_STATUS.unpaid);
    expect(Number((await t.db('payments').where({ order_id: orderId }).count({ n: '*' }).first())!.n)).toBe(0);
  });

  it('the jobs’ calls work against it: a payment for a cancelled order is refunded there; settleByQuery finds a paid trade', async () => {
    const sys = () => app.services.systemContext('alipay-local-test');
    // the cashier opened, then the order cancelled before 确认付款: the payment becomes a refund
    const late = await placeAlipayOrder();
    const lateCashier = await fetch(await cashierFor(late.user, late.orderId));
    expect((await call(app, 'POST', `/api/orders/${late.orderId}/cancel`, { headers: late.user.headers })).status).toBe(200);
    expect((await payForm(hiddenFields(await lateCashier.text()))).status).toBe(303);
    expect(await statusOf(late.orderId)).toBe(ORDER_STATUS.canceled);
    expect(await t.db('payments').where({ order_id: late.orderId }).select('source', 'outcome')).toEqual([{ source: 'notify', outcome: 'refund' }]);
    // the payments.refund job's work: alipay.trade.refund on the local gateway, once
    expect(await app.services.payments.refundPending(sys())).toMatchObject({ refunded: 1, failed: 0, retrying: 0 });
    expect((await app.services.providers.alipay!.queryTrade(late.orderId)).status).toBe('TRADE_CLOSED');
    expect(await app.services.payments.refundPending(sys())).toMatchObject({ refunded: 0 });

    // a notify that never arrives (the shop's notify URL unreachable): the unpaid-order job's query
    // (settleByQuery) finds the trade paid and settles the order
    const d2 = tmpDir('alipay-local-lost');
    const port = await freePort();
    const publicUrl = `http://127.0.0.1:${port}`;
    const lost = loadConfig({ ALIPAY_GATEWAY: 'local', DATA_DIR: d2, PUBLIC_URL: publicUrl, ALIPAY_NOTIFY_URL: 'http://127.0.0.1:9/api/payment/alipay/notify' }).alipay!;
    const other = await startTestApp(t, { port, config: { alipay: lost, dataDir: d2, publicUrl } });
    try {
      const quiet = await placeAlipayOrder();
      const r = await call(other, 'GET', `/api/orders/${quiet.orderId}/payment`, { headers: quiet.user.headers });
      const fields = hiddenFields(await (await fetch(r.body.alipay_url)).text());
      expect((await fetch(`${other.url}/dev/alipay/pay`, { method: 'POST', body: new URLSearchParams(fields), redirect: 'manual' })).status).toBe(303);
      expect(await statusOf(quiet.orderId)).toBe(ORDER_STATUS.unpaid);
      const ctx = other.services.systemContext('alipay-local-test');
      expect(await other.services.payments.settleByQuery(ctx, quiet.orderId)).toMatchObject({ trade_status: 'TRADE_SUCCESS', outcome: 'settled' });
      expect(await statusOf(quiet.orderId)).toBe(ORDER_STATUS.unsent);
      expect(await t.db('payments').where({ order_id: quiet.orderId }).select('source')).toEqual([{ source: 'query' }]);
    } finally {
      await other.close();
      fs.rmSync(d2, { recursive: true, force: true });
    }
  });

  it('is not there without ALIPAY_GATEWAY=local', async () => {
    const plain = await startTestApp(t);
    try {
      expect((await fetch(`${plain.url}/dev/alipay/gateway.do`)).status).toBe(404);
      expect((await fetch(`${plain.url}/dev/alipay/pay`, { method: 'POST' })).status).toBe(405);
    } finally {
      await plain.close();
    }
  });
});
