import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../api/config.ts';
import { CASHIER_TITLE } from '../../api/providers/alipay-local/cashier.ts';
import { createUser } from '../helpers/accounts.ts';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { ROOT, run } from '../helpers/cli.ts';
import { createTestDb, type TestDb } from '../helpers/db.ts';
import { launchChromium, watchedPage } from '../helpers/browser.ts';
import { HAS_CHROMIUM } from '../helpers/env.ts';

// The whole payment journey in Chromium on a shop with ALIPAY_GATEWAY=local, at a desktop and a
// phone size: order with 支付宝, land on the local cashier (its title says it is a simulation),
// 取消 back to 全部订单, 去支付 again, 确认付款, and /pay_success.html shows the order paid — which
// the shop learnt from the signed notify and return, verified as Alipay's would be; then the paid,
// unshipped order is cancelled from its detail page: stock back, the payment recorded for refund (退款中),
// the timeline placed → paid → cancelled; the refund job pays it back through the local gateway: 已退款.
// Screenshots go to $SCREENSHOT_DIR when set.

const SHOTS = process.env.SCREENSHOT_DIR ?? null;

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((r) => server.close(r));
  return port;
}

describe.skipIf(!HAS_CHROMIUM)('the local Alipay gateway in Chromium', () => {
  let t: TestDb;
  let app: TestApp;
  let distDir: string;
  let dataDir: string;
  let browser: Browser;
  let skuId: number;

  beforeAll(async () => {
    t = await createTestDb('sqlite', { seed: true });
    const sku = await t.db('skus').where('is_launched', true).orderBy('id').first('id');
    skuId = Number(sku.id);
    await t.db('skus').where({ id: skuId }).update({ stock: 20 });
    // Astro's output must stay inside the project root.
    distDir = path.join(ROOT, '.test-dist', `alipay-local-${process.pid}-${crypto.randomBytes(3).toString('hex')}`);
    await run(['build'], { DATABASE_URL: t.url, DIST_DIR: distDir, MEDIA_DIR: t.mediaDir, LOG_LEVEL: 'warn' });
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'alipay-local-browser-'));
    const port = await freePort();
    const publicUrl = `http://127.0.0.1:${port}`;
    const alipay = loadConfig({ ALIPAY_GATEWAY: 'local', DATA_DIR: dataDir, PUBLIC_URL: publicUrl }).alipay!;
    app = await startTestApp(t, { port, distDir, config: { alipay, dataDir, publicUrl } });
    browser = await launchChromium();
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await t?.drop();
    if (distDir) fs.rmSync(distDir, { recursive: true, force: true });
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  const shot = async (page: Page, name: string) => {
    if (SHOTS) await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
  };
  const noWiderThanViewport = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);

  for (const [label, viewport] of [['desktop', { width: 1280, height: 900 }], ['phone', { width: 390, height: 844 }]] as const) {
    it(`orders with 支付宝, pays on the local cashier, lands on the paid order, cancels it before shipping (${label})`, async () => {
      const { context, page, problems } = await watchedPage(browser);
      await page.setViewportSize(viewport);
      const shop = app.url;
      const user = await createUser(app.services, { username: `alipay_${label}`, password: 'meiduo-pass-3' });
      const now = Date.now();
      const [addressId] = await t.db('addresses').insert({ user_id: user.id, title: '家', receiver: '李四', province_id: 440000, city_id: 440300, district_id: 440305, place: '科技园3号', mobile: '13600000002', is_deleted: false, created_at: now, updated_at: now });
      await t.db('users').where({ id: user.id }).update({ default_address_id: addressId });
      const onCashier = () => page.waitForURL((u) => u.pathname === '/dev/alipay/gateway.do');

      try {
        await page.goto(`${shop}/login.html`);
        await page.locator('#login-form input[name="account"]').fill(user.username);
        await page.locator('#login-form input[name="password"]').fill(user.password);
        await page.locator('#login-form button[type="submit"]').click();
        await page.waitForURL(`${shop}/`);

        // the cart, 去结算, 支付宝, 提交订单: straight to the cashier
        await page.goto(`${shop}/goods/${skuId}.html`);
        await expect.poll(() => page.locator('#stock-status').textContent()).toBe('有货');
        await page.locator('#add-cart').click();
        await expect.poll(() => page.locator('#cart-msg').textContent()).toContain('已加入购物车');
        await page.goto(`${shop}/cart.html`);
        await page.locator('#checkout').click();
        await page.waitForURL(`${shop}/place_order.html`);
        await expect.poll(() => page.locator('#order-form').isVisible()).toBe(true);
        await page.locator('input[name="pay_method"][value="2"]').check();
        const payment = page.waitForRequest((r) => /\/api\/orders\/\d{24}\/payment$/.test(r.url()));
        await page.locator('#order-submit').click();
        const orderId = new URL((await payment).url()).pathname.split('/')[3]!;
        await onCashier();
        const amount = (await t.db('orders').where({ order_id: orderId }).first('payment_amount')).payment_amount;
        const yuan = Number(amount).toFixed(2);

        // the cashier says what it is, shows the order, and fits the screen
        expect(await page.title()).toBe(CASHIER_TITLE);
        expect(await page.title()).toMatch(/本地.*模拟/);
        expect(await page.locator('#order-id').textContent()).toBe(orderId);
        expect(await page.locator('#amount').textContent()).toBe(`¥${yuan}`);
        expect(await noWiderThanViewport(page)).toBe(true);
        await shot(page, `alipay-local-cashier-${label}`);

        // 取消: back to 全部订单, still 待支付; 去支付 opens the cashier again
        await page.locator('#cancel').click();
        await page.waitForURL(`${shop}/user_center_order.html`);
        const card = page.locator(`.order-card[data-order="${orderId}"]`);
        await expect.poll(() => card.locator('.order-status').textContent()).toBe('待支付');
        // 去支付 says the time left before the order expires, and counts it down
        const left = card.locator('.pay-left');
        const leftBefore = await left.textContent();
        expect(leftBefore).toMatch(/^还剩 (\d+ 小时 )?\d+ 分( \d+ 秒)?$/);
        await expect.poll(() => left.textContent(), { timeout: 3_000 }).not.toBe(leftBefore);
        await shot(page, `alipay-local-unpaid-${label}`);
        await card.locator('[data-act="pay"]').click();
        await onCashier();

        // 确认付款: the shop is notified, and the browser comes back to /pay_success.html
        await page.locator('#pay').click();
        await page.waitForURL((u) => u.pathname === '/pay_success.html');
        await expect.poll(() => page.locator('#pay-title').textContent()).toBe('支付成功');
        expect(await page.locator('#pay-order-id').textContent()).toBe(orderId);
        expect(await noWiderThanViewport(page)).toBe(true);
        await shot(page, `alipay-local-paid-${label}`);
        expect(Number((await t.db('orders').where({ order_id: orderId }).first('status')).status)).toBe(2);
        expect(await t.db('payments').where({ order_id: orderId }).select('source', 'outcome')).toEqual([{ source: 'notify', outcome: 'settled' }]);

        await page.goto(`${shop}/user_center_order.html`);
        await expect.poll(() => card.locator('.order-status').textContent()).toBe('待发货');

        // a paid order not yet shipped can still be cancelled: the stock comes back and the payment is
        // recorded for the refund job, which the page says (退款中)
        const stockPaid = Number((await t.db('skus').where({ id: skuId }).first('stock')).stock);
        await card.locator('.order-no a').click();
        await page.waitForURL(`${shop}/user_center_order_detail.html?order_id=${orderId}`);
        await expect.poll(() => page.locator('#detail-status').textContent()).toBe('待发货');
        page.once('dialog', (d) => void d.accept());
        await page.locator('#detail-actions [data-act="cancel"]').click();
        await expect.poll(() => page.locator('#detail-status').textContent()).toBe('已取消 · 退款中');
        expect(await t.db('payments').where({ order_id: orderId }).select('outcome', 'refund_state')).toEqual([{ outcome: 'refund', refund_state: 'pending' }]);
        expect(Number((await t.db('skus').where({ id: skuId }).first('stock')).stock)).toBe(stockPaid + 1);
        expect(await page.locator('#detail-timeline li').evaluateAll((lis) => lis.map((li) => (li as HTMLElement).dataset.event))).toEqual(['placed', 'paid', 'canceled']);
        expect(await noWiderThanViewport(page)).toBe(true);
        await shot(page, `alipay-local-refunding-${label}`);

        // the payments.refund job gives it back through the local gateway: 已退款, and on the timeline
        const sys = app.services.systemContext('alipay-local-browser');
        expect(await app.services.payments.refundPending(sys)).toMatchObject({ refunded: 1, failed: 0 });
        await page.reload();
        await expect.poll(() => page.locator('#detail-status').textContent()).toBe('已取消 · 已退款');
        expect(await page.locator('#detail-timeline li').evaluateAll((lis) => lis.map((li) => (li as HTMLElement).dataset.event))).toEqual(['placed', 'paid', 'canceled', 'refunded']);
        expect(await page.locator('#detail-pay').textContent()).toContain('支付状态已退款');
        await shot(page, `alipay-local-refunded-${label}`);
        expect(problems()).toEqual([]);
      } finally {
        await context.close();
      }
    }, 120_000);
  }
});
