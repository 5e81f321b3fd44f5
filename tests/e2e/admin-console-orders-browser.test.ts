import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { zoneDays } from '../../api/shop-days.ts';
import { loginAs } from '../helpers/accounts.ts';
import { createStaffUser } from '../helpers/admin.ts';
import { call } from '../helpers/api-client.ts';
import type { TestApp } from '../helpers/app.ts';
import { checkConsolePage, consoleLogin, consoleReady, expectWithinBudget, startConsoleShop, type ConsoleShop } from '../helpers/console.ts';
import { watchedPage } from '../helpers/browser.ts';
import type { TestDb } from '../helpers/db.ts';
import { HAS_CHROMIUM } from '../helpers/env.ts';

// The console's 订单管理, 用户与权限 and 操作日志 pages in Chromium (docs/admin-console.md): a customer
// places an order; a staff member holding only the order permissions finds it in the list, ships it
// from its page (a bad tracking number under its field; a 409 for an order the customer cancelled
// meanwhile, on the form), sees no 商品管理 and is refused (403) a catalog route; the customer sees
// 待收货 and confirms receipt. A superuser finds the shipment in the audit log with its old → new
// values, saves a group's permission matrix twice, and sees the staff, permissions and refunds pages.
// Every page: no console error or CSP violation, no serious/critical axe violation at 1280 and 768
// px, interactive within 1 s, own JS + CSS ≤ 150 KB gzipped. Screenshots at 1280 and 768 px go to $CONSOLE_SHOTS_DIR.

const PAGES = ['orders', 'order', 'refunds', 'staff', 'staff-member', 'groups', 'group', 'permissions', 'audit'].map((p) => `admin/${p}.html`);
const ORDER_PERMISSIONS = ['orders.view_order', 'orders.change_order', 'orders.view_refund', 'orders.change_refund'];

describe.skipIf(!HAS_CHROMIUM)('the console’s order, staff and audit pages in Chromium', () => {
  let t: TestDb;
  let app: TestApp;
  let distDir: string;
  let browser: Browser;
  let root: { userId: number; username: string; password: string };
  let clerk: { userId: number; username: string; password: string };
  let shippedOrder = '';

  let shop: ConsoleShop;
  beforeAll(async () => {
    shop = await startConsoleShop('admin-orders');
    ({ t, app, distDir, browser } = shop);
    root = await createStaffUser(app.services, { superuser: true, username: 'orders_root' });
    clerk = await createStaffUser(app.services, { permissions: ORDER_PERMISSIONS, username: 'orders_clerk' });
  }, 300_000);

  afterAll(async () => {
    await shop?.close();
  });

  const url = (p: string) => `${app.url}${p}`;

  let offset = 0;
  /** A customer's order through the shop's API, cash on delivery: 待发货 at once. */
  async function placeOrder() {
    const buyer = await loginAs(app);
    const address = await call(app, 'POST', '/api/addresses', {
      headers: buyer.headers,
      body: { title: '家', receiver: '钱七', province_id: 440000, city_id: 440300, district_id: 440305, place: '科技园5号', mobile: '13700003333', tel: '', email: '' },
    });
    expect(address.status).toBe(201);
    const sku = await t.db('skus').where('is_launched', true).orderBy('id').offset(offset++).first('id');
    await t.db('skus').where({ id: sku.id }).update({ stock: 30 });
    expect((await call(app, 'POST', '/api/cart', { headers: buyer.headers, body: { sku_id: Number(sku.id), count: 2 } })).status).toBe(201);
    const placed = await call(app, 'POST', '/api/orders', { headers: buyer.headers, body: { address_id: address.body.id, pay_method: 1 } });
    expect(placed.status).toBe(201);
    return { buyer, orderId: placed.body.order_id as string };
  }

  it('keeps each page within its budget: ≤ 150 KB of its own JS + CSS, gzipped', () => {
    expectWithinBudget(distDir, PAGES);
  });

  it('order-only staff ship a customer’s order from the console; the customer sees 待收货 and confirms receipt', async () => {
    const { buyer, orderId } = await placeOrder();
    const other = await placeOrder();
    const w = await watchedPage(browser);
    const { page } = w;
    await page.setViewportSize({ width: 1280, height: 900 });
    w.refusals.add('/api/admin/me');
    await page.goto(url('/admin/orders.html'));
    await page.waitForURL(url(`/admin/login.html?next=${encodeURIComponent('/admin/orders.html')}`));
    await consoleLogin(page, clerk);
    await page.waitForURL(url('/admin/orders.html'));
    await consoleReady(page);
    // the menu: orders only
    await expect.poll(() => page.locator('.a-side h2', { hasText: '订单管理' }).isVisible()).toBe(true);
    for (const g of ['商品管理', '用户与权限', '操作日志']) expect(await page.locator('.a-side h2', { hasText: g }).isVisible(), g).toBe(false);
    // the list: every order at first, then by keyword and status (the URL keeps the filters)
    const rows = page.locator('#orders tbody');
    await expect.poll(() => rows.textContent()).toContain(orderId);
    await expect.poll(() => page.locator('#orders [data-list-count]').textContent()).toMatch(/^共 [\d,]+ 条$/);
    await page.locator('#orders-keyword').fill(orderId);
    await page.locator('#order-status').selectOption('2');
    await page.locator('#orders button[type="submit"]').click();
    await page.waitForURL(url(`/admin/orders.html?keyword=${orderId}&status=2`));
    await expect.poll(() => page.locator('#orders [data-list-count]').textContent()).toBe('共 1 条');
    expect(await rows.textContent()).toContain('待发货');
    await checkConsolePage(w, 'orders');
    // the dates are the shop's days: placed today, so none from tomorrow on; today's range finds it
    const days = zoneDays('Asia/Shanghai');
    const today = days.dateOf(Date.now());
    const tomorrow = days.dateOf(days.day(today).end + 1);
    await page.locator('#order-from').fill(tomorrow);
    await page.locator('#orders button[type="submit"]').click();
    await expect.poll(() => rows.textContent()).toContain('没有符合条件的订单');
    expect(new URL(page.url()).searchParams.get('date_from')).toBe(tomorrow);
    await page.locator('#order-from').fill(today);
    await page.locator('#order-to').fill(today);
    await page.locator('#orders button[type="submit"]').click();
    await expect.poll(() => page.locator('#orders [data-list-count]').textContent()).toBe('共 1 条');

    // the order's page: its lines, customer, address; 发货 and 取消订单 offered
    await page.locator(`#orders a[href="/admin/order.html?id=${orderId}"]`).click();
    await page.waitForURL(url(`/admin/order.html?id=${orderId}`));
    await consoleReady(page);
    expect(await page.locator('#o-status').textContent()).toBe('待发货');
    expect(await page.locator('#c-username').textContent()).toBe(buyer.username);
    expect(await page.locator('#o-address').textContent()).toContain('科技园5号');
    expect(await page.locator('#o-lines tr').count()).toBe(1);
    expect(await page.locator('#ship-form').isVisible()).toBe(true);
    expect(await page.locator('#cancel-form').isVisible()).toBe(true);
    await checkConsolePage(w, 'order');
    // a tracking number the API refuses: its message under the field, the order unchanged
    w.refusals.add(`/api/admin/orders/${orderId}/status`);
    await page.locator('#express_company').fill('顺丰速运');
    await page.locator('#tracking_no').fill('x');
    await page.locator('#ship-form button[type="submit"]').click();
    await expect.poll(() => page.locator('[data-error-for="tracking_no"]').textContent()).toContain('快递单号');
    expect(await page.locator('#tracking_no').getAttribute('aria-invalid')).toBe('true');
    await page.locator('#tracking_no').fill('SF1234567890');
    await page.locator('#ship-form button[type="submit"]').click();
    await expect.poll(() => page.locator('#o-status').textContent()).toBe('待收货');
    expect(await page.locator('#o-carrier').textContent()).toBe('顺丰速运 SF1234567890');
    expect(await page.locator('#o-timeline').textContent()).toContain('SF1234567890');
    expect(await page.locator('#ship-form').isVisible()).toBe(false);
    expect(await page.locator('#cancel-form').isVisible()).toBe(false);
    shippedOrder = orderId;

    // the customer: 待收货, then receipt confirmed
    const seen = await call(app, 'GET', `/api/orders/${orderId}`, { headers: buyer.headers });
    expect(seen.body).toMatchObject({ status: 3, status_name: '待收货', express_company: '顺丰速运', tracking_no: 'SF1234567890' });
    expect(seen.body.actions).toContain('receive');
    const received = await call(app, 'POST', `/api/orders/${orderId}/receipt`, { headers: buyer.headers });
    expect(received.status).toBe(200);
    expect(received.body.status).toBe(4);

    // an order that moves while its page is open: the customer cancels, 发货 answers 409 on the form
    await page.goto(url(`/admin/order.html?id=${other.orderId}`));
    await consoleReady(page);
    expect((await call(app, 'POST', `/api/orders/${other.orderId}/cancel`, { headers: other.buyer.headers })).status).toBe(200);
    w.refusals.add(`/api/admin/orders/${other.orderId}/status`);
    await page.locator('#express_company').fill('中通快递');
    await page.locator('#tracking_no').fill('ZT20261204');
    await page.locator('#ship-form button[type="submit"]').click();
    await expect.poll(() => page.locator('#ship-form .a-form-msg').textContent()).toContain('已取消');
    expect(await page.locator('#ship-form .a-form-msg').isVisible()).toBe(true);
    expect((await t.db('orders').where({ order_id: other.orderId }).first('status')).status).toBe(6);

    // 取消订单 with a reason: an empty one is refused under its field, then the order is cancelled
    const third = await placeOrder();
    await page.goto(url(`/admin/order.html?id=${third.orderId}`));
    await consoleReady(page);
    w.refusals.add(`/api/admin/orders/${third.orderId}/status`);
    await page.locator('#cancel-form button[type="submit"]').click();
    await expect.poll(() => page.locator('[data-error-for="reason"]').textContent()).toContain('取消原因');
    await page.locator('#reason').fill('客户来电要求取消');
    await page.locator('#cancel-form button[type="submit"]').click();
    await expect.poll(() => page.locator('#o-status').textContent()).toBe('已取消');
    expect(await page.locator('#o-timeline').textContent()).toContain('客户来电要求取消');
    expect(await page.locator('#cancel-form').isVisible()).toBe(false);
    expect((await t.db('orders').where({ order_id: third.orderId }).first('status')).status).toBe(6);

    // the refunds a human must handle (two that Alipay refused, as the refund job leaves them): 重试
    // hands one back to the job, 标记已处理 with a note settles the other; the list empties
    const failed: number[] = [];
    for (const i of [1, 2]) {
      const [pid] = await t.db('payments').insert({ order_id: other.orderId, trade_no: `2026120422001${Date.now()}${i}`, amount: '12.50', source: 'notify', outcome: 'refund', refund_state: 'failed', refund_attempts: 20, refund_error: 'ACQ.SELLER_BALANCE_NOT_ENOUGH', created_at: Date.now() });
      failed.push(Number(pid));
    }
    await page.goto(url('/admin/refunds.html'));
    await consoleReady(page);
    const refundRows = page.locator('#refunds tbody > tr');
    await expect.poll(() => refundRows.count()).toBe(2);
    expect(await refundRows.first().textContent()).toContain('ACQ.SELLER_BALANCE_NOT_ENOUGH');
    await checkConsolePage(w, 'refunds');
    const stateOf = async (id: number) => (await t.db('payments').where({ id }).first('refund_state')).refund_state as string;
    const rowOf = (id: number) => refundRows.filter({ has: page.locator(`#note-${id}`) });
    await rowOf(failed[0]!).getByRole('button', { name: /^重试退款/ }).click();
    await expect.poll(() => refundRows.count()).toBe(1);
    expect(await stateOf(failed[0]!)).toBe('pending');
    await rowOf(failed[1]!).locator('summary').click();
    await page.locator(`#note-${failed[1]}`).fill('已通过银行转账退款');
    await rowOf(failed[1]!).getByRole('button', { name: '确认' }).click();
    await expect.poll(() => page.locator('#refunds tbody').textContent()).toContain('没有这种状态的退款');
    expect(await stateOf(failed[1]!)).toBe('settled');
    // the state filter: the settled one under 已人工处理, in the URL
    await page.locator('#refund-state').selectOption('settled');
    await page.locator('#refunds button[type="submit"]').click();
    await page.waitForURL(url('/admin/refunds.html?state=settled'));
    await expect.poll(() => page.locator('#refunds tbody').textContent()).toContain('已通过银行转账退款');

    // the API is the rule: a catalog route answers 403 to this staff member
    w.refusals.add('/api/admin/skus/1/images');
    expect(await page.evaluate(async () => (await fetch('/api/admin/skus/1/images')).status)).toBe(403);
    expect(w.problems()).toEqual([]);
    await w.context.close();
  }, 180_000);

  it('a superuser sees the shipment in the audit log old → new, saves a group’s permission matrix, and sees the staff and permissions pages', async () => {
    expect(shippedOrder).not.toBe('');
    const w = await watchedPage(browser);
    const { page } = w;
    await page.setViewportSize({ width: 1280, height: 900 });
    w.refusals.add('/api/admin/me');
    await page.goto(url(`/admin/audit.html?resource=orders.order&resource_id=${shippedOrder}`));
    await page.waitForURL(/\/admin\/login\.html/);
    await consoleLogin(page, root);
    await page.waitForURL(url(`/admin/audit.html?resource=orders.order&resource_id=${shippedOrder}`));
    await consoleReady(page);
    const entries = page.locator('#audit .a-table > tbody > tr');
    await expect.poll(() => entries.count()).toBe(1);
    const shipment = entries.first();
    expect(await shipment.textContent()).toContain(clerk.username);
    expect(await shipment.textContent()).toContain('发货');
    // the changes' small table: field, old, → new
    const change = (field: string) => shipment.locator('.a-changes tr', { has: page.locator('th', { hasText: new RegExp(`^${field}$`) }) });
    expect(await change('status').locator('td').allTextContents()).toEqual(['2', '→ 3']);
    expect(await change('tracking_no').locator('td').allTextContents()).toEqual(['（空）', '→ SF1234567890']);
    expect(await change('express_company').locator('td').allTextContents()).toEqual(['（空）', '→ 顺丰速运']);
    await checkConsolePage(w, 'audit');

    // a new group: the permission matrix (rows: models, columns: 查看/新增/修改/删除)
    await page.goto(url('/admin/groups.html'));
    await consoleReady(page);
    await checkConsolePage(w, 'groups');
    await page.locator('a', { hasText: '新增用户组' }).click();
    await page.waitForURL(url('/admin/group.html'));
    await consoleReady(page);
    const box = (codename: string) => page.locator(`#matrix input[value="${codename}"]`);
    expect(await box('goods.view_sku').isVisible()).toBe(true);
    expect(await box('orders.delete_order').count()).toBe(0); // no such permission: an empty cell
    await page.locator('#name').fill('仓库组');
    for (const c of ['goods.view_sku', 'goods.change_sku', 'orders.view_order']) await box(c).check();
    await checkConsolePage(w, 'group');
    await page.locator('#group-save').click();
    await page.waitForURL(/\/admin\/group\.html\?id=\d+$/);
    await consoleReady(page);
    const groupId = Number(new URL(page.url()).searchParams.get('id'));
    const held = async () => (await t.db('admin_group_permissions as gp').join('admin_permissions as p', 'p.id', 'gp.permission_id').where('gp.group_id', groupId).orderBy('p.codename').pluck('p.codename')) as string[];
    expect(await held()).toEqual(['goods.change_sku', 'goods.view_sku', 'orders.view_order']);
    expect(await box('goods.change_sku').isChecked()).toBe(true);
    // a second save changes the list
    await box('goods.change_sku').uncheck();
    await box('orders.change_order').check();
    await page.locator('#group-save').click();
    await expect.poll(() => page.locator('#group-form .a-form-msg').textContent()).toContain('已保存');
    expect(await held()).toEqual(['goods.view_sku', 'orders.change_order', 'orders.view_order']);
    // a taken name: the API's refusal under 名称
    await page.goto(url('/admin/group.html'));
    await consoleReady(page);
    w.refusals.add('/api/admin/groups');
    await page.locator('#name').fill('仓库组');
    await page.locator('#group-save').click();
    await expect.poll(() => page.locator('[data-error-for="name"]').textContent()).toContain('已存在');

    // staff: the list, the clerk's form with their own permissions ticked
    await page.goto(url('/admin/staff.html'));
    await consoleReady(page);
    await expect.poll(() => page.locator('#staff tbody').textContent()).toContain(clerk.username);
    await checkConsolePage(w, 'staff');
    await page.goto(url(`/admin/staff-member.html?id=${clerk.userId}`));
    await consoleReady(page);
    expect(await page.locator('#username').inputValue()).toBe(clerk.username);
    expect(await page.locator('#is_active').isChecked()).toBe(true);
    for (const c of ORDER_PERMISSIONS) expect(await box(c).isChecked(), c).toBe(true);
    expect(await box('goods.view_sku').isChecked()).toBe(false);
    expect(await page.locator('#groups').textContent()).toContain('仓库组');
    await checkConsolePage(w, 'staff-member');
    // an edit: the clerk joins 仓库组 (only the groups are sent), back to the list
    await page.locator('#groups label', { hasText: '仓库组' }).locator('input').check();
    await page.locator('#staff-save').click();
    await page.waitForURL(url('/admin/staff.html'));
    const clerkGroups = await t.db('admin_user_groups as ug').join('admin_groups as g', 'g.id', 'ug.group_id').where('ug.user_id', clerk.userId).pluck('g.name');
    expect(clerkGroups).toEqual(['仓库组']);
    expect((await t.db('admin_audit').where({ resource: 'users.staff', resource_id: String(clerk.userId) }).orderBy('id', 'desc').first('changes')).changes).not.toContain('password');
    // 新增管理员 with a taken username: the API's refusal shown, nothing made
    await page.goto(url('/admin/staff-member.html'));
    await consoleReady(page);
    expect(await page.locator('#is_active').isVisible()).toBe(false); // new accounts are active
    w.refusals.add('/api/admin/staff');
    await page.locator('#username').fill(clerk.username);
    await page.locator('#mobile').fill('13912345678');
    await page.locator('#password').fill('password123');
    await page.locator('#staff-save').click();
    await expect.poll(async () => (await page.locator('[data-error-for="username"]').textContent()) || (await page.locator('#staff-form .a-form-msg').textContent())).toBeTruthy();

    await page.goto(url('/admin/permissions.html'));
    await consoleReady(page);
    await expect.poll(() => page.locator('#permissions tbody').textContent()).toContain('orders.change_refund');
    await checkConsolePage(w, 'permissions');
    expect(w.problems()).toEqual([]);
    await w.context.close();
  }, 180_000);

  it('a group editor granting a permission they lack is refused, the message under the matrix', async () => {
    const editor = await createStaffUser(app.services, { permissions: ['auth.view_group', 'auth.add_group', 'auth.view_permission', 'goods.view_sku'], username: 'orders_grp_editor' });
    const w = await watchedPage(browser);
    const { page } = w;
    await page.setViewportSize({ width: 1280, height: 900 });
    w.refusals.add('/api/admin/me');
    await page.goto(url('/admin/group.html'));
    await page.waitForURL(/\/admin\/login\.html/);
    await consoleLogin(page, editor);
    await page.waitForURL(url('/admin/group.html'));
    await consoleReady(page);
    // no 删除 for them; the matrix is there
    expect(await page.locator('#group-delete').isVisible()).toBe(false);
    await page.locator('#name').fill('越权组');
    await page.locator('#matrix input[value="goods.view_sku"]').check();
    await page.locator('#matrix input[value="goods.delete_sku"]').check();
    w.refusals.add('/api/admin/groups');
    await page.locator('#group-save').click();
    await expect.poll(() => page.locator('[data-error-for="permissions"]').textContent()).toContain('goods.delete_sku');
    expect(await page.locator('[data-error-for="permissions"]').isVisible()).toBe(true);
    expect(await t.db('admin_groups').where({ name: '越权组' }).count({ n: '*' }).first()).toEqual({ n: 0 });
    // without it, it saves
    await page.locator('#matrix input[value="goods.delete_sku"]').uncheck();
    await page.locator('#group-save').click();
    await page.waitForURL(/\/admin\/group\.html\?id=\d+$/);
    expect(w.problems()).toEqual([]);
    await w.context.close();
  }, 120_000);
});
