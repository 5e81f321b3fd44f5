import crypto from 'node:crypto';
import type { Context, Middleware } from 'koa';
import { inRequestScope } from '../request-scope.ts';

// Every answer — page, API, error — carries X-Request-Id, and every log line written while the
// request is handled carries the same id (api/logger.ts). A proxy's id is kept when it is a sane
// token, so one id follows a request from the load balancer's log to ours; anything else (too long,
// odd characters that could forge log lines) is replaced by a fresh one.

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;

/** The request's id, as requestId() chose it. */
export const requestIdOf = (ctx: Context): string => ctx.state.requestId as string;

export function requestId(): Middleware {
  return (ctx, next) => {
    const given = ctx.get('X-Request-Id');
    const id = REQUEST_ID.test(given) ? given : crypto.randomUUID();
    ctx.state.requestId = id;
    ctx.set('X-Request-Id', id);
    return inRequestScope(id, next);
  };
}
