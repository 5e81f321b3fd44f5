import path from 'node:path';
import type { Knex } from 'knex';
import { createCache, type Cache } from '../cache/index.ts';
import { systemClock, type Clock } from '../clock.ts';
import type { Config } from '../config.ts';
import type { Authenticator } from '../context.ts';
import { createDb } from '../db/knex.ts';
import { createLogger, type Logger } from '../logger.ts';
import { logMailer, smtpMailer, type Mailer } from '../providers/mail.ts';
import { qqOAuth, type QqOAuth } from '../providers/qq.ts';
import { logSms, ronglianSms, type SmsSender } from '../providers/sms.ts';
import { AccountService } from './accounts/accounts-service.ts';
import { QqLoginService } from './accounts/qq-login.ts';
import { sessionAuthenticator } from './accounts/session-authenticator.ts';
import { AddressService } from './addresses/address-service.ts';
import { AreaService } from './areas/area-service.ts';
import { CatalogService } from './catalog/catalog-service.ts';
import { BrowseHistoryService } from './history/browse-history.ts';
import { SearchService } from './search/search-service.ts';

// The composition root: every process (web, worker, CLI, tests) builds its services here, and
// closes them here. Strategies that tests replace (the clock, the authenticator, the SMS, QQ and mail
// providers) come in through `opts`.

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
  accounts: AccountService;
  qqLogin: QqLoginService;
  areas: AreaService;
  addresses: AddressService;
  history: BrowseHistoryService;
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
  const accounts = new AccountService(db, cache, config);
  const qq = opts.qq !== undefined ? opts.qq : config.qq ? qqOAuth(config.qq) : null;
  const areas = new AreaService(db);
  return {
    config,
    log,
    db,
    cache,
    clock,
    authenticator: opts.authenticator ?? sessionAuthenticator(accounts.sessions, clock),
    providers: {
      sms,
      qq,
      mail: opts.mail ?? (config.mail.smtpUrl ? smtpMailer(config.mail.smtpUrl, config.mail.from) : logMailer(log)),
    },
    catalog,
    search,
    accounts,
    qqLogin: new QqLoginService(db, cache, qq, accounts),
    areas,
    addresses: new AddressService(db, areas),
    history: new BrowseHistoryService(db),
    async close() {
      await Promise.allSettled([db.destroy(), cache.close()]);
    },
  };
}
