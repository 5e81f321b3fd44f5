import koaCors from '@koa/cors';
import type { Middleware } from 'koa';

// Cross-origin calls to the API: only from the origins in CORS_ORIGINS, with the customer's cookies
// (credentials), and their preflights answered. Any other origin gets no CORS headers, so its
// browser keeps the answers from its scripts. Without CORS_ORIGINS nothing changes: the shop's own
// pages are same-origin.
export function cors(origins: readonly string[]): Middleware {
  if (origins.length === 0) return (_ctx, next) => next();
  const allowed = new Set(origins);
  return koaCors({
    origin: (ctx) => {
      const origin = ctx.get('Origin');
      return allowed.has(origin) ? origin : '';
    },
    credentials: true,
    allowMethods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
    allowHeaders: ['Content-Type', 'Authorization', 'X-CSRF-Token', 'X-Request-Id'],
    exposeHeaders: ['Retry-After', 'X-Request-Id'],
    maxAge: 600,
  }) as unknown as Middleware;
}
