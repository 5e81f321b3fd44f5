import http from 'node:http';
import Router from '@koa/router';
import Koa from 'koa';
import { errorHandler } from '../../api/middleware/error.ts';
import { requestId } from '../../api/middleware/request-id.ts';
import { mount, type AnyRoute } from '../../api/routes/define.ts';
import type { Services } from '../../api/services/index.ts';

// Routes a test defines, mounted as the app mounts its own (request id, error handler, mount()),
// on a loopback port: for the seams that every route goes through, tested without the shop's routes.

export interface RouteApp {
  base: string;
  close(): Promise<void>;
}

export async function startRouteApp(services: Services, routes: AnyRoute[]): Promise<RouteApp> {
  const app = new Koa();
  app.silent = true;
  app.use(requestId());
  app.use(errorHandler(services.log));
  const router = new Router();
  mount(router, services, routes);
  app.use(router.routes());
  const server = http.createServer(app.callback());
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    base: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
