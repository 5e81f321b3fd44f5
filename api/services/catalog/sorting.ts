import type { Sku, ListSort } from './types.ts';

// The one definition of list orderings: SQL ORDER BY for the API and an in-memory comparator for the
// page build derive from it, so a list page and the API page with the same number show the same SKUs.
// Every ordering ends on id, so ties never reshuffle between requests or builds.

type Column = 'create_time' | 'price' | 'sales' | 'id';
interface Key {
  column: Column;
  desc: boolean;
}

export const SORT_KEYS: Record<ListSort, Key[]> = {
  default: [
    { column: 'create_time', desc: true },
    { column: 'id', desc: true },
  ],
  price: [
    { column: 'price', desc: false },
    { column: 'id', desc: false },
  ],
  hot: [
    { column: 'sales', desc: true },
    { column: 'id', desc: false },
  ],
};

/** API `ordering` values (the original DRF names) for each list sort. */
export const ORDERING_TO_SORT: Record<string, ListSort> = {
  '-create_time': 'default',
  price: 'price',
  '-sales': 'hot',
};

export const SORT_LABELS: Record<ListSort, string> = { default: '默认', price: '价格', hot: '人气' };

export function orderByFor(sort: ListSort, prefix = ''): { column: string; order: 'asc' | 'desc' }[] {
  return SORT_KEYS[sort].map((k) => ({ column: prefix + k.column, order: k.desc ? 'desc' : 'asc' }));
}

const value = (s: Sku, c: Column): number | string =>
  c === 'create_time' ? s.createTime : c === 'price' ? s.priceCents : c === 'sales' ? s.sales : s.id;

export function compareFor(sort: ListSort): (a: Sku, b: Sku) => number {
  const keys = SORT_KEYS[sort];
  return (a, b) => {
    for (const k of keys) {
      const x = value(a, k.column);
      const y = value(b, k.column);
      if (x !== y) return (x < y ? -1 : 1) * (k.desc ? -1 : 1);
    }
    return 0;
  };
}
