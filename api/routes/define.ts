import type Router from '@koa/router';
import type { Context } from 'koa';
import { z } from 'zod';
import { validate } from '../validation.ts';
import type { Config } from '../config.ts';
import type { Services } from '../services/index.ts';

// Routes are declared as data (Ghost's controller objects): the schemas validate params and query
// before the handler runs, and `permissions` must be stated on every route, so nothing is public
// by accident. Handlers receive parsed input and return the JSON body. Numbers in paths and queries
// use the shared schemas of api/validation.ts (decimal digits only).

export type Permission = 'public'; // accounts and admin add their own later

export interface RouteDef<P extends z.ZodType, Q extends z.ZodType> {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  path: string;
  permissions: Permission;
  params?: P;
  query?: Q;
  statusCode?: number;
  /** Default `no-store`: an answer is cacheable only where a route says so. */
  cacheControl?: string | ((config: Config) => string);
  handler(input: { params: z.infer<P>; query: z.infer<Q>; ctx: Context; services: Services }): Promise<unknown>;
}

export function defineRoute<P extends z.ZodType = z.ZodObject<{}>, Q extends z.ZodType = z.ZodObject<{}>>(def: RouteDef<P, Q>) {
  return def;
}

function parse<T extends z.ZodType>(schema: T | undefined, value: unknown, what: string): z.infer<T> {
  if (!schema) return {} as z.infer<T>;
  return validate(schema, value, `请求参数有误 (${what})`) as z.infer<T>;
}

export function mount(router: Router, services: Services, routes: RouteDef<any, any>[]) {
  for (const r of routes) {
    if (!r.permissions) throw new Error(`route ${r.method.toUpperCase()} ${r.path} declares no permissions`);
    const cacheControl = typeof r.cacheControl === 'function' ? r.cacheControl(services.config) : (r.cacheControl ?? 'no-store');
    router[r.method](r.path, async (ctx) => {
      const params = parse(r.params, ctx.params, 'path');
      const query = parse(r.query, ctx.query, 'query');
      const body = await r.handler({ params, query, ctx, services });
      ctx.status = r.statusCode ?? 200;
      ctx.set('Cache-Control', cacheControl);
      ctx.body = body;
    });
  }
}

const METHOD_ORDER = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'];

/** Methods some route answers at this path (for a 405's `Allow`); empty when no route has the path. */
export function allowedMethods(router: Router, path: string): string[] {
  const methods = new Set(router.match(path, 'GET').path.flatMap((layer) => layer.methods));
  return METHOD_ORDER.filter((m) => methods.has(m));
}
