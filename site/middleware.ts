import { defineMiddleware } from 'astro:middleware';
import { renderLocals } from './lib/render-locals.ts';

// The re-render twins under /render-internal/ answer only the in-process rebuild job, which passes
// the catalog snapshot in locals. Koa refuses the prefix too; this guard holds even if the adapter's
// handler were ever mounted on a public server.
export const onRequest = defineMiddleware((context, next) => {
  if (context.url.pathname.startsWith('/render-internal/') && !renderLocals(context.locals)) {
    return new Response(null, { status: 404 });
  }
  return next();
});
