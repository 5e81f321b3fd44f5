import { formatCents } from '../../money.ts';
import { buildBreadcrumb, buildNav, channelUrls, isDeadListLink, listCategoryOf } from './nav.ts';
import type {
  ChromeModel, ContentItem, Floor, GoodsPageModel, HomePageModel, ListPageModel, Nav, PageLink, SearchPageModel, SkuCard,
} from './page-models.ts';
import { HOT_SKU_COUNT, LIST_PAGE_SIZE, LIST_SORTS, goodsUrl, homeUrl, listUrl, searchUrl } from './paths.ts';
import { isSafeLink } from './links.ts';
import { sanitizeDescription } from './sanitize.ts';
import { SHOP_DESCRIPTION, SHOP_NAME, breadcrumbLd, fixedPageHead, pageHead, productLd, webSiteLd } from './seo.ts';
import type { CatalogSnapshot } from './snapshot.ts';
import { SORT_LABELS, compareFor } from './sorting.ts';
import type { ListSort, Sku } from './types.ts';
import { buildSpecChoices } from './spec-map.ts';

// Page models from a snapshot. Pure and deterministic: the same snapshot gives the same model, which
// is what lets a job re-render one page byte-identically to the full build.

export const skuCard = (s: Sku): SkuCard => ({
  id: s.id,
  name: s.name,
  price: formatCents(s.priceCents),
  image: s.defaultImage,
  comments: s.comments,
  url: goodsUrl(s.id),
});

interface Derived {
  nav: Nav;
  /** third-level categories with a launched SKU: the only ones linked anywhere (nav.ts) */
  filled: Set<number>;
  channelUrls: Map<number, string>;
  sorted: Map<number, Record<ListSort, Sku[]>>; // launched SKUs per third-level category
  /** launched SKUs per SPU, in snapshot order: a goods page's spec switcher links its siblings (a scan of every SKU per page was quadratic in the catalog) */
  launchedBySpu: Map<number, Sku[]>;
  descriptions: Map<number, GoodsPageModel['descriptions']>;
}
const derivedCache = new WeakMap<CatalogSnapshot, Derived>();

function derived(s: CatalogSnapshot): Derived {
  let d = derivedCache.get(s);
  if (d) return d;
  const byCategory = new Map<number, Sku[]>();
  const launchedBySpu = new Map<number, Sku[]>();
  for (const sku of s.skus.values()) {
    if (!sku.isLaunched) continue;
    const list = byCategory.get(sku.categoryId);
    if (list) list.push(sku);
    else byCategory.set(sku.categoryId, [sku]);
    const siblings = launchedBySpu.get(sku.spuId);
    if (siblings) siblings.push(sku);
    else launchedBySpu.set(sku.spuId, [sku]);
  }
  const sorted = new Map<number, Record<ListSort, Sku[]>>();
  for (const [cat, list] of byCategory) {
    sorted.set(cat, {
      default: [...list].sort(compareFor('default')),
      price: [...list].sort(compareFor('price')),
      hot: [...list].sort(compareFor('hot')),
    });
  }
  const filled = s.filledCategories;
  d = {
    nav: buildNav(s.categories.values(), s.channels, s.groups, filled),
    filled,
    channelUrls: channelUrls(s.categories.values(), s.channels, filled),
    sorted,
    launchedBySpu,
    descriptions: new Map(),
  };
  derivedCache.set(s, d);
  return d;
}

export const isLeafCategory = (s: CatalogSnapshot, id: number) => {
  const c = s.categories.get(id);
  if (!c || c.parentId === null) return false;
  const parent = s.categories.get(c.parentId);
  return parent !== undefined && parent.parentId !== null;
};

export function leafCategoryIds(s: CatalogSnapshot): number[] {
  return [...s.categories.keys()].filter((id) => isLeafCategory(s, id)).sort((a, b) => a - b);
}

const crumbs = (s: CatalogSnapshot, categoryId: number) =>
  buildBreadcrumb(categoryId, s.categories, derived(s).channelUrls, derived(s).filled);

/** Third-level categories with a launched SKU (what the menu and the homepage may link). */
export const filledCategories = (s: CatalogSnapshot): ReadonlySet<number> => derived(s).filled;

const launchedIn = (s: CatalogSnapshot, categoryId: number, sort: ListSort) =>
  derived(s).sorted.get(categoryId)?.[sort] ?? [];

export const pageCountOf = (total: number) => Math.max(1, Math.ceil(total / LIST_PAGE_SIZE));

export function hotSkus(s: CatalogSnapshot, categoryId: number): SkuCard[] {
  return launchedIn(s, categoryId, 'hot').slice(0, HOT_SKU_COUNT).map(skuCard);
}

/** Every list page URL parameter set: each leaf category, each sort, each page (at least one). */
export function listPageParams(s: CatalogSnapshot): { categoryId: number; sort: ListSort; page: number }[] {
  const out: { categoryId: number; sort: ListSort; page: number }[] = [];
  for (const categoryId of leafCategoryIds(s)) {
    const pages = pageCountOf(launchedIn(s, categoryId, 'default').length);
    for (const sort of LIST_SORTS) for (let page = 1; page <= pages; page++) out.push({ categoryId, sort, page });
  }
  return out;
}

export function listPage(s: CatalogSnapshot, categoryId: number, sort: ListSort, page: number): ListPageModel | null {
  if (!isLeafCategory(s, categoryId) || !LIST_SORTS.includes(sort)) return null;
  const all = launchedIn(s, categoryId, sort);
  const pageCount = pageCountOf(all.length);
  if (!Number.isInteger(page) || page < 1 || page > pageCount) return null;
  const category = s.categories.get(categoryId)!;
  const pages: PageLink[] = [];
  for (let p = 1; p <= pageCount; p++) pages.push({ page: p, url: listUrl(categoryId, sort, p), current: p === page });
  const breadcrumb = crumbs(s, categoryId);
  const hot = hotSkus(s, categoryId);
  // a sort shows the same SKUs as the default order: its page N is the default order's page N
  const canonical = listUrl(categoryId, 'default', page);
  const path = breadcrumb.map((c) => c.name).join(' › ');
  return {
    canonicalPath: listUrl(categoryId, sort, page),
    head: pageHead({
      siteUrl: s.siteUrl,
      path: canonical,
      title: category.name,
      description: `${category.name}（${path}）：美多商城共 ${all.length} 件商品${page > 1 ? `，第 ${page} 页` : ''}。`
        + (hot.length > 0 ? `热销：${hot.map((h) => h.name).join('；')}。` : ''),
      image: hot[0]?.image,
      jsonLd: [breadcrumbLd(s.siteUrl, breadcrumb, { name: category.name, path: listUrl(categoryId) })],
    }),
    title: category.name,
    nav: derived(s).nav,
    breadcrumb,
    category: { id: category.id, name: category.name },
    sort,
    sortLinks: LIST_SORTS.map((so) => ({ sort: so, label: SORT_LABELS[so], url: listUrl(categoryId, so, 1), current: so === sort })),
    page,
    pageCount,
    total: all.length,
    pages,
    prevUrl: page > 1 ? listUrl(categoryId, sort, page - 1) : null,
    nextUrl: page < pageCount ? listUrl(categoryId, sort, page + 1) : null,
    skus: all.slice((page - 1) * LIST_PAGE_SIZE, page * LIST_PAGE_SIZE).map(skuCard),
    hot,
  };
}

/** SKUs that get a detail page: launched ones whose SPU is loaded. */
export function goodsPageIds(s: CatalogSnapshot): number[] {
  return [...s.skus.values()].filter((k) => k.isLaunched && s.spus.has(k.spuId)).map((k) => k.id).sort((a, b) => a - b);
}

export function goodsPage(s: CatalogSnapshot, skuId: number): GoodsPageModel | null {
  const sku = s.skus.get(skuId);
  if (!sku || !sku.isLaunched) return null;
  const spu = s.spus.get(sku.spuId);
  if (!spu) return null;
  const d = derived(s);

  let descriptions = d.descriptions.get(spu.id);
  if (!descriptions) {
    descriptions = {
      detail: sanitizeDescription(spu.descDetail, { imageHosts: s.imageHosts }),
      pack: sanitizeDescription(spu.descPack, { imageHosts: s.imageHosts }),
      service: sanitizeDescription(spu.descService, { imageHosts: s.imageHosts }),
    };
    d.descriptions.set(spu.id, descriptions);
  }

  const specs = (s.specs.get(spu.id) ?? []).map((spec) => ({ ...spec, options: s.options.get(spec.id) ?? [] }));
  // Only launched siblings are link targets: an unlaunched SKU has no page.
  const siblingOptions = new Map<number, Map<number, number>>();
  for (const k of d.launchedBySpu.get(spu.id) ?? []) siblingOptions.set(k.id, s.skuOptions.get(k.id) ?? new Map());
  const images = s.images.get(sku.id) ?? [];
  const image = sku.defaultImage || images[0] || '';
  const gallery = images.length > 0 ? images : sku.defaultImage ? [sku.defaultImage] : [];
  const price = formatCents(sku.priceCents);
  const brand = s.brands.get(spu.brandId)?.name ?? '';
  const breadcrumb = crumbs(s, sku.categoryId);
  const scored = s.ratings.get(sku.id);
  // one decimal, from the exact integer sum: the same figure on every render of the same data
  const rating = sku.comments > 0 && scored && scored.count > 0
    ? { average: Math.round((scored.scoreSum * 10) / scored.count) / 10, count: scored.count }
    : null;
  const inStock = sku.isLaunched && sku.stock > 0;
  const path = goodsUrl(sku.id);

  return {
    canonicalPath: path,
    head: pageHead({
      siteUrl: s.siteUrl,
      path,
      title: sku.name,
      description: `${sku.name}，美多商城价 ¥${price}。${sku.caption}`,
      image,
      product: { price },
      jsonLd: [
        productLd(s.siteUrl, {
          id: sku.id, name: sku.name, caption: sku.caption, price, brand,
          images: [image, ...gallery.filter((g) => g !== image)].filter(Boolean), path, inStock, rating,
        }),
        breadcrumbLd(s.siteUrl, breadcrumb, { name: sku.name, path }),
      ],
    }),
    title: sku.name,
    nav: d.nav,
    breadcrumb,
    sku: {
      id: sku.id,
      name: sku.name,
      caption: sku.caption,
      price,
      marketPrice: formatCents(sku.marketPriceCents),
      comments: sku.comments,
      image,
      images: gallery,
    },
    brand,
    inStock,
    rating,
    specs: buildSpecChoices(specs, siblingOptions, sku.id),
    descriptions,
    hot: hotSkus(s, sku.categoryId),
  };
}

// Homepage floors: which content slots make up each floor (meiduo-original.md §5.1).
export const FLOORS = [
  { index: 1, prefix: 'index_1f', tabs: ['ssxp', 'cxdj', 'sjpj'] },
  { index: 2, prefix: 'index_2f', tabs: ['cxdj', 'jjhg'] },
  { index: 3, prefix: 'index_3f', tabs: ['shyp', 'cfyp'] },
] as const;

export function homePage(s: CatalogSnapshot): HomePageModel {
  const slotId = new Map(s.contentCategories.map((c) => [c.key, c]));
  const { filled } = derived(s);
  // Edits are validated (links.ts); a row written some other way still never becomes a script link.
  const link = (url: string, fallback: string) => (url && isSafeLink(url) ? url : fallback);
  const items = (key: string): ContentItem[] => {
    const cat = slotId.get(key);
    if (!cat) return [];
    return s.contents
      .filter((c) => c.categoryId === cat.id && c.status)
      .sort((a, b) => a.sequence - b.sequence || a.id - b.id)
      .flatMap((c): ContentItem[] => {
        if (c.skuId === null) {
          // like a SKU without a page, a category with nothing to show is not linked: the item is left out
          if (isDeadListLink(c.url, filled)) return [];
          return [{ id: c.id, title: c.title, url: link(c.url, '/'), image: c.image, text: c.text, price: null }];
        }
        const sku = s.skus.get(c.skuId);
        if (!sku || !sku.isLaunched) return []; // never link to a page that does not exist
        return [{
          id: c.id,
          title: c.title || sku.name,
          url: link(c.url, goodsUrl(sku.id)),
          image: c.image || sku.defaultImage,
          text: c.text,
          price: formatCents(sku.priceCents),
        }];
      });
  };
  const floors: Floor[] = FLOORS.map((f) => {
    const logo = items(`${f.prefix}_logo`);
    return {
      index: f.index,
      title: logo[0]?.title ?? '',
      logo,
      channels: items(`${f.prefix}_pd`),
      tags: items(`${f.prefix}_bq`),
      tabs: f.tabs.map((t) => {
        const key = `${f.prefix}_${t}`;
        return { key, name: slotId.get(key)?.name ?? t, items: items(key) };
      }),
    };
  });
  const channels = derived(s).nav.flatMap((g) => g.channels).filter((c) => c.url !== '').map((c) => c.name);
  return {
    canonicalPath: homeUrl(),
    head: pageHead({
      siteUrl: s.siteUrl,
      path: homeUrl(),
      title: SHOP_NAME,
      description: `${SHOP_DESCRIPTION}${channels.join('、')}。`,
      jsonLd: [webSiteLd(s.siteUrl)],
    }),
    title: '首页',
    nav: derived(s).nav,
    carousel: items('index_lbt'),
    news: items('index_kx'),
    topAds: items('index_ytgg'),
    floors,
  };
}

/**
 * The header and category menu alone, for the pages whose content the browser fills in from the API
 * (login, register, cart, the user centre, order and payment results, 404 …).
 */
export function chrome(s: CatalogSnapshot): ChromeModel {
  return { nav: derived(s).nav, siteUrl: s.siteUrl };
}

/** How many categories' best sellers a search without results suggests (two each). */
export const SUGGESTED_HOT_CATEGORIES = 4;

export function searchPage(s: CatalogSnapshot): SearchPageModel {
  const { nav } = chrome(s);
  // only channels with goods have a link (nav.ts); each links a list page of a category with goods
  const channels = nav.flatMap((g) => g.channels).filter((c) => c.url !== '');
  const hotCategoryIds = [...new Set(channels.map((c) => listCategoryOf(c.url)).filter((id): id is number => id !== null))]
    .slice(0, SUGGESTED_HOT_CATEGORIES);
  const head = fixedPageHead(s.siteUrl, searchUrl(), '商品搜索', `在美多商城搜索商品：${channels.map((c) => c.name).join('、')}。`);
  return { canonicalPath: searchUrl(), head, title: '商品搜索', nav, suggest: { channels, hotCategoryIds } };
}
