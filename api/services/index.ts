import path from 'node:path';
import type { Knex } from 'knex';
import { createCache, type Cache } from '../cache/index.ts';
import { systemClock, type Clock } from '../clock.ts';
import type { Config } from '../config.ts';
import { systemContext, type Authenticator, type Cookies, type RequestContext } from '../context.ts';
import { createDb } from '../db/knex.ts';
import { createLogger, type Logger } from '../logger.ts';
import { ShopMetrics } from '../metrics.ts';
import { logMailer, smtpMailer, type Mailer } from '../providers/mail.ts';
import { alipayGateway, type AlipayGateway } from '../providers/alipay.ts';
import { qqOAuth, type QqOAuth } from '../providers/qq.ts';
import { logSms, ronglianSms, type SmsSender } from '../providers/sms.ts';
import { resolveSecretKey } from '../secret-key.ts';
import { AccountService } from './accounts/accounts-service.ts';
import { AdminSessionService } from './admin/admin-sessions.ts';
import { StaffService } from './admin/staff.ts';
import { CustomerService } from './admin/customers.ts';
import { QqLoginService } from './accounts/qq-login.ts';
import { sessionAuthenticator } from './accounts/session-authenticator.ts';
import { AddressService } from './addresses/address-service.ts';
import { AreaService } from './areas/area-service.ts';
import { CartService } from './cart/cart-service.ts';
import { CatalogService } from './catalog/catalog-service.ts';
import { BrowseHistoryService } from './history/browse-history.ts';
import { CommentService } from './orders/comments.ts';
import { OrderService } from './orders/order-service.ts';
import { PAY_METHOD } from './orders/order-rules.ts';
import { PaymentService } from './payments/payment-service.ts';
import { SearchService } from './search/search-service.ts';
import { StatisticsService } from './statistics/statistics-service.ts';
import { SkuViewService } from './statistics/views.ts';
import { MediaService } from './media/media-service.ts';
import { LocalMediaStorage, type MediaStorage } from './media/storage.ts';

// The composition root: every process (web, worker, CLI, tests) builds its services here, and
// closes them here. Strategies that tests replace (the clock, the authenticator, the SMS, QQ and mail
// providers) come in through `opts`.

export interface Services {
  config: Config;
  log: Logger;
  db: Knex;
  cache: Cache;
  clock: Clock;
  /** What this process counts for Prometheus (api/metrics.ts, docs/metrics.md): a registry of its own. */
  metrics: ShopMetrics;
  authenticator: Authenticator;
  /** Outside providers, chosen by configuration (api/providers/); tests hand in stand-ins. */
  providers: { sms: SmsSender; qq: QqOAuth | null; mail: Mailer; alipay: AlipayGateway | null };
  catalog: CatalogService;
  search: SearchService;
  /** SKU pictures and brand logos: uploads, order, clean-up (api/services/media). */
  media: MediaService;
  accounts: AccountService;
  /** Staff logins to the admin API (api/services/admin/); staff, groups and the audit trail are functions of a context. */
  adminSessions: AdminSessionService;
  /** Staff accounts and the rules on granting (api/services/admin/staff.ts). */
  staff: StaffService;
  /** Customers as staff see them: find, deactivate, reactivate (api/services/admin/customers.ts). */
  customers: CustomerService;
  qqLogin: QqLoginService;
  areas: AreaService;
  addresses: AddressService;
  history: BrowseHistoryService;
  /** Alipay: payment URLs, notify / return / query settlement (api/services/payments). */
  payments: PaymentService;
  cart: CartService;
  orders: OrderService;
  comments: CommentService;
  /** The admin statistics (api/services/statistics). */
  statistics: StatisticsService;
  /** SKU page views: counted in the cache, flushed to the database by a job. */
  views: SkuViewService;
  /** Run after a login, registration or QQ login issued a session (the guest cart merges here). */
  sessionStarted: SessionStartHook[];
  /** The context a job run, a build step or a CLI command acts in (a fresh request id unless given). */
  systemContext(name: string, requestId?: string): RequestContext;
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
  /** Where uploaded pictures go (default: config.mediaDir, served under /media). */
  mediaStorage?: MediaStorage;
}

export function createServices(config: Config, opts: ServiceOverrides = {}): Services {
  const log = opts.log ?? createLogger(config.logLevel);
  const db = createDb(config.database);
  const cache = createCache(config.redisUrl);
  const clock = opts.clock ?? systemClock;
  const metrics = new ShopMetrics();
  metrics.watchBacklogs(db);
  const sms = opts.sms ?? (config.sms.provider === 'ronglian' ? ronglianSms(config.sms, clock) : logSms(log));
  const catalog = new CatalogService(config.catalogCacheMs, { siteUrl: config.siteUrl, onCacheLookup: (hit) => metrics.cacheLookup('catalog', hit) });
  const search = new SearchService(path.join(config.distDir, 'client'), catalog);
  const accounts = new AccountService(cache, config, log);
  const adminSessions = new AdminSessionService(cache, accounts.tokens, config, log);
  accounts.sessions.onCacheLookup = (hit) => metrics.cacheLookup('session', hit);
  accounts.onProfileLookup = (hit) => metrics.cacheLookup('profile', hit);
  adminSessions.sessions.onCacheLookup = (hit) => metrics.cacheLookup('admin_session', hit);
  const qq = opts.qq !== undefined ? opts.qq : config.qq ? qqOAuth(config.qq) : null;
  const areas = new AreaService();
  const alipay = opts.alipay !== undefined ? opts.alipay : config.alipay ? alipayGateway(config.alipay, clock) : null;
  const cart = new CartService(cache, resolveSecretKey(config), config.orders.maxUnitsPerSku, log);
  const addresses = new AddressService(areas);
  return {
    config,
    log,
    db,
    cache,
    clock,
    metrics,
    authenticator: opts.authenticator ?? sessionAuthenticator(accounts.sessions, clock, db, adminSessions),
    providers: {
      sms,
      qq,
      mail: opts.mail ?? (config.mail.smtpUrl ? smtpMailer(config.mail.smtpUrl, config.mail.from) : logMailer(log)),
      alipay,
    },
    catalog,
    search,
    media: new MediaService(opts.mediaStorage ?? new LocalMediaStorage(config.mediaDir), catalog, log),
    accounts,
    adminSessions,
    staff: new StaffService(adminSessions, accounts.sessions),
    customers: new CustomerService(accounts.sessions, addresses),
    qqLogin: new QqLoginService(cache, qq, accounts),
    areas,
    addresses,
    history: new BrowseHistoryService(),
    payments: new PaymentService(alipay, config.alipay?.appId ?? '', log, cache, {
      outcome: (source, outcome) => metrics.payment(source, outcome),
      refunds: (run) => metrics.refundRun(run),
    }),
    cart,
    orders: new OrderService(cart, addresses, config, alipay !== null, config.orders.locking, (m) => metrics.orderCommitted(m === PAY_METHOD.alipay ? 'alipay' : 'cash')),
    comments: new CommentService(),
    statistics: new StatisticsService(config.shopTimeZone),
    views: new SkuViewService(cache, config.shopTimeZone),
    sessionStarted: [(s) => cart.mergeGuest(s)],
    systemContext: (name, requestId) => systemContext(name, { db, clock }, requestId),
    async close() {
      await Promise.allSettled([db.destroy(), cache.close()]);
    },
  };
}
