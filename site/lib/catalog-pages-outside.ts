// Set by `meiduo build` (jobs/build.ts) around Astro's build: the goods and list pages — nearly all
// of them — are then rendered by jobs/build-pages.ts through their on-demand twins, in a thread per
// core, so Astro prerenders only the others (home, 404, search, the account pages, the admin
// console) and its snapshot needs only what those show. A bare `astro build` leaves it unset and
// prerenders every page itself. On globalThis because Astro may bundle this module into several
// chunks, and the build runs in the process that sets it.

export const CATALOG_PAGES_OUTSIDE = Symbol.for('meiduo.build.catalogPagesOutside');

export function catalogPagesOutside(): boolean {
  return (globalThis as { [CATALOG_PAGES_OUTSIDE]?: boolean })[CATALOG_PAGES_OUTSIDE] === true;
}

/** Runs Astro's build with the flag set (and cleared after, whatever happens). */
export async function withCatalogPagesOutside<T>(fn: () => Promise<T>): Promise<T> {
  const g = globalThis as { [CATALOG_PAGES_OUTSIDE]?: boolean };
  g[CATALOG_PAGES_OUTSIDE] = true;
  try {
    return await fn();
  } finally {
    delete g[CATALOG_PAGES_OUTSIDE];
  }
}
