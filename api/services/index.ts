import path from 'node:path';
import type { Knex } from 'knex';
import { createCache, type Cache } from '../cache/index.ts';
import { systemClock, type Clock } from '../clock.ts';
import type { Config } from '../config.ts';
import type { Authenticator, Cookies, RequestContext } from '../context.ts';
import { createDb } from '../db/knex.ts';
import { createLogger, type Logger } from '../logger.ts';
import { logMailer, smtpMailer, type Mailer } from '../providers/mail.ts';
import { alipayGateway, type AlipayGateway } from '../providers/alipay.ts';
import { qqOAuth, type QqOAuth } from '../providers/qq.ts';
import { logSms, ronglianSms, type SmsSender } from '../providers/sms.ts';
import { resolveSecretKey } from '../secret-key.ts';
import { AccountService } from './accounts/accounts-service.ts';
import { QqLoginService } from './accounts/qq-login.ts';
import { sessionAuthenticator } from './accounts/session-authenticator.ts';
import { AddressService } from './addresses/address-service.ts';
import { AreaService } from './areas/area-service.ts';
import { CartService } from './cart/cart-service.ts';
import { CatalogService } from './catalog/catalog-service.ts';
import { BrowseHistoryService } from './history/browse-history.ts';
import { CommentService } from './orders/comments.ts';
import { OrderService } from './orders/order-service.ts';
import { PaymentService } from './payments/payment-service.ts';
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
  providers: { sms: SmsSender; qq: QqOAuth | null; mail: Mailer; alipay: AlipayGateway | null };
  catalog: CatalogService;
  search: SearchService;
  accounts: AccountService;
  qqLogin: QqLoginService;
  areas: AreaService;
  addresses: AddressService;
  history: BrowseHistoryService;
  /** Alipay: payment URLs, notify / return / query settlement (api/services/payments). */
  payments: PaymentService;
  cart: CartService;
  orders: OrderService;
  comments: CommentService;
  /** Run after a login, registration or QQ login issued a session (the guest cart merges here). */
  sessionStarted: SessionStartHook[];
  close(): Promise<void>;
}

export type SessionStartHook = (started: { userId: number; context: RequestContext; cookies: Cookies }) => Promise<void>;

export interface ServiceOverrides {
  log?: Logger;
  clock?: Clock;
  authenticator?: Authenticator;
  sms?: SmsSender;
  qq?: QqOAuth | null;
  mail?: Mailer;
  alipay?: AlipayGateway | null;
}

export function createServices(config: Config, opts: ServiceOverrides = {}): Services {
  const log = opts.log ?? createLogger(config.logLevel);
  const db = createDb(config.database);
  const cache = createCache(config.redisUrl);
  const clock = opts.clock ?? systemClock;
  const sms = opts.sms ?? (config.sms.provider === 'ronglian' ? ronglianSms(config.sms, clock) : logSms(log));
  const catalog = new CatalogService(db, config.catalogCacheMs);
  const search = new SearchService(path.join(config.distDir, 'client'), catalog);
  const accounts = new AccountService(db, cache, config, log);
  const qq = opts.qq !== undefined ? opts.qq : config.qq ? qqOAuth(config.qq) : null;
  const areas = new AreaService(db);
  const alipay = opts.alipay !== undefined ? opts.alipay : config.alipay ? alipayGateway(config.alipay) : null;
  const cart = new CartService(db, cache, resolveSecretKey(config), log);
  const addresses = new AddressService(db, areas);
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
      alipay,
    },
    catalog,
    search,
    accounts,
    qqLogin: new QqLoginService(db, cache, qq, accounts),
    areas,
    addresses,
    history: new BrowseHistoryService(db),
    payments: new PaymentService(db, alipay, config.alipay?.appId ?? '', log, clock),
    cart,
    orders: new OrderService(db, cart, addresses, config, alipay !== null),
    comments: new CommentService(db),
    sessionStarted: [(s) => cart.mergeGuest(s)],
    async close() {
      await Promise.allSettled([db.destroy(), cache.close()]);
    },
  };
}
