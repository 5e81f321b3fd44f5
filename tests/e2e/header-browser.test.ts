import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '../helpers/accounts.ts';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { ROOT, run } from '../helpers/cli.ts';
import { createTestDb, type TestDb } from '../helpers/db.ts';
import { launchChromium, watchedPage } from '../helpers/browser.ts';
import { HAS_CHROMIUM } from '../helpers/env.ts';

// The header as a shopper sees it, in Chromium at a desktop and a phone size: logged in, every page
// paints the name and the cart count from its first frame (never 请登录 | 免费注册, never a 0 badge)
// — recorded before every frame by requestAnimationFrame from an init script, and at
// DOMContentLoaded; a session ended on the server is corrected on the first API answer; logging
// out stays on the page (or goes home from a page that needs a login); the 404 page offers search
// and the way home; the address form's messages go as soon as the field is valid.
// Screenshots land in SCREENSHOT_DIR (default: the test's dist directory, removed afterwards).

interface HeaderFrame {
  links: boolean;
  info: boolean;
  name: string;
  count: string;
}

const VIEWPORTS = [
  { width: 1280, height: 900 },
  { width: 390, height: 844 },
];

describe.skipIf(!HAS_CHROMIUM)('the header in Chromium', () => {
  let t: TestDb;
  let app: TestApp;
  let distDir: string;
  let shots: string;
  let browser: Browser;
  let skus: number[];

  beforeAll(async () => {
    t = await createTestDb('sqlite', { seed: true });
    skus = (await t.db('skus').where('is_launched', true).orderBy('id').limit(2).pluck('id')).map(Number);
    await t.db('skus').whereIn('id', skus).update({ stock: 50 });
    distDir = path.join(ROOT, '.test-dist', `header-browser-${process.pid}-${crypto.randomBytes(3).toString('hex')}`);
    await run(['build'], { DATABASE_URL: t.url, DIST_DIR: distDir, MEDIA_DIR: t.mediaDir, LOG_LEVEL: 'warn' });
    shots = process.env.SCREENSHOT_DIR ?? path.join(distDir, 'shots');
    fs.mkdirSync(shots, { recursive: true });
    app = await startTestApp(t, { distDir });
    browser = await launchChromium();
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await t?.drop();
    if (distDir) fs.rmSync(distDir, { recursive: true, force: true });
  });

  /** Records the header before every frame the page paints, and at DOMContentLoaded. */
  async function recordHeader(page: Page): Promise<void> {
    await page.addInitScript(() => {
      const w = window as unknown as { __frames: HeaderFrame[]; __dcl: HeaderFrame | null };
      w.__frames = [];
      w.__dcl = null;
      const snap = (): HeaderFrame | null => {
        const links = document.getElementById('login-links');
        const info = document.getElementById('user-info');
        const count = document.getElementById('cart-count');
        if (!links || !info || !count) return null;
        const shown = (el: HTMLElement) => !el.hidden && getComputedStyle(el).display !== 'none';
        return { links: shown(links), info: shown(info), name: document.getElementById('username')?.textContent ?? '', count: count.textContent ?? '' };
      };
      const tick = () => {
        const s = snap();
        if (s) w.__frames.push(s);
        if (w.__frames.length < 30) requestAnimationFrame(tick);
      };
      requestAnimationFrame(tick);
      document.addEventListener('DOMContentLoaded', () => void (w.__dcl = snap()));
    });
  }
  const recorded = (page: Page) =>
    page.evaluate(() => {
      const w = window as unknown as { __frames: HeaderFrame[]; __dcl: HeaderFrame | null };
      return { __frames: w.__frames, __dcl: w.__dcl };
    });

  /** Waits until a few frames have been painted, then gives what the header showed. */
  async function painted(page: Page): Promise<{ __frames: HeaderFrame[]; __dcl: HeaderFrame | null }> {
    await expect.poll(async () => (await recorded(page)).__frames.length).toBeGreaterThanOrEqual(3);
    return recorded(page);
  }

  const apiFetch = (page: Page, method: string, url: string, body?: unknown) =>
    page.evaluate(
      async ({ method, url, body }) => {
        const csrf = /(?:^|; )meiduo_csrf=([^;]*)/.exec(document.cookie)?.[1];
        const r = await fetch(url, { method, headers: { 'content-type': 'application/json', ...(csrf ? { 'x-csrf-token': decodeURIComponent(csrf) } : {}) }, body: body === undefined ? undefined : JSON.stringify(body) });
        return r.status;
      },
      { method, url, body },
    );

  for (const viewport of VIEWPORTS) {
    it(`at ${viewport.width}×${viewport.height}: right from the first paint, logged in and out; logout stays or goes home`, async () => {
      const user = await createUser(app.services, { password: 'header-pass1' });
      const { context, page, problems, refusals } = await watchedPage(browser);
      await page.setViewportSize(viewport);
      await recordHeader(page);
      const [a, b] = skus as [number, number];
      const shot = (name: string) => page.screenshot({ path: path.join(shots, `${name}-${viewport.width}.png`) });
      try {
        // a guest with 2 pieces in the cart: the badge says 2 from the first frame
        await page.goto(`${app.url}/goods/${a}.html`);
        expect(await apiFetch(page, 'POST', '/api/cart', { sku_id: a, count: 2 })).toBe(201);
        await page.goto(`${app.url}/goods/${b}.html`);
        let seen = await painted(page);
        expect(seen.__dcl).toEqual({ links: true, info: false, name: '', count: '2' });
        expect(seen.__frames.every((f) => f.links && !f.info && f.count === '2')).toBe(true);

        // log in on the login page: back on the SKU page, the guest cart merged
        await page.goto(`${app.url}/login.html?next=${encodeURIComponent(`/goods/${a}.html`)}`);
        await page.locator('#login-account').fill(user.username);
        await page.locator('#login-password').fill(user.password);
        await Promise.all([page.waitForURL(`${app.url}/goods/${a}.html`), page.locator('#login-form button[type="submit"]').click()]);
        // the first page after logging in: the name and the merged cart's 2 from its first frame
        seen = await painted(page);
        const landed = { links: false, info: true, name: user.username, count: '2' };
        expect(seen.__dcl).toEqual(landed);
        expect(seen.__frames).toEqual(seen.__frames.map(() => landed));
        expect(await apiFetch(page, 'POST', '/api/cart', { sku_id: b, count: 1 })).toBe(201);

        // every navigation now: the name and 3 from the first frame, never 请登录, never 0
        for (const url of [`/goods/${b}.html`, '/', `/goods/${a}.html`, '/cart.html', '/user_center_info.html']) {
          await page.goto(`${app.url}${url}`);
          seen = await painted(page);
          const want = { links: false, info: true, name: user.username, count: '3' };
          expect(seen.__dcl, url).toEqual(want);
          expect(seen.__frames, url).toEqual(seen.__frames.map(() => want));
          if (url === '/') await shot('home-logged-in');
        }
        await page.goto(`${app.url}/goods/${b}.html`);
        await painted(page);
        await shot('goods-logged-in');

        // logging out on a SKU page stays there, logged out
        await Promise.all([page.waitForEvent('load'), page.locator('#logout-link').click()]);
        expect(new URL(page.url()).pathname).toBe(`/goods/${b}.html`);
        seen = await painted(page);
        expect(seen.__frames.every((f) => f.links && !f.info && f.count === '0')).toBe(true);
        expect((await context.cookies(app.url)).map((c) => c.name).filter((n) => n.startsWith('meiduo_'))).toEqual([]);

        // logging out in the user centre goes home, not to the login page
        expect(await apiFetch(page, 'POST', '/api/sessions', { account: user.username, password: user.password })).toBe(201);
        await page.goto(`${app.url}/user_center_info.html`);
        await expect.poll(() => page.locator('#username').textContent()).toBe(user.username);
        await Promise.all([page.waitForURL(`${app.url}/`), page.locator('#logout-link').click()]);
        seen = await painted(page);
        expect(seen.__frames.every((f) => f.links && !f.info)).toBe(true);
        await shot('home-logged-out');

        // a session ended on the server while the cookies stayed: the first answer corrects the header
        expect(await apiFetch(page, 'POST', '/api/sessions', { account: user.username, password: user.password })).toBe(201);
        await t.db('auth_tokens').where({ user_id: user.id, kind: 'ses' }).del();
        refusals.add('/api/user');
        refusals.add('/api/browse_histories'); // the SKU page records the visit: 401 too
        await page.goto(`${app.url}/goods/${a}.html`);
        await expect.poll(() => page.locator('#login-links').isVisible()).toBe(true);
        expect(await page.locator('#user-info').isVisible()).toBe(false);
        expect((await context.cookies(app.url)).find((c) => c.name === 'meiduo_name')).toBeUndefined();
        await page.goto(`${app.url}/`);
        seen = await painted(page);
        expect(seen.__frames.every((f) => f.links && !f.info)).toBe(true);

        expect(problems()).toEqual([]);
      } finally {
        await context.close();
      }
    }, 120_000);

    it(`at ${viewport.width}×${viewport.height}: the 404 page has the shop's look, a search box and the way home`, async () => {
      const { context, page, problems, refusals } = await watchedPage(browser);
      await page.setViewportSize(viewport);
      try {
        refusals.add('/no/such/page.html');
        const res = await page.goto(`${app.url}/no/such/page.html`);
        expect(res?.status()).toBe(404);
        expect(await page.locator('h1').textContent()).toBe('抱歉，您访问的页面不存在');
        expect(await page.locator('.site-header .logo').isVisible()).toBe(true);
        expect(await page.locator('.not-found-search').evaluate((f) => getComputedStyle(f).display)).toBe('flex');
        expect(await page.locator('a.not-found-home').getAttribute('href')).toBe('/');
        expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(viewport.width);
        await page.screenshot({ path: path.join(shots, `404-${viewport.width}.png`), fullPage: true });
        await page.locator('.not-found-search input[name="q"]').fill('华为');
        await Promise.all([page.waitForURL(/\/search\.html\?q=/), page.locator('.not-found-search button').click()]);
        expect(new URL(page.url()).searchParams.get('q')).toBe('华为');
        await page.goto(`${app.url}/no/such/page.html`);
        await Promise.all([page.waitForURL(`${app.url}/`), page.locator('a.not-found-home').click()]);
        expect(problems()).toEqual([]);
      } finally {
        await context.close();
      }
    }, 60_000);
  }

  it('the address form takes a message away as soon as its field is valid', async () => {
    const user = await createUser(app.services, { password: 'header-pass1' });
    const { context, page, problems } = await watchedPage(browser);
    await page.setViewportSize({ width: 390, height: 844 });
    try {
      await page.goto(`${app.url}/`);
      expect(await apiFetch(page, 'POST', '/api/sessions', { account: user.username, password: user.password })).toBe(201);
      await page.goto(`${app.url}/user_center_site.html`);
      await page.locator('#address-add').click();
      await expect.poll(() => page.locator('#addr-province option').count()).toBeGreaterThan(1);
      const error = (name: string) => page.locator(`#address-form [data-error-for="${name}"]`);
      await page.locator('#addr-mobile').fill('136');
      await page.locator('#address-form button[type="submit"]').click();
      expect(await error('receiver').textContent()).toBe('请填写收货人');
      expect(await error('mobile').textContent()).toBe('您输入的手机号格式不正确');
      await page.screenshot({ path: path.join(shots, 'address-errors-390.png') });
      await page.locator('#addr-receiver').fill('张三');
      await expect.poll(() => error('receiver').isVisible()).toBe(false);
      // still invalid while typing: the message stays until the number is whole
      await page.locator('#addr-mobile').fill('1360000');
      expect(await error('mobile').isVisible()).toBe(true);
      await page.locator('#addr-mobile').fill('13600000000');
      await expect.poll(() => error('mobile').isVisible(), { message: await page.locator('#addr-mobile').inputValue() }).toBe(false);
      expect(await page.locator('#addr-mobile').getAttribute('aria-invalid')).toBeNull();
      // the place was never touched: its message stays
      expect(await error('place').isVisible()).toBe(true);
      await page.screenshot({ path: path.join(shots, 'address-cleared-390.png') });
      expect(problems()).toEqual([]);
    } finally {
      await context.close();
    }
  }, 60_000);
});
