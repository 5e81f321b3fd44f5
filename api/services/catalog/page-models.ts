// What each prebuilt page is rendered from. Built by pages.ts from a CatalogSnapshot, consumed by
// templates/. Everything here is plain data (no Dates, no Maps) so a page renders byte-identically
// whether it comes from the full build or from a later incremental re-render.

export interface NavCategory {
  id: number;
  name: string;
  url: string; // list page of a third-level category; '' for levels without a page
}

export interface NavCat2 extends NavCategory {
  subs: NavCategory[]; // third level
}

export interface NavChannel {
  id: number; // first-level category id
  name: string;
  url: string;
}

export interface NavGroup {
  id: number;
  channels: NavChannel[];
  subs: NavCat2[]; // second-level categories of every channel in the group
}

/** The category menu: channel groups, in order. */
export type Nav = NavGroup[];

/** What a page's <head> carries besides its title (api/services/catalog/seo.ts, docs/seo.md). */
export interface PageHead {
  /** absolute: the storefront origin (SITE_URL) and the page's path */
  canonical: string;
  /** from the page's data, at most ~150 characters; Astro escapes it */
  description: string;
  noindex: boolean;
  ogType: 'website' | 'product';
  ogTitle: string;
  /** absolute URL of the picture a shared link shows */
  image: string;
  /** product:price:* of a SKU page */
  price: { amount: string; currency: 'CNY' } | null;
  /** JSON-LD blocks, serialised with `<`, `>` and `&` escaped (seo.ts jsonLdText) */
  jsonLd: string[];
}

export interface Crumb {
  id: number;
  name: string;
  url: string;
}

export interface SkuCard {
  id: number;
  name: string;
  price: string;
  image: string;
  comments: number;
  url: string;
}

export interface PageLink {
  page: number;
  url: string;
  current: boolean;
}

export interface ListPageModel {
  canonicalPath: string;
  head: PageHead;
  title: string;
  nav: Nav;
  breadcrumb: Crumb[]; // 频道 > 二级 > 三级
  category: { id: number; name: string };
  sort: 'default' | 'price' | 'hot';
  sortLinks: { sort: 'default' | 'price' | 'hot'; label: string; url: string; current: boolean }[];
  page: number;
  pageCount: number;
  total: number;
  pages: PageLink[];
  prevUrl: string | null;
  nextUrl: string | null;
  skus: SkuCard[];
  hot: SkuCard[];
}

export interface SpecOptionLink {
  id: number;
  value: string;
  url: string | null; // null: no launched SKU has this combination (rendered disabled)
  current: boolean;
}

export interface SpecChoice {
  id: number;
  name: string;
  options: SpecOptionLink[];
}

export interface GoodsPageModel {
  canonicalPath: string;
  head: PageHead;
  title: string;
  nav: Nav;
  breadcrumb: Crumb[];
  sku: {
    id: number;
    name: string;
    caption: string;
    price: string;
    marketPrice: string;
    comments: number;
    image: string;
    images: string[];
  };
  brand: string;
  /** launched (it has a page) and stock left when the page was rendered: the JSON-LD availability */
  inStock: boolean;
  /** the comments' average score, when there are comments (JSON-LD AggregateRating) */
  rating: { average: number; count: number } | null;
  specs: SpecChoice[];
  // Already sanitised HTML (api/services/catalog/sanitize.ts); templates may emit it with set:html.
  descriptions: { detail: string; pack: string; service: string };
  hot: SkuCard[];
}

export interface ContentItem {
  id: number;
  title: string;
  url: string;
  image: string;
  text: string;
  price: string | null; // set when the slot shows a SKU
}

export interface FloorTab {
  key: string;
  name: string;
  items: ContentItem[];
}

export interface Floor {
  index: number; // 1, 2, 3
  title: string; // e.g. '手机通讯'
  logo: ContentItem[];
  channels: ContentItem[]; // *_pd: links beside the floor title
  tags: ContentItem[]; // *_bq: tag links on the left
  tabs: FloorTab[];
}

export interface HomePageModel {
  canonicalPath: string;
  head: PageHead;
  title: string;
  nav: Nav;
  carousel: ContentItem[]; // index_lbt
  news: ContentItem[]; // index_kx
  topAds: ContentItem[]; // index_ytgg
  floors: Floor[];
}

/** What every page shows around its own content: the header's category menu. */
export interface ChromeModel {
  nav: Nav;
  /** the storefront origin (config.siteUrl) the page's canonical URL and tags are made on */
  siteUrl: string;
}

export interface SearchPageModel {
  canonicalPath: string;
  head: PageHead;
  title: string;
  nav: Nav;
  /**
   * What a search that finds nothing offers instead: the linked channels, and the categories whose
   * best sellers the page asks /api/categories/{id}/hotskus for (live, so the page never goes stale).
   */
  suggest: { channels: NavChannel[]; hotCategoryIds: number[] };
}
