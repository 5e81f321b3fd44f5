import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { centsFromDb, formatCents } from '../../api/money.ts';
import { goodsPageIds, listPageParams } from '../../api/services/catalog/pages.ts';
import { loadSnapshot } from '../../api/services/catalog/snapshot.ts';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { ROOT, run } from '../helpers/cli.ts';
import { createTestDb, type TestDb } from '../helpers/db.ts';
import { launchChromium, watchedPage } from '../helpers/browser.ts';
import { DB_KINDS, HAS_CHROMIUM, REDIS_URL } from '../helpers/env.ts';
import { isSchemaOrgType, schemaOrgProblems } from '../helpers/schema-org.ts';

const SITE_URL = 'https://shop.example.com';
/** A name that would end the JSON-LD element and run a script if the page wrote it unescaped. */
const HOSTILE_NAME = '</script><script>alert(1)</script> 测试商品 "引号" & <b>粗体</b>';

const decode = (v: string) =>
  v.replace(/&(?:#(\d+)|#x([0-9a-f]+)|(amp|lt|gt|quot|apos|#39));/gi, (_, d, x, n) =>
    d ? String.fromCodePoint(Number(d)) : x ? String.fromCodePoint(parseInt(x, 16)) : ({ amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", '#39': "'" } as Record<string, string>)[n.toLowerCase()]!);

/** What a built page's <head> says: meta tags by name/property, the canonical link, the JSON-LD blocks. */
function headOf(html: string) {
  const head = html.slice(0, html.indexOf('</head>'));
  const meta = new Map<string, string>();
  for (const m of head.matchAll(/<meta\s+(?:name|property)="([^"]+)"\s+content="([^"]*)"\s*\/?>/g)) meta.set(m[1]!, decode(m[2]!));
  const canonical = /<link rel="canonical" href="([^"]*)"/.exec(head)?.[1];
  const jsonLd = [...head.matchAll(/<script type="application\/ld\+json">([\s\S]*?)<\/script>/g)].map((m) => JSON.parse(m[1]!) as Record<string, any>);
  return { meta, canonical: canonical && decode(canonical), jsonLd, scripts: (html.replace(/="[^"]*"/g, '=""').match(/<script\b/g) ?? []).length };
}

// The whole storefront on each database: `meiduo build` into a private dist/, then the Koa app
// serving it, then a shopper in Chromium.
describe.each(DB_KINDS)('storefront built from %s', (kind) => {
  let t: TestDb;
  let app: TestApp;
  let distDir: string;

  let hostileId: number;
  let soldOutId: number;

  beforeAll(async () => {
    t = await createTestDb(kind, { seed: true });
    // outside the phones the shopper below browses: one SKU with a hostile name, one sold out
    const others = await t.db('skus as k').join('goods_categories as c', 'c.id', 'k.category_id')
      .where('k.is_launched', true).whereNot('c.name', '手机').orderBy('k.id', 'desc').limit(2).pluck('k.id');
    [hostileId, soldOutId] = others as [number, number];
    await t.db('skus').where('id', hostileId).update({ name: HOSTILE_NAME });
    await t.db('skus').where('id', soldOutId).update({ stock: 0 });
    // Astro's output must stay inside the project root.
    distDir = path.join(ROOT, '.test-dist', `${kind}-${process.pid}-${crypto.randomBytes(3).toString('hex')}`);
    await run(['build'], { DATABASE_URL: t.url, DIST_DIR: distDir, MEDIA_DIR: t.mediaDir, LOG_LEVEL: 'warn', SITE_URL });
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

  const page = async (url: string) => {
    const r = await app.get(url);
    expect(r.status, url).toBe(200);
    return headOf(await r.text());
  };
  const phones = async () =>
    (await t.db('goods_categories as c').join('goods_categories as p', 'p.id', 'c.parent_id').where({ 'c.name': '手机', 'p.name': '手机通讯' }).first('c.id')).id as number;

  it('gives every shop page an absolute canonical URL on SITE_URL (sort variants → the default sort’s same page)', async () => {
    expect((await page('/')).canonical).toBe(`${SITE_URL}/`);
    expect((await page('/search.html')).canonical).toBe(`${SITE_URL}/search.html`);
    const cat = await phones();
    expect(listPageParams(await loadSnapshot(t.db)).filter((p) => p.categoryId === cat && p.sort === 'default').length).toBeGreaterThan(1);
    for (const sort of ['default', 'price', 'hot']) {
      expect((await page(`/list/${cat}/${sort}/1.html`)).canonical, sort).toBe(`${SITE_URL}/list/${cat}/default/1.html`);
      expect((await page(`/list/${cat}/${sort}/2.html`)).canonical, sort).toBe(`${SITE_URL}/list/${cat}/default/2.html`);
    }
    expect((await page('/goods/1.html')).canonical).toBe(`${SITE_URL}/goods/1.html`);
    expect((await page('/login.html')).canonical).toBe(`${SITE_URL}/login.html`);
  });

  it('describes pages from the catalog and tags them for link previews', async () => {
    // SKU: its name, exact price and caption; a product card with its picture and price
    const sku = await t.db('skus').where('id', 1).first('name', 'caption', 'price', 'default_image');
    const price = formatCents(centsFromDb(sku.price));
    const g = await page('/goods/1.html');
    expect(g.meta.get('description')).toContain(`¥${price}`);
    expect(g.meta.get('description')).toContain(sku.name);
    expect(g.meta.get('description')).toContain(sku.caption.slice(0, 10));
    expect([...g.meta.get('description')!].length).toBeLessThanOrEqual(150);
    expect(g.meta.get('og:type')).toBe('product');
    expect(g.meta.get('og:title')).toBe(sku.name);
    expect(g.meta.get('og:url')).toBe(`${SITE_URL}/goods/1.html`);
    expect(g.meta.get('og:image')).toMatch(/^https:\/\/shop\.example\.com\/\S+\.(png|jpe?g|webp)$/);
    expect(g.meta.get('product:price:amount')).toBe(price);
    expect(g.meta.get('product:price:currency')).toBe('CNY');
    expect(g.meta.get('twitter:card')).toBe('summary_large_image');
    expect((await fetch(g.meta.get('og:image')!.replace(SITE_URL, app.url))).status).toBe(200); // the picture is served

    // list: the category and its two best sellers
    const cat = await phones();
    const hot = await t.db('skus').where({ category_id: cat, is_launched: true }).orderBy([{ column: 'sales', order: 'desc' }, { column: 'id' }]).limit(2).pluck('name');
    const l = await page(`/list/${cat}/default/1.html`);
    expect(l.meta.get('description')).toMatch(/^手机/);
    for (const name of hot) expect(l.meta.get('description')).toContain(name);
    expect(l.meta.get('og:type')).toBe('website');
    expect(l.meta.get('og:url')).toBe(`${SITE_URL}/list/${cat}/default/1.html`);

    // home: the shop's description and its channels
    const h = await page('/');
    const channels = await t.db('goods_channels as ch').join('goods_categories as c', 'c.id', 'ch.category_id').pluck('c.name');
    expect(h.meta.get('description')).toContain('美多商城');
    expect(channels.some((c) => h.meta.get('description')!.includes(c))).toBe(true);
    expect(h.meta.get('og:image')).toBe(`${SITE_URL}/meiduo-share.png`);
    // the home page's WebSite and its search box
    const site = h.jsonLd.find((b) => b['@type'] === 'WebSite')!;
    expect(site.url).toBe(`${SITE_URL}/`);
    expect(site.potentialAction).toMatchObject({ '@type': 'SearchAction', target: { urlTemplate: `${SITE_URL}/search.html?q={search_term_string}` }, 'query-input': 'required name=search_term_string' });
    expect(schemaOrgProblems(h.jsonLd)).toEqual([]);
  });

  it('the JSON-LD of a SKU page is a Product with an Offer as Google and schema.org define them', async () => {
    const sku = await t.db('skus').where('id', 1).first('name', 'price', 'stock', 'comments', 'default_image');
    const [rating] = await t.db('order_lines').where({ sku_id: 1, is_commented: true }).count({ n: '*' }).sum({ total: 'score' });
    const { jsonLd } = await page('/goods/1.html');
    expect(jsonLd.map((b) => b['@type'])).toEqual(['Product', 'BreadcrumbList']);
    const product = jsonLd[0]!;
    // Google's product snippet / merchant listing requirements
    expect(product['@context']).toBe('https://schema.org');
    expect(product.name).toBe(sku.name);
    expect(product.image).toContain(`${SITE_URL}${sku.default_image}`);
    for (const img of product.image) expect(img).toMatch(/^https?:\/\//);
    expect(product.offers).toMatchObject({
      '@type': 'Offer',
      price: formatCents(centsFromDb(sku.price)), // a string with two decimals, exact
      priceCurrency: 'CNY',
      availability: Number(sku.stock) > 0 ? 'https://schema.org/InStock' : 'https://schema.org/OutOfStock',
      url: `${SITE_URL}/goods/1.html`,
      itemCondition: 'https://schema.org/NewCondition',
    });
    expect(product.offers.price).toMatch(/^\d+\.\d{2}$/);
    expect(product.sku).toBe('1');
    expect(product.brand).toMatchObject({ '@type': 'Brand', name: expect.any(String) });
    expect(Number(sku.comments)).toBeGreaterThan(0);
    expect(product.aggregateRating).toMatchObject({
      '@type': 'AggregateRating', reviewCount: Number(rating.n), ratingValue: Math.round((Number(rating.total) * 10) / Number(rating.n)) / 10,
    });
    // the category path, absolute, ending at the page itself
    const crumbs = jsonLd[1]!.itemListElement as { position: number; name: string; item: string }[];
    expect(crumbs.map((c) => c.position)).toEqual(crumbs.map((_, i) => i + 1));
    expect(crumbs.at(-1)).toMatchObject({ name: sku.name, item: `${SITE_URL}/goods/1.html` });
    for (const c of crumbs) expect(c.item).toMatch(/^https:\/\/shop\.example\.com\//);
    // every @type is a schema.org type, every property defined for its type or a supertype, every value in range
    const types = new Set<string>();
    JSON.stringify(jsonLd, (k, v) => (k === '@type' && types.add(v), v));
    expect([...types].sort()).toEqual(['AggregateRating', 'Brand', 'BreadcrumbList', 'ListItem', 'Offer', 'Organization', 'Product']);
    for (const type of types) expect(isSchemaOrgType(type), type).toBe(true);
    expect(schemaOrgProblems(jsonLd)).toEqual([]);

    // a sold-out SKU says so; a list page carries its breadcrumb
    expect((await page(`/goods/${soldOutId}.html`)).jsonLd[0]!.offers.availability).toBe('https://schema.org/OutOfStock');
    const cat = await phones();
    const list = await page(`/list/${cat}/price/2.html`);
    expect(list.jsonLd.map((b) => b['@type'])).toEqual(['BreadcrumbList']);
    expect(list.jsonLd[0]!.itemListElement.at(-1)).toMatchObject({ name: '手机', item: `${SITE_URL}/list/${cat}/default/1.html` });
    expect(schemaOrgProblems(list.jsonLd)).toEqual([]);
  });

  it('a product name cannot close the JSON-LD element or add markup', async () => {
    const r = await app.get(`/goods/${hostileId}.html`);
    const html = await r.text();
    // inside a quoted attribute `<` is text (Astro escapes `"` and `&` there); outside, no tag of the name
    const markup = html.replace(/="[^"]*"/g, '=""');
    expect(markup).not.toContain('<script>alert(1)');
    expect(markup).not.toContain('<b>粗体</b>');
    expect(markup).toContain('&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;'); // the name shown as text
    const head = headOf(html);
    expect(head.jsonLd[0]!.name).toBe(HOSTILE_NAME); // the JSON still says exactly the name
    expect(head.meta.get('og:title')).toBe(HOSTILE_NAME);
    expect(head.meta.get('description')).toContain(HOSTILE_NAME);
    const clean = headOf((await app.get('/goods/1.html').then((x) => x.text())));
    expect(head.scripts).toBe(clean.scripts); // no script element more than any SKU page has
  });

  it('keeps every customer page out of search engines, and no shop page or account form', async () => {
    const customer = [
      '/cart.html', '/place_order.html', '/order_success.html', '/pay_success.html',
      '/user_center_info.html', '/user_center_site.html', '/user_center_pass.html', '/user_center_order.html', '/user_center_order_detail.html', '/goods_judge.html',
      '/oauth_callback.html', '/success_verify_email.html', '/404.html',
    ];
    for (const url of customer) {
      const h = await page(url);
      expect(h.meta.get('robots'), url).toBe('noindex');
      expect(h.meta.get('description'), url).toMatch(/\S{5,}/);
      expect(h.canonical, url).toBe(SITE_URL + url);
      expect(h.jsonLd, url).toEqual([]);
    }
    const cat = await phones();
    for (const url of ['/', '/search.html', `/list/${cat}/default/1.html`, `/list/${cat}/hot/2.html`, '/goods/1.html']) {
      expect((await page(url)).meta.has('robots'), url).toBe(false);
    }
    // the account forms are the same page for everyone: indexable, with their own description
    for (const url of ['/login.html', '/register.html', '/find_password.html']) {
      const h = await page(url);
      expect(h.meta.has('robots'), url).toBe(false);
      expect(h.meta.get('description'), url).toContain('美多商城');
      expect(h.canonical, url).toBe(SITE_URL + url);
    }
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

      // a SKU page whose name is markup: shown as text, nothing run (the CSP would report a blocked inline script)
      const dialogs: string[] = [];
      page.on('dialog', (d) => void (dialogs.push(d.message()), d.dismiss()));
      await page.goto(`${app.url}/goods/${hostileId}.html`);
      expect(await page.locator('h3').first().textContent()).toBe(HOSTILE_NAME);
      expect(dialogs).toEqual([]);

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
