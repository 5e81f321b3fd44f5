import { loadConfig } from '../../api/config.ts';
import { createDb } from '../../api/db/knex.ts';
import { loadSnapshot, type CatalogSnapshot } from '../../api/services/catalog/snapshot.ts';

// Prerendered routes read the catalog once per build: the first route to ask loads the whole
// snapshot and closes its connection; every other page is computed from memory. The promise lives
// on globalThis because Astro may bundle this module into several chunks, and the astro.config.mjs
// integration clears it when a new build starts.

export const SNAPSHOT_KEY = Symbol.for('meiduo.build.snapshot');

export function buildSnapshot(): Promise<CatalogSnapshot> {
  const g = globalThis as { [SNAPSHOT_KEY]?: Promise<CatalogSnapshot> };
  g[SNAPSHOT_KEY] ??= (async () => {
    const config = loadConfig();
    const db = createDb(config.database);
    try {
      return await loadSnapshot(db, undefined, { imageHosts: config.imageHosts });
    } finally {
      await db.destroy();
    }
  })();
  return g[SNAPSHOT_KEY];
}
