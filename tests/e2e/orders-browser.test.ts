import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser, recordingSms } from '../helpers/accounts.ts';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { ROOT, run } from '../helpers/cli.ts';
import { createTestDb, type TestDb } from '../helpers/db.ts';
import { launchChromium, watchedPage } from '../helpers/browser.ts';
import { HAS_CHROMIUM } from '../helpers/env.ts';
import { startAlipayStandIn, type AlipayStandIn } from '../helpers/standins/alipay.ts';

// The shopping pages as a shopper uses them, in Chromium against the real app: a guest fills a cart
// from two SKU pages (the header's count follows), edits it on /cart.html, is asked to log in at
// 去结算 and finds the cart merged into the account's; checks out with cash on delivery (Alipay is
// not configured here, and the page says so), sees the order under 全部订单 and the stock gone down;
// then, the order delivered, comments on both lines and finds the comment on the SKU page. A second
// app over the same database has Alipay (a stand-in for its gateway): an order paid there comes back
// to /pay_success.html, and an unpaid one is cancelled from 全部订单.

const STOCK = 20;

const money = (cents: number) => `¥${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`;
const toCents = (price: unknown) => Math.round(Number(price) * 100);

describe.skipIf(!HAS_CHROMIUM)('shopping pages in Chromium', () => {
  let t: TestDb;
  let app: TestApp;
  let alipayApp: TestApp;
  let alipay: AlipayStandIn;
  let distDir: string;
  let browser: Browser;
  let skus: { id: number; name: string; price: number }[];
  let buyer: { id: number; username: string; password: string };
  let defaultAddressId: number;

  beforeAll(async () => {
    t = await createTestDb('sqlite', { seed: true });
    const rows = await t.db('skus').where('is_launched', true).orderBy('id').limit(2).select('id', 'name', 'price');
    skus = rows.map((r) => ({ id: Number(r.id), name: r.name as string, price: toCents(r.price) }));
    await t.db('skus').whereIn('id', skus.map((s) => s.id)).update({ stock: STOCK });
    // Astro's output must stay inside the project root.
    distDir = path.join(ROOT, '.test-dist', `orders-browser-${process.pid}-${crypto.randomBytes(3).toString('hex')}`);
    await run(['build'], { DATABASE_URL: t.url, DIST_DIR: distDir, MEDIA_DIR: t.mediaDir, LOG_LEVEL: 'warn' });
    app = await startTestApp(t, { distDir, worker: true, overrides: { sms: recordingSms() } });
    alipay = await startAlipayStandIn({ appId: '2016091900551154' });
    alipayApp = await startTestApp(t, { distDir, config: { alipay: alipay.config() } });

    buyer = await createUser(app.services, { username: 'buyer_01', password: 'meiduo-pass-1' });
    const now = Date.now();
    const address = { user_id: buyer.id, receiver: '张三', province_id: 440000, city_id: 440300, district_id: 440305, mobile: '13600000000', is_deleted: false, created_at: now, updated_at: now };
    await t.db('addresses').insert({ ...address, title: '公司', place: '科技园1号' });
    [defaultAddressId] = await t.db('addresses').insert({ ...address, title: '家', place: '海岸城2号' });
    await t.db('users').where({ id: buyer.id }).update({ default_address_id: defaultAddressId });

    browser = await launchChromium();
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await alipayApp?.close();
    await app?.close();
    await alipay?.close();
    await t?.drop();
    if (distDir) fs.rmSync(distDir, { recursive: true, force: true });
  });


  it('fills a cart as a guest, logs in at checkout, orders with cash on delivery and comments', async () => {
    const { context, page, problems, refusals } = await watchedPage(browser);
    const cartCount = () => page.locator('#cart-count').textContent();
    const cartWrite = (method: string) => page.waitForResponse((r) => r.url().startsWith(`${app.url}/api/cart`) && r.request().method() === method);
    const [a, b] = skus as [(typeof skus)[0], (typeof skus)[0]];

    try {
      // ---- a guest adds two SKUs: 2 of the first, 1 of the second ----
      await page.goto(`${app.url}/goods/${a.id}.html`);
      await expect.poll(() => page.locator('#stock-status').textContent()).toBe('有货');
      await expect.poll(cartCount).toBe('0');
      await page.locator('#qty-plus').click();
      expect(await page.locator('#qty').inputValue()).toBe('2');
      const added = cartWrite('POST');
      await page.locator('#add-cart').click();
      expect((await added).status()).toBe(201);
      await expect.poll(() => page.locator('#cart-msg').textContent()).toContain('已加入购物车');
      await expect.poll(cartCount).toBe('2');
      expect((await context.cookies(app.url)).find((c) => c.name === 'meiduo_cart')?.httpOnly).toBe(true);

      await page.goto(`${app.url}/goods/${b.id}.html`);
      await expect.poll(cartCount).toBe('2'); // read from the cart cookie on load
      await expect.poll(() => page.locator('#stock-status').textContent()).toBe('有货');
      await page.locator('#add-cart').click();
      await expect.poll(cartCount).toBe('3');

      // ---- the cart page: both lines, edits, totals ----
      await page.goto(`${app.url}/cart.html`);
      const rows = page.locator('#cart-rows tr');
      await expect.poll(() => rows.count()).toBe(2);
      expect(await page.locator('#cart-rows .line-name').allTextContents()).toEqual([a.name, b.name]);
      expect(await page.locator('#selected-count').textContent()).toBe('3');
      expect(await page.locator('#selected-amount').textContent()).toBe(money(2 * a.price + b.price));
      expect(await page.locator('#select-all').isChecked()).toBe(true);

      const rowB = page.locator(`#cart-rows tr[data-id="${b.id}"]`);
      let put = cartWrite('PUT');
      await rowB.locator('[data-act="plus"]').click();
      expect((await put).status()).toBe(200);
      await expect.poll(() => rowB.locator('[data-act="count"]').inputValue()).toBe('2');
      expect(await page.locator('#selected-count').textContent()).toBe('4');
      expect(await rowB.locator('.col-amount').textContent()).toBe(money(2 * b.price));
      await expect.poll(cartCount).toBe('4');

      // unselecting a line leaves it out of the totals; 全选 brings it back
      put = cartWrite('PUT');
      await rowB.locator('[data-act="select"]').uncheck();
      await put;
      expect(await page.locator('#selected-count').textContent()).toBe('2');
      expect(await page.locator('#select-all').isChecked()).toBe(false);
      put = cartWrite('PUT');
      await page.locator('#select-all').check();
      expect((await put).url()).toBe(`${app.url}/api/cart/selection`);
      expect(await page.locator('#selected-count').textContent()).toBe('4');

      // a typed count above the line's max (the stock here) stops at it, and the page says so
      const rowA = page.locator(`#cart-rows tr[data-id="${a.id}"]`);
      put = cartWrite('PUT');
      await rowA.locator('[data-act="count"]').fill(String(STOCK + 1));
      await rowA.locator('[data-act="count"]').press('Enter');
      expect((await put).status()).toBe(200);
      await expect.poll(() => page.locator('#cart-notice').textContent()).toContain(`最多可买 ${STOCK} 件`);
      expect(await rowA.locator('[data-act="count"]').inputValue()).toBe(String(STOCK));
      put = cartWrite('PUT');
      await rowA.locator('[data-act="count"]').fill('2');
      await rowA.locator('[data-act="count"]').press('Enter');
      expect((await put).status()).toBe(200);

      // ---- 去结算 as a guest: log in first, then the settlement of the merged cart ----
      await page.locator('#checkout').click();
      await page.waitForURL(`${app.url}/login.html?next=%2Fplace_order.html`);
      const login = page.locator('#login-form');
      await login.locator('input[name="account"]').fill(buyer.username);
      await login.locator('input[name="password"]').fill(buyer.password);
      await login.locator('button[type="submit"]').click();
      await page.waitForURL(`${app.url}/place_order.html`);
      await expect.poll(() => page.locator('#username').textContent()).toBe(buyer.username);

      // the account's cart now holds the guest's lines
      await page.goto(`${app.url}/cart.html`);
      await expect.poll(() => page.locator('#cart-rows .line-name').allTextContents()).toEqual([a.name, b.name]);
      expect(await page.locator('#selected-count').textContent()).toBe('4');
      await expect.poll(cartCount).toBe('4');
      await page.locator('#checkout').click();
      await page.waitForURL(`${app.url}/place_order.html`);

      const form = page.locator('#order-form');
      await expect.poll(() => form.isVisible()).toBe(true);
      expect(await page.locator('#settle-rows .line-name').allTextContents()).toEqual([a.name, b.name]);
      expect(await page.locator('input[name="address_id"]').count()).toBe(2);
      expect(await page.locator('input[name="address_id"]:checked').getAttribute('value')).toBe(String(defaultAddressId));
      expect(await page.locator('input[name="pay_method"]:checked').getAttribute('value')).toBe('1');
      expect(await page.locator('#total-count').textContent()).toBe('4');
      const goods = 2 * a.price + 2 * b.price;
      expect(await page.locator('#total-amount').textContent()).toBe(money(goods));
      expect(await page.locator('#freight').textContent()).toBe('¥10.00');
      expect(await page.locator('#payment-amount').textContent()).toBe(money(goods + 1000));

      // Alipay is not configured on this server: the page says so from the start and keeps cash
      await expect.poll(() => page.locator('#alipay-note').isVisible()).toBe(true);
      expect(await page.locator('input[name="pay_method"][value="2"]').isDisabled()).toBe(true);
      expect(await page.locator('input[name="pay_method"]:checked').getAttribute('value')).toBe('1');

      // ---- 货到付款 → 提交订单 ----
      const placed = page.waitForRequest((r) => r.url() === `${app.url}/api/orders` && r.method() === 'POST');
      await page.locator('#order-submit').click();
      const key = (await placed).headers()['idempotency-key'];
      await page.waitForURL(/\/order_success\.html\?order_id=\d{24}&pay_method=1$/);
      const orderId = new URL(page.url()).searchParams.get('order_id')!;
      await expect.poll(() => page.locator('#result-amount').textContent()).toBe(money(goods + 1000));
      expect(await page.locator('#result-order-id').textContent()).toBe(orderId);
      expect(await page.locator('#result-pay-method').textContent()).toBe('货到付款');
      expect(await page.locator('#pay-now').isVisible()).toBe(false);
      await expect.poll(cartCount).toBe('0');

      const order = await t.db('orders').where({ order_id: orderId }).first();
      expect(order).toMatchObject({ user_id: buyer.id, status: 2, pay_method: 1, idempotency_key: key });
      const stock = await t.db('skus').whereIn('id', [a.id, b.id]).orderBy('id').pluck('stock');
      expect(stock.map(Number)).toEqual([STOCK - 2, STOCK - 2]);

      // ---- 全部订单 ----
      await page.goto(`${app.url}/user_center_order.html`);
      const card = page.locator(`.order-card[data-order="${orderId}"]`);
      await expect.poll(() => card.isVisible()).toBe(true);
      expect(await page.locator('.order-card').count()).toBe(1);
      expect(await card.locator('.order-status').textContent()).toBe('待发货');
      expect(await card.locator('.line-name').allTextContents()).toEqual([a.name, b.name]);
      expect(await card.locator('.order-pay').textContent()).toBe(money(goods + 1000));
      // cash on delivery: nothing to pay, and it can still be cancelled until it ships
      expect(await card.locator('[data-act="pay"]').count()).toBe(0);
      expect(await card.locator('[data-act="cancel"]').count()).toBe(1);
      expect(await page.locator('.uc-menu a.active').textContent()).toContain('全部订单');

      // ---- delivered (as the back office would mark it): 去评价 ----
      await t.db('orders').where({ order_id: orderId }).update({ status: 4 });
      await page.reload();
      await card.locator('a', { hasText: '去评价' }).click();
      await page.waitForURL(`${app.url}/goods_judge.html?order_id=${orderId}`);
      const judge = page.locator('form.judge-form');
      await expect.poll(() => judge.count()).toBe(2);
      const first = judge.first();
      expect(await first.locator('.price').textContent()).toBe(`${money(a.price)} × 2`);
      await first.locator('textarea').fill('好');
      await first.locator('button[type="submit"]').click();
      expect(await first.locator('[data-error-for="comment"]').textContent()).toBe('请填写5-200个字的评价');
      await first.locator('.star[data-value="4"]').click();
      expect(await first.locator('.score-text').textContent()).toBe('4 分');
      await first.locator('textarea').fill('手机很好用，物流也快。');
      await first.locator('button[type="submit"]').click();
      await expect.poll(() => page.locator('form.judge-form').count()).toBe(1);
      const second = page.locator('form.judge-form');
      await second.locator('textarea').fill('还不错，值得购买。');
      await second.locator('input[name="is_anonymous"]').check();
      await second.locator('button[type="submit"]').click();
      await expect.poll(() => page.locator('#judge-done').isVisible()).toBe(true);
      expect(Number((await t.db('orders').where({ order_id: orderId }).first('status')).status)).toBe(5);

      // the comment on the SKU page's 商品评价 tab: newest first, above the demo shoppers' comments
      const commentsOf = async (id: number) => Number((await t.db('skus').where({ id }).first('comments')).comments);
      await page.goto(`${app.url}/goods/${a.id}.html`);
      await page.locator('[data-tab="comments"]').click();
      await expect.poll(() => page.locator('#comment-list .comment-text').first().textContent()).toBe('手机很好用，物流也快。');
      expect(await page.locator('#comment-list .comment-user').first().textContent()).toBe(buyer.username);
      expect(await page.locator('#comment-list .comment-score').first().textContent()).toBe('★★★★☆');
      expect(await page.locator('[data-tab="comments"]').textContent()).toBe(`商品评价(${await commentsOf(a.id)})`);
      await page.goto(`${app.url}/goods/${b.id}.html`);
      await page.locator('[data-tab="comments"]').click();
      await expect.poll(() => page.locator('#comment-list .comment-user').first().textContent()).not.toBe(buyer.username);
      expect(await page.locator('#comment-list .comment-text').first().textContent()).toBe('还不错，值得购买。');

      // ---- a return from Alipay whose signature does not check out: nothing is claimed ----
      refusals.add('/api/payment/status');
      await page.goto(`${app.url}/pay_success.html?out_trade_no=${orderId}&trade_no=2026112622001&total_amount=1.00&app_id=1&sign=forged`);
      await expect.poll(() => page.locator('#pay-title').textContent()).toBe('支付结果确认中');

      expect(problems()).toEqual([]);
    } finally {
      await context.close();
    }
  }, 120_000);

  it('pays an Alipay order on the gateway and back on /pay_success.html, and cancels an unpaid one', async () => {
    const { context, page, problems } = await watchedPage(browser);
    const shop = alipayApp.url;
    const user = await createUser(alipayApp.services, { username: 'buyer_02', password: 'meiduo-pass-2' });
    const now = Date.now();
    const [addressId] = await t.db('addresses').insert({ user_id: user.id, title: '家', receiver: '李四', province_id: 440000, city_id: 440300, district_id: 440305, place: '科技园3号', mobile: '13600000001', is_deleted: false, created_at: now, updated_at: now });
    await t.db('users').where({ id: user.id }).update({ default_address_id: addressId });
    const sku = skus[0]!;
    const stockOf = async () => Number((await t.db('skus').where({ id: sku.id }).first('stock')).stock);
    const stockBefore = await stockOf();

    /** One of `sku` from its page through the cart to Alipay's cashier; the order id. */
    const orderWithAlipay = async (): Promise<string> => {
      await page.goto(`${shop}/goods/${sku.id}.html`);
      await expect.poll(() => page.locator('#stock-status').textContent()).toBe('有货');
      await page.locator('#add-cart').click();
      await expect.poll(() => page.locator('#cart-msg').textContent()).toContain('已加入购物车');
      await page.goto(`${shop}/cart.html`);
      await expect.poll(() => page.locator('#cart-rows tr').count()).toBe(1);
      await page.locator('#checkout').click();
      await page.waitForURL(`${shop}/place_order.html`);
      await expect.poll(() => page.locator('#order-form').isVisible()).toBe(true);
      expect(await page.locator('#alipay-note').isVisible()).toBe(false);
      await page.locator('input[name="pay_method"][value="2"]').check();
      // the page asks for the new order's payment URL right after placing it
      const payment = page.waitForRequest((r) => /\/api\/orders\/\d{24}\/payment$/.test(r.url()));
      await page.locator('#order-submit').click();
      const orderId = new URL((await payment).url()).pathname.split('/')[3]!;
      await page.waitForURL((u) => u.href.startsWith(alipay.gateway));
      expect(await page.locator('h1').textContent()).toBe('支付宝收银台 (stand-in)');
      return orderId;
    };

    try {
      await page.goto(`${shop}/login.html`);
      await page.locator('#login-form input[name="account"]').fill(user.username);
      await page.locator('#login-form input[name="password"]').fill(user.password);
      await page.locator('#login-form button[type="submit"]').click();
      await page.waitForURL(`${shop}/`);

      // paid on the cashier; Alipay sends the browser back with its signed parameters
      const paidId = await orderWithAlipay();
      const amount = (await t.db('orders').where({ order_id: paidId }).first('payment_amount')).payment_amount;
      alipay.pay(paidId, money(toCents(amount)).slice(1));
      await page.goto(`${shop}/pay_success.html?${new URLSearchParams(alipay.returnFor(paidId))}`);
      await expect.poll(() => page.locator('#pay-title').textContent()).toBe('支付成功');
      expect(await page.locator('#pay-order-id').textContent()).toBe(paidId);
      expect(Number((await t.db('orders').where({ order_id: paidId }).first('status')).status)).toBe(2);

      // left unpaid: 去支付 opens the cashier again, 取消订单 gives the stock back
      const unpaidId = await orderWithAlipay();
      expect(await stockOf()).toBe(stockBefore - 2);
      await page.goto(`${shop}/user_center_order.html`);
      const unpaid = page.locator(`.order-card[data-order="${unpaidId}"]`);
      await expect.poll(() => unpaid.locator('.order-status').textContent()).toBe('待支付');
      expect(await page.locator(`.order-card[data-order="${paidId}"] .order-status`).textContent()).toBe('待发货');
      await unpaid.locator('[data-act="pay"]').click();
      await page.waitForURL((u) => u.href.startsWith(alipay.gateway));
      await page.goBack();
      await expect.poll(() => unpaid.locator('.order-status').textContent()).toBe('待支付');
      page.once('dialog', (d) => void d.accept());
      await unpaid.locator('[data-act="cancel"]').click();
      await expect.poll(() => unpaid.locator('.order-status').textContent()).toBe('已取消');
      // a cancelled order can only be bought again
      expect(await unpaid.locator('[data-act]').allTextContents()).toEqual(['再次购买']);
      expect(await stockOf()).toBe(stockBefore - 1);

      expect(problems()).toEqual([]);
    } finally {
      await context.close();
    }
  }, 120_000);
});
