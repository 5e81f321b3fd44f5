import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listUrl } from '../../api/services/catalog/paths.ts';
import { createStaffUser } from '../helpers/admin.ts';
import type { TestApp } from '../helpers/app.ts';
import { checkConsolePage, consoleLogin, consoleReady, expectWithinBudget, startConsoleShop, type ConsoleShop } from '../helpers/console.ts';
import { watchedPage, type WatchedPage } from '../helpers/browser.ts';
import { run } from '../helpers/cli.ts';
import type { TestDb } from '../helpers/db.ts';
import { HAS_CHROMIUM } from '../helpers/env.ts';

// The console's 商品管理 pages in Chromium (docs/admin-console.md), with a job worker in the app:
// a superuser logs in, finds a SKU on the SKU list (keyword, category filter in the URL), changes
// its price on its form and sees it live on the storefront's /goods/{id}.html; uploads a picture
// (the file input) that shows on that page after the rebuild, and moves it with the keyboard;
// creates a SKU with its spec options that appears on its category's list page. Every page: no
// console error or CSP violation, no serious/critical axe violation, ≤ 150 KB of its own JS + CSS
// gzipped; screenshots at 1280 and 768 px to $CONSOLE_SHOTS_DIR when set.

const LIST_FORM_PAGES = ['spus', 'specs', 'spec-options', 'categories', 'channels', 'channel-groups', 'contents', 'content-categories'];
const PAGES = ['admin/skus.html', 'admin/sku.html', 'admin/brands.html', 'admin/brand.html', ...LIST_FORM_PAGES.map((p) => `admin/${p}.html`)];

describe.skipIf(!HAS_CHROMIUM)('the console’s catalog pages in Chromium', () => {
  let t: TestDb;
  let app: TestApp;
  let distDir: string;
  let browser: Browser;
  let root: { userId: number; username: string; password: string };

  let shop: ConsoleShop;
  beforeAll(async () => {
    shop = await startConsoleShop('admin-catalog-console', { worker: true });
    ({ t, app, distDir, browser } = shop);
    root = await createStaffUser(app.services, { superuser: true, username: 'catalog_root' });
  }, 300_000);

  afterAll(async () => {
    await shop?.close();
  });

  const url = (p: string) => `${app.url}${p}`;

  async function loginAt(w: WatchedPage, next: string, who: { username: string; password: string } = root) {
    const { page } = w;
    w.refusals.add('/api/admin/me');
    await page.goto(url(next));
    await page.waitForURL(url(`/admin/login.html?next=${encodeURIComponent(next)}`));
    await consoleLogin(page, who);
    await page.waitForURL(url(next));
    await consoleReady(page);
  }

  it('keeps each catalog page within its budget: ≤ 150 KB of its own JS + CSS, gzipped', () => {
    expectWithinBudget(distDir, PAGES);
  });

  it('a price edit and a picture go live on /goods/{id}.html; a new SKU with spec options appears on its list page', async () => {
    const homeSkus = await t.db('contents').whereNotNull('sku_id').pluck('sku_id');
    const sku = await t.db('skus').where('is_launched', true).whereNotIn('id', homeSkus).orderBy('id').first('id', 'name', 'category_id');
    const w = await watchedPage(browser);
    const { page } = w;
    await page.setViewportSize({ width: 1280, height: 900 });
    w.refusals.add('/api/admin/me');
    await page.goto(url('/admin/skus.html'));
    await page.waitForURL(url(`/admin/login.html?next=${encodeURIComponent('/admin/skus.html')}`));
    await page.locator('#login-form input[name="username"]').fill(root.username);
    await page.locator('#login-form input[name="password"]').fill(root.password);
    await page.locator('#login-form button[type="submit"]').click();
    await page.waitForURL(url('/admin/skus.html'));
    await consoleReady(page);

    // the list: a keyword and the category filter, both in the URL; the row links to the form
    const rows = page.locator('#skus tbody');
    await expect.poll(() => rows.locator('tr').count()).toBe(20);
    // the sortable headers: 价格 ascending, again descending (ties by id the same way), kept in the URL, from page 1
    const th = (label: string) => page.locator('#skus thead th', { has: page.getByRole('button', { name: label }) });
    expect(await th('ID').getAttribute('aria-sort')).toBe('ascending');
    const shownIds = () => rows.locator('tr td:first-child').allTextContents().then((ids) => ids.map(Number));
    const byPrice = (dir: 'asc' | 'desc') => t.db('skus').orderBy([{ column: 'price', order: dir }, { column: 'id', order: dir }]).limit(20).pluck('id').then((ids) => ids.map(Number));
    await page.locator('#skus [data-list-next]').click();
    await page.waitForURL((u) => u.searchParams.get('page') === '2');
    await th('价格').getByRole('button').click();
    await page.waitForURL((u) => u.searchParams.get('ordering') === 'price' && !u.searchParams.has('page'));
    await expect.poll(shownIds).toEqual(await byPrice('asc'));
    expect(await th('价格').getAttribute('aria-sort')).toBe('ascending');
    expect(await th('价格').textContent()).toContain('▲');
    expect(await th('ID').getAttribute('aria-sort')).toBeNull();
    await th('价格').getByRole('button').press('Enter'); // the keyboard: focus stays on the button
    await page.waitForURL((u) => u.searchParams.get('ordering') === '-price');
    await expect.poll(shownIds).toEqual(await byPrice('desc'));
    expect(await th('价格').getAttribute('aria-sort')).toBe('descending');
    expect(await th('价格').textContent()).toContain('▼');
    await checkConsolePage(w, 'skus-sorted');
    // back: ascending again, as the URL says
    await page.goBack();
    await expect.poll(shownIds).toEqual(await byPrice('asc'));
    expect(await th('价格').getAttribute('aria-sort')).toBe('ascending');
    await th('销量').getByRole('button').click();
    await page.waitForURL((u) => u.searchParams.get('ordering') === 'sales');
    await expect.poll(shownIds).toEqual((await t.db('skus').orderBy([{ column: 'sales', order: 'asc' }, { column: 'id', order: 'asc' }]).limit(20).pluck('id')).map(Number));
    await th('ID').getByRole('button').click(); // back to the default: the URL names no ordering
    await page.waitForURL((u) => !u.searchParams.has('ordering'));
    await expect.poll(shownIds).toEqual((await t.db('skus').orderBy('id').limit(20).pluck('id')).map(Number));
    await page.locator('#skus-keyword').fill(sku.name);
    await page.locator('#sku-category').selectOption(String(sku.category_id));
    await page.locator('#skus button[type="submit"]').click();
    await page.waitForURL((u) => u.searchParams.get('category_id') === String(sku.category_id) && u.searchParams.get('keyword') === sku.name);
    const link = rows.locator(`a[href="/admin/sku.html?id=${sku.id}"]`);
    await expect.poll(() => link.count()).toBe(1);
    // the brand filter (the SPU's brand): another brand's list lacks it, its own has it
    const brandId = (await t.db('skus as s').join('spus as p', 'p.id', 's.spu_id').where('s.id', sku.id).first('p.brand_id')).brand_id;
    const other = await t.db('brands').whereNot('id', brandId).orderBy('id').first('id');
    await page.locator('#sku-brand').selectOption(String(other.id));
    await page.locator('#skus button[type="submit"]').click();
    await expect.poll(() => rows.textContent()).toContain('没有符合条件的 SKU');
    await page.locator('#sku-brand').selectOption(String(brandId));
    await page.locator('#skus button[type="submit"]').click();
    await page.waitForURL((u) => u.searchParams.get('brand_id') === String(brandId));
    await expect.poll(() => link.count()).toBe(1);
    await checkConsolePage(w, 'skus');

    // the form: a new price, live on the storefront once the worker re-rendered the page
    await link.click();
    await page.waitForURL(url(`/admin/sku.html?id=${sku.id}`));
    await consoleReady(page);
    expect(await page.locator('#name').inputValue()).toBe(sku.name);
    await page.locator('#price').fill('1.23');
    await page.locator('#sku-save').click();
    const result = page.locator('#sku-result');
    await expect.poll(() => result.textContent(), { timeout: 120_000, interval: 500 }).toContain('已上线');
    expect(await result.textContent()).toContain(`/goods/${sku.id}.html`);
    expect(await result.locator(`a[href="/goods/${sku.id}.html"]`).count()).toBe(1);
    expect(await (await app.get(`/goods/${sku.id}.html`)).text()).toContain('¥1.23');

    // a picture through the file input: progress, then in the list, then on the live page
    const before = await page.locator('#pic-list li').count();
    const png = await sharp({ create: { width: 640, height: 480, channels: 3, background: { r: 200, g: 30, b: 60 } } }).png().toBuffer();
    await page.locator('#image-file').setInputFiles({ name: 'red.png', mimeType: 'image/png', buffer: png });
    await expect.poll(() => page.locator('#pic-list li').count(), { timeout: 30_000 }).toBe(before + 1);
    const picResult = page.locator('#pic-result');
    await expect.poll(() => picResult.textContent(), { timeout: 120_000, interval: 500 }).toContain('已上线');
    const added = await t.db('sku_images').where('sku_id', sku.id).orderBy('id', 'desc').first('id', 'image');
    const hash = path.basename(added.image).replace(/-\d+\.jpg$/, '');
    expect(await (await app.get(`/goods/${sku.id}.html`)).text()).toContain(hash);
    // keyboard: the new (last) picture moves up; focus stays on its 上移 button
    if (before > 0) {
      await page.locator(`#pic-list li[data-image-id="${added.id}"] button[data-action="up"]`).focus();
      await page.keyboard.press('Enter');
      await expect.poll(async () => (await t.db('sku_images').where('sku_id', sku.id).orderBy('sequence').pluck('id')).indexOf(added.id)).toBe(before - 1);
      await expect.poll(() => page.evaluate(() => document.activeElement?.closest('li')?.dataset.imageId)).toBe(String(added.id));
    }
    await checkConsolePage(w, 'sku');

    // a new SKU of an SPU with specs: a new option of its first spec makes the combination new
    const spec = await t.db('spu_specs').orderBy('id').first('id', 'spu_id');
    const spu = await t.db('spus').where('id', spec.spu_id).first('id', 'category3_id');
    const specs = await t.db('spu_specs').where('spu_id', spu.id).orderBy('id').pluck('id');
    const option = await page.evaluate(async (specId) => {
      const csrf = document.cookie.split('; ').find((c) => c.startsWith('meiduo_admin_csrf='))!.split('=')[1]!;
      const r = await fetch('/api/admin/spec-options', { method: 'POST', headers: { 'content-type': 'application/json', 'X-CSRF-Token': decodeURIComponent(csrf) }, body: JSON.stringify({ spec_id: specId, value: '控制台新色' }) });
      return (await r.json()) as { id: number };
    }, spec.id);
    await page.goto(url('/admin/sku.html'));
    await consoleReady(page);
    // the SPU is picked by a search (its id typed, as staff copy it from the SPU list): the select takes it, and the specs follow
    await page.locator('#spu_id-search').fill(String(spu.id));
    await expect.poll(() => page.locator('#spu_id').inputValue()).toBe(String(spu.id));
    await expect.poll(() => page.locator('#spec-selects select').count()).toBe(specs.length);
    // each select offers only its own spec's options
    const offered = await page.locator(`#spec-${spec.id} option`).evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value).filter(Boolean).map(Number));
    expect(offered.sort((a, b) => a - b)).toEqual((await t.db('spec_options').where('spec_id', spec.id).pluck('id')).sort((a: number, b: number) => a - b));
    await page.locator(`#spec-${spec.id}`).selectOption(String(option.id));
    for (const s of specs.slice(1)) await page.locator(`#spec-${s}`).selectOption({ index: 1 });
    await page.locator('#category_id').selectOption(String(spu.category3_id));
    await page.locator('#name').fill('控制台新品 测试款');
    await page.locator('#price').fill('88.80');
    await page.locator('#stock').fill('5');
    await page.locator('#sku-save').click();
    // (the form's own messages are in the polled text, so a refusal shows in the failure)
    await expect.poll(() => page.locator('#sku-form').evaluate((f) => [f.querySelector('#sku-result'), ...f.querySelectorAll('.form-msg, .a-error:not([hidden])')].map((e) => e?.textContent ?? '').join(' | ')), { timeout: 120_000, interval: 500 }).toContain('已上线');
    const created = await t.db('skus').where('name', '控制台新品 测试款').first('id');
    expect(page.url()).toBe(url(`/admin/sku.html?id=${created.id}`));
    expect((await t.db('sku_options').where('sku_id', created.id).pluck('option_id'))).toContain(option.id);
    const list = await (await app.get(listUrl(spu.category3_id, 'default', 1))).text();
    expect(list).toContain('控制台新品 测试款');
    expect(list).toContain(`/goods/${created.id}.html`);
    await checkConsolePage(w, 'sku-new');
    expect(w.problems()).toEqual([]);
    await w.context.close();
  }, 400_000);

  it('brands: the list finds one, its form changes the aliases and uploads a logo (progress, then shown)', async () => {
    const brand = await t.db('brands').orderBy('id').first('id', 'name');
    const w = await watchedPage(browser);
    const { page } = w;
    await page.setViewportSize({ width: 1280, height: 900 });
    await loginAt(w, '/admin/brands.html');
    await page.locator('#brands-keyword').fill(brand.name);
    await page.locator('#brands button[type="submit"]').click();
    const link = page.locator(`#brands tbody a[href="/admin/brand.html?id=${brand.id}"]`);
    await expect.poll(() => link.count()).toBe(1);
    await checkConsolePage(w, 'brands');
    await link.click();
    await page.waitForURL(url(`/admin/brand.html?id=${brand.id}`));
    await consoleReady(page);
    expect(await page.locator('#name').inputValue()).toBe(brand.name);
    await page.locator('#aliases').fill('控制台别名, 另一个别名');
    await page.locator('#brand-save').click();
    await expect.poll(() => page.locator('#brand-result').textContent()).toContain('已保存');
    const png = await sharp({ create: { width: 300, height: 120, channels: 4, background: { r: 20, g: 90, b: 200, alpha: 1 } } }).png().toBuffer();
    await page.locator('#logo-file').setInputFiles({ name: 'logo.png', mimeType: 'image/png', buffer: png });
    await expect.poll(() => page.locator('#logo-msg').textContent(), { timeout: 30_000 }).toBe('Logo 已更新');
    // and a second one dropped on the box (a synthetic drop event carrying the file)
    const first = await page.locator('#logo-img').getAttribute('src');
    const png2 = await sharp({ create: { width: 200, height: 100, channels: 4, background: { r: 250, g: 200, b: 0, alpha: 1 } } }).png().toBuffer();
    await page.evaluate((bytes) => {
      const dt = new DataTransfer();
      dt.items.add(new File([new Uint8Array(bytes)], 'dropped.png', { type: 'image/png' }));
      document.getElementById('logo-drop')!.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
    }, [...png2]);
    await expect.poll(() => page.locator('#logo-img').getAttribute('src'), { timeout: 30_000 }).not.toBe(first);
    const row = await t.db('brands').where('id', brand.id).first('logo');
    expect(row.logo).toMatch(/^\/media\/logos\//);
    expect(await page.locator('#logo-img').getAttribute('src')).toBe(row.logo);
    expect(await page.locator('#logo-img').evaluate((i: HTMLImageElement) => i.complete && i.naturalWidth > 0)).toBe(true);
    await checkConsolePage(w, 'brand');
    expect(w.problems()).toEqual([]);
    await w.context.close();
  }, 120_000);

  it('the list-and-form pages: each lists its rows; a homepage content edit is live on / (its preview)', async () => {
    const w = await watchedPage(browser);
    const { page } = w;
    await page.setViewportSize({ width: 1280, height: 900 });
    await loginAt(w, '/admin/spus.html');
    for (const p of LIST_FORM_PAGES) {
      if (p !== 'spus') {
        await page.goto(url(`/admin/${p}.html`));
        await consoleReady(page);
      }
      await expect.poll(() => page.locator(`#${p} tbody tr`).count(), { message: p }).toBeGreaterThan(0);
      expect(await page.locator(`#${p} tbody`).textContent(), p).not.toContain('没有符合条件');
      await checkConsolePage(w, p);
    }
    // the SPU form's description preview is the shop's sanitiser run in the page
    await page.goto(url('/admin/spus.html'));
    await consoleReady(page);
    await page.locator('#spus tbody button[aria-label="编辑SPU #1"]').click();
    await expect.poll(() => page.locator('#spus-form-title').textContent()).toBe('编辑SPU #1');
    await page.locator('#desc_detail').fill('<p>预览<script>alert(1)</script><b onclick="x()">粗体</b><img src="https://evil.example/x.png"><a href="javascript:alert(1)">链接</a></p>');
    await expect.poll(() => page.locator('#desc-preview').innerHTML()).toContain('<b>粗体</b>');
    const shown = await page.locator('#desc-preview').innerHTML();
    expect(shown).not.toMatch(/script|onclick|evil\.example|javascript:/);
    expect(shown).toContain('预览');

    // the SPU form's pickers: an edit shows its brand and its category line; a new SPU is made by choosing them
    const spu1 = await t.db('spus').where('id', 1).first();
    expect(await page.locator('#brand_id').inputValue()).toBe(String(spu1.brand_id));
    expect(await Promise.all(['category1_id', 'category2_id', 'category3_id'].map((id) => page.locator(`#${id}`).inputValue()))).toEqual([spu1.category1_id, spu1.category2_id, spu1.category3_id].map(String));
    await page.locator('#spus-new').click();
    expect(await page.locator('#category2_id option').count()).toBe(1); // nothing to choose before 一级
    const line = await t.db('goods_categories as c3').join('goods_categories as c2', 'c2.id', 'c3.parent_id').whereNotNull('c2.parent_id').orderBy('c3.id', 'desc').first('c3.id as c3', 'c2.id as c2', 'c2.parent_id as c1');
    const brand = await t.db('brands').orderBy('id', 'desc').first('id');
    await page.locator('#name').fill('控制台新 SPU');
    await page.locator('#brand_id').selectOption(String(brand.id));
    await page.locator('#category1_id').selectOption(String(line.c1));
    // 二级 lists the children of the chosen 一级 only
    const offered2 = await page.locator('#category2_id option').evaluateAll((os) => os.map((o) => Number((o as HTMLOptionElement).value)).filter(Boolean));
    expect(offered2.sort((a, b) => a - b)).toEqual((await t.db('goods_categories').where('parent_id', line.c1).pluck('id')).map(Number).sort((a, b) => a - b));
    await page.locator('#category2_id').selectOption(String(line.c2));
    await page.locator('#category3_id').selectOption(String(line.c3));
    await page.locator('#spus-form button[type="submit"]').click();
    await expect.poll(() => page.locator('#spus-form .form-msg').textContent()).toContain('已保存');
    const made = await t.db('spus').where('name', '控制台新 SPU').first();
    expect([made.brand_id, made.category1_id, made.category2_id, made.category3_id].map(Number)).toEqual([brand.id, line.c1, line.c2, line.c3].map(Number));
    // a 1-level change empties the levels below it; saving then names the missing one under its select
    await page.locator('#category1_id').selectOption({ index: 0 });
    expect(await page.locator('#category3_id').inputValue()).toBe('');
    await page.locator('#spus-form button[type="submit"]').click();
    await expect.poll(() => page.locator('#category1_id-error').textContent()).toBe('请选择一级分类');
    expect(await page.locator('#category1_id').getAttribute('aria-invalid')).toBe('true');
    expect(await t.db('spus').where('id', made.id).first('category1_id')).toEqual({ category1_id: made.category1_id });
    await checkConsolePage(w, 'spus-form');

    // a new spec's SPU is searched by name; its options' spec likewise
    await page.goto(url('/admin/specs.html'));
    await consoleReady(page);
    await page.locator('#specs-new').click();
    await page.locator('#spu_id-search').fill('控制台新');
    await expect.poll(() => page.locator('#spu_id').inputValue()).toBe(String(made.id));
    await page.locator('#specs-form #name').fill('控制台规格');
    await page.locator('#specs-form button[type="submit"]').click();
    await expect.poll(() => page.locator('#specs-form .form-msg').textContent()).toContain('已保存');
    const newSpec = await t.db('spu_specs').where({ spu_id: made.id, name: '控制台规格' }).first('id');
    expect(newSpec).toBeTruthy();
    expect(await page.locator('#spu_id').isDisabled()).toBe(true); // set at creation only
    await checkConsolePage(w, 'specs-form');
    await page.goto(url('/admin/spec-options.html'));
    await consoleReady(page);
    await page.locator('#spec_id-search').fill('控制台规格');
    await page.locator('#spec_id-search').press('Enter');
    await expect.poll(() => page.locator('#spec_id').inputValue()).toBe(String(newSpec.id));
    await page.locator('#spec-options-form #value').fill('控制台选项');
    await page.locator('#spec-options-form button[type="submit"]').click();
    await expect.poll(() => page.locator('#spec-options-form .form-msg').textContent()).toContain('已保存');
    expect(await t.db('spec_options').where({ spec_id: newSpec.id, value: '控制台选项' }).count({ n: '*' }).first().then((r: any) => Number(r.n))).toBe(1);
    await checkConsolePage(w, 'spec-options-form');

    // categories by parent: a first-level category's 下级 lists its children only
    const first = await t.db('goods_categories').whereNull('parent_id').orderBy('id').first('id');
    const kids = await t.db('goods_categories').where('parent_id', first.id).pluck('id');
    await page.goto(url(`/admin/categories.html?parent_id=${first.id}`));
    await consoleReady(page);
    await expect.poll(() => page.locator('#categories tbody tr').count()).toBe(Math.min(kids.length, 20));

    // a content's title: edited in the form, live on the homepage once the worker is done
    const content = await t.db('contents').where('status', true).whereNull('sku_id').orderBy('id').first('id', 'category_id');
    await page.goto(url(`/admin/contents.html?category_id=${content.category_id}`));
    await consoleReady(page);
    await page.locator(`#contents tbody button[aria-label="编辑广告 #${content.id}"]`).click();
    await expect.poll(() => page.locator('#contents-form-title').textContent()).toBe(`编辑广告 #${content.id}`);
    await page.locator('#title').fill('控制台改过的广告');
    await page.locator('#contents-form button[type="submit"]').click();
    await expect.poll(() => page.locator('#contents-form .form-msg').textContent(), { timeout: 120_000, interval: 500 }).toContain('已上线');
    expect(await page.locator('#contents-form .form-msg a[href="/"]').count()).toBe(1);
    expect(await (await app.get('/')).text()).toContain('控制台改过的广告');
    expect(w.problems()).toEqual([]);
    await w.context.close();
  }, 240_000);

  it('staff who may only look see no control for a write: no 新增, 保存, upload, order, default or delete', async () => {
    const viewer = await createStaffUser(app.services, { permissions: ['goods.view_sku', 'goods.view_sku_image', 'goods.view_brand', 'goods.view_category'], username: 'catalog_viewer' });
    const w = await watchedPage(browser);
    const { page } = w;
    await page.setViewportSize({ width: 1280, height: 900 });
    await loginAt(w, '/admin/skus.html', viewer);
    await expect.poll(() => page.locator('#skus tbody tr').count()).toBe(20);
    expect(await page.locator('a[href="/admin/sku.html"]', { hasText: '新增 SKU' }).isVisible()).toBe(false);
    const sku = await t.db('sku_images').orderBy('sku_id').first('sku_id');
    await page.goto(url(`/admin/sku.html?id=${sku.sku_id}`));
    await consoleReady(page);
    await expect.poll(() => page.locator('#pic-list li').count()).toBeGreaterThan(0);
    expect(await page.locator('#sku-save').isVisible()).toBe(false);
    expect(await page.locator('#drop').isVisible()).toBe(false);
    expect(await page.locator('#pic-list button').count()).toBe(0);
    await page.goto(url('/admin/brands.html'));
    await consoleReady(page);
    expect(await page.locator('a', { hasText: '新增品牌' }).isVisible()).toBe(false);
    // a page they may not see says so
    await page.goto(url('/admin/spus.html'));
    await expect.poll(() => page.locator('.a-denied').isVisible()).toBe(true);
    expect(w.problems()).toEqual([]);
    await w.context.close();
  }, 120_000);
});
