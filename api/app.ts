import path from 'node:path';
import Router from '@koa/router';
import Koa, { type Middleware } from 'koa';
import { clientAddressResolver } from './client-address.ts';
import { AppError, MethodNotAllowedError, NotFoundError } from './errors.ts';
import { bearerMatches } from './metrics.ts';
import { compressJson } from './middleware/compress-json.ts';
import { cors } from './middleware/cors.ts';
import { errorHandler } from './middleware/error.ts';
import { requestId } from './middleware/request-id.ts';
import { securityHeaders } from './middleware/security-headers.ts';
import { localAlipayGateway } from './providers/alipay-local/index.ts';
import { FileCache, sendFile, serveStatic, siteCacheControl, StaticRoot } from './middleware/static.ts';
import { accountRoutes } from './routes/accounts.ts';
import { auditRoutes } from './routes/admin/audit.ts';
import { adminOrderRoutes } from './routes/admin/orders.ts';
import { groupRoutes } from './routes/admin/groups.ts';
import { permissionRoutes } from './routes/admin/permissions.ts';
import { adminSessionRoutes } from './routes/admin/sessions.ts';
import { staffRoutes } from './routes/admin/staff.ts';
import { customerRoutes } from './routes/admin/users.ts';
import { adminCatalogRoutes } from './routes/admin/catalog.ts';
import { addressRoutes } from './routes/addresses.ts';
import { adminMediaRoutes } from './routes/admin/media.ts';
import { areaRoutes } from './routes/areas.ts';
import { historyRoutes } from './routes/history.ts';
import { cartRoutes } from './routes/cart.ts';
import { catalogRoutes } from './routes/catalog.ts';
import { allowedMethods, mount, tagged, type AnyRoute } from './routes/define.ts';
import { healthRoutes } from './routes/health.ts';
import { openApiRoutes } from './routes/openapi.ts';
import { commentRoutes, orderRoutes } from './routes/orders.ts';
import { paymentRoutes } from './routes/payments.ts';
import { searchRoutes } from './routes/search.ts';
import { skuViewRoutes } from './routes/sku-views.ts';
import { statisticsRoutes } from './routes/admin/statistics.ts';
import { siteRoutes } from './routes/admin/site.ts';
import type { Services } from './services/index.ts';

/** Internal re-render twins (jobs/render/): never served, and answered like any unknown page. */
const INTERNAL = ['/render-internal'];
const READ_ONLY = ['GET', 'HEAD'];

const isApiPath = (p: string) => p === '/api' || p.startsWith('/api/');

/** The literal start of an API path that picks its routes: `skus` for /api/skus/:id, `admin/skus` under /api/admin/. */
function routeGroup(path: string): string {
  const [, , first = '', second = ''] = path.split('/', 4);
  return first === 'admin' ? `admin/${second}` : first;
}

/** Every JSON route of the API (the OpenAPI document is made from these). */
export const API_ROUTES = [
  ...tagged({ name: 'shop', description: 'Health and the optional features configured' }, healthRoutes),
  ...tagged({ name: 'catalog', description: 'Menu, categories, SKU lists and details (the shared reads may be a second old)' }, [...catalogRoutes, ...skuViewRoutes]),
  ...tagged({ name: 'search', description: 'Search on the published index the browser also uses' }, searchRoutes),
  ...tagged({ name: 'accounts', description: 'Captcha, SMS codes, registration, sessions, profile, email, passwords, QQ login' }, accountRoutes),
  ...tagged({ name: 'addresses', description: 'The national areas and the customer’s shipping addresses' }, [...areaRoutes, ...addressRoutes]),
  ...tagged({ name: 'history', description: 'The SKUs the customer looked at last' }, historyRoutes),
  ...tagged({ name: 'cart', description: 'The cart of a guest (a signed cookie) or a customer' }, cartRoutes),
  ...tagged({ name: 'orders', description: 'Checkout, the customer’s orders and comments on delivered goods' }, [...orderRoutes, ...commentRoutes]),
  ...tagged({ name: 'statistics', description: 'Staff: customers, orders, best sellers and page views per shop day (SHOP_TZ)' }, statisticsRoutes),
  ...tagged({ name: 'payments', description: 'Alipay page pay, the browser’s return and Alipay’s notify' }, paymentRoutes),
  ...tagged({ name: 'admin', description: 'Staff: admin sessions, staff accounts, customers, groups, permissions and the audit trail (docs/admin.md)' }, [
    ...adminSessionRoutes,
    ...staffRoutes,
    ...customerRoutes,
    ...groupRoutes,
    ...permissionRoutes,
    ...auditRoutes,
  ]),
  ...tagged({ name: 'admin-orders', description: 'Staff: orders (ship, cancel) and the refunds a human must handle (docs/admin.md)' }, adminOrderRoutes),
  ...tagged({ name: 'admin-site', description: 'Staff: the pages’ outbox, the release served, the job queue; full rebuilds and job retries (docs/admin-console.md)' }, siteRoutes),
  ...tagged({ name: 'admin-media', description: 'Staff: SKU pictures and brand logos (uploads re-encoded, unused files removed)' }, adminMediaRoutes),
  ...tagged({ name: 'admin-catalog', description: 'Staff: SKUs, SPUs, specs, brands, categories, channels and homepage contents' }, adminCatalogRoutes),
];

// The HTTP app as a value: tests call it in-process, server.ts makes it listen.
export function createApp(services: Services): Koa {
  // Koa's own proxy mode stays off: it believes X-Forwarded-* from whoever connects. The client's
  // address (the per-IP limits count it) comes from api/client-address.ts, which reads
  // X-Forwarded-For only from the proxies TRUST_PROXY names.
  const app = new Koa({ proxy: false });
  app.silent = true; // errors are logged by errorHandler
  const clientAddress = clientAddressResolver(services.config.trustProxy);
  // first of all, so it sees every answer's final status: requests by route template (mount() names
  // it in ctx.state.route), 'static' for the site's files, 'unmatched' for whatever nothing answered
  const metrics = services.metrics;
  app.use(async (ctx, next) => {
    const start = performance.now();
    try {
      await next();
    } finally {
      const route = (ctx.state.route as string | undefined) ?? (ctx.status === 404 || isApiPath(ctx.path) ? 'unmatched' : 'static');
      metrics.request(route, ctx.method, ctx.status, (performance.now() - start) / 1000);
    }
  });
  app.use((ctx, next) => {
    ctx.request.ip = clientAddress(ctx.req);
    return next();
  });
  const clientDir = path.join(services.config.distDir, 'client');
  const files = new FileCache(128 * 1024 * 1024, (hit) => services.metrics.cacheLookup('static_files', hit));
  const site = new StaticRoot(clientDir, INTERNAL);

  app.use(requestId());
  app.use(securityHeaders(services.config));
  app.use(errorHandler(services.log));

  // GET /metrics on the main port, behind METRICS_TOKEN (unset: the path is like any unknown page)
  const metricsToken = services.config.metrics.token;
  if (metricsToken !== null) {
    services.metrics.collectProcessMetrics();
    app.use(async (ctx, next) => {
      if (ctx.path !== '/metrics') return next();
      ctx.state.route = '/metrics';
      if (!READ_ONLY.includes(ctx.method)) throw new MethodNotAllowedError(ctx.method, READ_ONLY);
      if (!bearerMatches(ctx.get('Authorization') || undefined, metricsToken)) {
        throw new AppError({ message: '需要 METRICS_TOKEN (Authorization: Bearer …)', statusCode: 401, code: 'METRICS_TOKEN_REQUIRED', headers: { 'WWW-Authenticate': 'Bearer' } });
      }
      const { contentType, body } = await services.metrics.scrape();
      ctx.set('Cache-Control', 'no-store');
      ctx.type = contentType;
      ctx.body = body;
    });
  }

  // The API: JSON only, compressed when large; everything under /api is answered here.
  const router = new Router();
  const apiRoutes = API_ROUTES;
  const all = [...apiRoutes, ...openApiRoutes(apiRoutes)];
  mount(router, services, all);
  // @koa/router tries every route's pattern in turn (155 of them): each request first goes to the few
  // routes sharing its first segments (routeGroup), and only a path none of them matches goes through
  // the whole router (which finds nothing either, or the same route: the answer is the same)
  const groups = new Map<string, AnyRoute[]>();
  for (const r of all) groups.set(routeGroup(r.path), [...(groups.get(routeGroup(r.path)) ?? []), r]);
  const grouped = new Map<string, Middleware>();
  for (const [key, rs] of groups) {
    const sub = new Router();
    mount(sub, services, rs);
    grouped.set(key, sub.routes() as unknown as Middleware);
  }
  const compress = compressJson({ threshold: 8192 });
  const whole = router.routes() as unknown as Middleware;
  const routes: Middleware = (ctx, next) => {
    const group = grouped.get(routeGroup(ctx.path.toLowerCase()));
    return group ? group(ctx, () => whole(ctx, next)) : whole(ctx, next);
  };
  const unmatched: Middleware = async (ctx) => {
    const allowed = allowedMethods(router, ctx.path);
    if (allowed.length > 0) throw new MethodNotAllowedError(ctx.method, allowed);
    throw new NotFoundError('接口不存在', 'ROUTE_NOT_FOUND');
  };
  const crossOrigin = cors(services.config.corsOrigins);
  app.use((ctx, next) => (isApiPath(ctx.path) ? crossOrigin(ctx, () => compress(ctx, () => routes(ctx, () => unmatched(ctx, next)))) : next()));

  // ALIPAY_GATEWAY=local (development only; production mode refuses it): the shop plays Alipay's
  // gateway and cashier itself under /dev/alipay/ (api/providers/alipay-local/).
  const alipay = services.config.alipay;
  if (alipay?.local) {
    app.use(localAlipayGateway({ config: alipay, dataDir: services.config.dataDir, publicUrl: services.config.publicUrl, clock: services.clock, log: services.log }));
  }

  // Everything else is a read-only site.
  app.use((ctx, next) => {
    if (!READ_ONLY.includes(ctx.method)) throw new MethodNotAllowedError(ctx.method, READ_ONLY);
    return next();
  });
  app.use(serveStatic({ root: services.config.mediaDir, prefix: '/media', cacheControl: () => 'public, max-age=86400' }, files));
  app.use(serveStatic({ root: clientDir, hidden: INTERNAL, cacheControl: siteCacheControl }, files));

  // Anything else: the site's own 404 page.
  app.use(async (ctx) => {
    if (await sendFile(ctx, files, site, site.dir + '/404.html', 'no-cache', 404)) return;
    throw new NotFoundError('页面不存在'); // no site built yet
  });
  return app;
}
