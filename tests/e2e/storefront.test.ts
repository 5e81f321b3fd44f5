import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { goodsPageIds, listPageParams } from '../../api/services/catalog/pages.ts';
import { loadSnapshot } from '../../api/services/catalog/snapshot.ts';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { ROOT, run } from '../helpers/cli.ts';
import { createTestDb, type TestDb } from '../helpers/db.ts';
import { launchChromium, watchedPage } from '../helpers/browser.ts';
import { DB_KINDS, HAS_CHROMIUM, REDIS_URL } from '../helpers/env.ts';

// The whole storefront on each database: `meiduo build` into a private dist/, then the Koa app
// serving it, then a shopper in Chromium.
describe.each(DB_KINDS)('storefront built from %s', (kind) => {
  let t: TestDb;
  let app: TestApp;
  let distDir: string;

  beforeAll(async () => {
    t = await createTestDb(kind, { seed: true });
    // Astro's output must stay inside the project root.
    distDir = path.join(ROOT, '.test-dist', `${kind}-${process.pid}-${crypto.randomBytes(3).toString('hex')}`);
    await run(['build'], { DATABASE_URL: t.url, DIST_DIR: distDir, MEDIA_DIR: t.mediaDir, LOG_LEVEL: 'warn' });
    app = await startTestApp(t, { distDir, redisUrl: kind === 'mysql' ? REDIS_URL : null });
  }, 240_000);

  afterAll(async () => {
    await app?.close();
    await t?.drop();
    if (distDir) fs.rmSync(distDir, { recursive: true, force: true });
  });

  it('prebuilt exactly the pages the catalog calls for', async () => {
    const s = await loadSnapshot(t.db);
    const client = path.join(distDir, 'client');
    const goods = fs.readdirSync(path.join(client, 'goods')).filter((f) => f.endsWith('.html'));
    expect(goods.sort()).toEqual(goodsPageIds(s).map((id) => `${id}.html`).sort());
    const off = await t.db('skus').where('is_launched', false).pluck('id');
    for (const id of off) expect(fs.existsSync(path.join(client, 'goods', `${id}.html`))).toBe(false);
    const lists = listPageParams(s);
    for (const p of lists) expect(fs.existsSync(path.join(client, 'list', String(p.categoryId), p.sort, `${p.page}.html`))).toBe(true);
    for (const f of ['index.html', 'search.html', '404.html', 'search/manifest.json']) expect(fs.existsSync(path.join(client, f)), f).toBe(true);
  });

  it('bakes names, prices and safe descriptions into SKU pages', async () => {
    // 金色 256GB: its 银色 option would be 银色 256GB, which does not exist
    const sku = await t.db('skus').where('name', 'like', 'Apple iPhone 8 Plus%256GB 金色%').first('id', 'name', 'price');
    const r = await app.get(`/goods/${sku.id}.html`);
    expect(r.status).toBe(200);
    const html = await r.text();
    expect(html.includes(`<h3>${sku.name}</h3>`), 'name').toBe(true);
    expect(html.includes(`¥${Number(sku.price).toFixed(2)}`), 'price').toBe(true);
    expect(/<script>alert|onerror=/.test(html), 'unsafe description').toBe(false);
    expect(/<span class="disabled"[^>]*>银色<\/span>/.test(html), 'disabled option').toBe(true);
    expect((await app.get('/goods/999999.html')).status).toBe(404);
  });

  it.skipIf(!HAS_CHROMIUM)('lets a shopper browse, sort, switch specs and search in Chromium', async () => {
    const browser = await launchChromium();
    try {
      // The pages run under the server's Content-Security-Policy: anything it blocks, any script
      // error and any console line is a problem this shopper must never see (tests/helpers/browser.ts).
      const { page, problems, refusals } = await watchedPage(browser);

      // home: the channel menu with its 37 channels
      const home = await page.goto(app.url + '/');
      expect(home!.headers()['content-security-policy']).toContain("script-src 'self'");
      expect(await page.title()).toContain('美多商城');
      expect(await page.locator('.cat-title a, .cat-title .cat-empty').count()).toBe(37); // every channel, linked only when it has goods
      expect(await page.locator('.cat-title a[href=""]').count()).toBe(0);

      // open a category from the menu: 手机 > 手机通讯 > 手机
      const group = page.locator('.cat-group').first();
      await group.hover();
      await group.locator('dl', { has: page.locator('dt', { hasText: '手机通讯' }) }).locator('dd a', { hasText: /^手机$/ }).click();
      await page.waitForURL(/\/list\/\d+\/default\/1\.html$/);
      expect(await page.locator('.sku-grid .sku-card').count()).toBe(20);

      // sort by price
      await page.locator('.sort-bar a', { hasText: '价格' }).click();
      await page.waitForURL(/\/list\/\d+\/price\/1\.html$/);
      const prices = (await page.locator('.sku-grid .sku-price').allTextContents()).map((p) => Number(p.replace(/[^\d.]/g, '')));
      expect(prices).toEqual([...prices].sort((a, b) => a - b));

      // open a SKU: stock comes from the API
      const firstName = (await page.locator('.sku-grid .sku-name a').first().textContent())!.trim();
      await page.locator('.sku-grid .sku-name a').first().click();
      await page.waitForURL(/\/goods\/\d+\.html$/);
      await expect.poll(() => page.locator('#stock-status').textContent()).toMatch(/有货|无货/);
      expect(await page.locator('h3').first().textContent()).toContain(firstName.slice(0, 10));
      // the page reported its view for the statistics: today's counter of its category went up
      const skuId = Number(/\/goods\/(\d+)\.html$/.exec(page.url())![1]);
      const category = String((await t.db('skus').where('id', skuId).first('category_id')).category_id);
      const views = `views:${app.services.views.days.dateOf(Date.now())}`;
      await expect.poll(async () => Number((await app.services.cache.hashGetAll(views))[category] ?? 0)).toBeGreaterThan(0);

      // switch a spec to a sibling SKU
      await page.goto(app.url + (await t.db('skus').where('name', 'like', 'Apple iPhone 8 Plus%64GB 金色%').first('id').then((r) => `/goods/${r.id}.html`)));
      const before = page.url();
      const sibling = page.locator('.spec a:not(.select)').first();
      const target = await sibling.getAttribute('href');
      const option = (await sibling.textContent())!.trim();
      await sibling.click();
      await page.waitForURL((u) => u.toString() !== before);
      expect(page.url()).toBe(app.url + target);
      // the sibling's page marks the option just chosen as its own, and links back to the one left
      expect(await page.locator('.spec a.select').allTextContents()).toContain(option);
      expect(await page.locator(`.spec a[href="${new URL(before).pathname}"]`).count()).toBe(1);

      // search 华为 from the header
      await page.locator('input[name="q"]').first().fill('华为');
      await page.locator('input[name="q"]').first().press('Enter');
      await page.waitForURL(/\/search\.html\?q=/);
      await expect.poll(() => page.locator('#search-results .sku-card').count()).toBeGreaterThan(0);
      const names = await page.locator('#search-results .sku-name a').allTextContents();
      expect(names.slice(0, 5).every((n) => n.includes('华为'))).toBe(true);
      expect(await page.locator('#search-status').textContent()).toContain('华为');

      expect(problems()).toEqual([]);

      // the not-found page too (its own 404 is the one console line a browser prints for it)
      refusals.add('/no-such-page.html');
      expect((await page.goto(app.url + '/no-such-page.html'))!.status()).toBe(404);
      await expect.poll(() => page.locator('h1, h2').first().isVisible()).toBe(true);
      expect(problems()).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 120_000);
});
