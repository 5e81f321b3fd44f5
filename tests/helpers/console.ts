import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { expect } from 'vitest';
import { startTestApp, type TestApp } from './app.ts';
import { axeViolations } from './axe.ts';
import { launchChromium, type WatchedPage } from './browser.ts';
import { ROOT, run } from './cli.ts';
import { createTestDb, type TestDb } from './db.ts';
import { pageWeight } from './page-weight.ts';

// What every admin-console browser test checks of its pages (docs/admin-console.md, "Rules"): the
// login form, "usable within 1 s" (the page's body[data-ready]), no serious axe violation and no
// sideways scrolling at 1280 and 768 px (screenshots to $CONSOLE_SHOTS_DIR), and the page budget.

const SHOTS = process.env.CONSOLE_SHOTS_DIR;
/** A page's own JS + CSS, gzipped. */
export const CONSOLE_BUDGET_BYTES = 150 * 1024;

export interface ConsoleShop {
  t: TestDb;
  app: TestApp;
  /** The shop's own build (storefront and console), served by `app`. */
  distDir: string;
  browser: Browser;
  url(path: string): string;
  close(): Promise<void>;
}

/**
 * What every console browser test starts from: the seeded demo shop on SQLite, built by `meiduo
 * build` into a folder of its own (`name` in its path), served by a test app (`worker`: with a job
 * worker, for edits that must go live), and a Chromium.
 */
export async function startConsoleShop(name: string, opts: { worker?: boolean } = {}): Promise<ConsoleShop> {
  const t = await createTestDb('sqlite', { seed: true });
  const distDir = path.join(ROOT, '.test-dist', `${name}-${process.pid}-${crypto.randomBytes(3).toString('hex')}`);
  let app: TestApp | undefined;
  try {
    await run(['build'], { DATABASE_URL: t.url, DIST_DIR: distDir, MEDIA_DIR: t.mediaDir, LOG_LEVEL: 'warn' });
    app = await startTestApp(t, { distDir, worker: opts.worker });
    const browser = await launchChromium();
    const started = app;
    return {
      t, app: started, distDir, browser,
      url: (p) => `${started.url}${p}`,
      async close() {
        await browser.close();
        await started.close();
        await t.drop();
        fs.rmSync(distDir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await app?.close();
    await t.drop();
    fs.rmSync(distDir, { recursive: true, force: true });
    throw err;
  }
}

/** Fills and sends /admin/login.html's form (the caller waits for where it leads). */
export async function consoleLogin(page: Page, who: { username: string; password: string }): Promise<void> {
  const form = page.locator('#login-form');
  await form.locator('input[name="username"]').fill(who.username);
  await form.locator('input[name="password"]').fill(who.password);
  await form.locator('button[type="submit"]').click();
}

/** Waits until the page's script says it is usable; logs and checks that it was within a second of the navigation's start. */
export async function consoleReady(page: Page): Promise<number> {
  await page.waitForSelector('body[data-ready="true"]', { timeout: 10_000 });
  const ms = await page.evaluate(() => performance.now());
  console.log(`${new URL(page.url()).pathname} usable after ${ms.toFixed(0)} ms`);
  expect(ms, page.url()).toBeLessThanOrEqual(1000);
  return ms;
}

/** axe (no serious or critical violation) and no sideways scrolling, at 1280 and at 768 px. */
export async function checkConsolePage(w: WatchedPage, label: string): Promise<void> {
  const { page } = w;
  expect(await axeViolations(page), `axe on ${label}`).toEqual([]);
  for (const width of [1280, 768]) {
    await page.setViewportSize({ width, height: 900 });
    await page.waitForTimeout(300); // the menu's fold (0.15 s) ends before the picture
    expect(await page.evaluate(() => document.documentElement.scrollWidth), `${label} at ${width}`).toBeLessThanOrEqual(width);
    if (SHOTS) await page.screenshot({ path: path.join(SHOTS, `${label}-${width}.png`), fullPage: true });
  }
  await page.setViewportSize({ width: 1280, height: 900 });
  expect(await axeViolations(page), `axe on ${label} after resizing`).toEqual([]);
}

/** Each built page (`admin/x.html` under dist/client) within the budget. */
export function expectWithinBudget(distDir: string, pages: string[]): void {
  const client = path.join(distDir, 'client');
  for (const p of pages) {
    const w = pageWeight(client, p);
    console.log(`${p}: ${(w.gzipBytes / 1024).toFixed(1)} KB gzipped in ${w.files.length} files`);
    expect(w.files.length, p).toBeGreaterThan(0);
    expect(w.gzipBytes, p).toBeLessThanOrEqual(CONSOLE_BUDGET_BYTES);
  }
}
