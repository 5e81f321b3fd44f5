import path from 'node:path';
import { parseTrustProxy } from './client-address.ts';
import { parseDecimalInt } from './numbers.ts';
import { alipayConfigFrom, type AlipayConfig } from './providers/alipay.ts';
import { canonicalTimeZone } from './shop-days.ts';

// One place reads the environment. Every value is checked at start so a typo stops the shop with a
// message naming the variable, instead of failing later on the first request that needs it. Plain
// code rather than zod: every CLI command loads this, and an admin waits for it.

export class ConfigError extends Error {
  constructor(public readonly variable: string, message: string) {
    super(`Invalid configuration: ${variable} ${message}`);
    this.name = 'ConfigError';
  }
}

export type DatabaseConfig =
  | { client: 'sqlite'; filename: string; url: string }
  | {
      client: 'mysql';
      url: string;
      host: string;
      port: number;
      user: string;
      password: string;
      database: string;
      /** `?socket=/run/mysqld/mysqld.sock`: a server on the same host through its Unix socket (host and port unused). */
      socketPath?: string;
    };

export interface Config {
  port: number;
  host: string;
  database: DatabaseConfig;
  redisUrl: string | null;
  dataDir: string;
  distDir: string;
  mediaDir: string;
  publicUrl: string;
  /**
   * SITE_URL: where shoppers reach the storefront (`https://shop.example.com`, no path), the origin of
   * the pages' canonical URLs, Open Graph links, JSON-LD and the sitemaps. Defaults to PUBLIC_URL, else
   * `http://localhost:$PORT`; `siteUrlDefaulted` says it was not set, for the build to say so once.
   */
  siteUrl: string;
  siteUrlDefaulted: boolean;
  /** Hosts besides the shop itself that product descriptions may load pictures from (IMAGE_HOSTS). */
  imageHosts: string[];
  /** QQ login (QQ_CLIENT_ID …); null without a client id: the QQ button is hidden, its endpoints 404. */
  qq: { clientId: string; clientSecret: string; redirectUri: string; apiBase: string } | null;
  /**
   * Alipay page pay (ALIPAY_APP_ID, ALIPAY_PRIVATE_KEY, ALIPAY_PUBLIC_KEY, ALIPAY_GATEWAY,
   * ALIPAY_RETURN_URL, ALIPAY_NOTIFY_URL: api/providers/alipay.ts); null without them: the payment
   * endpoints answer 404 ALIPAY_DISABLED. ALIPAY_GATEWAY=local: the shop's own development gateway
   * (`local: true`, keys made in DATA_DIR), refused in production mode (NODE_ENV=production).
   */
  alipay: AlipayConfig | null;
  /** SMTP_URL (null: mails go to the log) and the sender address (MAIL_FROM). */
  mail: { smtpUrl: string | null; from: string };
  /** SMS_PROVIDER: log (default: codes go to the server log) or ronglian (容联云通讯). */
  sms:
    | { provider: 'log' }
    | { provider: 'ronglian'; accountSid: string; authToken: string; appId: string; templateId: string; baseUrl: string };
  logLevel: 'silent' | 'error' | 'warn' | 'info' | 'debug';
  /**
   * TRUST_PROXY: the addresses and ranges of the shop's own reverse proxies or load balancers (e.g.
   * ['127.0.0.1', '10.0.0.0/8']); X-Forwarded-For is read only from them (api/client-address.ts).
   * Empty (off, the default): the socket's address is the client's.
   */
  trustProxy: string[];
  /**
   * SECRET_KEY signs what the shop hands clients to keep (the guest cart cookie). Unset: a random key
   * kept in DATA_DIR/secret.key (api/secret-key.ts) — fine for one machine; several web processes
   * must share one SECRET_KEY.
   */
  secretKey: string | null;
  orders: {
    /** ORDER_LOCKING: how an order takes stock — row locks, or conditional updates. */
    locking: 'pessimistic' | 'optimistic';
    /** ORDER_PAY_TIMEOUT: an Alipay order unpaid this long is cancelled (ms; default 30 min). */
    payTimeoutMs: number;
    /** HOT_REBUILD_EVERY: how often the hot-seller pages of categories whose sales moved are re-rendered (ms; default 5 min). */
    hotRebuildEveryMs: number;
    /** ORDER_MAX_UNITS_PER_SKU: units of one SKU a customer may hold across open orders (待支付, 待发货); default 20. */
    maxUnitsPerSku: number;
    /** ORDER_MAX_OPEN: open orders (待支付, 待发货) a customer may have at once; default 10. */
    maxOpenOrders: number;
    /** ORDER_AUTO_RECEIVE_DAYS: a shipped order not received by the customer this many days after shipping is received by the orders.auto-receive job; default 10. */
    autoReceiveDays: number;
  };
  /** Origins (CORS_ORIGINS, comma-separated) whose pages may call the API with the customer's cookie. */
  corsOrigins: string[];
  accounts: {
    /** A session unused this long ends (SESSION_IDLE_DAYS, default 14). */
    sessionIdleMs: number;
    /** Login and password-reset throttles count failures over this window (seconds, default 900). */
    throttleWindowSeconds: number;
    /** Cookies only over HTTPS: on when PUBLIC_URL is https. */
    secureCookies: boolean;
  };
  /**
   * SHOP_TZ: the IANA time zone the shop's days are counted in (statistics' "today" and their
   * per-day series; api/shop-days.ts). Default Asia/Shanghai.
   */
  shopTimeZone: string;
  /** How long a process may reuse shared catalog reads (menu, lists, hot sellers); 0 = never. */
  catalogCacheMs: number;
  /**
   * GET /metrics (Prometheus text format, docs/metrics.md): on a listener of its own (METRICS_PORT,
   * bound to METRICS_HOST, 127.0.0.1 by default), or on the main port behind a bearer token
   * (METRICS_TOKEN). Neither set: off (404).
   */
  metrics: { port: number | null; host: string; token: string | null };
  jobs: {
    backend: 'sql' | 'redis' | 'mongo';
    mongoUrl: string | null;
    /** How often a worker polls the job store for due jobs (ms). */
    pollMs: number;
    /** `meiduo serve` also runs a worker (the embedded default); production runs `meiduo worker` apart. */
    inProcessWorker: boolean;
    /** After this long a dead worker's job lock expires and another worker takes the job (ms). */
    lockMs: number;
    /**
     * SEARCH_PUBLISHER: `warm` starts the worker's search publisher thread at start, tokenizes the
     * catalog in the background and keeps the thread (its memory) for good; `lazy` starts it at the
     * first publish and ends it after an hour without one (docs/search.md). Null (unset): warm in
     * `meiduo worker`, lazy in the worker embedded in `meiduo serve` (the web process's memory).
     */
    searchPublisher: 'warm' | 'lazy' | null;
  };
}

export function parseDatabaseUrl(raw: string, root = process.cwd()): DatabaseConfig {
  // the URL may carry a password: never echo it
  const shown = raw.replace(/^([a-z]+:\/\/[^:/@]*):[^@/]*@/i, '$1:***@');
  const fail = (why: string): never => {
    throw new ConfigError('DATABASE_URL', `${why} (got '${shown}'); use sqlite:<path> or mysql://user:pass@host:port/db`);
  };
  if (raw.startsWith('sqlite:')) {
    const file = raw.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '');
    if (!file) fail('has no file path');
    const filename = file === ':memory:' ? file : path.resolve(root, file);
    return { client: 'sqlite', filename, url: raw };
  }
  if (/^(mysql|mariadb):\/\//.test(raw)) {
    let u: URL;
    try {
      u = new URL(raw);
    } catch {
      return fail('is not a valid URL');
    }
    const database = decodeURIComponent(u.pathname.replace(/^\//, ''));
    if (!u.hostname) fail('has no host');
    if (!database || database.includes('/')) fail('must name one database');
    const port = u.port ? Number(u.port) : 3306;
    for (const key of u.searchParams.keys()) if (key !== 'socket') fail(`has an unknown parameter '${key}' (only ?socket=<path of the server's Unix socket>)`);
    if (u.searchParams.getAll('socket').length > 1) fail('names ?socket more than once');
    const socket = u.searchParams.get('socket');
    if (socket !== null && !path.isAbsolute(socket)) fail('?socket must be an absolute path');
    return {
      client: 'mysql',
      url: raw,
      host: u.hostname,
      port,
      user: decodeURIComponent(u.username || 'root'),
      password: decodeURIComponent(u.password),
      database,
      // a server on the same host through its socket: no TCP listener needed, and socket-authenticated
      // accounts work (the speed is about the same as loopback TCP: docs/benchmarks.md, orders)
      ...(socket !== null ? { socketPath: socket } : {}),
    };
  }
  return fail('has an unknown scheme');
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env, root = process.cwd()): Config {
  const get = (name: string) => {
    const v = env[name];
    return v === undefined || v === '' ? undefined : v;
  };
  // Whole numbers in decimal digits (api/numbers.ts), within bounds; `what` completes "must be …".
  const int = (name: string, fallback: string, min: number, max: number, what: string): number => {
    const r = parseDecimalInt(get(name) ?? fallback, min, max);
    if (!r.ok) throw new ConfigError(name, `must be ${what} (got '${get(name)}')`);
    return r.value;
  };
  const port = int('PORT', '8000', 1, 65535, 'a port number 1-65535');

  const dataDir = path.resolve(root, get('DATA_DIR') ?? 'data');
  // the embedded database lives in the data folder unless DATABASE_URL says otherwise
  const defaultDb = get('DATA_DIR') ? `sqlite:${path.join(dataDir, 'meiduo.sqlite')}` : 'sqlite:./data/meiduo.sqlite';
  const database = parseDatabaseUrl(get('DATABASE_URL') ?? defaultDb, root);

  /** An optional URL variable whose scheme must be one of `schemes`. */
  const urlOf = (name: string, schemes: string[], what: string): string | null => {
    const v = get(name) ?? null;
    if (v === null) return null;
    let ok = false;
    try {
      ok = schemes.includes(new URL(v).protocol);
    } catch {
      ok = false;
    }
    // (the value is not echoed: SMTP and Redis URLs may carry a password)
    if (!ok) throw new ConfigError(name, `must be ${what}`);
    return v;
  };
  const redisUrl = urlOf('REDIS_URL', ['redis:', 'rediss:'], 'redis://host:port[/db] or rediss://…');

  const publicUrl = get('PUBLIC_URL') ?? `http://localhost:${port}`;
  try {
    new URL(publicUrl);
  } catch {
    throw new ConfigError('PUBLIC_URL', `must be an absolute URL (got '${publicUrl}')`);
  }

  const siteUrlRaw = get('SITE_URL') ?? get('PUBLIC_URL');
  let siteUrl = `http://localhost:${port}`;
  if (siteUrlRaw !== undefined) {
    let u: URL | null = null;
    try {
      u = new URL(siteUrlRaw);
    } catch {
      /* refused below */
    }
    const name = get('SITE_URL') !== undefined ? 'SITE_URL' : 'PUBLIC_URL';
    if (!u || (u.protocol !== 'http:' && u.protocol !== 'https:') || u.search || u.hash || u.username) {
      throw new ConfigError(name, `must be the storefront's http(s) origin such as https://shop.example.com (got '${siteUrlRaw}')`);
    }
    siteUrl = `${u.origin}${u.pathname.replace(/\/+$/, '')}`;
  }

  const logLevel = get('LOG_LEVEL') ?? 'info';
  const levels = ['silent', 'error', 'warn', 'info', 'debug'] as const;
  if (!(levels as readonly string[]).includes(logLevel)) {
    throw new ConfigError('LOG_LEVEL', `must be one of ${levels.join(', ')} (got '${logLevel}')`);
  }

  const cacheMs = int('CATALOG_CACHE_MS', '1000', 0, 60_000, 'milliseconds 0-60000');

  const backend = get('JOBS_BACKEND') ?? 'sql';
  if (!['sql', 'redis', 'mongo'].includes(backend)) throw new ConfigError('JOBS_BACKEND', `must be sql, redis or mongo (got '${backend}')`);
  const mongoUrl = get('MONGO_URL') ?? null;
  if (mongoUrl !== null && !/^mongodb(\+srv)?:\/\/[^/]+/.test(mongoUrl)) {
    throw new ConfigError('MONGO_URL', `must be mongodb://host:port/db or mongodb+srv://… (got '${mongoUrl}')`);
  }
  if (backend === 'mongo' && !mongoUrl) throw new ConfigError('MONGO_URL', 'is required when JOBS_BACKEND=mongo');
  if (backend === 'redis' && !redisUrl) throw new ConfigError('REDIS_URL', 'is required when JOBS_BACKEND=redis');
  const pollMs = int('JOBS_POLL_MS', '250', 50, 60_000, 'milliseconds 50-60000');
  const lockMs = int('JOBS_LOCK_MS', '30000', 1000, 3_600_000, 'milliseconds 1000-3600000');
  const inProcess = get('JOBS_IN_PROCESS') ?? (database.client === 'sqlite' ? 'on' : 'off');
  if (!['on', 'off'].includes(inProcess)) throw new ConfigError('JOBS_IN_PROCESS', `must be on or off (got '${inProcess}')`);
  const searchPublisher = get('SEARCH_PUBLISHER') ?? null;
  if (searchPublisher !== null && !['warm', 'lazy'].includes(searchPublisher)) throw new ConfigError('SEARCH_PUBLISHER', `must be warm or lazy (got '${searchPublisher}')`);

  const imageHosts = (get('IMAGE_HOSTS') ?? '').split(',').map((h) => h.trim().toLowerCase()).filter(Boolean);
  for (const h of imageHosts) {
    // host names only: a scheme, path or wildcard would widen what descriptions and the CSP allow
    if (!/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*(:[0-9]{1,5})?$/.test(h)) {
      throw new ConfigError('IMAGE_HOSTS', `must be a comma-separated list of host names such as img.example.com (got '${h}')`);
    }
  }

  const smsProvider = get('SMS_PROVIDER') ?? 'log';
  let sms: Config['sms'];
  if (smsProvider === 'log') sms = { provider: 'log' };
  else if (smsProvider === 'ronglian') {
    const need = (name: string) => {
      const v = get(name);
      if (!v) throw new ConfigError(name, 'is required when SMS_PROVIDER=ronglian');
      return v;
    };
    const baseUrl = get('SMS_RONGLIAN_BASE_URL') ?? 'https://app.cloopen.com:8883/2013-12-26';
    if (!/^https?:\/\//.test(baseUrl)) throw new ConfigError('SMS_RONGLIAN_BASE_URL', `must be an http(s) URL (got '${baseUrl}')`);
    sms = {
      provider: 'ronglian',
      accountSid: need('SMS_RONGLIAN_ACCOUNT_SID'),
      authToken: need('SMS_RONGLIAN_AUTH_TOKEN'),
      appId: need('SMS_RONGLIAN_APP_ID'),
      templateId: get('SMS_RONGLIAN_TEMPLATE_ID') ?? '1',
      baseUrl,
    };
  } else throw new ConfigError('SMS_PROVIDER', `must be log or ronglian (got '${smsProvider}')`);

  let qq: Config['qq'] = null;
  if (get('QQ_CLIENT_ID')) {
    const secret = get('QQ_CLIENT_SECRET');
    if (!secret) throw new ConfigError('QQ_CLIENT_SECRET', 'is required when QQ_CLIENT_ID is set');
    const redirectUri = get('QQ_REDIRECT_URI') ?? `${publicUrl.replace(/\/$/, '')}/oauth_callback.html`;
    const apiBase = get('QQ_API_BASE') ?? 'https://graph.qq.com';
    for (const [name, value] of [['QQ_REDIRECT_URI', redirectUri], ['QQ_API_BASE', apiBase]] as const) {
      if (!/^https?:\/\/[^/]/.test(value)) throw new ConfigError(name, `must be an http(s) URL (got '${value}')`);
    }
    qq = { clientId: get('QQ_CLIENT_ID')!, clientSecret: secret, redirectUri, apiBase };
  }

  const corsOrigins = (get('CORS_ORIGINS') ?? '').split(',').map((o) => o.trim().replace(/\/$/, '')).filter(Boolean);
  for (const o of corsOrigins) {
    // exact origins only: a wildcard with credentials would let any site act as the customer
    if (!/^https?:\/\/[a-z0-9.-]+(:[0-9]{1,5})?$/i.test(o)) {
      throw new ConfigError('CORS_ORIGINS', `must be a comma-separated list of origins such as https://m.example.com (got '${o}')`);
    }
  }
  const locking = get('ORDER_LOCKING') ?? 'pessimistic';
  if (locking !== 'pessimistic' && locking !== 'optimistic') throw new ConfigError('ORDER_LOCKING', `must be pessimistic or optimistic (got '${locking}')`);
  const duration = (name: string, fallback: string, minMs: number, maxMs: number): number => {
    const raw = get(name) ?? fallback;
    const m = /^([0-9]{1,7})(s|m|h)?$/.exec(raw);
    const ms = m ? Number(m[1]) * { s: 1000, m: 60_000, h: 3600_000 }[(m[2] ?? 'm') as 's' | 'm' | 'h'] : NaN;
    if (!(ms >= minMs && ms <= maxMs)) throw new ConfigError(name, `must be a duration such as 30m, 90s or 1h, from ${minMs / 1000} s to ${maxMs / 3600_000} h (got '${raw}')`);
    return ms;
  };
  const payTimeoutMs = duration('ORDER_PAY_TIMEOUT', '30m', 60_000, 24 * 3600_000);
  const hotRebuildEveryMs = duration('HOT_REBUILD_EVERY', '5m', 10_000, 24 * 3600_000);
  const secretKey = get('SECRET_KEY') ?? null;
  if (secretKey !== null && secretKey.length < 32) throw new ConfigError('SECRET_KEY', 'must be at least 32 characters (e.g. openssl rand -hex 32)');
  const maxUnitsPerSku = int('ORDER_MAX_UNITS_PER_SKU', '20', 1, 1_000_000, 'a number of units 1-1000000');
  const maxOpenOrders = int('ORDER_MAX_OPEN', '10', 1, 1_000_000, 'a number of orders 1-1000000');
  const autoReceiveDays = int('ORDER_AUTO_RECEIVE_DAYS', '10', 1, 365, 'a number of days 1-365');
  let trustProxy: string[];
  try {
    trustProxy = parseTrustProxy(get('TRUST_PROXY') ?? 'off');
  } catch (err) {
    throw new ConfigError('TRUST_PROXY', (err as Error).message);
  }
  const metricsPort = get('METRICS_PORT') === undefined ? null : int('METRICS_PORT', '0', 1, 65535, 'a port number 1-65535');
  if (metricsPort !== null && metricsPort === port) throw new ConfigError('METRICS_PORT', `must differ from PORT (${port}); to serve /metrics on the main port set METRICS_TOKEN instead`);
  const metricsHost = get('METRICS_HOST') ?? '127.0.0.1';
  if (!/^[A-Za-z0-9.:-]+$/.test(metricsHost)) throw new ConfigError('METRICS_HOST', `must be an address or host name such as 127.0.0.1 or 0.0.0.0 (got '${metricsHost}')`);
  const metricsToken = get('METRICS_TOKEN') ?? null;
  // (the token is not echoed)
  if (metricsToken !== null && (metricsToken.length < 16 || !/^[\x21-\x7e]+$/.test(metricsToken))) {
    throw new ConfigError('METRICS_TOKEN', 'must be at least 16 printable characters without spaces (e.g. openssl rand -hex 32)');
  }
  const idleDays = int('SESSION_IDLE_DAYS', '14', 1, 365, 'days 1-365');

  const shopTimeZone = canonicalTimeZone(get('SHOP_TZ') ?? 'Asia/Shanghai');
  if (!shopTimeZone) throw new ConfigError('SHOP_TZ', `must be an IANA time zone such as Asia/Shanghai or UTC (got '${get('SHOP_TZ')}')`);

  const smtpUrl = urlOf('SMTP_URL', ['smtp:', 'smtps:'], 'smtp://user:pass@host:587 or smtps://user:pass@host:465');
  const mailFrom = get('MAIL_FROM') ?? `美多商城 <no-reply@${new URL(publicUrl).hostname}>`;

  return {
    port,
    mail: { smtpUrl, from: mailFrom },
    qq,
    alipay: alipayConfigFrom(env, publicUrl, (variable, message) => {
      throw new ConfigError(variable, message);
    }, root, dataDir),
    sms,
    host: get('HOST') ?? '0.0.0.0',
    database,
    redisUrl,
    dataDir,
    distDir: path.resolve(root, get('DIST_DIR') ?? 'dist'),
    mediaDir: path.resolve(root, get('MEDIA_DIR') ?? path.join(dataDir, 'media')),
    publicUrl: publicUrl.replace(/\/$/, ''),
    siteUrl,
    siteUrlDefaulted: siteUrlRaw === undefined,
    imageHosts,
    logLevel: logLevel as Config['logLevel'],
    corsOrigins,
    secretKey,
    orders: { locking, payTimeoutMs, hotRebuildEveryMs, maxUnitsPerSku, maxOpenOrders, autoReceiveDays },
    trustProxy,
    accounts: { sessionIdleMs: idleDays * 86_400_000, throttleWindowSeconds: 900, secureCookies: publicUrl.startsWith('https:') },
    catalogCacheMs: cacheMs,
    shopTimeZone,
    metrics: { port: metricsPort, host: metricsHost, token: metricsToken },
    jobs: { backend: backend as Config['jobs']['backend'], mongoUrl, pollMs, inProcessWorker: inProcess === 'on', lockMs, searchPublisher: searchPublisher as Config['jobs']['searchPublisher'] },
  };
}
