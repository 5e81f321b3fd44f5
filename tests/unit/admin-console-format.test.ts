import { afterEach, describe, expect, it, vi } from 'vitest';
import { count, money, time } from '../../site/scripts/admin/format.ts';
import { holds } from '../../site/scripts/admin/permissions.ts';
import { safeNext } from '../../site/scripts/admin/api.ts';

// The console's pure helpers (site/scripts/admin/): money from the API's exact yuan strings, counts,
// the data-permission rule, and where a login may send back to.

describe('the console’s formats and rules', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('writes money with thousands separators, never through a float', () => {
    expect(money('1999.00')).toBe('¥1,999.00');
    expect(money('0.10')).toBe('¥0.10');
    expect(money('1234567890123.45')).toBe('¥1,234,567,890,123.45');
    expect(money('999.99')).toBe('¥999.99');
    expect(count(1234567)).toBe('1,234,567');
  });

  it('writes times on the shop’s clock (Beijing by default), wherever the browser is', () => {
    // the zone is read from <html data-shop-tz> at the first call: none here, so the default
    vi.stubGlobal('document', { documentElement: { dataset: {} } });
    expect(time('2026-12-04T06:05:00.000Z')).toBe('2026-12-04 14:05');
    expect(time('2026-12-04T16:00:00.000Z')).toBe('2026-12-05 00:00');
    expect(time(null)).toBe('—');
  });

  it('shows an element for any permission of its list', () => {
    const held = new Set(['orders.view_order']);
    expect(holds(held, 'orders.view_order')).toBe(true);
    expect(holds(held, 'goods.view_sku|orders.view_order')).toBe(true);
    expect(holds(held, 'goods.view_sku|goods.view_spu')).toBe(false);
  });

  it('sends a login back only to a console page of this site', () => {
    expect(safeNext('/admin/site.html?x=1')).toBe('/admin/site.html?x=1');
    for (const bad of [null, '', '//evil.example/admin/', 'https://evil.example/', '/goods/1.html', '/admin/\\evil', '/admin']) expect(safeNext(bad)).toBe('/admin/');
  });
});
