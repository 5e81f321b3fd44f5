import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loginAs } from '../helpers/accounts.ts';
import { createStaffUser } from '../helpers/admin.ts';
import { call } from '../helpers/api-client.ts';
import type { TestApp } from '../helpers/app.ts';
import { checkConsolePage, consoleLogin, consoleReady, expectWithinBudget, startConsoleShop, type ConsoleShop } from '../helpers/console.ts';
import { watchedPage } from '../helpers/browser.ts';
import type { TestDb } from '../helpers/db.ts';
import { HAS_CHROMIUM } from '../helpers/env.ts';

// The console's 用户 pages in Chromium (docs/admin-console.md): a superuser finds a customer by their
// mobile, opens them, dismisses the 停用 confirm (nothing changes), then accepts it — the customer's
// token answers 401 at once. A customer's 订单数 leads to the order list filtered by their mobile.
// Staff without users.view_user see no 用户 entry in the menu. Every page: no console error or CSP
// violation, no serious/critical axe violation at 1280 and 768 px, interactive within 1 s, own JS +
// CSS ≤ 150 KB gzipped. Screenshots at 1280 and 768 px go to $CONSOLE_SHOTS_DIR.

const PAGES = ['users', 'user'].map((p) => `admin/${p}.html`);

describe.skipIf(!HAS_CHROMIUM)('the console’s customer pages in Chromium', () => {
  let t: TestDb;
  let app: TestApp;
  let distDir: string;
  let browser: Browser;
  let root: { userId: number; username: string; password: string };
  let staffOnly: { userId: number; username: string; password: string };

  let shop: ConsoleShop;
  beforeAll(async () => {
    shop = await startConsoleShop('admin-users');
    ({ t, app, distDir, browser } = shop);
    root = await createStaffUser(app.services, { superuser: true, username: 'users_root' });
    staffOnly = await createStaffUser(app.services, { permissions: ['users.view_staff', 'auth.view_group'], username: 'users_staffonly' });
  }, 300_000);

  afterAll(async () => {
    await shop?.close();
  });

  const url = (p: string) => `${app.url}${p}`;

  it('keeps each page within its budget: ≤ 150 KB of its own JS + CSS, gzipped', () => {
    expectWithinBudget(distDir, PAGES);
  });

  it('a superuser finds a customer by mobile, opens them and deactivates them: the customer’s token answers 401', async () => {
    const customer = await loginAs(app);
    for (let i = 0; i < 3; i++) await loginAs(app);
    await t.db('users').where({ id: customer.userId }).update({ email: 'wang@example.com' });
    expect((await call(app, 'GET', '/api/user', { headers: customer.headers })).status).toBe(200);

    const w = await watchedPage(browser);
    const { page } = w;
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.goto(url('/admin/login.html?next=%2Fadmin%2Fusers.html'));
    await consoleLogin(page, root);
    await page.waitForURL(url('/admin/users.html'));
    await consoleReady(page);
    await expect.poll(() => page.locator('.a-side a[href="/admin/users.html"]').isVisible()).toBe(true);
    expect(await page.locator('.a-side a[href="/admin/users.html"]').getAttribute('aria-current')).toBe('page');
    // every customer at first, staff never
    const rows = page.locator('#users tbody');
    const customers = Number((await t.db('users').where('is_staff', false).count({ n: '*' }).first())?.n);
    await expect.poll(() => page.locator('#users [data-list-count]').textContent()).toBe(`共 ${customers} 条`);
    expect(await rows.textContent()).not.toContain('users_root');
    await checkConsolePage(w, 'users');
    // by mobile; the URL keeps the filters
    await page.locator('#users-keyword').fill(customer.mobile);
    await page.locator('#user-active').selectOption('true');
    await page.locator('#users button[type="submit"]').click();
    await page.waitForURL(url(`/admin/users.html?keyword=${customer.mobile}&is_active=true`));
    await expect.poll(() => page.locator('#users [data-list-count]').textContent()).toBe('共 1 条');
    expect(await rows.textContent()).toContain(customer.username);
    expect(await rows.textContent()).toContain('wang@example.com');
    expect(await rows.textContent()).toContain('启用');

    // their page
    await page.locator(`#users a[href="/admin/user.html?id=${customer.userId}"]`).click();
    await page.waitForURL(url(`/admin/user.html?id=${customer.userId}`));
    await consoleReady(page);
    expect(await page.locator('#u-username').textContent()).toBe(customer.username);
    expect(await page.locator('#u-mobile').textContent()).toBe(customer.mobile);
    expect(await page.locator('#u-status').textContent()).toBe('启用');
    expect(await page.locator('#u-sessions').textContent()).toBe('1');
    expect(await page.locator('#u-total-paid').textContent()).toBe('¥0.00');
    const toggle = page.locator('#u-toggle');
    expect(await toggle.isVisible()).toBe(true);
    expect(await toggle.textContent()).toBe('停用');
    await checkConsolePage(w, 'user');

    // dismissing the confirm changes nothing
    page.once('dialog', (d) => void d.dismiss());
    await toggle.click();
    await page.waitForTimeout(300);
    expect(await page.locator('#u-status').textContent()).toBe('启用');
    expect((await call(app, 'GET', '/api/user', { headers: customer.headers })).status).toBe(200);
    // accepting it deactivates them and ends their session
    let asked = '';
    page.once('dialog', (d) => {
      asked = d.message();
      void d.accept();
    });
    await toggle.click();
    await expect.poll(() => page.locator('#u-status').textContent()).toBe('停用');
    expect(asked).toContain(customer.username);
    expect(await toggle.textContent()).toBe('启用');
    expect(await page.locator('#u-sessions').textContent()).toBe('0');
    expect(await page.locator('#u-msg').textContent()).toContain('已停用');
    expect((await call(app, 'GET', '/api/user', { headers: customer.headers })).status).toBe(401);
    expect((await call(app, 'POST', '/api/sessions', { body: { account: customer.mobile, password: customer.password } })).status).toBe(400);
    const audit = await t.db('admin_audit').where({ resource: 'users.user', resource_id: String(customer.userId) }).select('actor_name', 'changes');
    expect(audit).toEqual([{ actor_name: 'users_root', changes: JSON.stringify({ is_active: [true, false] }) }]);
    // the list says so (the demo catalog's commenters are inactive customers too)
    const inactive = Number((await t.db('users').where({ is_staff: false, is_active: false }).count({ n: '*' }).first())?.n);
    await page.goto(url(`/admin/users.html?is_active=false&keyword=${customer.username}`));
    await consoleReady(page);
    expect(new URL(page.url()).searchParams.get('is_active')).toBe('false');
    await expect.poll(() => page.locator('#users [data-list-count]').textContent()).toBe('共 1 条');
    await page.goto(url(`/admin/users.html?is_active=false`));
    await consoleReady(page);
    await expect.poll(() => page.locator('#users [data-list-count]').textContent()).toBe(`共 ${inactive} 条`);
    expect(await rows.textContent()).toContain(customer.username);

    // a customer with orders (a demo commenter): 订单数 leads to the order list filtered by their mobile
    const buyer = await t.db('users').where('is_staff', false).whereIn('id', t.db('orders').select('user_id')).orderBy('id').first('id', 'mobile');
    const orders = Number((await t.db('orders').where({ user_id: buyer.id }).count({ n: '*' }).first())?.n);
    await page.goto(url(`/admin/user.html?id=${buyer.id}`));
    await consoleReady(page);
    await page.locator('#u-orders a').click();
    await page.waitForURL(url(`/admin/orders.html?keyword=${buyer.mobile}`));
    await consoleReady(page);
    await expect.poll(() => page.locator('#orders [data-list-count]').textContent()).toBe(`共 ${orders} 条`);
    expect(w.problems()).toEqual([]);
    await w.context.close();
  });

  it('staff without users.view_user see no 用户 entry', async () => {
    const w = await watchedPage(browser);
    const { page } = w;
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.goto(url('/admin/login.html?next=%2Fadmin%2Fstaff.html'));
    await consoleLogin(page, staffOnly);
    await page.waitForURL(url('/admin/staff.html'));
    await consoleReady(page);
    await expect.poll(() => page.locator('.a-side h2', { hasText: '用户与权限' }).isVisible()).toBe(true);
    expect(await page.locator('.a-side a[href="/admin/staff.html"]').isVisible()).toBe(true);
    expect(await page.locator('.a-side a[href="/admin/users.html"]').isVisible()).toBe(false);
    expect(w.problems()).toEqual([]);
    await w.context.close();
  });
});
