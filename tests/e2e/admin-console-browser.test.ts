import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStaffUser } from '../helpers/admin.ts';
import type { TestApp } from '../helpers/app.ts';
import { checkConsolePage, consoleLogin, consoleReady, expectWithinBudget, startConsoleShop, type ConsoleShop } from '../helpers/console.ts';
import { watchedPage } from '../helpers/browser.ts';
import { ROOT } from '../helpers/cli.ts';
import type { TestDb } from '../helpers/db.ts';
import { HAS_CHROMIUM } from '../helpers/env.ts';
import { pageWeight } from '../helpers/page-weight.ts';
import { openJobStore } from '../../jobs/job-admin.ts';
import { createJobQueue, type JobQueue } from '../../jobs/queue.ts';

// The admin console in Chromium (docs/admin-console.md): a superuser logs in through the login page
// (sent there from /admin/ and brought back), sees the dashboard's figures and both charts drawn,
// the site page's pending changes and failed job, and runs 重建全部页面 to completion with a worker;
// a staff member holding only order permissions sees no 商品管理 and is refused (403) a catalog
// route; 退出 ends the session; a session the server no longer knows leads to the login page and back.
// Every console page: no console error or CSP violation, no serious/critical axe (WCAG 2.1 AA)
// violation, interactive within 1 s, its own JS + CSS ≤ 150 KB gzipped. Screenshots at 1280 and 768
// px go to $CONSOLE_SHOTS_DIR when set.

const PAGES = ['admin/index.html', 'admin/site.html', 'admin/login.html', 'admin/logout.html'];

describe.skipIf(!HAS_CHROMIUM)('the admin console in Chromium', () => {
  let t: TestDb;
  let app: TestApp;
  let distDir: string;
  let browser: Browser;
  let root: { userId: number; username: string; password: string };
  let clerk: { userId: number; username: string; password: string };
  let queue: JobQueue | null = null;

  let shop: ConsoleShop;
  beforeAll(async () => {
    shop = await startConsoleShop('admin-console');
    ({ t, app, distDir, browser } = shop);
    root = await createStaffUser(app.services, { superuser: true, username: 'console_root' });
    clerk = await createStaffUser(app.services, { permissions: ['orders.view_order', 'orders.change_order', 'orders.view_refund'], username: 'console_clerk' });
  }, 300_000);

  afterAll(async () => {
    await queue?.close();
    await shop?.close();
  });

  const url = (p: string) => `${app.url}${p}`;

  it('keeps every console page within its budget: ≤ 150 KB of its own JS + CSS, gzipped', () => {
    expectWithinBudget(distDir, PAGES);
    const client = path.join(distDir, 'client');
    // one palette (templates/styles/colors.css): the shop's stylesheet and the console's both carry it
    const red = /--red:\s*(#[0-9a-f]{3,6})/i.exec(fs.readFileSync(path.join(ROOT, 'templates/styles/colors.css'), 'utf8'))![1]!;
    for (const p of ['index.html', 'admin/index.html']) {
      const css = pageWeight(client, p).files.filter((f) => f.endsWith('.css')).map((f) => fs.readFileSync(path.join(client, f), 'utf8')).join('');
      expect(css, p).toMatch(new RegExp(`--red:\\s*${red}`, 'i'));
    }
  });

  it('a superuser logs in, sees the dashboard with its charts, and rebuilds the site from the site page', async () => {
    // a failed job and a pending page change for the alerts and the site page
    const store = await openJobStore(app.services.config, app.services.db);
    await store.repository.saveJob({ name: 'console-test.failed', priority: 0, type: 'normal', data: {}, nextRunAt: null, lastRunAt: new Date(), failedAt: new Date(), failCount: 4, failReason: '磁盘已满' }, undefined);
    await store.close();
    // three of the seed's orders placed today, so today's figures are not all zero
    const ids = await t.db('orders').whereNot({ status: 6 }).orderBy('order_id').limit(3).pluck('order_id');
    await t.db('orders').whereIn('order_id', ids).update({ created_at: Date.now() });
    await t.db('page_changes').insert({ payload: JSON.stringify({ kind: 'pages', skuIds: [], spuIds: [], categoryIds: [], home: true }), created_at: Date.now() });

    const w = await watchedPage(browser);
    const { page } = w;
    await page.setViewportSize({ width: 1280, height: 900 });
    // not logged in: /admin/ asks who is there (401) and goes to the login page
    w.refusals.add('/api/admin/me');
    await page.goto(url('/admin/'));
    await page.waitForURL(url(`/admin/login.html?next=${encodeURIComponent('/admin/')}`));
    const loginMs = await consoleReady(page);
    console.log(`login page interactive after ${loginMs.toFixed(0)} ms (after a redirect)`);
    expect(loginMs).toBeLessThanOrEqual(1000);
    await checkConsolePage(w, 'login');
    // a wrong password: the API's message on the form, nothing else
    w.refusals.add('/api/admin/sessions');
    await consoleLogin(page, { username: root.username, password: 'wrong-password' });
    await expect.poll(() => page.locator('[data-error-for="username"]').textContent()).toContain('用户名或密码错误');
    expect(await page.locator('input[name="username"]').getAttribute('aria-invalid')).toBe('true');
    await consoleLogin(page, root);
    await page.waitForURL(url('/admin/'));
    const ms = await consoleReady(page);
    console.log(`dashboard interactive after ${ms.toFixed(0)} ms (after a login redirect)`);

    await expect.poll(() => page.locator('#a-username').textContent()).toBe(root.username);
    // the figures: the seed's customers and orders, written with thousands separators
    const total = await app.services.statistics.totalUsers(app.services.systemContext('test'));
    expect(await page.locator('#users-total').textContent()).toBe(total.count.toLocaleString('en-US'));
    const today = await app.services.statistics.ordersToday(app.services.systemContext('test'));
    expect(today.count).toBeGreaterThanOrEqual(3);
    expect(await page.locator('#orders-count').textContent()).toBe(String(today.count));
    const [yuan, cents] = today.amount.split('.');
    expect(await page.locator('#orders-amount').textContent()).toBe(`¥${Number(yuan).toLocaleString('en-US')}.${cents}`);
    // both charts drew on a canvas that is not blank
    for (const id of ['#chart-users', '#chart-orders']) {
      const canvas = page.locator(`${id} canvas`);
      await expect.poll(() => canvas.count()).toBe(1);
      const inked = await canvas.evaluate((c: HTMLCanvasElement) => {
        const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
        let n = 0;
        for (let i = 3; i < d.length; i += 4) if (d[i]! > 0) n++;
        return n;
      });
      expect(inked, id).toBeGreaterThan(500);
    }
    await expect.poll(() => page.locator('#alert-jobs').textContent()).toContain('1 个后台任务失败');
    // every menu group for a superuser
    for (const g of ['概览', '商品管理', '订单管理', '用户与权限', '操作日志', '站点']) await expect.poll(() => page.locator('.a-side h2', { hasText: g }).isVisible()).toBe(true);
    await checkConsolePage(w, 'dashboard');
    // at 768 px the menu folds behind its button
    await page.setViewportSize({ width: 768, height: 900 });
    await expect.poll(() => page.locator('#a-side a[href="/admin/site.html"]').isVisible()).toBe(false);
    await page.locator('#a-menu-toggle').click();
    await expect.poll(() => page.locator('#a-side a[href="/admin/site.html"]').isVisible()).toBe(true);
    await page.locator('#a-side a[href="/admin/site.html"]').click();
    await page.waitForURL(url('/admin/site.html'));
    await page.setViewportSize({ width: 1280, height: 900 });

    const siteMs = await consoleReady(page);
    console.log(`site page interactive after ${siteMs.toFixed(0)} ms`);
    expect(siteMs).toBeLessThanOrEqual(1000);
    expect(Number(await page.locator('#pending-changes').textContent())).toBeGreaterThanOrEqual(1);
    // the job list (the list kit): failed ones by default, with 重试; the filter lives in the URL
    const jobRows = page.locator('#jobs tbody');
    await expect.poll(() => jobRows.textContent()).toContain('console-test.failed');
    expect(await page.locator('#jobs tbody button', { hasText: '重试' }).count()).toBe(1);
    expect(await page.locator('#jobs-failed').textContent()).toBe('1');
    await page.locator('#job-state').selectOption('completed');
    await page.locator('#jobs button[type="submit"]').click();
    await page.waitForURL(url('/admin/site.html?state=completed'));
    await expect.poll(() => jobRows.textContent()).toContain('没有符合条件的任务');
    await page.goBack();
    await page.waitForURL(url('/admin/site.html'));
    await expect.poll(() => jobRows.textContent()).toContain('console-test.failed');
    expect(await page.locator('#job-state').inputValue()).toBe('failed');
    await page.goForward();
    await expect.poll(() => page.locator('#job-state').inputValue()).toBe('completed');
    await page.goBack();
    await expect.poll(() => jobRows.textContent()).toContain('console-test.failed');
    // the keyword (part of a job's name) with the state: both in the URL
    await page.locator('#jobs-keyword').fill('nothing-like-it');
    await page.locator('#jobs button[type="submit"]').click();
    await page.waitForURL(url('/admin/site.html?keyword=nothing-like-it'));
    await expect.poll(() => jobRows.textContent()).toContain('没有符合条件的任务');
    await page.goBack();
    await expect.poll(() => jobRows.textContent()).toContain('console-test.failed');
    expect(await page.locator('#jobs-keyword').inputValue()).toBe('');
    await checkConsolePage(w, 'site');

    // 重建全部页面 with a worker at work: the progress reaches done, the outbox is empty
    queue = await createJobQueue({ ...app.services.config, jobs: { ...app.services.config.jobs, pollMs: 100 } }, app.services.db, app.services.log, { services: app.services, drainTimeoutMs: 5000 });
    await queue.startWorker();
    const before = fs.readlinkSync(path.join(distDir, 'client'));
    await page.locator('#rebuild').click();
    await expect.poll(() => page.locator('#rebuild-stage').textContent(), { timeout: 240_000, interval: 500 }).toContain('重建完成');
    expect(fs.readlinkSync(path.join(distDir, 'client'))).not.toBe(before);
    expect(await page.locator('#rebuild-bar').evaluate((b: HTMLProgressElement) => b.value)).toBe(3);
    const audit = await t.db('admin_audit').where({ resource: 'site.site', action: 'rebuild' }).select('resource_id');
    expect(audit).toHaveLength(1);
    // everything up to the rebuild's change is applied (the worker's other jobs may have recorded newer ones)
    expect(await t.db('page_changes').where('id', '<=', Number(audit[0].resource_id)).count({ n: '*' }).first()).toEqual({ n: 0 });
    // the new release has the console: served at /admin/, /admin and /admin/site.html, never indexed
    for (const p of ['/admin/', '/admin', '/admin/site.html', '/admin/login.html']) {
      const res = await fetch(url(p));
      expect(res.status, p).toBe(200);
      expect(await res.text(), p).toContain('<meta name="robots" content="noindex, nofollow">');
    }

    // the dashboard again, now straight: interactive within a second
    await page.goto(url('/admin/'));
    const again = await consoleReady(page);
    console.log(`dashboard interactive after ${again.toFixed(0)} ms`);
    expect(again).toBeLessThanOrEqual(1000);

    // 退出: the session ends, the console sends us to log in again
    await page.locator('#a-logout').click();
    await page.waitForURL(url('/admin/logout.html'));
    await expect.poll(() => page.locator('#logout-msg').textContent()).toContain('已退出');
    const logoutMs = await consoleReady(page);
    console.log(`logout page done after ${logoutMs.toFixed(0)} ms`);
    expect(logoutMs).toBeLessThanOrEqual(1000);
    await checkConsolePage(w, 'logout');
    expect((await w.context.cookies()).find((c) => c.name === 'meiduo_admin_session')).toBeUndefined();
    await page.goto(url('/admin/site.html'));
    await page.waitForURL(url(`/admin/login.html?next=${encodeURIComponent('/admin/site.html')}`));
    expect(w.problems()).toEqual([]);
    await w.context.close();
  }, 300_000);

  it('staff with only order permissions see no 商品管理 and are refused a catalog route; an unknown session goes to the login page and back', async () => {
    const w = await watchedPage(browser);
    const { page } = w;
    await page.setViewportSize({ width: 1280, height: 900 });
    w.refusals.add('/api/admin/me');
    await page.goto(url('/admin/site.html?x=1'));
    await page.waitForURL(url(`/admin/login.html?next=${encodeURIComponent('/admin/site.html?x=1')}`));
    await consoleLogin(page, clerk);
    await page.waitForURL(url('/admin/site.html?x=1'));
    await expect.poll(() => page.locator('#a-username').textContent()).toBe(clerk.username);
    // menus: orders only; the page itself says they may not see it
    await expect.poll(() => page.locator('.a-side h2', { hasText: '订单管理' }).isVisible()).toBe(true);
    for (const g of ['商品管理', '用户与权限', '操作日志', '站点', '概览']) expect(await page.locator('.a-side h2', { hasText: g }).isVisible(), g).toBe(false);
    expect(await page.locator('.a-denied').isVisible()).toBe(true);
    expect(await page.locator('#rebuild').isVisible()).toBe(false);
    await checkConsolePage(w, 'site-denied');
    // the API is the rule: a catalog route answers 403
    w.refusals.add('/api/admin/skus/1/images');
    const status = await page.evaluate(async () => (await fetch('/api/admin/skus/1/images')).status);
    expect(status).toBe(403);

    // a session the server does not know (expired, ended elsewhere): the next page goes to the login and back
    await w.context.addCookies([{ name: 'meiduo_admin_session', value: 'adm_' + 'x'.repeat(32), url: app.url, httpOnly: true }]);
    await page.goto(url('/admin/'));
    await page.waitForURL(url(`/admin/login.html?next=${encodeURIComponent('/admin/')}`));
    await consoleLogin(page, clerk);
    // back to /admin/, which sends staff without the statistics on to the first page they may see
    await page.waitForURL(url('/admin/orders.html'));
    await consoleReady(page);
    expect(w.problems()).toEqual([]);
    await w.context.close();
  }, 120_000);
});
