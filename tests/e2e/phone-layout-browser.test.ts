import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { confirmReceipt, shipOrder } from '../../api/services/orders/fulfilment.ts';
import { createUser } from '../helpers/accounts.ts';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { ROOT, run } from '../helpers/cli.ts';
import { createTestDb, type TestDb } from '../helpers/db.ts';
import { launchChromium, watchedPage } from '../helpers/browser.ts';
import { HAS_CHROMIUM } from '../helpers/env.ts';

// Every page a customer uses, on a phone (390 and 360 px wide), as the issue "The shopper's whole
// journey" asks: each page is screenshotted (to $PHONE_SHOTS_DIR, default a temp dir, to be looked
// at) and measured — no element wider than the screen or sticking out of it, no text laid out one
// character per line, no short label (≤ 8 characters, 待发货, 数量, a date …) broken over two lines —
// and the page's main actions are tap targets of at least 44 × 44 px.

const SHOTS = process.env.PHONE_SHOTS_DIR ?? fs.mkdtempSync(path.join(os.tmpdir(), 'meiduo-phone-shots-'));
const VIEWPORTS = [
  { width: 390, height: 844 },
  { width: 360, height: 740 },
] as const;

interface CustomerPage {
  name: string;
  path: () => string;
  /** Shown once the page's scripts have filled it in. */
  ready: string;
  /** The main actions: each visible one must be at least 44 × 44 px. */
  taps: string[];
  /** Logged in (the default) or a guest's. */
  guest?: boolean;
}

/** What the measurement found, in words; [] when the page lays out cleanly. */
function measureLayout(): string[] {
  const vw = document.documentElement.clientWidth;
  const found: string[] = [];
  const label = (el: Element) => {
    const id = el.id ? `#${el.id}` : '';
    const cls = typeof el.className === 'string' && el.className.trim() ? `.${el.className.trim().split(/\s+/).join('.')}` : '';
    return `${el.tagName.toLowerCase()}${id}${cls}`;
  };
  const visible = (el: Element) => {
    const s = getComputedStyle(el);
    return s.display !== 'none' && s.visibility !== 'hidden' && el.getClientRects().length > 0;
  };
  // a box inside a container that scrolls sideways on purpose (a tab strip) may extend past the screen
  const scrolledAside = (el: Element) => {
    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      const o = getComputedStyle(p).overflowX;
      if (o === 'auto' || o === 'scroll' || o === 'hidden' || o === 'clip') return true;
    }
    return false;
  };
  if (document.documentElement.scrollWidth > vw) found.push(`the page scrolls sideways: ${document.documentElement.scrollWidth} px > ${vw} px`);
  for (const el of document.body.querySelectorAll('*')) {
    if (!visible(el) || scrolledAside(el)) continue;
    const r = el.getBoundingClientRect();
    if (r.right <= 0 || r.width === 0) continue; // parked off screen on purpose (skip links, visually hidden)
    if (r.right > vw + 1 || r.width > vw + 1) found.push(`${label(el)} reaches ${Math.round(r.right)} px of ${vw}`);
  }
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const el = n.parentElement!;
    if (!visible(el) || el.closest('script,style,noscript')) continue;
    const text = n.textContent ?? '';
    const lines = new Set<number>();
    let chars = 0;
    const range = document.createRange();
    for (let i = 0; i < text.length; i++) {
      if (/\s/.test(text[i]!)) continue;
      range.setStart(n, i);
      range.setEnd(n, i + 1);
      const rect = range.getBoundingClientRect();
      if (rect.width === 0 && rect.height === 0) continue;
      chars++;
      lines.add(Math.round(rect.top + rect.height / 2));
    }
    // a line a few pixels off the next one is the same line (mixed fonts)
    const tops = [...lines].sort((a, b) => a - b).filter((v, i, a) => i === 0 || v - a[i - 1]! > 4);
    const shown = text.trim().replace(/\s+/g, ' ');
    if (chars >= 2 && tops.length >= 2 && tops.length === chars) found.push(`${label(el)}: 「${shown}」 one character per line`);
    // a name squeezed into a column a word or two wide (Latin words keep a line each, Chinese a character)
    else if (tops.length >= 4 && chars / tops.length < 5) found.push(`${label(el)}: 「${shown.slice(0, 20)}…」 squeezed, ${tops.length} lines of ${(chars / tops.length).toFixed(1)} characters`);
    else if (chars >= 2 && chars <= 8 && tops.length >= 2) found.push(`${label(el)}: 「${shown}」 broken over ${tops.length} lines`);
  }
  return found;
}

describe.skipIf(!HAS_CHROMIUM)('every customer page on a phone', () => {
  let t: TestDb;
  let app: TestApp;
  let distDir: string;
  let browser: Browser;
  let buyer: { id: number; username: string; password: string };
  let skuId: number;
  let categoryId: number;
  let orderId: string;
  let commentOrderId: string;
  let shippedOrderId: string;

  beforeAll(async () => {
    t = await createTestDb('sqlite', { seed: true });
    // the longest launched name, so a table squeezed on a phone shows it
    const row = await t.db('skus').where('is_launched', true).orderByRaw('length(name) desc').first('id', 'category_id');
    skuId = Number(row.id);
    categoryId = Number(row.category_id);
    await t.db('skus').where({ id: skuId }).update({ stock: 50 });
    distDir = path.join(ROOT, '.test-dist', `phone-${process.pid}-${crypto.randomBytes(3).toString('hex')}`);
    await run(['build'], { DATABASE_URL: t.url, DIST_DIR: distDir, MEDIA_DIR: t.mediaDir, LOG_LEVEL: 'warn' });
    app = await startTestApp(t, { distDir });
    buyer = await createUser(app.services, { username: 'phone_buyer', password: 'meiduo-pass-1' });
    const now = Date.now();
    const [addressId] = await t.db('addresses').insert({ user_id: buyer.id, title: '公司', receiver: '欧阳娜娜', province_id: 440000, city_id: 440300, district_id: 440305, place: '科技园南区高新南七道深圳湾科技生态园10栋B座', mobile: '13600000000', is_deleted: false, created_at: now, updated_at: now });
    await t.db('users').where({ id: buyer.id }).update({ default_address_id: addressId, email: 'phone_buyer@example.com' });
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
    orderId = await place();
    commentOrderId = await place();
    shippedOrderId = await place();
    // shipped by staff (the carrier and tracking number show, 确认收货 is offered), then one received: its lines wait for a comment
    const staff = app.services.systemContext('test');
    await shipOrder(staff, shippedOrderId, { expressCompany: '中通快递', trackingNo: 'ZT7312345678901' });
    await shipOrder(staff, commentOrderId, { expressCompany: '顺丰速运', trackingNo: 'SF1234567890' });
    await confirmReceipt(staff, buyer.id, commentOrderId);
    // a line in the cart for the cart and checkout pages
    await addToCart(3);
    browser = await launchChromium();
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await t?.drop();
    if (distDir) fs.rmSync(distDir, { recursive: true, force: true });
  });

  const pages: CustomerPage[] = [
    { name: 'home', path: () => '/', ready: '.floor-body', taps: ['.search-form button'], guest: true },
    { name: 'list', path: () => `/list/${categoryId}/default/1.html`, ready: '.sku-grid', taps: ['.sort-bar a'], guest: true },
    { name: 'sku', path: () => `/goods/${skuId}.html`, ready: '#stock-status:not(:empty)', taps: ['#add-cart', '#qty-plus', '#qty-minus'] },
    { name: 'search', path: () => '/search.html?q=%E5%8D%8E%E4%B8%BA', ready: '#search-results .sku-card', taps: ['.search-form button'], guest: true },
    { name: 'search-none', path: () => '/search.html?q=zzzzqqq', ready: '#search-suggest a', taps: [], guest: true },
    { name: 'login', path: () => '/login.html', ready: '#login-form', taps: ['#login-form button[type="submit"]'], guest: true },
    { name: 'register', path: () => '/register.html', ready: '#register-form', taps: ['#register-form button[type="submit"]'], guest: true },
    { name: 'find-password', path: () => '/find_password.html', ready: '#fp-account', taps: ['#fp-account button[type="submit"]'], guest: true },
    { name: '404', path: () => '/no-such-page.html', ready: 'form', taps: [], guest: true },
    { name: 'cart', path: () => '/cart.html', ready: '#cart-rows tr[data-id]', taps: ['#checkout', '[data-act="minus"]', '[data-act="plus"]', '[data-act="delete"]'] },
    { name: 'checkout', path: () => '/place_order.html', ready: '#order-form', taps: ['#order-submit'] },
    { name: 'order-success', path: () => `/order_success.html?order_id=${orderId}&pay_method=1`, ready: 'main', taps: [] },
    { name: 'orders', path: () => '/user_center_order.html', ready: '.order-card', taps: ['#order-tabs a', '.order-actions button'] },
    { name: 'order-detail', path: () => `/user_center_order_detail.html?order_id=${orderId}`, ready: '#detail-timeline li', taps: ['#detail-actions button'] },
    { name: 'order-shipped', path: () => `/user_center_order_detail.html?order_id=${shippedOrderId}`, ready: '#detail-actions [data-act="receive"]', taps: ['#detail-actions button'] },
    { name: 'comment', path: () => `/goods_judge.html?order_id=${commentOrderId}`, ready: 'textarea', taps: ['#judge-list button[type="submit"]'] },
    { name: 'user-info', path: () => '/user_center_info.html', ready: '#info-username:not(:empty)', taps: [] },
    { name: 'addresses', path: () => '/user_center_site.html', ready: '.address-card', taps: ['#address-add'] },
    { name: 'password', path: () => '/user_center_pass.html', ready: '#pass-form', taps: ['#pass-form button[type="submit"]'] },
  ];

  async function logIn(page: Page) {
    await page.goto(`${app.url}/login.html`);
    await page.locator('#login-form input[name="account"]').fill(buyer.username);
    await page.locator('#login-form input[name="password"]').fill(buyer.password);
    await page.locator('#login-form button[type="submit"]').click();
    await page.waitForURL((u) => !u.pathname.startsWith('/login'));
  }

  for (const viewport of VIEWPORTS) {
    it(`${viewport.width}×${viewport.height}: no page overflows, wraps a word apart, or has small main actions`, async () => {
      const { page, problems, refusals } = await watchedPage(browser);
      refusals.add('/no-such-page.html');
      await page.setViewportSize(viewport);
      const found: string[] = [];
      try {
        for (const guest of [true, false]) {
          if (!guest) await logIn(page);
          for (const p of pages.filter((x) => Boolean(x.guest) === guest)) {
            await page.goto(app.url + p.path());
            await page.locator(p.ready).first().waitFor({ state: 'attached', timeout: 10_000 }).catch(() => found.push(`${p.name}: ${p.ready} never appeared`));
            await page.evaluate(() => document.fonts.ready);
            await page.screenshot({ path: path.join(SHOTS, `${viewport.width}-${p.name}.png`), fullPage: true });
            for (const f of await page.evaluate(measureLayout)) found.push(`${p.name}: ${f}`);
            for (const sel of p.taps) {
              for (const box of await page.locator(sel).evaluateAll((els) => els.filter((e) => e.getClientRects().length > 0).map((e) => { const r = e.getBoundingClientRect(); return { w: r.width, h: r.height, text: (e.textContent ?? '').trim() }; }))) {
                if (box.w < 44 || box.h < 44) found.push(`${p.name}: tap target ${sel} 「${box.text}」 is ${Math.round(box.w)}×${Math.round(box.h)} px`);
              }
            }
          }
        }
        expect(found).toEqual([]);
        expect(problems()).toEqual([]);
      } finally {
        await page.context().close();
      }
    }, 180_000);
  }
});
