import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, parseDatabaseUrl } from '../../api/config.ts';

describe('configuration', () => {
  it('defaults to the embedded shop on port 8000', () => {
    const c = loadConfig({}, '/srv/shop');
    expect(c.port).toBe(8000);
    expect(c.database).toEqual({ client: 'sqlite', filename: '/srv/shop/data/meiduo.sqlite', url: 'sqlite:./data/meiduo.sqlite' });
    expect(c.redisUrl).toBeNull();
    expect(c.distDir).toBe('/srv/shop/dist');
    expect(c.mediaDir).toBe(path.join('/srv/shop/data', 'media'));
  });

  it('reads whole numbers and image hosts', () => {
    const c = loadConfig({ PORT: '8080', JOBS_POLL_MS: '100', IMAGE_HOSTS: 'img.example.com, CDN.example.com:8443' }, '/srv/shop');
    expect(c.port).toBe(8080);
    expect(c.jobs.pollMs).toBe(100);
    expect(c.imageHosts).toEqual(['img.example.com', 'cdn.example.com:8443']);
    expect(loadConfig({}, '/srv/shop').imageHosts).toEqual([]);
  });

  it('reads CORS origins, the session idle time, and makes cookies Secure behind https', () => {
    const c = loadConfig({ CORS_ORIGINS: 'https://m.example.com, http://localhost:5173/', SESSION_IDLE_DAYS: '7', PUBLIC_URL: 'https://shop.example.com' }, '/srv/shop');
    expect(c.corsOrigins).toEqual(['https://m.example.com', 'http://localhost:5173']);
    expect(c.accounts).toEqual({ sessionIdleMs: 7 * 86_400_000, throttleWindowSeconds: 900, secureCookies: true });
    const d = loadConfig({}, '/srv/shop');
    expect(d.corsOrigins).toEqual([]);
    expect(d.accounts.sessionIdleMs).toBe(14 * 86_400_000);
    expect(d.accounts.secureCookies).toBe(false);
  });

  it('reads the shop time zone (SHOP_TZ): an IANA zone, Asia/Shanghai by default, canonically spelt', () => {
    expect(loadConfig({}, '/srv/shop').shopTimeZone).toBe('Asia/Shanghai');
    expect(loadConfig({ SHOP_TZ: 'America/New_York' }, '/srv/shop').shopTimeZone).toBe('America/New_York');
    expect(loadConfig({ SHOP_TZ: 'asia/hong_kong' }, '/srv/shop').shopTimeZone).toBe('Asia/Hong_Kong');
    expect(loadConfig({ SHOP_TZ: 'UTC' }, '/srv/shop').shopTimeZone).toBe('UTC');
  });

  it('reads the trusted proxies: off, or addresses and ranges (IPv4, IPv6, named)', () => {
    expect(loadConfig({}, '/srv/shop').trustProxy).toEqual([]);
    expect(loadConfig({ TRUST_PROXY: 'off' }, '/srv/shop').trustProxy).toEqual([]);
    expect(loadConfig({ TRUST_PROXY: '127.0.0.1, 10.0.0.0/8,::1,fd00::/8,loopback' }, '/srv/shop').trustProxy).toEqual(['127.0.0.1', '10.0.0.0/8', '::1', 'fd00::/8', 'loopback']);
  });

  it.each([
    ['on', /no longer accepts on.*TRUST_PROXY=127\.0\.0\.1/],
    ['yes', /'yes' is not one/],
    ['10.0.0.0/33', /'10\.0\.0\.0\/33' is not one/],
    ['10.0.0.256', /'10\.0\.0\.256' is not one/],
    ['proxy.internal', /'proxy\.internal' is not one/],
    ['127.0.0.1,', /without empty entries/],
    ['off,10.0.0.1', /'off' is not one/],
  ])('stops on TRUST_PROXY=%s, saying why', (value, why) => {
    expect(() => loadConfig({ TRUST_PROXY: value }, '/srv/shop')).toThrow(ConfigError);
    expect(() => loadConfig({ TRUST_PROXY: value }, '/srv/shop')).toThrow(why);
  });

  it('reads the order settings: locking strategy, pay timeout and hot-page interval as durations, per-customer limits', () => {
    expect(loadConfig({}, '/srv/shop').orders).toEqual({ locking: 'pessimistic', payTimeoutMs: 30 * 60_000, hotRebuildEveryMs: 5 * 60_000, maxUnitsPerSku: 20, maxOpenOrders: 10, autoReceiveDays: 10 });
    expect(loadConfig({ ORDER_LOCKING: 'optimistic', ORDER_PAY_TIMEOUT: '90s', HOT_REBUILD_EVERY: '1h', ORDER_MAX_UNITS_PER_SKU: '5', ORDER_MAX_OPEN: '3', ORDER_AUTO_RECEIVE_DAYS: '7' }, '/srv/shop').orders).toEqual({ locking: 'optimistic', payTimeoutMs: 90_000, hotRebuildEveryMs: 3600_000, maxUnitsPerSku: 5, maxOpenOrders: 3, autoReceiveDays: 7 });
    expect(loadConfig({ ORDER_PAY_TIMEOUT: '15' }, '/srv/shop').orders.payTimeoutMs).toBe(15 * 60_000); // plain minutes
    expect(loadConfig({ SECRET_KEY: 'k'.repeat(32) }, '/srv/shop').secretKey).toBe('k'.repeat(32));
  });

  it('reads SEARCH_PUBLISHER: unset (each command its default), warm or lazy', () => {
    expect(loadConfig({}, '/srv/shop').jobs.searchPublisher).toBeNull();
    expect(loadConfig({ SEARCH_PUBLISHER: 'warm' }, '/srv/shop').jobs.searchPublisher).toBe('warm');
    expect(loadConfig({ SEARCH_PUBLISHER: 'lazy' }, '/srv/shop').jobs.searchPublisher).toBe('lazy');
  });

  it('keeps the embedded database and media in DATA_DIR', () => {
    const c = loadConfig({ DATA_DIR: '/var/lib/meiduo' }, '/srv/shop');
    expect(c.database).toMatchObject({ client: 'sqlite', filename: '/var/lib/meiduo/meiduo.sqlite' });
    expect(c.mediaDir).toBe('/var/lib/meiduo/media');
    expect(loadConfig({ DATA_DIR: '/var/lib/meiduo', DATABASE_URL: 'sqlite:./x.sqlite' }, '/srv/shop').database).toMatchObject({ filename: '/srv/shop/x.sqlite' });
  });

  it('reads the metrics settings: off by default, a port of its own on 127.0.0.1, or a token on the main port', () => {
    expect(loadConfig({}, '/srv/shop').metrics).toEqual({ port: null, host: '127.0.0.1', token: null });
    expect(loadConfig({ METRICS_PORT: '9464' }, '/srv/shop').metrics).toEqual({ port: 9464, host: '127.0.0.1', token: null });
    expect(loadConfig({ METRICS_PORT: '9464', METRICS_HOST: '0.0.0.0' }, '/srv/shop').metrics.host).toBe('0.0.0.0');
    expect(loadConfig({ METRICS_TOKEN: 'a'.repeat(32) }, '/srv/shop').metrics).toEqual({ port: null, host: '127.0.0.1', token: 'a'.repeat(32) });
  });

  it.each([
    [{ METRICS_PORT: '0' }, 'METRICS_PORT', /port number/],
    [{ METRICS_PORT: '70000' }, 'METRICS_PORT', /port number/],
    [{ METRICS_PORT: '9x' }, 'METRICS_PORT', /port number/],
    [{ METRICS_PORT: '8000' }, 'METRICS_PORT', /must differ from PORT/],
    [{ METRICS_HOST: 'a b' }, 'METRICS_HOST', /address or host name/],
    [{ METRICS_TOKEN: 'short' }, 'METRICS_TOKEN', /at least 16/],
    [{ METRICS_TOKEN: 'has a space in it, 0123456789' }, 'METRICS_TOKEN', /without spaces/],
  ])('stops on bad metrics settings %j, naming the variable', (env, variable, why) => {
    let err: unknown;
    try {
      loadConfig(env, '/srv/shop');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).variable).toBe(variable);
    expect((err as Error).message).toMatch(why);
    if (variable === 'METRICS_TOKEN') expect((err as Error).message).not.toContain(String((env as Record<string, string>).METRICS_TOKEN));
  });

  it('reads MySQL URLs', () => {
    expect(parseDatabaseUrl('mysql://shop:p%40ss@db.local:3307/meiduo')).toMatchObject({
      client: 'mysql', host: 'db.local', port: 3307, user: 'shop', password: 'p@ss', database: 'meiduo',
    });
    expect(parseDatabaseUrl('mariadb://root@127.0.0.1/test')).toMatchObject({ client: 'mysql', port: 3306, password: '' });
    expect(parseDatabaseUrl('mariadb://root@127.0.0.1/test')).not.toHaveProperty('socketPath');
    // a server on the same host, through its Unix socket
    expect(parseDatabaseUrl('mysql://shop@localhost/meiduo?socket=/run/mysqld/mysqld.sock')).toMatchObject({ client: 'mysql', database: 'meiduo', socketPath: '/run/mysqld/mysqld.sock' });
    expect(parseDatabaseUrl('mysql://shop@localhost/meiduo?socket=%2Fvar%2Frun%2Fmysqld.sock')).toMatchObject({ socketPath: '/var/run/mysqld.sock' });
  });

  it.each([
    ['mysql://shop@localhost/meiduo?socket=run/mysqld.sock', /absolute path/],
    ['mysql://shop@localhost/meiduo?ssl=true', /unknown parameter 'ssl'/],
    ['mysql://shop@localhost/meiduo?charset=latin1', /unknown parameter 'charset'/],
    ['mysql://shop@localhost/meiduo?socket=/a.sock&socket=/b.sock', /more than once/],
  ])('refuses %s rather than ignore what it asks', (url, why) => {
    expect(() => parseDatabaseUrl(url)).toThrow(why);
  });

  it('never echoes a database password in its refusals', () => {
    for (const url of ['mysql://shop:s3cret@db.local/meiduo?ssl=true', 'mysql://shop:s3cret@/meiduo', 'mariadb://shop:s3c%40ret@db.local/a/b']) {
      let message = '';
      try {
        parseDatabaseUrl(url);
      } catch (err) {
        message = (err as Error).message;
      }
      expect(message).toContain('shop:***@');
      expect(message).not.toContain('s3c');
    }
  });

  it('takes the storefront origin from SITE_URL, else PUBLIC_URL, else localhost and the port (and says it defaulted)', () => {
    expect(loadConfig({ SITE_URL: 'https://shop.example.com/', PUBLIC_URL: 'https://api.example.com' }, '/srv/shop')).toMatchObject({
      siteUrl: 'https://shop.example.com',
      siteUrlDefaulted: false,
    });
    expect(loadConfig({ PUBLIC_URL: 'https://www.example.com' }, '/srv/shop').siteUrl).toBe('https://www.example.com');
    expect(loadConfig({ PORT: '8123' }, '/srv/shop')).toMatchObject({ siteUrl: 'http://localhost:8123', siteUrlDefaulted: true });
  });

  it.each([
    [{ PORT: 'eighty' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ DATABASE_URL: 'postgres://x/y' }, 'DATABASE_URL'],
    [{ DATABASE_URL: 'mysql://host' }, 'DATABASE_URL'],
    [{ DATABASE_URL: 'sqlite:' }, 'DATABASE_URL'],
    [{ REDIS_URL: 'localhost:6379' }, 'REDIS_URL'],
    [{ PUBLIC_URL: 'shop' }, 'PUBLIC_URL'],
    [{ SITE_URL: 'shop.example.com' }, 'SITE_URL'],
    [{ SITE_URL: 'ftp://shop.example.com' }, 'SITE_URL'],
    [{ SITE_URL: 'https://shop.example.com/?a=1' }, 'SITE_URL'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
    [{ SHOP_TZ: 'Beijing' }, 'SHOP_TZ'],
    [{ SHOP_TZ: 'Asia/Nowhere' }, 'SHOP_TZ'],
    [{ SHOP_TZ: '+08:00' }, 'SHOP_TZ'],
    [{ SHOP_TZ: 'Asia/Shanghai; rm' }, 'SHOP_TZ'],
    // decimal digits only, as ids and counts in the API and the CLI (api/numbers.ts)
    [{ PORT: '0x1F40' }, 'PORT'],
    [{ PORT: '8e3' }, 'PORT'],
    [{ PORT: '+8000' }, 'PORT'],
    [{ JOBS_POLL_MS: '2.5e2' }, 'JOBS_POLL_MS'],
    [{ JOBS_LOCK_MS: ' 30000' }, 'JOBS_LOCK_MS'],
    [{ CATALOG_CACHE_MS: '-1' }, 'CATALOG_CACHE_MS'],
    [{ IMAGE_HOSTS: 'https://img.example.com' }, 'IMAGE_HOSTS'],
    [{ IMAGE_HOSTS: '*.example.com' }, 'IMAGE_HOSTS'],
    [{ CORS_ORIGINS: '*' }, 'CORS_ORIGINS'],
    [{ CORS_ORIGINS: 'https://m.example.com/path' }, 'CORS_ORIGINS'],
    [{ CORS_ORIGINS: 'm.example.com' }, 'CORS_ORIGINS'],
    [{ SESSION_IDLE_DAYS: '0' }, 'SESSION_IDLE_DAYS'],
    [{ TRUST_PROXY: 'yes' }, 'TRUST_PROXY'],
    [{ TRUST_PROXY: 'on' }, 'TRUST_PROXY'],
    [{ ORDER_MAX_UNITS_PER_SKU: '0' }, 'ORDER_MAX_UNITS_PER_SKU'],
    [{ ORDER_MAX_UNITS_PER_SKU: '20.5' }, 'ORDER_MAX_UNITS_PER_SKU'],
    [{ ORDER_MAX_OPEN: '-1' }, 'ORDER_MAX_OPEN'],
    [{ ORDER_MAX_OPEN: 'ten' }, 'ORDER_MAX_OPEN'],
    [{ ORDER_AUTO_RECEIVE_DAYS: '0' }, 'ORDER_AUTO_RECEIVE_DAYS'],
    [{ ORDER_AUTO_RECEIVE_DAYS: '366' }, 'ORDER_AUTO_RECEIVE_DAYS'],
    [{ ORDER_AUTO_RECEIVE_DAYS: '1.5' }, 'ORDER_AUTO_RECEIVE_DAYS'],
    [{ ORDER_LOCKING: 'none' }, 'ORDER_LOCKING'],
    [{ ORDER_PAY_TIMEOUT: '10' + 's' }, 'ORDER_PAY_TIMEOUT'],
    [{ ORDER_PAY_TIMEOUT: '30 min' }, 'ORDER_PAY_TIMEOUT'],
    [{ HOT_REBUILD_EVERY: '0' }, 'HOT_REBUILD_EVERY'],
    [{ SECRET_KEY: 'short' }, 'SECRET_KEY'],
    [{ SESSION_IDLE_DAYS: '1.5' }, 'SESSION_IDLE_DAYS'],
    [{ SEARCH_PUBLISHER: 'hot' }, 'SEARCH_PUBLISHER'],
  ])('stops on invalid %o naming %s', (env, variable) => {
    let err: unknown;
    try {
      loadConfig(env as NodeJS.ProcessEnv, '/srv/shop');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).variable).toBe(variable);
    expect((err as Error).message).toContain(variable);
  });
});
