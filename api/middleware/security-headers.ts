import type { Middleware } from 'koa';
import type { Config } from '../config.ts';

// The one definition of the security headers: the embedded server sends these on every answer
// (pages, API, pictures, errors) and deploy/nginx/meiduo-headers.conf gives nginx the same values (tests compare).
// The built pages load only their own /_astro/ scripts and stylesheets — no inline script or style —
// so 'self' is the whole script and style policy. Pictures come from /media/ and, in product
// descriptions, from the hosts in IMAGE_HOSTS.

export function contentSecurityPolicy(imageHosts: readonly string[]): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    ["img-src 'self' data:", ...imageHosts].join(' '),
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

export function securityHeaderValues(config: Pick<Config, 'imageHosts'>): Record<string, string> {
  return {
    'Content-Security-Policy': contentSecurityPolicy(config.imageHosts),
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'strict-origin-when-cross-origin',
  };
}

/** Outermost middleware: set after everything else ran, so error answers carry them too. */
export function securityHeaders(config: Pick<Config, 'imageHosts'>): Middleware {
  const headers = Object.entries(securityHeaderValues(config));
  return async (ctx, next) => {
    try {
      await next();
    } finally {
      for (const [name, value] of headers) ctx.set(name, value);
    }
  };
}
