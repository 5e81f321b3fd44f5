import type { ListSort } from './types.ts';

// Public URLs of the prebuilt pages. The dependency map, the build, the API and the templates all
// derive URLs here, so a page can never be linked under one name and written under another.

export const LIST_PAGE_SIZE = 20;
export const HOT_SKU_COUNT = 2;
export const LIST_SORTS: readonly ListSort[] = ['default', 'price', 'hot'];

export const homeUrl = () => '/';
export const goodsUrl = (skuId: number) => `/goods/${skuId}.html`;
export const listUrl = (categoryId: number, sort: ListSort = 'default', page = 1) =>
  `/list/${categoryId}/${sort}/${page}.html`;
export const searchUrl = () => '/search.html';

/** The file a URL is written to, relative to dist/client. */
export function urlToFile(url: string): string {
  if (url === '/') return 'index.html';
  return url.replace(/^\//, '');
}
