import path from 'node:path';
import type { Knex } from 'knex';
import { createCache, type Cache } from '../cache/index.ts';
import { systemClock, type Clock } from '../clock.ts';
import type { Config } from '../config.ts';
import { anonymousAuthenticator, type Authenticator } from '../context.ts';
import { createDb } from '../db/knex.ts';
import { createLogger, type Logger } from '../logger.ts';
import { logMailer, smtpMailer, type Mailer } from '../providers/mail.ts';
import { qqOAuth, type QqOAuth } from '../providers/qq.ts';
import { logSms, ronglianSms, type SmsSender } from '../providers/sms.ts';
import { CatalogService } from './catalog/catalog-service.ts';
import { SearchService } from './search/search-service.ts';

// The composition root: every process (web, worker, CLI, tests) builds its services here, and
// closes them here. Strategies that tests replace (the clock, the authenticator; later the SMS, QQ
// and mail providers) come in through `opts`.

export interface Services {
  config: Config;
  log: Logger;
  db: Knex;
  cache: Cache;
  clock: Clock;
  authenticator: Authenticator;
  /** Outside providers, chosen by configuration (api/providers/); tests hand in stand-ins. */
  providers: { sms: SmsSender; qq: QqOAuth | null; mail: Mailer };
  catalog: CatalogService;
  search: SearchService;
  close(): Promise<void>;
}

export interface ServiceOverrides {
  log?: Logger;
  clock?: Clock;
  authenticator?: Authenticator;
  sms?: SmsSender;
  qq?: QqOAuth | null;
  mail?: Mailer;
}

export function createServices(config: Config, opts: ServiceOverrides = {}): Services {
  const log = opts.log ?? createLogger(config.logLevel);
  const db = createDb(config.database);
  const cache = createCache(config.redisUrl);
  const clock = opts.clock ?? systemClock;
  const sms = opts.sms ?? (config.sms.provider === 'ronglian' ? ronglianSms(config.sms, clock) : logSms(log));
  const catalog = new CatalogService(db, config.catalogCacheMs);
  const search = new SearchService(path.join(config.distDir, 'client'), catalog);
  return {
    config,
    log,
    db,
    cache,
    clock,
    authenticator: opts.authenticator ?? anonymousAuthenticator,
    providers: {
      sms,
      qq: opts.qq !== undefined ? opts.qq : config.qq ? qqOAuth(config.qq) : null,
      mail: opts.mail ?? (config.mail.smtpUrl ? smtpMailer(config.mail.smtpUrl, config.mail.from) : logMailer(log)),
    },
    catalog,
    search,
    async close() {
      await Promise.allSettled([db.destroy(), cache.close()]);
    },
  };
}
