import path from 'node:path';
import type { Knex } from 'knex';
import { createCache, type Cache } from '../cache/index.ts';
import type { Config } from '../config.ts';
import { createDb } from '../db/knex.ts';
import { createLogger, type Logger } from '../logger.ts';
import { CatalogService } from './catalog/catalog-service.ts';
import { SearchService } from './search/search-service.ts';

// The composition root: every process (web, worker, CLI, tests) builds its services here, and
// closes them here.

export interface Services {
  config: Config;
  log: Logger;
  db: Knex;
  cache: Cache;
  catalog: CatalogService;
  search: SearchService;
  close(): Promise<void>;
}

export function createServices(config: Config, opts: { log?: Logger } = {}): Services {
  const log = opts.log ?? createLogger(config.logLevel);
  const db = createDb(config.database);
  const cache = createCache(config.redisUrl);
  const catalog = new CatalogService(db, config.catalogCacheMs);
  const search = new SearchService(path.join(config.distDir, 'client'), catalog);
  return {
    config,
    log,
    db,
    cache,
    catalog,
    search,
    async close() {
      await Promise.allSettled([db.destroy(), cache.close()]);
    },
  };
}
