import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { ROOT, run } from '../helpers/cli.ts';
import { createTestDb, type TestDb } from '../helpers/db.ts';
import { launchChromium, watchedPage } from '../helpers/browser.ts';
import { HAS_CHROMIUM } from '../helpers/env.ts';

// The demo storefront as a shopper first sees it, at a desktop's and a phone's width: the promo
// pictures whole (not cropped, not a blank block), placeholder labels inside their pictures, a SKU's
// 累计评价 matching its comments tab, and a search that finds nothing offering channels and best
// sellers. Screenshots go to SCREENSHOT_DIR when it is set (for a person to look at).

const VIEWPORTS = [
  { name: 'desktop', width: 1280, height: 900 },
  { name: 'phone', width: 390, height: 844 },
] as const;
const SHOTS = process.env.SCREENSHOT_DIR;

async function noWiderThanViewport(page: Page) {
  const wide = await page.evaluate(() => {
    const w = document.documentElement.clientWidth;
    return [...document.querySelectorAll('body *')]
      .filter((e) => e.getClientRects().length > 0 && e.getBoundingClientRect().right > w + 1 && !e.closest('.cat-panel, [hidden]'))
      .map((e) => `${e.tagName}.${e.className}`)
      .slice(0, 5);
  });
  expect(wide).toEqual([]);
}

describe.skipIf(!HAS_CHROMIUM)('the demo storefront in Chromium', () => {
  let t: TestDb;
  let app: TestApp;
  let distDir: string;
  let browser: Browser;

  beforeAll(async () => {
    t = await createTestDb('sqlite', { seed: true });
    distDir = path.join(ROOT, '.test-dist', `catalog-browser-${process.pid}-${crypto.randomBytes(3).toString('hex')}`);
    await run(['build'], { DATABASE_URL: t.url, DIST_DIR: distDir, MEDIA_DIR: t.mediaDir, LOG_LEVEL: 'warn' });
    app = await startTestApp(t, { distDir });
    browser = await launchChromium();
    if (SHOTS) fs.mkdirSync(SHOTS, { recursive: true });
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await t?.drop();
    if (distDir) fs.rmSync(distDir, { recursive: true, force: true });
  });

  it.each(VIEWPORTS)('homepage at $name width: the promo pictures shown whole', async (vp) => {
    const w = await watchedPage(browser);
    await w.page.setViewportSize({ width: vp.width, height: vp.height });
    await w.page.goto(`${app.url}/`);
    await w.page.waitForLoadState('load');
    // decoded first: under load a picture can still be on its way when 'load' fires (seen in CI)
    await w.page.waitForFunction(
      () => [...document.querySelectorAll<HTMLImageElement>('.carousel .slide.active img, .top-ads img')].every((img) => img.complete && img.naturalWidth > 0),
      undefined,
      { timeout: 10_000 },
    );
    // each promo picture drawn at its own shape: no cropping (cover) and no blank box
    const shapes = await w.page.evaluate(() =>
      [...document.querySelectorAll<HTMLImageElement>('.carousel .slide.active img, .top-ads img')].map((img) => {
        const r = img.getBoundingClientRect();
        return { src: img.src, natural: img.naturalWidth / img.naturalHeight, shown: r.width / r.height, width: r.width, height: r.height };
      }),
    );
    expect(shapes.length).toBe(2);
    for (const s of shapes) {
      expect(s.width, s.src).toBeGreaterThan(vp.width * 0.5);
      expect(Math.abs(s.shown / s.natural - 1), `${s.src} ${JSON.stringify(s)}`).toBeLessThan(0.03);
    }
    await noWiderThanViewport(w.page);
    // the 1F floor links 游戏手机, and its list has goods
    const gaming = w.page.locator('#floor-1 .floor-channels a', { hasText: '游戏手机' });
    expect(await gaming.count()).toBe(1);
    // the menu links no empty channel: those are greyed text
    expect(await w.page.locator('.cat-title a[href=""]').count()).toBe(0);
    expect(await w.page.locator('.cat-title .cat-empty').count()).toBeGreaterThan(0);
    if (SHOTS) {
      await w.page.screenshot({ path: path.join(SHOTS, `home-${vp.name}.png`) });
      await w.page.locator('#floor-1').scrollIntoViewIfNeeded();
      await w.page.waitForTimeout(300);
      await w.page.screenshot({ path: path.join(SHOTS, `home-${vp.name}-floor.png`) });
    }
    await gaming.click();
    await w.page.waitForLoadState('load');
    expect(await w.page.locator('.sku-grid .sku-card').count()).toBeGreaterThan(0);
    expect(w.problems()).toEqual([]);
    await w.context.close();
  }, 60_000);

  it.each(VIEWPORTS)('a SKU page at $name width: 累计评价 and the comments tab agree', async (vp) => {
    const sku = await t.db('skus').where('name', 'like', 'Apple iPhone 8 Plus%64GB 金色%').first('id', 'comments');
    expect(Number(sku.comments)).toBeGreaterThan(0);
    const w = await watchedPage(browser);
    await w.page.setViewportSize({ width: vp.width, height: vp.height });
    await w.page.goto(`${app.url}/goods/${sku.id}.html`);
    expect(await w.page.locator('.comments').first().textContent()).toContain(`累计评价 ${sku.comments}`);
    await w.page.locator('[data-tab="comments"]').click();
    await w.page.locator('#comment-list li').first().waitFor();
    expect(await w.page.locator('[data-tab="comments"]').textContent()).toBe(`商品评价(${sku.comments})`);
    expect(await w.page.locator('#comment-list li').count()).toBe(Number(sku.comments));
    expect(await w.page.locator('#comment-empty').isHidden()).toBe(true);
    await noWiderThanViewport(w.page);
    if (SHOTS) {
      await w.page.locator('#comment-list').scrollIntoViewIfNeeded();
      await w.page.screenshot({ path: path.join(SHOTS, `comments-${vp.name}.png`) });
    }
    expect(w.problems()).toEqual([]);
    await w.context.close();
  }, 60_000);

  it.each(VIEWPORTS)('a search that finds nothing at $name width offers channels and best sellers', async (vp) => {
    const w = await watchedPage(browser);
    await w.page.setViewportSize({ width: vp.width, height: vp.height });
    await w.page.goto(`${app.url}/search.html?q=${encodeURIComponent('量子波动速读仪')}`);
    await w.page.locator('#search-hot .sku-card').first().waitFor();
    expect(await w.page.locator('#search-status').textContent()).toContain('没有找到');
    expect(await w.page.locator('#search-suggest').isVisible()).toBe(true);
    const channels = await w.page.locator('.suggest-channels a').allTextContents();
    expect(channels).toEqual(expect.arrayContaining(['手机', '电脑']));
    expect(await w.page.locator('#search-hot .sku-card').count()).toBeGreaterThanOrEqual(4);
    expect(w.apiRequests.filter((r) => /\/hotskus$/.test(r)).length).toBeGreaterThan(0);
    await noWiderThanViewport(w.page);
    if (SHOTS) await w.page.screenshot({ path: path.join(SHOTS, `search-empty-${vp.name}.png`) });
    // a search that finds something shows no suggestions
    await w.page.goto(`${app.url}/search.html?q=iPhone`);
    await w.page.locator('#search-results .sku-card').first().waitFor();
    expect(await w.page.locator('#search-suggest').isHidden()).toBe(true);
    expect(w.problems()).toEqual([]);
    await w.context.close();
  }, 60_000);
});
