import type { Middleware } from 'koa';
import { AppError } from '../errors.ts';
import type { Logger } from '../logger.ts';

// The one place errors become responses. Messages are shown below 500 and for AppErrors that say so;
// anything unexpected is logged with the request and answered with a generic 500.
export function errorHandler(log: Logger): Middleware {
  return async (ctx, next) => {
    try {
      await next();
    } catch (err) {
      const e = err as { status?: number; statusCode?: number; expose?: boolean; message?: string; code?: string; headers?: unknown };
      let status = e.statusCode ?? e.status ?? 500;
      if (!Number.isInteger(status) || status < 400 || status > 599) status = 500;
      // One line per failed request, carrying its id (api/logger.ts) as the answer does. A 5xx the
      // code chose to answer (an AppError it exposes: 503 not ready, cart unavailable) is the shop
      // working as designed while a dependency is down: a warning with its code, fields and cause,
      // no stack. Anything else is a defect: an error with the stack.
      if (status >= 500 && err instanceof AppError && err.expose) {
        const cause = (err.cause as { message?: unknown } | undefined)?.message;
        log.warn({ code: err.code, fields: err.fields, cause, method: ctx.method, url: ctx.url }, err.message);
      } else if (status >= 500) log.error({ err, method: ctx.method, url: ctx.url }, 'request failed');
      if (ctx.headerSent) return; // too late to answer: Node ends the response
      const body: { code: string; message: string; fields?: Record<string, string> } = {
        code: err instanceof AppError ? err.code : status >= 500 ? 'INTERNAL_ERROR' : httpCode(status),
        // an AppError says itself whether its message may be shown (a 503 telling the order was not placed)
        message: (err instanceof AppError ? err.expose : status < 500) && e.message ? e.message : '服务器内部错误',
      };
      if (err instanceof AppError && err.fields) body.fields = err.fields;
      // Whatever the failed handler had set (Content-Encoding, Content-Length, ETag, …) describes a
      // body that is not being sent: start from a clean slate, as Koa's own error path does.
      for (const name of ctx.res.getHeaderNames()) ctx.res.removeHeader(name);
      // …except the request's id: an error answer is the one a person most needs to find in the logs
      if (ctx.state.requestId) ctx.set('X-Request-Id', ctx.state.requestId);
      if (err instanceof AppError && err.headers) ctx.set(err.headers);
      ctx.status = status;
      ctx.set('Cache-Control', 'no-store');
      ctx.body = { error: body };
    }
  };
}

function httpCode(status: number): string {
  switch (status) {
    case 400: return 'BAD_REQUEST';
    case 401: return 'UNAUTHORIZED';
    case 403: return 'FORBIDDEN';
    case 404: return 'NOT_FOUND';
    case 405: return 'METHOD_NOT_ALLOWED';
    case 413: return 'PAYLOAD_TOO_LARGE';
    case 415: return 'UNSUPPORTED_MEDIA_TYPE';
    case 429: return 'TOO_MANY_REQUESTS';
    default: return 'HTTP_' + status;
  }
}
