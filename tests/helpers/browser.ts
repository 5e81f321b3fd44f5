import type { Browser, BrowserContext, Page } from 'playwright-core';
import { CHROMIUM } from './env.ts';

// Chromium for the browser tests (Debian's, headless) and a page that records every problem a
// shopper must never meet: script errors, Content-Security-Policy violations, console lines.

export async function launchChromium(): Promise<Browser> {
  const { chromium } = await import('playwright-core');
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

export interface WatchedPage {
  context: BrowserContext;
  page: Page;
  /** Errors, CSP violations and console lines so far; a test expects none. */
  problems(): string[];
  /** `METHOD /api/path` of every API request the pages made. */
  apiRequests: string[];
  /**
   * Paths (API calls, or a page that is meant to 404) whose refusal the test provokes on purpose:
   * Chromium logs each as a failed load, and those (only those) are expected.
   */
  refusals: Set<string>;
}

/** A fresh browser profile whose pages are watched. */
export async function watchedPage(browser: Browser): Promise<WatchedPage> {
  const context = await browser.newContext();
  const page = await context.newPage();
  const errors: string[] = [];
  const messages: string[] = [];
  const violations: string[] = [];
  const apiRequests: string[] = [];
  const refusals = new Set<string>();
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    const url = m.location().url;
    if (url.endsWith('/favicon.ico')) return; // Chromium's own request: the site has no favicon
    if (url && refusals.has(new URL(url).pathname) && m.text().startsWith('Failed to load resource')) return;
    messages.push(`${m.type()} ${url}: ${m.text()}`);
  });
  page.on('request', (r) => void (new URL(r.url()).pathname.startsWith('/api/') && apiRequests.push(`${r.method()} ${new URL(r.url()).pathname}`)));
  await page.exposeBinding('reportCspViolation', (_source, v: string) => void violations.push(v));
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      (window as unknown as { reportCspViolation(v: string): void }).reportCspViolation(`${e.effectiveDirective} blocked ${e.blockedURI} at ${e.sourceFile}:${e.lineNumber}`);
    });
  });
  return { context, page, apiRequests, refusals, problems: () => [...errors, ...violations, ...messages] };
}
