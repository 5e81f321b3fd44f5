import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axeViolations } from '../helpers/axe.ts';
import { launchChromium, watchedPage } from '../helpers/browser.ts';
import { HAS_CHROMIUM } from '../helpers/env.ts';
import { customerLogIn, customerPages, startCustomerShop, type CustomerPage, type CustomerShop } from '../helpers/storefront.ts';

// Accessibility of every storefront and account page (docs/accessibility.md): axe-core's WCAG 2.1
// A/AA rules plus WCAG 2.2's 24 px target size find no serious or critical violation at 1280 px and
// at 390 px; keyboard focus is visible on every focusable element; a field's error is tied to it
// (aria-invalid, aria-describedby); the search page does not shift as its results arrive (CLS < 0.1).
// Screenshots go to $A11Y_SHOTS_DIR (default a temp dir).

const SHOTS = process.env.A11Y_SHOTS_DIR ?? fs.mkdtempSync(path.join(os.tmpdir(), 'meiduo-a11y-shots-'));
const VIEWPORTS = [
  { width: 1280, height: 900 },
  { width: 390, height: 844 },
] as const;

/** Focusable elements whose keyboard focus shows nothing (no outline, no box shadow). */
async function focusInvisible(page: Page): Promise<string[]> {
  const count = await page.evaluate(() => document.querySelectorAll('a[href], button, input:not([type="hidden"]), select, textarea, [tabindex]:not([tabindex="-1"])').length);
  const found: string[] = [];
  // keyboard focus (:focus-visible) only comes from the keyboard: tab through the page
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  for (let i = 0; i < Math.min(count, 80); i++) {
    await page.keyboard.press('Tab');
    const seen = await page.evaluate(() => {
      const el = document.activeElement as HTMLElement | null;
      if (!el || el === document.body) return null;
      const s = getComputedStyle(el);
      const shown = (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0) || (s.boxShadow !== 'none' && s.boxShadow !== '');
      const id = el.id ? `#${el.id}` : '';
      return { shown, label: `${el.tagName.toLowerCase()}${id} 「${(el.textContent || el.getAttribute('aria-label') || (el as HTMLInputElement).name || '').trim().slice(0, 20)}」` };
    });
    if (seen && !seen.shown) found.push(seen.label);
  }
  return [...new Set(found)];
}

describe.skipIf(!HAS_CHROMIUM)('every storefront page, accessible', () => {
  let shop: CustomerShop;
  let browser: Browser;
  let pages: CustomerPage[];

  beforeAll(async () => {
    shop = await startCustomerShop('a11y');
    pages = customerPages(shop);
    browser = await launchChromium();
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await shop?.close();
  });

  for (const viewport of VIEWPORTS) {
    it(`${viewport.width} px: no serious or critical axe violation (WCAG 2.1 AA, 24 px targets) and focus visible on every page`, async () => {
      const { page, problems, refusals } = await watchedPage(browser);
      for (const p of pages) for (const r of p.refusals ?? []) refusals.add(r);
      await page.setViewportSize(viewport);
      const found: string[] = [];
      try {
        for (const guest of [true, false]) {
          if (!guest) await customerLogIn(page, shop);
          for (const p of pages.filter((x) => Boolean(x.guest) === guest)) {
            await page.goto(shop.app.url + p.path);
            await page.locator(p.ready).first().waitFor({ state: 'attached', timeout: 10_000 }).catch(() => found.push(`${p.name}: ${p.ready} never appeared`));
            await page.evaluate(() => document.fonts.ready);
            await page.screenshot({ path: path.join(SHOTS, `${viewport.width}-${p.name}.png`), fullPage: true });
            for (const v of await axeViolations(page, ['serious', 'critical'], { targetSize: true })) found.push(`${p.name}: ${v.id} (${v.impact}) ${v.help}: ${v.targets.slice(0, 6).join(' | ')}${v.targets.length > 6 ? ` … ${v.targets.length} in all` : ''}`);
            for (const f of await focusInvisible(page)) found.push(`${p.name}: focus not visible on ${f}`);
          }
        }
        expect(found).toEqual([]);
        expect(problems()).toEqual([]);
      } finally {
        await page.context().close();
      }
    }, 300_000);
  }

  it('a field refused by the page names its error: aria-invalid and aria-describedby pointing at the message', async () => {
    const { page, problems } = await watchedPage(browser);
    try {
      await page.goto(`${shop.app.url}/register.html`);
      await page.locator('#register-form button[type="submit"]').click();
      const username = page.locator('#register-form input[name="username"]');
      await expect.poll(() => username.getAttribute('aria-invalid')).toBe('true');
      const described = await username.getAttribute('aria-describedby');
      expect(described).toBeTruthy();
      const message = await page.evaluate((ids) => ids.split(/\s+/).map((id) => document.getElementById(id)?.textContent ?? '').join(' '), described!);
      expect(message).toContain('用户名');
      // once valid (checked as the field is left), the error and its ties go
      await username.fill('valid_name_1');
      await username.blur();
      await expect.poll(() => username.getAttribute('aria-invalid')).toBeNull();
      expect(await username.getAttribute('aria-describedby')).toBeNull();
      expect(problems()).toEqual([]);
    } finally {
      await page.context().close();
    }
  }, 60_000);

  for (const viewport of VIEWPORTS) {
    it(`${viewport.width} px: the search page does not shift as its results arrive (CLS < 0.1)`, async () => {
      const { page, problems } = await watchedPage(browser);
      try {
        await page.setViewportSize(viewport);
        await page.addInitScript(() => {
          const w = window as unknown as { __cls: number; __shifts: string[] };
          w.__cls = 0;
          w.__shifts = [];
          new PerformanceObserver((list) => {
            for (const e of list.getEntries() as unknown as { value: number; hadRecentInput: boolean; sources?: { node?: Node }[] }[]) {
              if (e.hadRecentInput) continue;
              w.__cls += e.value;
              w.__shifts.push(`${e.value.toFixed(4)} ${(e.sources ?? []).map((s) => (s.node as Element | undefined)?.className ?? s.node?.nodeName).join(',')}`);
            }
          }).observe({ type: 'layout-shift', buffered: true });
        });
        for (const q of ['%E5%8D%8E%E4%B8%BA', 'zzzzqqq']) {
          await page.goto(`${shop.app.url}/search.html?q=${q}`);
          await page.locator('#search-results .sku-card, #search-suggest a').first().waitFor({ timeout: 10_000 });
          await page.evaluate(() => document.fonts.ready);
          await page.waitForTimeout(500);
          const { cls, shifts } = await page.evaluate(() => {
            const w = window as unknown as { __cls: number; __shifts: string[] };
            return { cls: w.__cls, shifts: w.__shifts };
          });
          expect(cls, `search ${q}: ${shifts.join('; ')}`).toBeLessThan(0.1);
        }
        expect(problems()).toEqual([]);
      } finally {
        await page.context().close();
      }
    }, 60_000);
  }
});
