import { loadConfig } from '../../api/config.ts';
import { systemContext } from '../../api/context.ts';
import { createServices } from '../../api/services/index.ts';
import type { CatalogSnapshot } from '../../api/services/catalog/snapshot.ts';
import { catalogPagesOutside } from './catalog-pages-outside.ts';

export { catalogPagesOutside };

// Prerendered routes read the catalog once per build: the first route to ask loads the whole
// snapshot through the catalog service and closes the services; every other page is computed from
// memory. The promise lives on globalThis because Astro may bundle this module into several chunks,
// and the astro.config.mjs integration clears it when a new build starts. The catalog service gives
// the snapshot config.siteUrl, the origin of every absolute URL on the pages (docs/seo.md).

export const SNAPSHOT_KEY = Symbol.for('meiduo.build.snapshot');

export function buildSnapshot(): Promise<CatalogSnapshot> {
  const g = globalThis as { [SNAPSHOT_KEY]?: Promise<CatalogSnapshot> };
  g[SNAPSHOT_KEY] ??= (async () => {
    const config = loadConfig();
    const services = createServices(config);
    // once per build (this promise is): canonical URLs, Open Graph and JSON-LD carry this origin
    if (config.siteUrlDefaulted) {
      services.log.warn(
        { siteUrl: config.siteUrl },
        `SITE_URL is not set: the pages' canonical URLs, Open Graph tags and JSON-LD use ${config.siteUrl} (set SITE_URL to the shop's public origin, docs/seo.md)`,
      );
    }
    try {
      // {home: true}: every category and channel (the menu) and the homepage's slots and their SKUs
      const scope = catalogPagesOutside() ? { home: true } : undefined;
      return await services.catalog.snapshot(systemContext('build', services), scope, { imageHosts: services.config.imageHosts });
    } finally {
      await services.close();
    }
  })();
  return g[SNAPSHOT_KEY];
}
