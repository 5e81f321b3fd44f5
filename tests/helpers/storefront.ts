import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { confirmReceipt, shipOrder } from '../../api/services/orders/fulfilment.ts';
import { createUser } from './accounts.ts';
import { startTestApp, type TestApp } from './app.ts';
import { ROOT, run } from './cli.ts';
import { createTestDb, type TestDb } from './db.ts';

// The built demo shop with a customer who has orders in every state a page shows (unpaid, shipped,
// received and waiting for a comment) and a line in the cart, and the list of every customer page —
// shared by the storefront browser tests that walk all of them (phone layout, accessibility).

export interface CustomerShop {
  t: TestDb;
  app: TestApp;
  distDir: string;
  buyer: { id: number; username: string; password: string };
  /** The longest launched name (so a squeezed table shows it), stock 50. */
  skuId: number;
  categoryId: number;
  /** Unpaid (cash on delivery). */
  orderId: string;
  /** Received, its lines waiting for a comment. */
  commentOrderId: string;
  /** Shipped by staff. */
  shippedOrderId: string;
  close(): Promise<void>;
}

export async function startCustomerShop(name: string): Promise<CustomerShop> {
  const t = await createTestDb('sqlite', { seed: true });
  const row = await t.db('skus').where('is_launched', true).orderByRaw('length(name) desc').first('id', 'category_id');
  const skuId = Number(row.id);
  const categoryId = Number(row.category_id);
  await t.db('skus').where({ id: skuId }).update({ stock: 50 });
  const distDir = path.join(ROOT, '.test-dist', `${name}-${process.pid}-${crypto.randomBytes(3).toString('hex')}`);
  await run(['build'], { DATABASE_URL: t.url, DIST_DIR: distDir, MEDIA_DIR: t.mediaDir, LOG_LEVEL: 'warn' });
  const app = await startTestApp(t, { distDir });
  const buyer = await createUser(app.services, { username: `${name.replace(/\W/g, '_').slice(0, 12)}_buyer`, password: 'meiduo-pass-1' });
  const now = Date.now();
  const [addressId] = await t.db('addresses').insert({ user_id: buyer.id, title: '公司', receiver: '欧阳娜娜', province_id: 440000, city_id: 440300, district_id: 440305, place: '科技园南区高新南七道深圳湾科技生态园10栋B座', mobile: '13600000000', is_deleted: false, created_at: now, updated_at: now });
  await t.db('users').where({ id: buyer.id }).update({ default_address_id: addressId, email: `${buyer.username}@example.com` });
  const grant = await app.services.accounts.grant(app.services.systemContext('test'), buyer);
  const headers = { authorization: `Bearer ${grant.token}`, 'content-type': 'application/json' };
  const addToCart = async (count: number) => {
    const res = await app.json('/api/cart', { method: 'POST', headers, body: JSON.stringify({ sku_id: skuId, count, selected: true }) });
    expect(res.status).toBe(201);
  };
  const place = async () => {
    await addToCart(2);
    const res = await app.json('/api/orders', { method: 'POST', headers: { ...headers, 'idempotency-key': crypto.randomUUID() }, body: JSON.stringify({ address_id: Number(addressId), pay_method: 1 }) });
    expect(res.status).toBe(201);
    return res.body.order_id as string;
  };
  const orderId = await place();
  const commentOrderId = await place();
  const shippedOrderId = await place();
  // shipped by staff (the carrier and tracking number show, 确认收货 is offered), then one received: its lines wait for a comment
  const staff = app.services.systemContext('test');
  await shipOrder(staff, shippedOrderId, { expressCompany: '中通快递', trackingNo: 'ZT7312345678901' });
  await shipOrder(staff, commentOrderId, { expressCompany: '顺丰速运', trackingNo: 'SF1234567890' });
  await confirmReceipt(staff, buyer.id, commentOrderId);
  // a line in the cart for the cart and checkout pages
  await addToCart(3);
  return {
    t, app, distDir, buyer, skuId, categoryId, orderId, commentOrderId, shippedOrderId,
    async close() {
      await app.close();
      await t.drop();
      fs.rmSync(distDir, { recursive: true, force: true });
    },
  };
}

export interface CustomerPage {
  name: string;
  path: string;
  /** Shown once the page's scripts have filled it in. */
  ready: string;
  /** The main actions: each visible one must be at least 44 × 44 px on a phone. */
  taps: string[];
  /** Logged in (the default) or a guest's. */
  guest?: boolean;
  /** API paths the page is refused on purpose (a forged link): Chromium logs each as a failed load. */
  refusals?: string[];
}

/** Every page a customer uses, guest pages first. */
export function customerPages(s: CustomerShop): CustomerPage[] {
  return [
    { name: 'home', path: '/', ready: '.floor-body', taps: ['.search-form button'], guest: true },
    { name: 'list', path: `/list/${s.categoryId}/default/1.html`, ready: '.sku-grid', taps: ['.sort-bar a'], guest: true },
    { name: 'sku', path: `/goods/${s.skuId}.html`, ready: '#stock-status:not(:empty)', taps: ['#add-cart', '#qty-plus', '#qty-minus'] },
    { name: 'search', path: '/search.html?q=%E5%8D%8E%E4%B8%BA', ready: '#search-results .sku-card', taps: ['.search-form button'], guest: true },
    { name: 'search-none', path: '/search.html?q=zzzzqqq', ready: '#search-suggest a', taps: [], guest: true },
    { name: 'login', path: '/login.html', ready: '#login-form', taps: ['#login-form button[type="submit"]'], guest: true },
    { name: 'register', path: '/register.html', ready: '#register-form', taps: ['#register-form button[type="submit"]'], guest: true },
    { name: 'find-password', path: '/find_password.html', ready: '#fp-account', taps: ['#fp-account button[type="submit"]'], guest: true },
    { name: '404', path: '/no-such-page.html', ready: 'form', taps: [], guest: true, refusals: ['/no-such-page.html'] },
    { name: 'cart-empty', path: '/cart.html', ready: '#cart-empty:not([hidden])', taps: [], guest: true },
    // a link from a mail or from QQ that did not work: the page says so in the shop's layout
    { name: 'verify-email', path: '/success_verify_email.html?token=forged-token', ready: '#verify-msg:not(:empty)', taps: [], guest: true, refusals: ['/api/emails/verification'] },
    { name: 'qq-callback', path: '/oauth_callback.html?code=forged&state=forged', ready: '#oauth-status.error', taps: [], guest: true, refusals: ['/api/oauth/qq/user'] },
    { name: 'cart', path: '/cart.html', ready: '#cart-rows tr[data-id]', taps: ['#checkout', '[data-act="minus"]', '[data-act="plus"]', '[data-act="delete"]'] },
    { name: 'checkout', path: '/place_order.html', ready: '#order-form', taps: ['#order-submit'] },
    { name: 'order-success', path: `/order_success.html?order_id=${s.orderId}&pay_method=1`, ready: 'main', taps: ['.result-actions a'] },
    // back from Alipay with a return whose signature does not check: 支付结果确认中
    { name: 'pay-result', path: `/pay_success.html?out_trade_no=${s.orderId}&trade_no=2026112622001&total_amount=1.00&app_id=1&sign=forged`, ready: '#pay-title:not(:empty)', taps: ['.result-actions a'], refusals: ['/api/payment/status'] },
    { name: 'orders', path: '/user_center_order.html', ready: '.order-card', taps: ['#order-tabs a', '.order-actions button', '.order-actions a'] },
    { name: 'order-detail', path: `/user_center_order_detail.html?order_id=${s.orderId}`, ready: '#detail-timeline li', taps: ['#detail-actions button'] },
    { name: 'order-shipped', path: `/user_center_order_detail.html?order_id=${s.shippedOrderId}`, ready: '#detail-actions [data-act="receive"]', taps: ['#detail-actions button'] },
    { name: 'comment', path: `/goods_judge.html?order_id=${s.commentOrderId}`, ready: 'textarea', taps: ['#judge-list button[type="submit"]'] },
    { name: 'user-info', path: '/user_center_info.html', ready: '#info-username:not(:empty)', taps: [] },
    { name: 'addresses', path: '/user_center_site.html', ready: '.address-card', taps: ['#address-add'] },
    { name: 'password', path: '/user_center_pass.html', ready: '#pass-form', taps: ['#pass-form button[type="submit"]'] },
  ];
}

/** Logs the shop's customer in through the login form. */
export async function customerLogIn(page: Page, s: CustomerShop): Promise<void> {
  await page.goto(`${s.app.url}/login.html`);
  await page.locator('#login-form input[name="account"]').fill(s.buyer.username);
  await page.locator('#login-form input[name="password"]').fill(s.buyer.password);
  await page.locator('#login-form button[type="submit"]').click();
  await page.waitForURL((u) => !u.pathname.startsWith('/login'));
}
