import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, watchedPage } from '../helpers/browser.ts';
import { HAS_CHROMIUM } from '../helpers/env.ts';
import { customerLogIn, customerPages, startCustomerShop, type CustomerShop } from '../helpers/storefront.ts';

// Every page a customer uses, on a phone (390 and 360 px wide), as the issue "The shopper's whole
// journey" asks: each page is screenshotted (to $PHONE_SHOTS_DIR, default a temp dir, to be looked
// at) and measured — no element wider than the screen or sticking out of it, no text laid out one
// character per line, no short label (≤ 8 characters, 待发货, 数量, a date …) or price × quantity broken
// over two lines —
// and the page's main actions are tap targets of at least 44 × 44 px.

const SHOTS = process.env.PHONE_SHOTS_DIR ?? fs.mkdtempSync(path.join(os.tmpdir(), 'meiduo-phone-shots-'));
const VIEWPORTS = [
  { width: 390, height: 844 },
  { width: 360, height: 740 },
] as const;

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
    // a price with its quantity (¥11999.00 × 2) is one figure to read: the count never goes to a line of its own
    else if (/^¥[\d.]+ × \d+$/.test(shown) && tops.length >= 2) found.push(`${label(el)}: 「${shown}」 broken over ${tops.length} lines`);
  }
  return found;
}

describe.skipIf(!HAS_CHROMIUM)('every customer page on a phone', () => {
  let shop: CustomerShop;
  let browser: Browser;

  beforeAll(async () => {
    shop = await startCustomerShop('phone');
    browser = await launchChromium();
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await shop?.close();
  });

  for (const viewport of VIEWPORTS) {
    it(`${viewport.width}×${viewport.height}: no page overflows, wraps a word apart, or has small main actions`, async () => {
      const { page, problems, refusals } = await watchedPage(browser);
      for (const p of customerPages(shop)) for (const r of p.refusals ?? []) refusals.add(r);
      await page.setViewportSize(viewport);
      const found: string[] = [];
      try {
        for (const guest of [true, false]) {
          if (!guest) await customerLogIn(page, shop);
          for (const p of customerPages(shop).filter((x) => Boolean(x.guest) === guest)) {
            await page.goto(shop.app.url + p.path);
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
