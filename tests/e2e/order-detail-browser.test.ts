import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser, loginAs } from '../helpers/accounts.ts';
import { call } from '../helpers/api-client.ts';
import { systemContext } from '../../api/context.ts';
import { shipOrder } from '../../api/services/orders/fulfilment.ts';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { ROOT, run } from '../helpers/cli.ts';
import { createTestDb, type TestDb } from '../helpers/db.ts';
import { launchChromium, watchedPage } from '../helpers/browser.ts';
import { HAS_CHROMIUM } from '../helpers/env.ts';

// After the order, in Chromium at a desktop and a phone size: a customer orders with cash on
// delivery, finds it under 我的订单's 待发货 tab (the tabs count their orders), opens its detail page
// (timeline in Beijing time, address, payment), cancels it there, and sees 已取消, the timeline's
// cancellation and the stock back; 再次购买 puts the line back in the cart and the header's badge
// follows at once. Then staff ship two orders (through the service the admin API and
// the CLI use): the detail page shows carrier and tracking number, and 确认收货 — on the detail page
// and on 我的订单, after its confirm dialog — moves them to 待评价, the tabs' counts following.
// Screenshots go to $SCREENSHOT_DIR when set.

const STOCK = 20;
const SHOTS = process.env.SCREENSHOT_DIR;

describe.skipIf(!HAS_CHROMIUM)('order detail and cancellation in Chromium', () => {
  let t: TestDb;
  let app: TestApp;
  let distDir: string;
  let browser: Browser;
  let sku: { id: number; name: string };
  let buyer: { id: number; username: string; password: string };

  beforeAll(async () => {
    t = await createTestDb('sqlite', { seed: true });
    const row = await t.db('skus').where('is_launched', true).orderBy('id').first('id', 'name');
    sku = { id: Number(row.id), name: row.name as string };
    await t.db('skus').where({ id: sku.id }).update({ stock: STOCK });
    distDir = path.join(ROOT, '.test-dist', `order-detail-${process.pid}-${crypto.randomBytes(3).toString('hex')}`);
    await run(['build'], { DATABASE_URL: t.url, DIST_DIR: distDir, MEDIA_DIR: t.mediaDir, LOG_LEVEL: 'warn' });
    app = await startTestApp(t, { distDir });
    buyer = await createUser(app.services, { username: 'detail_01', password: 'meiduo-pass-1' });
    const now = Date.now();
    const [addressId] = await t.db('addresses').insert({ user_id: buyer.id, title: '家', receiver: '张三', province_id: 440000, city_id: 440300, district_id: 440305, place: '海岸城2号', mobile: '13600000000', is_deleted: false, created_at: now, updated_at: now });
    await t.db('users').where({ id: buyer.id }).update({ default_address_id: addressId });
    browser = await launchChromium();
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await t?.drop();
    if (distDir) fs.rmSync(distDir, { recursive: true, force: true });
  });

  const stockOf = async () => Number((await t.db('skus').where({ id: sku.id }).first('stock')).stock);

  for (const [name, viewport] of [['desktop', { width: 1280, height: 900 }], ['phone', { width: 390, height: 844 }]] as const) {
    it(`orders, finds it under its tab, opens its detail page and cancels it (${name} ${viewport.width}×${viewport.height})`, async () => {
      const { page, problems } = await watchedPage(browser);
      await page.setViewportSize(viewport);
      const shot = async (label: string) => {
        // nothing wider than the screen
        expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(viewport.width);
        if (SHOTS) await page.screenshot({ path: path.join(SHOTS, `${name}-${label}.png`), fullPage: true });
      };
      try {
        await page.goto(`${app.url}/login.html?next=${encodeURIComponent(`/goods/${sku.id}.html`)}`);
        const login = page.locator('#login-form');
        await login.locator('input[name="account"]').fill(buyer.username);
        await login.locator('input[name="password"]').fill(buyer.password);
        await login.locator('button[type="submit"]').click();
        await page.waitForURL(`${app.url}/goods/${sku.id}.html`);
        await expect.poll(() => page.locator('#stock-status').textContent()).toBe('有货');
        await page.locator('#add-cart').click();
        await expect.poll(() => page.locator('#cart-msg').textContent()).toContain('已加入购物车');
        await page.goto(`${app.url}/place_order.html`);
        await expect.poll(() => page.locator('#order-form').isVisible()).toBe(true);
        await page.locator('#order-submit').click();
        await page.waitForURL(/\/order_success\.html\?order_id=\d{24}&pay_method=1$/);
        const orderId = new URL(page.url()).searchParams.get('order_id')!;
        const stockBefore = await stockOf();
        expect(stockBefore).toBe(STOCK - 1);
        const placedAt = Number((await t.db('orders').where({ order_id: orderId }).first('created_at')).created_at);
        // Beijing wall time, whatever zone this machine is in
        const beijing = new Date(placedAt + 8 * 3600_000).toISOString().slice(0, 16).replace('T', ' ');

        // ---- 我的订单: the tabs and their counts; 待发货 shows it ----
        const open = await t.db('orders').where({ user_id: buyer.id }).count({ n: '*' }).first();
        await page.goto(`${app.url}/user_center_order.html`);
        const tab = (s: string) => page.locator(`#order-tabs a[data-status="${s}"]`);
        await expect.poll(() => tab('').textContent()).toBe(`全部${open!.n}`);
        expect(await page.locator('#order-tabs a').allTextContents()).toEqual([`全部${open!.n}`, '待支付0', '待发货1', '待收货0', '待评价0']);
        await tab('2').click();
        await page.waitForURL(/\?status=2$/);
        const card = page.locator(`.order-card[data-order="${orderId}"]`);
        await expect.poll(() => card.isVisible()).toBe(true);
        expect(await page.locator('.order-card').count()).toBe(1);
        expect(await card.locator('.order-status').textContent()).toBe('待发货');
        expect(await card.locator('.order-actions button').allTextContents()).toEqual(['取消订单', '再次购买']);
        expect(await card.locator('.order-time').textContent()).toBe(beijing);
        await shot('orders');

        // ---- the detail page ----
        await card.locator('.order-no a').click();
        await page.waitForURL(`${app.url}/user_center_order_detail.html?order_id=${orderId}`);
        expect(await page.locator('meta[name="robots"]').getAttribute('content')).toBe('noindex');
        await expect.poll(() => page.locator('#detail-status').textContent()).toBe('待发货');
        expect(await page.locator('#detail-no').textContent()).toBe(orderId);
        expect(await page.locator('#detail-timeline li').allTextContents()).toEqual([`提交订单${beijing}`]);
        expect(await page.locator('#detail-address').textContent()).toContain('广东省 深圳市 南山区 海岸城2号');
        expect(await page.locator('#detail-pay').textContent()).toContain('货到付款');
        expect(await page.locator('#detail-lines .line-name').allTextContents()).toEqual([sku.name]);
        await shot('detail');

        // ---- 取消订单 ----
        page.once('dialog', (d) => void d.accept());
        await page.locator('#detail-actions [data-act="cancel"]').click();
        await expect.poll(() => page.locator('#detail-status').textContent()).toBe('已取消');
        const canceledAt = Number((await t.db('orders').where({ order_id: orderId }).first('canceled_at')).canceled_at);
        const canceledText = new Date(canceledAt + 8 * 3600_000).toISOString().slice(0, 16).replace('T', ' ');
        expect(await page.locator('#detail-timeline li').allTextContents()).toEqual([`提交订单${beijing}`, `已取消${canceledText}`]);
        expect(await page.locator('#detail-actions button').allTextContents()).toEqual(['再次购买']);
        expect(await stockOf()).toBe(STOCK);
        await shot('canceled');

        // ---- 再次购买: the line is back in the cart, and the header's badge says so at once ----
        expect(await page.locator('#cart-count').textContent()).toBe('0'); // the order emptied the cart
        await page.locator('#detail-actions [data-act="reorder"]').click();
        await expect.poll(() => page.locator('#detail-msg').textContent()).toBe('已将 1 种商品加入购物车');
        await expect.poll(() => page.locator('#cart-count').textContent()).toBe('1');
        // out of the cart again: the next viewport's run orders one piece
        const removed = await page.evaluate(async (skuId) => {
          const csrf = decodeURIComponent(/(?:^|; )meiduo_csrf=([^;]*)/.exec(document.cookie)?.[1] ?? '');
          return (await fetch('/api/cart', { method: 'DELETE', headers: { 'content-type': 'application/json', 'x-csrf-token': csrf }, body: JSON.stringify({ sku_id: skuId }) })).status;
        }, sku.id);
        expect(removed).toBe(204);

        // back on 我的订单: no longer 待发货
        await page.goto(`${app.url}/user_center_order.html`);
        await expect.poll(() => tab('2').textContent()).toBe('待发货0');
        expect(await page.locator(`.order-card[data-order="${orderId}"] .order-status`).textContent()).toBe('已取消');
        expect(problems()).toEqual([]);
      } finally {
        await page.context().close();
      }
    }, 90_000);
  }

  for (const [name, viewport] of [['desktop', { width: 1280, height: 900 }], ['phone', { width: 390, height: 844 }]] as const) {
    it(`shows a shipped order's carrier and tracking number, and 确认收货 works on the detail page and on 我的订单 (${name} ${viewport.width}×${viewport.height})`, async () => {
      // a customer of their own, with two cash-on-delivery orders placed through the API and shipped by staff
      const customer = await loginAs(app);
      const address = await call(app, 'POST', '/api/addresses', {
        headers: customer.headers,
        body: { title: '公司', receiver: '李四', province_id: 440000, city_id: 440300, district_id: 440305, place: '科技园1号', mobile: '13600000001', tel: '', email: '' },
      });
      expect(address.status).toBe(201);
      const place = async () => {
        expect((await call(app, 'POST', '/api/cart', { headers: customer.headers, body: { sku_id: sku.id, count: 1 } })).status).toBe(201);
        const r = await call(app, 'POST', '/api/orders', { headers: customer.headers, body: { address_id: address.body.id, pay_method: 1 } });
        expect(r.status, JSON.stringify(r.body)).toBe(201);
        return r.body.order_id as string;
      };
      const [first, second] = [await place(), await place()];
      const staff = systemContext('order-detail-browser', { db: app.services.db, clock: app.services.clock });
      await shipOrder(staff, first, { expressCompany: '中通快递', trackingNo: 'ZT7700112233' });
      await shipOrder(staff, second, { expressCompany: '顺丰速运', trackingNo: 'SF1000200030' });
      const shippedAt = Number((await t.db('orders').where({ order_id: first }).first('shipped_at')).shipped_at);
      const shippedText = new Date(shippedAt + 8 * 3600_000).toISOString().slice(0, 16).replace('T', ' ');
      const statusOf = async (id: string) => Number((await t.db('orders').where({ order_id: id }).first('status')).status);

      const { page, problems } = await watchedPage(browser);
      await page.setViewportSize(viewport);
      const shot = async (label: string) => {
        expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(viewport.width);
        if (SHOTS) await page.screenshot({ path: path.join(SHOTS, `${name}-${label}.png`), fullPage: true });
      };
      try {
        await page.goto(`${app.url}/login.html?next=${encodeURIComponent(`/user_center_order_detail.html?order_id=${first}`)}`);
        const login = page.locator('#login-form');
        await login.locator('input[name="account"]').fill(customer.username);
        await login.locator('input[name="password"]').fill(customer.password);
        await login.locator('button[type="submit"]').click();
        await page.waitForURL(`${app.url}/user_center_order_detail.html?order_id=${first}`);

        // ---- the detail page: carrier, tracking number, the timeline's 已发货, 确认收货 ----
        await expect.poll(() => page.locator('#detail-status').textContent()).toBe('待收货');
        const pay = page.locator('#detail-pay');
        expect(await pay.textContent()).toContain('快递公司中通快递');
        expect(await pay.textContent()).toContain('快递单号ZT7700112233');
        expect(await page.locator('#detail-timeline li[data-event="shipped"]').textContent()).toBe(`已发货${shippedText}中通快递 ZT7700112233`);
        expect(await page.locator('#detail-actions button').allTextContents()).toEqual(['确认收货', '再次购买']);
        await shot('shipped');
        // dismissing the dialog changes nothing
        page.once('dialog', (d) => void d.dismiss());
        await page.locator('#detail-actions [data-act="receive"]').click();
        expect(await statusOf(first)).toBe(3);
        page.once('dialog', (d) => {
          expect(d.message()).toContain(first);
          void d.accept();
        });
        await page.locator('#detail-actions [data-act="receive"]').click();
        await expect.poll(() => page.locator('#detail-status').textContent()).toBe('待评价');
        expect(await statusOf(first)).toBe(4);
        expect(await page.locator('#detail-timeline li').evaluateAll((lis) => lis.map((li) => (li as HTMLElement).dataset.event))).toEqual(['placed', 'shipped', 'received']);
        expect(await page.locator('#detail-actions').textContent()).toContain('去评价');
        expect(await page.locator('#detail-msg').textContent()).toContain('已确认收货');
        await shot('received');

        // ---- 我的订单, 待收货 tab: 确认收货 on the card, then the list and counts follow ----
        await page.goto(`${app.url}/user_center_order.html?status=3`);
        const tab = (s: string) => page.locator(`#order-tabs a[data-status="${s}"]`);
        await expect.poll(() => tab('3').textContent()).toBe('待收货1');
        expect(await tab('4').textContent()).toBe('待评价1');
        const card = page.locator(`.order-card[data-order="${second}"]`);
        expect(await card.locator('.order-status').textContent()).toBe('待收货');
        expect(await card.locator('.order-actions button').allTextContents()).toEqual(['确认收货', '再次购买']);
        await shot('orders-shipped');
        page.once('dialog', (d) => void d.accept());
        await card.locator('[data-act="receive"]').click();
        await expect.poll(() => tab('3').textContent()).toBe('待收货0');
        expect(await tab('4').textContent()).toBe('待评价2');
        // the 待收货 tab no longer lists it
        await expect.poll(() => page.locator('.order-card').count()).toBe(0);
        expect(await statusOf(second)).toBe(4);
        expect(problems()).toEqual([]);
      } finally {
        await page.context().close();
      }
    }, 90_000);
  }
});
