import path from 'node:path';
import Router from '@koa/router';
import Koa from 'koa';
import compress from 'koa-compress';
import { AppError, NotFoundError } from './errors.ts';
import { errorHandler } from './middleware/error.ts';
import { FileCache, sendFile, serveStatic, siteCacheControl } from './middleware/static.ts';
import { catalogRoutes } from './routes/catalog.ts';
import { mount } from './routes/define.ts';
import { healthRoutes } from './routes/health.ts';
import { searchRoutes } from './routes/search.ts';
import type { Services } from './services/index.ts';

// The HTTP app as a value: tests call it in-process, server.ts makes it listen.
export function createApp(services: Services): Koa {
  const app = new Koa({ proxy: false });
  app.silent = true; // errors are logged by errorHandler
  const clientDir = path.join(services.config.distDir, 'client');
  const files = new FileCache(128 * 1024 * 1024);

  app.use(errorHandler(services.log));

  // The API: JSON only, compressed when large.
  const router = new Router();
  mount(router, services, [...healthRoutes, ...catalogRoutes, ...searchRoutes]);
  // Small JSON (a page of 20 SKUs is ~3 KB) goes out as is: compressing it costs more CPU than the
  // bytes are worth. The menu and search pages are compressed.
  const compressJson = compress({ threshold: 8192 });
  app.use((ctx, next) => (ctx.path.startsWith('/api/') ? compressJson(ctx, next) : next()));
  app.use(router.routes());
  app.use(async (ctx, next) => {
    if (!ctx.path.startsWith('/api/')) return next();
    if (router.match(ctx.path, ctx.method).path.length > 0) {
      throw new AppError({ statusCode: 405, code: 'METHOD_NOT_ALLOWED', message: `不支持 ${ctx.method} 方法` });
    }
    throw new NotFoundError('接口不存在', 'ROUTE_NOT_FOUND');
  });

  // Internal re-render routes are never served to the public.
  app.use(async (ctx, next) => {
    if (ctx.path.startsWith('/render-internal')) throw new NotFoundError();
    return next();
  });

  app.use(serveStatic({ root: services.config.mediaDir, prefix: '/media', cacheControl: () => 'public, max-age=86400' }, files));
  app.use(serveStatic({ root: clientDir, cacheControl: siteCacheControl }, files));

  // Anything else: the site's own 404 page.
  app.use(async (ctx) => {
    if ((ctx.method === 'GET' || ctx.method === 'HEAD') && (await sendFile(ctx, files, path.join(clientDir, '404.html'), 'no-cache', 404))) return;
    ctx.status = 404;
    ctx.type = 'text/plain';
    ctx.body = 'Not Found';
  });
  return app;
}
