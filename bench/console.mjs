// The admin console on the 10,000-SKU catalog (issue 15): how long after navigation each console
// page is usable — the moment its script sets body[data-ready] (docs/admin-console.md) — in Debian's
// Chromium, logged in as a superuser. Goal: every page ≤ 1 s. Builds the bench site if its build
// has no console yet, makes the staff account once, serves with `meiduo serve`.
//   node bench/console.mjs                 5 loads per page
//   BENCH_RUNS=10 node bench/console.mjs
import fs from 'node:fs';
import path from 'node:path';
import { BENCH_ENV, ensureCatalog, loadAverage, machine, meiduo, startServer } from './lib.mjs';

const RUNS = Number(process.env.BENCH_RUNS || 5);
const PORT = Number(process.env.BENCH_PORT || 18791);
const CHROMIUM = process.env.TEST_CHROMIUM ?? '/usr/bin/chromium';
const USER = 'bench_console';
const PASSWORD = 'bench-console-1';

await ensureCatalog();
if (!fs.existsSync(path.join(BENCH_ENV.DIST_DIR, 'client', 'admin', 'index.html'))) {
  console.log('building the bench site (its build has no console yet)…');
  console.log(meiduo(['build']).trim());
}
try {
  meiduo(['admin', 'create', '--username', USER, '--password', PASSWORD, '--superuser']);
} catch (err) {
  if (!/已|taken|exists/.test(String(err))) throw err; // made by an earlier run
}

const server = await startServer(PORT);
const base = `http://127.0.0.1:${PORT}`;
const { chromium } = await import('playwright-core');
const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu'] });
try {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  // when the page's script says it is usable, in ms since its navigation started
  await context.addInitScript(() => {
    new MutationObserver(() => {
      if (document.body?.dataset.ready === 'true' && !('readyAt' in window)) window.readyAt = performance.now();
    }).observe(document, { subtree: true, attributes: true, attributeFilter: ['data-ready'] });
  });
  const page = await context.newPage();
  await page.goto(`${base}/admin/login.html`);
  await page.locator('input[name="username"]').fill(USER);
  await page.locator('input[name="password"]').fill(PASSWORD);
  await page.locator('button[type="submit"]').click();
  await page.waitForURL((u) => !u.pathname.endsWith('/login.html'));

  const sku = await (await page.request.get(`${base}/api/admin/skus?page_size=1&keyword=%E5%8D%8E%E4%B8%BA`)).json();
  const order = await (await page.request.get(`${base}/api/admin/orders?page_size=1`)).json();
  const pages = [
    '/admin/', '/admin/site.html',
    '/admin/skus.html', '/admin/skus.html?keyword=%E5%8D%8E%E4%B8%BA', `/admin/sku.html?id=${sku.results[0]?.id ?? 1}`,
    '/admin/spus.html', '/admin/brands.html', '/admin/categories.html', '/admin/contents.html',
    '/admin/orders.html', ...(order.results[0] ? [`/admin/order.html?id=${order.results[0].order_id}`] : []), '/admin/refunds.html',
    '/admin/staff.html', '/admin/groups.html', '/admin/permissions.html', '/admin/audit.html',
  ];
  console.log(`machine: ${machine()}; ${new Date().toISOString().slice(0, 10)}; load ${loadAverage()}; ${RUNS} loads per page, 1280×900`);
  console.log('page'.padEnd(40), 'p50 ms'.padStart(8), 'max ms'.padStart(8));
  let worst = 0;
  for (const p of pages) {
    const times = [];
    for (let i = 0; i < RUNS; i++) {
      await page.goto(base + p);
      await page.waitForSelector('body[data-ready="true"]', { timeout: 20_000 });
      times.push(await page.evaluate(() => window.readyAt ?? performance.now()));
    }
    times.sort((a, b) => a - b);
    worst = Math.max(worst, times.at(-1));
    console.log(p.padEnd(40), times[Math.floor(times.length / 2)].toFixed(0).padStart(8), times.at(-1).toFixed(0).padStart(8));
  }
  console.log(`slowest load: ${worst.toFixed(0)} ms (goal ≤ 1000 ms)`);
} finally {
  await browser.close();
  server.kill();
}

