import crypto from 'node:crypto';
import type Router from '@koa/router';
import type { Context } from 'koa';
import { z } from 'zod';
import type { Config } from '../config.ts';
import type { Actor, Cookies, RequestContext } from '../context.ts';
import { ForbiddenError, UnauthorizedError, ValidationError } from '../errors.ts';
import { DEFAULT_BODY_LIMIT, readBody, type BodyKind } from '../middleware/body.ts';
import { validate } from '../validation.ts';
import { cookieValue, presentedSession } from '../services/accounts/session-authenticator.ts';
import { sessionCookies } from './session-cookies.ts';
import type { Services } from '../services/index.ts';

// Routes are declared as data (Ghost's endpoint objects): schemas validate path, query and body
// before the handler runs; every route states who may call it (`auth`), and mount() refuses a route
// that does not — nothing is public by accident, and the check happens here, once, not in handlers.
// Handlers get parsed input and a RequestContext (api/context.ts), never Koa's ctx, so the services
// they call stay transport-free. The same definitions produce the OpenAPI document (openapi.ts).
// Numbers in paths and queries use the shared schemas of api/validation.ts (decimal digits only).

/** public: anyone; user: a logged-in customer; { permission }: staff holding that permission. */
export type Auth = 'public' | 'user' | { permission: string };

export interface RouteDef<P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType> {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  path: string;
  auth: Auth;
  /** One line for the API reference. */
  summary?: string;
  params?: P;
  query?: Q;
  /** The request body's schema; without one, a route takes no body. */
  body?: B;
  /** Body encodings accepted (default JSON; 'form' where a provider posts forms). */
  bodyKinds?: readonly BodyKind[];
  /** Largest body accepted, in bytes (default 16 KiB). */
  bodyLimit?: number;
  /** Run the handler in one database transaction (context.trx); it rolls back if the handler throws. */
  transaction?: boolean;
  statusCode?: number;
  /** What the handler returns: JSON (default), an HTML string (the API reference page), an SVG string, PNG bytes (captchas) or plain text (Alipay's notify answer). */
  responseType?: 'json' | 'html' | 'svg' | 'png' | 'text';
  /**
   * 'issue': the handler's result may carry a session `token`; it is also set as the session cookie
   * (and its CSRF twin) for the shop's pages. 'clear': the cookies are removed.
   */
  session?: 'issue' | 'clear';
  /** Default `no-store`: an answer is cacheable only where a route says so. */
  cacheControl?: string | ((config: Config) => string);
  handler(input: { params: z.infer<P>; query: z.infer<Q>; body: z.infer<B>; context: RequestContext; services: Services; cookies: Cookies }): Promise<unknown>;
}

export type AnyRoute = RouteDef<any, any, any>;

function cookieJar(ctx: Context, secure: boolean): Cookies {
  return {
    get: (name) => cookieValue(ctx.get('Cookie') || undefined, name),
    set(name, value, opts = {}) {
      const attrs = [`Path=/`, 'SameSite=Lax', ...(secure ? ['Secure'] : []), ...(opts.httpOnly ? ['HttpOnly'] : [])];
      if (value === null) attrs.unshift('Max-Age=0', 'Expires=Thu, 01 Jan 1970 00:00:00 GMT');
      else if (opts.maxAgeSeconds !== undefined) attrs.unshift(`Max-Age=${opts.maxAgeSeconds}`);
      ctx.append('Set-Cookie', `${name}=${value ?? ''}; ${attrs.join('; ')}`);
    },
  };
}

export function defineRoute<P extends z.ZodType = z.ZodObject<{}>, Q extends z.ZodType = z.ZodObject<{}>, B extends z.ZodType = z.ZodUndefined>(
  def: RouteDef<P, Q, B>,
) {
  return def;
}

function parse<T extends z.ZodType>(schema: T | undefined, value: unknown, what: string): z.infer<T> {
  if (!schema) return {} as z.infer<T>;
  return validate(schema, value, `请求参数有误 (${what})`) as z.infer<T>;
}

const isAuth = (a: unknown): a is Auth =>
  a === 'public' || a === 'user' || (typeof a === 'object' && a !== null && typeof (a as { permission?: unknown }).permission === 'string');

/** The one place the auth levels are enforced. */
export function authorize(auth: Auth, actor: Actor): void {
  if (auth === 'public') return;
  if (actor.kind === 'anonymous') throw new UnauthorizedError();
  if (auth === 'user') {
    if (actor.kind !== 'user') throw new ForbiddenError();
    return;
  }
  if (actor.kind !== 'admin' || !actor.permissions.has(auth.permission)) throw new ForbiddenError();
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;
const IDEMPOTENCY_KEY = /^[A-Za-z0-9._:-]{8,64}$/;

/** A write's Idempotency-Key header (retries of the same request send the same key); 400 when malformed. */
function idempotencyKeyOf(ctx: Context): string | undefined {
  const key = ctx.get('Idempotency-Key');
  if (!key) return undefined;
  if (!IDEMPOTENCY_KEY.test(key)) throw new ValidationError('Idempotency-Key 必须是 8-64 个字母、数字或 ._:-', { 'Idempotency-Key': '格式错误' });
  return key;
}

/** A caller's X-Request-Id when it is a sane token (a proxy's), else a new one; echoed in the answer. */
export function requestIdOf(ctx: Context): string {
  const given = ctx.get('X-Request-Id');
  return REQUEST_ID.test(given) ? given : crypto.randomUUID();
}

export function mount(router: Router, services: Services, routes: AnyRoute[]) {
  for (const r of routes) {
    // default deny: a route that does not say who may call it is a programming error, found at start
    if (!isAuth(r.auth)) throw new Error(`route ${r.method.toUpperCase()} ${r.path} declares no auth level`);
    const cacheControl = typeof r.cacheControl === 'function' ? r.cacheControl(services.config) : (r.cacheControl ?? 'no-store');
    router[r.method](r.path, async (ctx) => {
      const requestId = requestIdOf(ctx);
      ctx.set('X-Request-Id', requestId);
      const actor = await services.authenticator.authenticate({ headers: ctx.headers, method: ctx.method });
      authorize(r.auth, actor);
      const params = parse(r.params, ctx.params, 'path');
      const query = parse(r.query, ctx.query, 'query');
      // a route without a body schema never reads one (a GET with a body is answered as without)
      const body = r.body ? validate(r.body, await readBody(ctx.req, r.bodyKinds ?? ['json'], r.bodyLimit ?? DEFAULT_BODY_LIMIT), '请求参数有误 (body)') : undefined;
      const base: RequestContext = {
        actor,
        requestId,
        clock: services.clock,
        db: services.db,
        ip: ctx.ip,
        sessionToken: presentedSession(ctx.headers)?.token,
        idempotencyKey: idempotencyKeyOf(ctx),
      };
      const cookies = cookieJar(ctx, services.config.accounts.secureCookies);
      const result = r.transaction
        ? await services.db.transaction((trx) => r.handler({ params, query, body, context: { ...base, trx }, services, cookies }))
        : await r.handler({ params, query, body, context: base, services, cookies });
      ctx.status = r.statusCode ?? 200;
      ctx.set('Cache-Control', cacheControl);
      if (r.responseType === 'html') ctx.type = 'html';
      if (r.responseType === 'svg') ctx.type = 'image/svg+xml';
      if (r.responseType === 'png') ctx.type = 'image/png';
      if (r.responseType === 'text') ctx.type = 'text/plain';
      const grant = result as { token?: unknown; user_id?: unknown; id?: unknown } | null;
      if (r.session === 'issue' && typeof grant?.token === 'string') {
        for (const c of sessionCookies(grant.token, services.config)) ctx.append('Set-Cookie', c);
        // a session has started: what the guest kept in cookies joins the account (the guest cart)
        const userId = Number(grant.user_id ?? grant.id);
        for (const hook of services.sessionStarted) await hook({ userId, context: base, cookies });
      }
      if (r.session === 'clear') for (const c of sessionCookies(null, services.config)) ctx.append('Set-Cookie', c);
      ctx.body = r.statusCode === 204 ? null : result;
    });
  }
}

const METHOD_ORDER = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'];

/** Methods some route answers at this path (for a 405's `Allow`); empty when no route has the path. */
export function allowedMethods(router: Router, path: string): string[] {
  const methods = new Set(router.match(path, 'GET').path.flatMap((layer) => layer.methods));
  return METHOD_ORDER.filter((m) => methods.has(m));
}
