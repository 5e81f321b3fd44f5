import fs from 'node:fs/promises';
import path from 'node:path';
import type { RequestContext } from '../../context.ts';
import { db } from '../../db/transaction.ts';
import { publishFile, removePublished } from '../../published-files.ts';
import { LIST_PAGE_SIZE, goodsUrl, homeUrl, listUrl } from '../catalog/paths.ts';
import { orderByFor } from '../catalog/sorting.ts';

// The sitemaps (sitemaps.org protocol 0.9) and robots.txt of the published site: written whole by
// the full build (jobs/build.ts) and kept current by the incremental rebuild (jobs/pages-rebuild.ts),
// which rewrites only the child sitemaps holding what it re-rendered, then the index. docs/sitemaps.md.
//
// - /sitemap.xml is a sitemap index; every entry has the lastmod of the newest URL in its child.
// - /sitemap-goods-<n>.xml: the SKU pages with ids n·10,000 … n·10,000 + 9,999 (at most 10,000 URLs,
//   the protocol allows 50,000), so an edit rewrites one file of ~1 MB, not one of every SKU.
// - /sitemap-pages-<n>.xml: the homepage, then every page of every category's list in the default
//   sort (the price and popularity sorts canonicalise to it), 50,000 URLs a file.
// - Children sit at the site root beside the index: a sitemap may only list URLs under its own folder
//   (sitemaps.org, "Sitemap file location"), so /sitemaps/goods-1.xml could not list /goods/1.html.
//
// Reads are a few indexed queries (SKUs by id range in batches, launched SKUs of some categories,
// small aggregates for the homepage); no query per URL. Files are built as arrays of lines joined once.

export const SITEMAP_INDEX_URL = '/sitemap.xml';
export const ROBOTS_URL = '/robots.txt';
/** SKU ids per goods sitemap: ids n·SKUS_PER_SHARD … (n+1)·SKUS_PER_SHARD − 1 are in goods-n. */
export const SKUS_PER_SHARD = 10_000;
/** The protocol's limit of URLs in one sitemap (and of sitemaps in one index). */
export const MAX_URLS_PER_SITEMAP = 50_000;
export const goodsSitemapUrl = (shard: number) => `/sitemap-goods-${shard}.xml`;
export const pagesSitemapUrl = (part: number) => `/sitemap-pages-${part}.xml`;
export const shardOf = (skuId: number) => Math.floor(skuId / SKUS_PER_SHARD);

const NS = 'http://www.sitemaps.org/schemas/sitemap/0.9';
const CHILD_FILE = /^sitemap-(goods|pages)-(\d+)\.xml$/;
/** Rows read per query when walking every SKU. */
const BATCH = 10_000;

/** A URL of the site (a path such as '/goods/1.html') and when its page last changed (W3C datetime). */
export interface SitemapEntry {
  loc: string;
  lastmod: string;
}

export interface SitemapResult {
  /** Files written (URL paths: '/sitemap.xml', '/sitemap-goods-0.xml', '/robots.txt'); unchanged ones are not rewritten. */
  written: string[];
  /** Child sitemaps removed (nothing left in them). */
  removed: string[];
}

/** What an incremental rebuild re-rendered: the sitemaps holding these are brought up to date. */
export interface SitemapChange {
  /** SKUs whose page was re-rendered or removed. */
  skuIds: Iterable<number>;
  /** Categories whose list pages were re-rendered. */
  categoryIds: Iterable<number>;
  /** The homepage was re-rendered. */
  home: boolean;
}

// ---- text ------------------------------------------------------------------------------------------

const XML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };
export const escapeXml = (s: string) => s.replace(/[&<>"']/g, (c) => XML_ESCAPES[c]!);
const unescapeXml = (s: string) => s.replace(/&(amp|lt|gt|quot|apos);/g, (_, n: string) => ({ amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" })[n]!);

/**
 * A database time ('YYYY-MM-DD HH:MM:SS', UTC, as both databases return it: api/db/knex.ts) or a
 * Date as a W3C datetime in UTC ('2026-12-04T06:05:00Z'); null when there is none.
 */
export function w3cDatetime(v: unknown): string | null {
  if (v === null || v === undefined || v === '') return null;
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? null : v.toISOString().slice(0, 19) + 'Z';
  const m = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})/.exec(String(v));
  if (m) return `${m[1]}T${m[2]}Z`;
  const d = new Date(String(v));
  return Number.isNaN(d.getTime()) ? null : d.toISOString().slice(0, 19) + 'Z';
}

/** The later of two W3C datetimes in the one form written here (they compare as text). */
const later = (a: string | null, b: string | null): string | null => (a === null ? b : b === null ? a : a >= b ? a : b);

const urlsetXml = (siteUrl: string, entries: readonly SitemapEntry[]) => {
  const lines = [`<?xml version="1.0" encoding="UTF-8"?>`, `<urlset xmlns="${NS}">`];
  for (const e of entries) lines.push(`<url><loc>${escapeXml(siteUrl + e.loc)}</loc><lastmod>${e.lastmod}</lastmod></url>`);
  lines.push('</urlset>', '');
  return lines.join('\n');
};

const indexXml = (siteUrl: string, entries: readonly SitemapEntry[]) => {
  const lines = [`<?xml version="1.0" encoding="UTF-8"?>`, `<sitemapindex xmlns="${NS}">`];
  for (const e of entries) lines.push(`<sitemap><loc>${escapeXml(siteUrl + e.loc)}</loc><lastmod>${e.lastmod}</lastmod></sitemap>`);
  lines.push('</sitemapindex>', '');
  return lines.join('\n');
};

/** The entries of a file written by urlsetXml/indexXml (paths relative to siteUrl); null when it is not one, or names another site. */
function parseOwn(xml: string, element: 'url' | 'sitemap', siteUrl: string): SitemapEntry[] | null {
  const root = element === 'url' ? 'urlset' : 'sitemapindex';
  if (!xml.includes(`<${root} xmlns="${NS}">`) || !xml.trimEnd().endsWith(`</${root}>`)) return null;
  const out: SitemapEntry[] = [];
  const re = new RegExp(`<${element}><loc>([^<]*)</loc><lastmod>([^<]*)</lastmod></${element}>`, 'g');
  for (const m of xml.matchAll(re)) {
    const loc = unescapeXml(m[1]!);
    if (!loc.startsWith(siteUrl + '/')) return null; // SITE_URL changed: nothing here can be kept
    out.push({ loc: loc.slice(siteUrl.length), lastmod: m[2]! });
  }
  return out;
}

// ---- robots.txt ------------------------------------------------------------------------------------

/**
 * Paths no crawler needs (RFC 9309 rules; longest match wins, `$` anchors the end): the API, the
 * admin console, one customer's own pages (user centre, cart, checkout, order and payment results,
 * commenting; their heads say `noindex` too), the QQ callback and e-mail verification links, and the
 * search index files. Open: the catalog pages, the account forms (one page for everyone, which a
 * shopper searching 美多商城 登录 should find) and the search page — whose results stay out of the
 * index because they are made in the browser from the index files disallowed here.
 */
export const DISALLOWED: readonly string[] = [
  '/api/',
  '/admin/',
  '/admin$',
  '/user_center_',
  '/cart.html',
  '/place_order.html',
  '/order_success.html',
  '/pay_success.html',
  '/goods_judge.html',
  '/oauth_callback.html',
  '/success_verify_email.html',
  '/search/',
];

export function robotsTxt(siteUrl: string): string {
  return [
    '# 美多商城: the storefront is open to crawlers; the API, the console and the customer\'s own pages are not.',
    'User-agent: *',
    ...DISALLOWED.map((p) => `Disallow: ${p}`),
    '',
    `Sitemap: ${siteUrl}${SITEMAP_INDEX_URL}`,
    '',
  ].join('\n');
}

// ---- reads -----------------------------------------------------------------------------------------

interface GoodsRow {
  id: number;
  lastmod: string;
}

/** A SKU page changes with the SKU and with its SPU (name, descriptions): the later of their update times. */
function goodsQuery(context: RequestContext) {
  return db(context)('skus as s')
    .join('spus as p', 'p.id', 's.spu_id') // a SKU has a page only with its SPU (pages.ts goodsPage)
    .where('s.is_launched', true)
    .select({ id: 's.id', su: 's.update_time', pu: 'p.update_time' })
    .orderBy('s.id');
}

const toGoodsRow = (r: Record<string, unknown>, fallback: string): GoodsRow => ({
  id: Number(r.id),
  lastmod: later(w3cDatetime(r.su), w3cDatetime(r.pu)) ?? fallback,
});

/** Every launched SKU with a page, in id order, a batch at a time (keyset pages: cheap at any size). */
async function* allGoods(context: RequestContext, fallback: string): AsyncGenerator<GoodsRow[]> {
  let after = 0;
  for (;;) {
    const rows = await goodsQuery(context).where('s.id', '>', after).limit(BATCH);
    if (rows.length === 0) return;
    yield rows.map((r) => toGoodsRow(r, fallback));
    after = Number(rows[rows.length - 1]!.id);
    if (rows.length < BATCH) return;
  }
}

/** The launched SKUs with a page in one shard's id range. */
async function shardGoods(context: RequestContext, shard: number, fallback: string): Promise<GoodsRow[]> {
  const rows = await goodsQuery(context).where('s.id', '>=', shard * SKUS_PER_SHARD).andWhere('s.id', '<', (shard + 1) * SKUS_PER_SHARD);
  return rows.map((r) => toGoodsRow(r, fallback));
}

/**
 * Every page of each category's list in the default sort, each with the latest update time of the
 * SKUs it shows; only categories with a launched SKU (the only ones any page links: nav.ts).
 * `categoryIds` null: every category.
 */
async function listEntries(context: RequestContext, categoryIds: number[] | null, fallback: string): Promise<Map<number, SitemapEntry[]>> {
  const out = new Map<number, SitemapEntry[]>();
  if (categoryIds !== null && categoryIds.length === 0) return out;
  const q = db(context)('skus').where('is_launched', true).select('category_id', 'update_time').orderBy([{ column: 'category_id', order: 'asc' }, ...orderByFor('default')]);
  if (categoryIds !== null) q.whereIn('category_id', categoryIds);
  const rows = await q;
  let i = 0;
  while (i < rows.length) {
    const categoryId = Number(rows[i].category_id);
    const pages: SitemapEntry[] = [];
    let page = 0;
    while (i < rows.length && Number(rows[i].category_id) === categoryId) {
      let newest: string | null = null;
      for (let n = 0; n < LIST_PAGE_SIZE && i < rows.length && Number(rows[i].category_id) === categoryId; n++, i++) newest = later(newest, w3cDatetime(rows[i].update_time));
      pages.push({ loc: listUrl(categoryId, 'default', ++page), lastmod: newest ?? fallback });
    }
    out.set(categoryId, pages);
  }
  return out;
}

const maxTime = async (q: PromiseLike<unknown>) => w3cDatetime(((await q) as { t?: unknown } | undefined)?.t);

/** The homepage changes with its content slots, the menu (categories, channels) and the SKUs its slots show. */
async function homeLastmod(context: RequestContext, fallback: string): Promise<string> {
  const d = db(context);
  const times = await Promise.all([
    maxTime(d('contents').max({ t: 'update_time' }).first()),
    maxTime(d('content_categories').max({ t: 'update_time' }).first()),
    maxTime(d('goods_channels').max({ t: 'update_time' }).first()),
    maxTime(d('goods_categories').max({ t: 'update_time' }).first()),
    maxTime(d('contents as c').join('skus as s', 's.id', 'c.sku_id').where('c.status', true).max({ t: 's.update_time' }).first()),
  ]);
  return times.reduce<string | null>(later, null) ?? fallback;
}

// ---- files -----------------------------------------------------------------------------------------

const fileOf = (clientDir: string, url: string) => path.join(clientDir, url.replace(/^\//, ''));

async function readText(file: string): Promise<string | null> {
  try {
    return await fs.readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

/** Publishes (temp + rename, .gz/.br) unless the file already says exactly this; true when written. */
async function publishIfChanged(clientDir: string, url: string, text: string, result: SitemapResult): Promise<boolean> {
  const file = fileOf(clientDir, url);
  if ((await readText(file)) === text) return false;
  await publishFile(file, text);
  result.written.push(url);
  return true;
}

/** Child sitemaps on disk that the new index does not name. */
async function removeStaleChildren(clientDir: string, keep: Set<string>, result: SitemapResult) {
  for (const name of await fs.readdir(clientDir).catch(() => [] as string[])) {
    if (!CHILD_FILE.test(name) || keep.has('/' + name)) continue;
    if (await removePublished(path.join(clientDir, name))) result.removed.push('/' + name);
  }
}

const newestOf = (entries: readonly SitemapEntry[]) => entries.reduce<string | null>((t, e) => later(t, e.lastmod), null);

/**
 * The index entry of a child just published: the newest lastmod in it — or, when its content changed
 * without any URL in it getting newer (a page removed from it), now, so crawlers fetch it again.
 */
function childLastmod(entries: readonly SitemapEntry[], changed: boolean, previous: string | undefined, now: string): string {
  const newest = newestOf(entries) ?? now;
  if (previous === undefined) return newest;
  if (!changed) return previous;
  return newest > previous ? newest : now;
}

const splitPages = (entries: SitemapEntry[]) => {
  const parts: SitemapEntry[][] = [];
  for (let i = 0; i < entries.length; i += MAX_URLS_PER_SITEMAP) parts.push(entries.slice(i, i + MAX_URLS_PER_SITEMAP));
  return parts;
};

function pagesEntries(home: string, lists: Map<number, SitemapEntry[]>): SitemapEntry[] {
  const out: SitemapEntry[] = [{ loc: homeUrl(), lastmod: home }];
  for (const id of [...lists.keys()].sort((a, b) => a - b)) out.push(...lists.get(id)!);
  return out;
}

// ---- the two ways in -------------------------------------------------------------------------------

/** Writes every sitemap, the index and robots.txt into `clientDir` (a release the full build is making, or the live one). */
export async function writeSitemaps(context: RequestContext, clientDir: string, siteUrl: string): Promise<SitemapResult> {
  const result: SitemapResult = { written: [], removed: [] };
  const now = w3cDatetime(context.clock.now())!;
  const index: SitemapEntry[] = [];

  const lists = await listEntries(context, null, now);
  const pages = splitPages(pagesEntries(await homeLastmod(context, now), lists));
  for (const [part, entries] of pages.entries()) {
    await publishIfChanged(clientDir, pagesSitemapUrl(part), urlsetXml(siteUrl, entries), result);
    index.push({ loc: pagesSitemapUrl(part), lastmod: newestOf(entries)! });
  }

  let shard = -1;
  let entries: SitemapEntry[] = [];
  const flush = async () => {
    if (entries.length === 0) return;
    await publishIfChanged(clientDir, goodsSitemapUrl(shard), urlsetXml(siteUrl, entries), result);
    index.push({ loc: goodsSitemapUrl(shard), lastmod: newestOf(entries)! });
    entries = [];
  };
  for await (const batch of allGoods(context, now)) {
    for (const row of batch) {
      if (shardOf(row.id) !== shard) {
        await flush();
        shard = shardOf(row.id);
      }
      entries.push({ loc: goodsUrl(row.id), lastmod: row.lastmod });
    }
  }
  await flush();

  await publishIfChanged(clientDir, SITEMAP_INDEX_URL, indexXml(siteUrl, index), result);
  await removeStaleChildren(clientDir, new Set(index.map((e) => e.loc)), result);
  await publishIfChanged(clientDir, ROBOTS_URL, robotsTxt(siteUrl), result);
  return result;
}

/**
 * Brings the sitemaps up to date after an incremental rebuild: the goods sitemaps holding the SKUs it
 * re-rendered or removed, the pages sitemaps when list pages or the homepage were re-rendered (only
 * the named categories are read again; the rest is kept from the file), then the index. Files whose
 * content would not change are left alone. Without a readable index of this SITE_URL, writes all.
 */
export async function updateSitemaps(context: RequestContext, clientDir: string, siteUrl: string, change: SitemapChange): Promise<SitemapResult> {
  const indexText = await readText(fileOf(clientDir, SITEMAP_INDEX_URL));
  const previous = indexText === null ? null : parseOwn(indexText, 'sitemap', siteUrl);
  if (previous === null) return writeSitemaps(context, clientDir, siteUrl);
  const result: SitemapResult = { written: [], removed: [] };
  const now = w3cDatetime(context.clock.now())!;
  const index = new Map(previous.map((e) => [e.loc, e.lastmod]));

  for (const shard of [...new Set([...change.skuIds].map(shardOf))].sort((a, b) => a - b)) {
    const url = goodsSitemapUrl(shard);
    const entries = (await shardGoods(context, shard, now)).map((r) => ({ loc: goodsUrl(r.id), lastmod: r.lastmod }));
    if (entries.length === 0) {
      index.delete(url); // the protocol wants at least one URL in a sitemap: the file goes
      continue;
    }
    const changed = await publishIfChanged(clientDir, url, urlsetXml(siteUrl, entries), result);
    index.set(url, childLastmod(entries, changed, index.get(url), now));
  }

  const categoryIds = [...new Set(change.categoryIds)];
  if (categoryIds.length > 0 || change.home) {
    const partUrls = [...index.keys()].filter((u) => /^\/sitemap-pages-\d+\.xml$/.test(u)).sort((a, b) => Number(/\d+/.exec(a)![0]) - Number(/\d+/.exec(b)![0]));
    let kept: SitemapEntry[] | null = partUrls.length > 0 ? [] : null;
    for (const u of partUrls) {
      const text = await readText(fileOf(clientDir, u));
      const entries = text === null ? null : parseOwn(text, 'url', siteUrl);
      if (entries === null) {
        kept = null;
        break;
      }
      kept!.push(...entries);
    }
    if (kept === null) return writeSitemaps(context, clientDir, siteUrl); // a pages sitemap is missing or not ours
    let home = kept.find((e) => e.loc === homeUrl())?.lastmod ?? null;
    if (change.home || home === null) home = await homeLastmod(context, now);
    const lists = new Map<number, SitemapEntry[]>();
    for (const e of kept) {
      const m = /^\/list\/(\d+)\/default\/\d+\.html$/.exec(e.loc);
      if (!m) continue;
      const id = Number(m[1]);
      if (!lists.has(id)) lists.set(id, []);
      lists.get(id)!.push(e);
    }
    for (const id of categoryIds) lists.delete(id); // a category left with nothing to list has no entries
    for (const [id, entries] of await listEntries(context, categoryIds, now)) lists.set(id, entries);
    const parts = splitPages(pagesEntries(home, lists));
    for (const [part, entries] of parts.entries()) {
      const url = pagesSitemapUrl(part);
      const changed = await publishIfChanged(clientDir, url, urlsetXml(siteUrl, entries), result);
      index.set(url, childLastmod(entries, changed, index.get(url), now));
    }
    for (const u of partUrls.slice(parts.length)) index.delete(u);
  }

  // the index in its usual order: pages sitemaps, then goods sitemaps by shard
  const order = (u: string) => (u.startsWith('/sitemap-pages-') ? 0 : 1) * 1e9 + Number(/(\d+)\.xml$/.exec(u)?.[1] ?? 0);
  const entries = [...index].map(([loc, lastmod]) => ({ loc, lastmod })).sort((a, b) => order(a.loc) - order(b.loc));
  await publishIfChanged(clientDir, SITEMAP_INDEX_URL, indexXml(siteUrl, entries), result);
  await removeStaleChildren(clientDir, new Set(index.keys()), result);
  await publishIfChanged(clientDir, ROBOTS_URL, robotsTxt(siteUrl), result);
  return result;
}
