import type { Crumb, PageHead } from './page-models.ts';

// What a page's <head> tells search engines and link previews (docs/seo.md): the absolute canonical
// URL, a meta description made from the page's data, Open Graph / Twitter card tags, JSON-LD, and
// `noindex` on the pages that only make sense for one logged-in customer. Pure functions of the
// page models' data and the storefront origin (config.siteUrl, carried by the snapshot), so a job's
// re-render writes the same bytes as the build.

export const SHOP_NAME = '美多商城';
/** Shared-link picture of the pages without a product picture (site/public/, 1200 × 630). */
export const SHOP_IMAGE_PATH = '/meiduo-share.png';
/** The homepage's description, before the channels it lists. */
export const SHOP_DESCRIPTION = '美多商城，多 · 快 · 好 · 省：正品行货，全场包邮，下单后极速发货。';
/** Search engines show about this much of a description (Google cuts near 150 CJK-width characters). */
export const DESCRIPTION_MAX = 150;

/**
 * Pages for one customer's own data or steps (cart, checkout, the user centre, orders, results of a
 * payment or login): `noindex`, and a fixed description. The 404 page too.
 */
export const PRIVATE_PAGES: Readonly<Record<string, string>> = {
  '/cart.html': '美多商城购物车：查看已选商品、修改数量并去结算。',
  '/place_order.html': '美多商城结算：确认收货地址、支付方式和商品清单后提交订单。',
  '/order_success.html': '美多商城订单已提交：查看订单号、应付金额并去支付。',
  '/pay_success.html': '美多商城支付结果：查看订单的支付状态。',
  '/user_center_info.html': '美多商城用户中心：个人信息、邮箱验证和最近浏览的商品。',
  '/user_center_site.html': '美多商城用户中心：管理收货地址和默认地址。',
  '/user_center_pass.html': '美多商城用户中心：修改登录密码。',
  '/user_center_order.html': '美多商城用户中心：全部订单，按状态查看、支付、取消、确认收货和评价。',
  '/user_center_order_detail.html': '美多商城用户中心：订单详情、物流和进度。',
  '/goods_judge.html': '美多商城用户中心：评价已收到的商品。',
  '/oauth_callback.html': '使用 QQ 登录美多商城。',
  '/success_verify_email.html': '美多商城邮箱验证结果。',
  '/404.html': '抱歉，您访问的页面不存在：美多商城的商品可能已下架，换个关键词搜索看看。',
};

/**
 * The account forms: one page for everyone, what a shopper searching "美多商城 登录" should find, so
 * indexable (and not in robots.txt) — a fixed description only.
 */
export const ACCOUNT_PAGES: Readonly<Record<string, string>> = {
  '/login.html': '登录美多商城：用户名或手机号登录，查看订单、购物车和收货地址。',
  '/register.html': '注册美多商城账号：手机号验证后即可购物、收藏和查看订单。',
  '/find_password.html': '找回美多商城账号的密码：通过绑定的手机号验证后设置新密码。',
};

/** `path` ('/goods/1.html') or a picture URL on the storefront, as an absolute URL on `siteUrl`. */
export function absoluteUrl(siteUrl: string, pathOrUrl: string): string {
  if (/^https?:\/\//i.test(pathOrUrl)) return pathOrUrl;
  if (!siteUrl) return pathOrUrl; // a snapshot without an origin (tests of page logic only)
  return siteUrl + (pathOrUrl.startsWith('/') ? pathOrUrl : `/${pathOrUrl}`);
}

const graphemes = new Intl.Segmenter('zh-CN', { granularity: 'grapheme' });

/**
 * One line of at most `max` characters (user-perceived characters: an emoji or a letter with its
 * accent is never split), whitespace folded; a cut text ends with '…' after the last whole one.
 */
export function metaDescription(text: string, max = DESCRIPTION_MAX): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (flat.length <= max) return flat; // no more graphemes than UTF-16 units: no need to segment
  const chars = [...graphemes.segment(flat)].map((s) => s.segment);
  if (chars.length <= max) return flat;
  return chars.slice(0, max - 1).join('').replace(/[\s，、,。；;：:]+$/u, '') + '…';
}

/**
 * JSON for a `<script type="application/ld+json">` element: `<` (so `</script>` and `<!--` cannot
 * end or bend the element), `>` and `&` written as JSON escapes, and the two line separators that
 * some parsers take for line ends. The parsed value is unchanged.
 */
export function jsonLdText(data: unknown): string {
  return JSON.stringify(data)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

const CONTEXT = 'https://schema.org';

/** BreadcrumbList of the crumbs that have a page (a second-level category has none), then `last`. */
export function breadcrumbLd(siteUrl: string, crumbs: Crumb[], last: { name: string; path: string } | null) {
  const items = [
    ...crumbs.filter((c) => c.url !== '').map((c) => ({ name: c.name, path: c.url })),
    ...(last ? [last] : []),
  ];
  // a crumb linking the page itself (a list page's own category) is the last one, not a repeat
  const unique = items.filter((it, i) => items.findIndex((o) => o.path === it.path) === i);
  return {
    '@context': CONTEXT,
    '@type': 'BreadcrumbList',
    itemListElement: unique.map((it, i) => ({ '@type': 'ListItem', position: i + 1, name: it.name, item: absoluteUrl(siteUrl, it.path) })),
  };
}

export interface ProductFacts {
  id: number;
  name: string;
  caption: string;
  /** exact decimal string with two places ("6688.00"), from api/money.ts */
  price: string;
  brand: string;
  images: string[];
  path: string;
  inStock: boolean;
  /** average score (1–5) and how many comments gave one; null without comments */
  rating: { average: number; count: number } | null;
}

export function productLd(siteUrl: string, p: ProductFacts) {
  const url = absoluteUrl(siteUrl, p.path);
  const images = p.images.map((i) => absoluteUrl(siteUrl, i));
  return {
    '@context': CONTEXT,
    '@type': 'Product',
    name: p.name,
    ...(p.caption ? { description: p.caption } : {}),
    sku: String(p.id),
    url,
    image: images.length > 0 ? images : [absoluteUrl(siteUrl, SHOP_IMAGE_PATH)],
    ...(p.brand ? { brand: { '@type': 'Brand', name: p.brand } } : {}),
    offers: {
      '@type': 'Offer',
      url,
      price: p.price,
      priceCurrency: 'CNY',
      availability: p.inStock ? 'https://schema.org/InStock' : 'https://schema.org/OutOfStock',
      itemCondition: 'https://schema.org/NewCondition',
      seller: { '@type': 'Organization', name: SHOP_NAME },
    },
    ...(p.rating && p.rating.count > 0
      ? { aggregateRating: { '@type': 'AggregateRating', ratingValue: p.rating.average, reviewCount: p.rating.count, bestRating: 5, worstRating: 1 } }
      : {}),
  };
}

export function webSiteLd(siteUrl: string) {
  const home = absoluteUrl(siteUrl, '/');
  return {
    '@context': CONTEXT,
    '@type': 'WebSite',
    name: SHOP_NAME,
    url: home,
    potentialAction: {
      '@type': 'SearchAction',
      target: { '@type': 'EntryPoint', urlTemplate: `${absoluteUrl(siteUrl, '/search.html')}?q={search_term_string}` },
      'query-input': 'required name=search_term_string',
    },
  };
}

interface HeadInput {
  siteUrl: string;
  path: string;
  /** the page's own title, without the shop's name */
  title: string;
  description: string;
  image?: string;
  noindex?: boolean;
  product?: { price: string };
  jsonLd?: unknown[];
}

export function pageHead(h: HeadInput): PageHead {
  return {
    canonical: absoluteUrl(h.siteUrl, h.path),
    description: metaDescription(h.description),
    noindex: h.noindex ?? false,
    ogType: h.product ? 'product' : 'website',
    ogTitle: h.title,
    // link previews (Open Graph) show raster pictures only: an SVG product picture gives way to the shop's
    image: absoluteUrl(h.siteUrl, h.image && !/\.svg$/i.test(h.image) ? h.image : SHOP_IMAGE_PATH),
    price: h.product ? { amount: h.product.price, currency: 'CNY' } : null,
    jsonLd: (h.jsonLd ?? []).map(jsonLdText),
  };
}

/**
 * The head of a page that shows no catalog data (account forms, cart, user centre, 404, search):
 * its fixed description, and `noindex` when it is one customer's page (PRIVATE_PAGES; ACCOUNT_PAGES stay indexable).
 */
export function fixedPageHead(siteUrl: string, path: string, title: string, description?: string): PageHead {
  const own = PRIVATE_PAGES[path];
  return pageHead({ siteUrl, path, title, description: description ?? own ?? ACCOUNT_PAGES[path] ?? SHOP_DESCRIPTION, noindex: own !== undefined });
}
