// Set by `meiduo build` (jobs/build.ts) for the Astro build it runs (jobs/astro-build.mjs): the goods
// and list pages — nearly all of them — are then rendered by jobs/build-pages.ts through their
// on-demand twins, in a thread per core, so Astro prerenders only the others (home, 404, search,
// the account pages, the admin console) and its snapshot needs only what those show. A bare
// `astro build` leaves it unset and prerenders every page itself: the reference the build's test
// compares against (tests/e2e/build-pages.test.ts).

export const CATALOG_PAGES_OUTSIDE_ENV = 'MEIDUO_CATALOG_PAGES_OUTSIDE';

export function catalogPagesOutside(): boolean {
  return process.env[CATALOG_PAGES_OUTSIDE_ENV] === '1';
}
