import { describe, expect, it } from 'vitest';
import {
  DESCRIPTION_MAX, absoluteUrl, breadcrumbLd, jsonLdText, metaDescription, productLd, webSiteLd,
} from '../../api/services/catalog/seo.ts';
import { isSchemaOrgType, schemaOrgProblems } from '../helpers/schema-org.ts';

const SITE = 'https://shop.example.com';
const product = (over: Partial<Parameters<typeof productLd>[1]> = {}) => productLd(SITE, {
  id: 7, name: '华为 HUAWEI P10 Plus 6GB+64GB 钻雕金', caption: '徕卡四摄', price: '3388.00', brand: '华为',
  images: ['/media/p10/detail.jpg', 'https://img.example.com/p10-2.jpg'], path: '/goods/7.html', inStock: true,
  rating: { average: 4.8, count: 5 }, ...over,
});

describe('page head helpers (api/services/catalog/seo.ts)', () => {
  it('makes absolute URLs on the storefront origin and leaves absolute ones', () => {
    expect(absoluteUrl(SITE, '/goods/1.html')).toBe('https://shop.example.com/goods/1.html');
    expect(absoluteUrl(SITE, 'media/a.jpg')).toBe('https://shop.example.com/media/a.jpg');
    expect(absoluteUrl(SITE, 'https://img.example.com/a.jpg')).toBe('https://img.example.com/a.jpg');
    expect(absoluteUrl('https://example.com/shop', '/')).toBe('https://example.com/shop/');
  });

  it('trims descriptions to 150 characters at a character boundary, whitespace folded', () => {
    expect(metaDescription('  华为\n  手机  ')).toBe('华为 手机');
    const long = '手机'.repeat(100);
    const cut = metaDescription(long);
    expect([...cut]).toHaveLength(DESCRIPTION_MAX);
    expect(cut.endsWith('…')).toBe(true);
    // an emoji of two code units, a family of several code points and a flag are never split
    for (const tail of ['😀', '👨‍👩‍👧', '🇨🇳', 'é']) {
      const text = 'a'.repeat(DESCRIPTION_MAX - 2) + tail.repeat(5);
      const out = metaDescription(text);
      expect(out.endsWith('…')).toBe(true);
      const body = out.slice(0, -1);
      expect(body === 'a'.repeat(DESCRIPTION_MAX - 2) || body === 'a'.repeat(DESCRIPTION_MAX - 2) + tail, tail).toBe(true);
      expect(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(out), 'a lone surrogate').toBe(false);
    }
    // no dangling punctuation before the ellipsis
    expect(metaDescription('甲'.repeat(148) + '，乙乙乙')).toBe('甲'.repeat(148) + '…');
  });

  it('writes JSON-LD that no product name can close or bend, and that parses back to the same value', () => {
    const nasty = { name: '</script><script>alert(1)</script> <!-- & \u2028' };
    const text = jsonLdText(nasty);
    expect(text).not.toMatch(/<|>|&|\u2028/);
    expect(JSON.parse(text)).toEqual(nasty);
  });

  it('Product with Offer: what Google’s product rich results need, exact price with two decimals', () => {
    const p = product();
    expect(p).toMatchObject({
      '@type': 'Product', name: '华为 HUAWEI P10 Plus 6GB+64GB 钻雕金', sku: '7',
      image: ['https://shop.example.com/media/p10/detail.jpg', 'https://img.example.com/p10-2.jpg'],
      brand: { '@type': 'Brand', name: '华为' },
      offers: {
        '@type': 'Offer', price: '3388.00', priceCurrency: 'CNY', availability: 'https://schema.org/InStock',
        url: 'https://shop.example.com/goods/7.html', itemCondition: 'https://schema.org/NewCondition',
      },
      aggregateRating: { '@type': 'AggregateRating', ratingValue: 4.8, reviewCount: 5 },
    });
    expect(product({ inStock: false }).offers.availability).toBe('https://schema.org/OutOfStock');
    expect(product({ rating: null })).not.toHaveProperty('aggregateRating');
    expect(product({ images: [] }).image).toEqual(['https://shop.example.com/meiduo-share.png']);
  });

  it('uses only types and properties schema.org defines (schema-dts vocabulary)', () => {
    for (const t of ['Product', 'Offer', 'AggregateRating', 'Brand', 'BreadcrumbList', 'ListItem', 'WebSite', 'SearchAction', 'EntryPoint']) {
      expect(isSchemaOrgType(t), t).toBe(true);
    }
    expect(schemaOrgProblems(product())).toEqual([]);
    expect(schemaOrgProblems(webSiteLd(SITE))).toEqual([]);
    const crumbs = breadcrumbLd(SITE, [{ id: 1, name: '手机', url: '/list/3/default/1.html' }, { id: 2, name: '手机通讯', url: '' }], { name: 'P10', path: '/goods/7.html' });
    expect(crumbs.itemListElement).toEqual([
      { '@type': 'ListItem', position: 1, name: '手机', item: 'https://shop.example.com/list/3/default/1.html' },
      { '@type': 'ListItem', position: 2, name: 'P10', item: 'https://shop.example.com/goods/7.html' },
    ]);
    expect(schemaOrgProblems(crumbs)).toEqual([]);
  });

  it('the vocabulary check catches what schema.org does not define', () => {
    const p = product() as Record<string, any>;
    expect(schemaOrgProblems({ ...p, colour: 'red' })).toEqual(['$.colour: not a property of Product or its supertypes']);
    expect(schemaOrgProblems({ ...p, '@type': 'Produkt' })).toEqual(['$: "Produkt" is not a schema.org type']);
    expect(schemaOrgProblems({ ...p, offers: { ...p.offers, availability: 'https://schema.org/Plenty' } })[0]).toMatch(/^\$\.offers\.availability: "https:\/\/schema\.org\/Plenty" is not a value of/);
    expect(schemaOrgProblems({ ...p, offers: { ...p.offers, '@type': 'Brand' } })[0]).toMatch(/^\$\.offers: a Brand where .*Offer.* is expected/);
    expect(schemaOrgProblems({ ...p, brand: '华为' })[0]).toMatch(/^\$\.brand: "华为" is not a value of/);
    expect(schemaOrgProblems({ ...p, offers: 'cheap' })[0]).toMatch(/^\$\.offers: "cheap" is not a value of/);
    expect(schemaOrgProblems({ ...p, offers: { ...p.offers, ratingValue: 5 } })).toEqual(['$.offers.ratingValue: not a property of Offer or its supertypes']);
    // an action constraint names a property of its action: SearchAction has `query`, not `term`
    const site = webSiteLd(SITE) as Record<string, any>;
    expect(schemaOrgProblems({ ...site, potentialAction: { ...site.potentialAction, 'term-input': 'required name=q' } })).toEqual(['$.potentialAction.term-input: SearchAction has no property term']);
  });
});
