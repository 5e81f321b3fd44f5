import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Mail, Mailer } from '../../api/providers/mail.ts';
import type { SmsSender } from '../../api/providers/sms.ts';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { ROOT, run } from '../helpers/cli.ts';
import { createTestDb, type TestDb } from '../helpers/db.ts';
import { launchChromium, watchedPage } from '../helpers/browser.ts';
import { HAS_CHROMIUM } from '../helpers/env.ts';
import { startQqStandIn, type QqStandIn } from '../helpers/standins/qq.ts';

// The account pages as a shopper uses them, in Chromium against the real app: register with the
// captcha and an SMS code, log out and in from the header, keep an address, look at two SKUs and
// find them under 最近浏览; then log in with QQ (a stand-in for QQ's OAuth endpoints) and bind.
// The captcha picture cannot be read by the test, so it peeks at the server's store; the SMS code
// is caught by a recording SMS adapter and the verification mail by a recording mailer, both sent
// by the web process's message job.

const QQ_APP = { clientId: '101474184', clientSecret: 'browser-test-secret', redirectUri: 'http://127.0.0.1/oauth_callback.html' };

interface SentSms {
  mobile: string;
  code: string;
}

describe.skipIf(!HAS_CHROMIUM)('account pages in Chromium', () => {
  let t: TestDb;
  let app: TestApp;
  let qq: QqStandIn;
  let distDir: string;
  let browser: Browser;
  const sent: SentSms[] = [];
  const sms: SmsSender = {
    name: 'recording',
    async sendCode(mobile, code) {
      sent.push({ mobile, code });
    },
  };

  const mails: Mail[] = [];
  const mail: Mailer = {
    name: 'recording',
    async send(m) {
      mails.push(m);
    },
  };

  beforeAll(async () => {
    t = await createTestDb('sqlite', { seed: true });
    // Astro's output must stay inside the project root.
    distDir = path.join(ROOT, '.test-dist', `accounts-${process.pid}-${crypto.randomBytes(3).toString('hex')}`);
    await run(['build'], { DATABASE_URL: t.url, DIST_DIR: distDir, MEDIA_DIR: t.mediaDir, LOG_LEVEL: 'warn' });
    qq = await startQqStandIn(QQ_APP);
    // worker: SMS codes go out through the message job, as under `npm start`
    app = await startTestApp(t, { distDir, worker: true, overrides: { sms, mail }, config: { qq: { ...QQ_APP, apiBase: qq.apiBase } } });
    browser = await launchChromium();
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await qq?.close();
    await t?.drop();
    if (distDir) fs.rmSync(distDir, { recursive: true, force: true });
  });


  /** Types the captcha shown in `form`, read from the server's store by the uuid in the picture's URL. */
  async function solveCaptcha(form: Locator): Promise<void> {
    const src = await form.locator('img.captcha').getAttribute('src');
    expect(src).toMatch(/^\/api\/image_codes\/[0-9a-f-]{36}$/);
    const uuid = src!.split('/').pop()!;
    let text: string | null = null;
    await expect.poll(async () => (text = await app.services.accounts.codes.peekImageCode(uuid))).not.toBeNull();
    await form.locator('input[name="image_code"]').fill(text!);
  }

  /**
   * Clicks the SMS button and returns the code the message job sent to `mobile` (it polls every
   * 100 ms; the margin is for a CI machine busy with other suites' builds).
   */
  async function requestSms(form: Locator, mobile: string): Promise<string> {
    const before = sent.length;
    const button = form.locator('.sms-btn');
    await button.click();
    await expect.poll(() => button.textContent()).toMatch(/^\d+秒后重新发送$/);
    expect(await button.isDisabled()).toBe(true);
    await expect.poll(() => sent.slice(before).find((s) => s.mobile === mobile)?.code, { timeout: 10_000 }).toMatch(/^\d{6}$/);
    return sent.slice(before).find((s) => s.mobile === mobile)!.code;
  }

  const header = (page: Page) => ({
    loginLinks: page.locator('#login-links'),
    userInfo: page.locator('#user-info'),
    username: page.locator('#username'),
    logout: page.locator('#logout-link'),
  });

  it('registers, logs out and in, keeps an address and shows 最近浏览', async () => {
    const { context, page, problems, apiRequests, refusals } = await watchedPage(browser);
    const username = 'shopper_01';
    const password = 'meiduo-pass-1';
    const mobile = '13800138000';
    try {
      // register: logged out, so the header asks the API nothing about the user
      const res = await page.goto(app.url + '/register.html');
      expect(res!.headers()['content-security-policy']).toContain("script-src 'self'");
      await expect.poll(() => header(page).loginLinks.isVisible()).toBe(true);
      expect(await header(page).userInfo.isVisible()).toBe(false);
      const form = page.locator('#register-form');

      // the page's own checks, before anything is sent
      await form.locator('input[name="username"]').fill('12345678');
      await form.locator('input[name="password"]').click();
      await expect.poll(() => form.locator('[data-error-for="username"]').textContent()).toBe('用户名不能是纯数字');

      await form.locator('input[name="username"]').fill(username);
      await form.locator('input[name="password"]').fill(password);
      await form.locator('input[name="password2"]').fill(password);
      await form.locator('input[name="mobile"]').fill(mobile);
      await form.locator('input[name="image_code"]').click(); // blur: the live checks run
      await expect.poll(() => form.locator('[data-error-for="username"]').isVisible()).toBe(false);
      await expect.poll(() => apiRequests).toContain(`GET /api/usernames/${username}/count`);
      await expect.poll(() => apiRequests).toContain(`GET /api/mobiles/${mobile}/count`);

      await solveCaptcha(form);
      const code = await requestSms(form, mobile);
      await form.locator('input[name="sms_code"]').fill(code);
      await form.locator('input[name="allow"]').check();
      expect(apiRequests.filter((r) => r === 'GET /api/user')).toEqual([]);
      await form.locator('button[type="submit"]').click();
      await page.waitForURL(app.url + '/');
      await expect.poll(() => header(page).username.textContent()).toBe(username);
      expect(await header(page).loginLinks.isVisible()).toBe(false);
      expect(apiRequests.filter((r) => r === 'GET /api/user')).toHaveLength(1); // once, on the home page
      const cookies = await context.cookies(app.url);
      expect(cookies.find((c) => c.name === 'meiduo_session')?.httpOnly).toBe(true);
      expect(cookies.find((c) => c.name === 'meiduo_csrf')?.httpOnly).toBe(false);

      // a taken username is reported on blur
      const other = await context.newPage();
      await other.goto(app.url + '/register.html');
      await other.locator('#register-form input[name="username"]').fill(username);
      await other.locator('#register-form input[name="password"]').click();
      await expect.poll(() => other.locator('#register-form [data-error-for="username"]').textContent()).toBe('用户名已存在');
      await other.close();

      // log out from the header
      await header(page).logout.click();
      await expect.poll(() => header(page).loginLinks.isVisible()).toBe(true);
      expect((await context.cookies(app.url)).some((c) => c.name === 'meiduo_csrf' && c.value)).toBe(false);

      // the address book asks for a login first, then comes back
      await page.goto(app.url + '/user_center_site.html');
      await page.waitForURL(/\/login\.html\?next=%2Fuser_center_site\.html$/);
      await expect.poll(() => page.locator('#qq-box').isVisible()).toBe(true); // QQ login is configured here
      const login = page.locator('#login-form');
      await login.locator('input[name="account"]').fill(mobile);
      await login.locator('input[name="password"]').fill('wrong-password');
      refusals.add('/api/sessions');
      await login.locator('button[type="submit"]').click();
      await expect.poll(() => login.locator('.form-msg').textContent()).toContain('用户名或密码错误');
      await login.locator('input[name="password"]').fill(password);
      await login.locator('button[type="submit"]').click();
      await page.waitForURL(app.url + '/user_center_site.html');
      await expect.poll(() => page.locator('#address-count').textContent()).toBe('已有0个地址，最多20个');
      await expect.poll(() => header(page).username.textContent()).toBe(username);

      // add an address: 广东省 / 深圳市 / 南山区
      await page.locator('#address-add').click();
      const addr = page.locator('#address-form');
      await addr.locator('input[name="receiver"]').fill('张三');
      await addr.locator('#addr-province').selectOption({ label: '广东省' });
      await addr.locator('#addr-city').selectOption({ label: '深圳市' });
      await addr.locator('#addr-district').selectOption({ label: '南山区' });
      await addr.locator('input[name="place"]').fill('科技园南区1号');
      await addr.locator('input[name="mobile"]').fill(mobile);
      await addr.locator('button[type="submit"]').click();
      await expect.poll(() => page.locator('#address-count').textContent()).toBe('已有1个地址，最多20个');
      expect(await page.locator('#address-modal').isVisible()).toBe(false);
      const card = page.locator('.address-card');
      await expect.poll(() => card.count()).toBe(1);
      expect(await card.locator('.addr-body').textContent()).toContain('广东省 深圳市 南山区');
      expect(await card.locator('.addr-body').textContent()).toContain('科技园南区1号');
      expect(await card.locator('.badge.default').isVisible()).toBe(true); // the first one is the default

      // rename it in place, add a second one, make that the default and delete the first
      await card.locator('[data-act="title"]').click();
      await card.locator('.title-form input').fill('家');
      await card.locator('.title-form button[type="submit"]').click();
      await expect.poll(() => page.locator('.address-card .addr-title').first().textContent()).toBe('家');
      await page.locator('#address-add').click();
      await addr.locator('input[name="receiver"]').fill('李四');
      await addr.locator('#addr-province').selectOption({ label: '北京市' });
      await addr.locator('#addr-city').selectOption({ label: '市辖区' });
      await addr.locator('#addr-district').selectOption({ label: '海淀区' });
      await addr.locator('input[name="place"]').fill('中关村大街1号');
      await addr.locator('input[name="mobile"]').fill('13900000001');
      await addr.locator('input[name="tel"]').fill('010-12345678');
      await addr.locator('button[type="submit"]').click();
      await expect.poll(() => page.locator('#address-count').textContent()).toBe('已有2个地址，最多20个');
      const second = page.locator('.address-card', { hasText: '中关村大街1号' });
      await second.locator('[data-act="default"]').click();
      await expect.poll(() => page.locator('.address-card.is-default .addr-title').textContent()).toBe('李四');
      page.once('dialog', (d) => void d.accept());
      await page.locator('.address-card', { hasText: '科技园南区1号' }).locator('[data-act="delete"]').click();
      await expect.poll(() => page.locator('#address-count').textContent()).toBe('已有1个地址，最多20个');
      expect(await page.locator('.address-card .addr-body').textContent()).toContain('北京市 市辖区 海淀区');

      // two SKU pages, each recorded on load
      const skus = await t.db('skus').where('is_launched', true).orderBy('id').limit(2).select('id', 'name');
      for (const sku of skus) {
        const recorded = page.waitForResponse((r) => r.url() === `${app.url}/api/browse_histories` && r.request().method() === 'POST');
        await page.goto(`${app.url}/goods/${sku.id}.html`);
        expect((await recorded).status()).toBe(201);
        await expect.poll(() => page.locator('#stock-status').textContent()).toMatch(/有货|无货/);
      }

      // the user centre: 基本信息 and 最近浏览, newest first
      await page.goto(app.url + '/user_center_info.html');
      await expect.poll(() => page.locator('#info-username').textContent()).toBe(username);
      expect(await page.locator('#info-mobile').textContent()).toBe(mobile);
      await expect.poll(() => page.locator('#history .sku-name a').allTextContents()).toEqual([skus[1]!.name, skus[0]!.name]);
      expect(await page.locator('#history .sku-name a').first().getAttribute('href')).toBe(`/goods/${skus[1]!.id}.html`);

      // set an email: it shows as 未验证 until the mailed link is opened
      await page.locator('#email-edit').click();
      await page.locator('#email-form input[name="email"]').fill('shopper01@example.com');
      await page.locator('#email-form button[type="submit"]').click();
      // (the badge's hidden text already reads 未验证 before any email is set: wait for the address itself)
      await expect.poll(() => page.locator('#info-email').textContent()).toBe('shopper01@example.com');
      expect(await page.locator('#email-state').textContent()).toBe('未验证');
      expect(await page.locator('#email-state').isVisible()).toBe(true);

      // …and the link in the mail verifies it
      await expect.poll(() => mails.find((m) => m.to === 'shopper01@example.com'), { timeout: 10_000 }).toBeTruthy();
      const link = mails.find((m) => m.to === 'shopper01@example.com')!.text.match(/\/success_verify_email\.html\?token=[^\s"<]+/)![0];
      await page.goto(app.url + link);
      await expect.poll(() => page.locator('#verify-title').textContent()).toBe('邮箱验证成功');
      await page.goto(app.url + '/user_center_info.html');
      await expect.poll(() => page.locator('#email-state').textContent()).toBe('已验证');
      await page.goto(app.url + link); // opened again: used up, and says the address is verified
      await expect.poll(() => page.locator('#verify-title').textContent()).toBe('邮箱已验证');

      // change the password: this session stays logged in
      await page.goto(app.url + '/user_center_pass.html');
      const pass = page.locator('#pass-form');
      await pass.locator('input[name="old_password"]').fill(password);
      await pass.locator('input[name="password"]').fill('meiduo-pass-2');
      await pass.locator('input[name="password2"]').fill('meiduo-pass-2');
      await pass.locator('button[type="submit"]').click();
      await expect.poll(() => pass.locator('.form-msg').textContent()).toContain('密码修改成功');
      await page.reload();
      await expect.poll(() => header(page).username.textContent()).toBe(username);

      expect(problems()).toEqual([]);
    } finally {
      await context.close();
    }
  }, 120_000);

  it('logs in with QQ: binds a new QQ user to a mobile, then lets the bound user straight in', async () => {
    const { context, page, problems } = await watchedPage(browser);
    const mobile = '13900139000';
    const openid = 'B7E6E3C1A2D4F5E6A7B8C9D0E1F2A3B4';
    // QQ's page is not ours: read the state from the button, then come back as QQ would
    const qqCallback = async (next: string) => {
      await page.goto(`${app.url}/login.html?next=${encodeURIComponent(next)}`);
      await expect.poll(() => page.locator('#qq-box').isVisible()).toBe(true);
      const state = new URL((await page.locator('#qq-login').getAttribute('href'))!).searchParams.get('state')!;
      await page.goto(`${app.url}/oauth_callback.html?code=${qq.issueCode(openid)}&state=${encodeURIComponent(state)}`);
    };
    try {
      await qqCallback('/user_center_info.html');
      const bind = page.locator('#oauth-bind');
      await expect.poll(() => bind.isVisible()).toBe(true);
      await bind.locator('input[name="mobile"]').fill(mobile);
      await bind.locator('input[name="password"]').fill('qq-user-pass-1');
      await solveCaptcha(bind);
      const code = await requestSms(bind, mobile);
      await bind.locator('input[name="sms_code"]').fill(code);
      await bind.locator('button[type="submit"]').click();
      await page.waitForURL(app.url + '/user_center_info.html');
      await expect.poll(() => page.locator('#info-mobile').textContent()).toBe(mobile);

      await header(page).logout.click();
      await page.waitForURL(app.url + '/'); // the user centre needs a login: home, not the login page
      await qqCallback('/user_center_pass.html');
      await page.waitForURL(app.url + '/user_center_pass.html');
      await expect.poll(() => header(page).userInfo.isVisible()).toBe(true);

      expect(problems()).toEqual([]);
    } finally {
      await context.close();
    }
  }, 60_000);
});
