import type Router from '@koa/router';
import type { Context } from 'koa';
import { z } from 'zod';
import { validate } from '../validation.ts';
import type { Services } from '../services/index.ts';

// Routes are declared as data (Ghost's controller objects): the schemas validate params and query
// before the handler runs, and `permissions` must be stated on every route, so nothing is public
// by accident. Handlers receive parsed input and return the JSON body.

export type Permission = 'public'; // accounts and admin add their own later

export interface RouteDef<P extends z.ZodType, Q extends z.ZodType> {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  path: string;
  permissions: Permission;
  params?: P;
  query?: Q;
  statusCode?: number;
  cacheControl?: string;
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
    router[r.method](r.path, async (ctx) => {
      const params = parse(r.params, ctx.params, 'path');
      const query = parse(r.query, ctx.query, 'query');
      const body = await r.handler({ params, query, ctx, services });
      ctx.status = r.statusCode ?? 200;
      if (r.cacheControl) ctx.set('Cache-Control', r.cacheControl);
      ctx.body = body;
    });
  }
}

// Shared field schemas
export const idParam = z.coerce
  .number({ message: '必须是正整数' })
  .int('必须是正整数')
  .min(1, '必须是正整数')
  .max(2_147_483_647, '超出范围');

export const pageParam = z.coerce.number({ message: '必须是正整数' }).int('必须是正整数').min(1, '必须是正整数').max(100_000, '超出范围');

export const pageSizeParam = z.coerce
  .number({ message: '必须是 1-100 的整数' })
  .int('必须是 1-100 的整数')
  .min(1, '必须是 1-100 的整数')
  .max(100, '不能超过 100');
