import type Router from '@koa/router';
import type { Context } from 'koa';
import { z } from 'zod';
import type { Config } from '../config.ts';
import type { Actor, Cookies, Realm, RequestContext } from '../context.ts';
import { ForbiddenError, UnauthorizedError, ValidationError } from '../errors.ts';
import { DEFAULT_BODY_LIMIT, readBody, type BodyKind } from '../middleware/body.ts';
import { requestIdOf } from '../middleware/request-id.ts';
import { validate } from '../validation.ts';
import { cookieValue, presentedSession } from '../services/accounts/session-authenticator.ts';
import { sessionCookies } from './session-cookies.ts';
import { setHeaderName } from '../services/header/header-cookies.ts';
import type { Services } from '../services/index.ts';

// Routes are declared as data (Ghost's endpoint objects): schemas validate path, query and body
// before the handler runs; every route states who may call it (`auth`), and mount() refuses a route
// that does not — nothing is public by accident, and the check happens here, once, not in handlers.
// Handlers get parsed input and a RequestContext (api/context.ts), never Koa's ctx, so the services
// they call stay transport-free. The same definitions produce the OpenAPI document (openapi.ts).
// Numbers in paths and queries use the shared schemas of api/validation.ts (decimal digits only).

/**
 * public: anyone; user: a logged-in customer; staff: any logged-in staff member (their own account,
 * GET /api/admin/me); { permission }: staff holding that permission (api/services/admin/permission-catalog.ts).
 */
export type Auth = 'public' | 'user' | 'staff' | { permission: string };

/** Whose sessions a route accepts: the admin API's (/api/admin/…, staff routes) or the shop's. */
export function realmOf(r: Pick<AnyRoute, 'auth' | 'path'>): Realm {
  return typeof r.auth === 'object' || r.auth === 'staff' || r.path === '/api/admin' || r.path.startsWith('/api/admin/') ? 'admin' : 'shop';
}

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
  /**
   * true: run the handler in one database transaction (context.trx); it rolls back if the handler
   * throws. 'service': the write is one transaction the service opens itself, because part of the
   * work must stay outside it (an upload decoded before, its unused files removed after commit).
   */
  transaction?: boolean | 'service';
  statusCode?: number;
  /** What the handler returns: JSON (default), an HTML string (the API reference page), an SVG string or PNG bytes (captchas) or plain text (Alipay's notify answer). */
  responseType?: ResponseType;
  /**
   * The schema of the 2xx JSON answer: what the OpenAPI document shows, and what the integration
   * tests check every answer against. Required for a JSON route (mount refuses one without it);
   * none for a 204 or a non-JSON answer.
   */
  response?: z.ZodType;
  /**
   * Error statuses the route's services answer, beyond those its definition implies (documentedErrors):
   * 404 for an unknown id, 409, 429 from a throttle, 400 from a service's own checks, 503 from a
   * readiness probe (the one 5xx a route answers on purpose).
   */
  errors?: readonly ErrorStatus[];
  /** The route takes an `Idempotency-Key` header (a retry with the same key gets the same result); other routes ignore it. */
  idempotencyKey?: boolean;
  /** Examples for the API reference (main operations): a request body and the answer to it. */
  examples?: { body?: z.input<B>; response?: unknown };
  /** Groups the route in the API reference (set per route file in api/app.ts). */
  tag?: RouteTag;
  /**
   * 'issue': the handler's result may carry a session `token`; it is also set as the session cookie
   * (and its CSRF twin) for the shop's pages, with the header's readable display-name cookie from its
   * `username` (the cart-count cookie comes from the cart's sessionStarted hook). 'clear': all of
   * them are removed.
   */
  session?: 'issue' | 'clear';
  /** Default `no-store`: an answer is cacheable only where a route says so. */
  cacheControl?: string | ((config: Config) => string);
  handler(input: { params: z.infer<P>; query: z.infer<Q>; body: z.infer<B>; context: RequestContext; services: Services; cookies: Cookies }): Promise<unknown>;
}

export type AnyRoute = RouteDef<any, any, any>;

export type ResponseType = 'json' | 'html' | 'svg' | 'png' | 'text';
export type ErrorStatus = 400 | 401 | 403 | 404 | 409 | 413 | 415 | 429 | 503;
export interface RouteTag {
  name: string;
  description: string;
}

/** The media type of each kind of answer. */
export const MEDIA_TYPES: Record<ResponseType, string> = {
  json: 'application/json',
  html: 'text/html',
  svg: 'image/svg+xml',
  png: 'image/png',
  text: 'text/plain',
};

/** A route file's routes, grouped under one tag of the API reference. */
export const tagged = <R extends AnyRoute>(tag: RouteTag, routes: readonly R[]): R[] => routes.map((r) => ({ ...r, tag }));

/** The status of a route's successful answer. */
export const successStatus = (r: AnyRoute): number => r.statusCode ?? 200;

/**
 * Every 4xx a route may answer: those its definition implies — 400 for a malformed parameter, body
 * or Idempotency-Key, 401/403 for a protected route, 403 for a write with the session cookie but
 * without the CSRF header, 413/415 for a body — and those it declares (`errors`).
 */
export function documentedErrors(r: AnyRoute): ErrorStatus[] {
  const s = new Set<ErrorStatus>(r.errors ?? []);
  if (r.params || r.query || r.body || r.idempotencyKey) s.add(400);
  if (r.auth !== 'public') s.add(401).add(403);
  if (r.method !== 'get') s.add(403);
  if (r.body) s.add(413).add(415);
  return [...s].sort((a, b) => a - b);
}

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
  a === 'public' || a === 'user' || a === 'staff' || (typeof a === 'object' && a !== null && typeof (a as { permission?: unknown }).permission === 'string');

/**
 * The one place the auth levels are enforced. A caller who is not the route's kind of actor — nobody,
 * a customer on a staff route, staff on a customer's route — is not logged in there: 401. Staff
 * without the route's permission: 403.
 */
export function authorize(auth: Auth, actor: Actor): void {
  if (auth === 'public') return;
  if (auth === 'user') {
    if (actor.kind !== 'user') throw new UnauthorizedError();
    return;
  }
  if (actor.kind !== 'admin') throw new UnauthorizedError();
  if (auth !== 'staff' && !actor.permissions.has(auth.permission)) throw new ForbiddenError();
}

export const IDEMPOTENCY_KEY = /^[A-Za-z0-9._:-]{8,64}$/;

/** A write's Idempotency-Key header (retries of the same request send the same key); 400 when malformed. */
function idempotencyKeyOf(ctx: Context): string | undefined {
  const key = ctx.get('Idempotency-Key');
  if (!key) return undefined;
  if (!IDEMPOTENCY_KEY.test(key)) throw new ValidationError('Idempotency-Key 必须是 8-64 个字母、数字或 ._:-', { 'Idempotency-Key': '格式错误' });
  return key;
}


export function mount(router: Router, services: Services, routes: AnyRoute[]) {
  for (const r of routes) {
    // default deny: a route that does not say who may call it is a programming error, found at start
    if (!isAuth(r.auth)) throw new Error(`route ${r.method.toUpperCase()} ${r.path} declares no auth level`);
    // likewise its answer: the OpenAPI document and the tests' answer checks are made from it
    if ((r.responseType ?? 'json') === 'json' && r.statusCode !== 204 && !(r.response instanceof z.ZodType)) {
      throw new Error(`route ${r.method.toUpperCase()} ${r.path} declares no response schema`);
    }
    const realm = realmOf(r);
    const cacheControl = typeof r.cacheControl === 'function' ? r.cacheControl(services.config) : (r.cacheControl ?? 'no-store');
    router[r.method](r.path, async (ctx) => {
      ctx.state.route = r.path; // the metrics' label: the template, never the URL (api/metrics.ts)
      // chosen and echoed for every answer by the app's first middleware (api/middleware/request-id.ts)
      const requestId = requestIdOf(ctx);
      const actor = await services.authenticator.authenticate({ headers: ctx.headers, method: ctx.method, realm });
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
        sessionToken: presentedSession(ctx.headers, realm)?.token,
        idempotencyKey: r.idempotencyKey ? idempotencyKeyOf(ctx) : undefined,
      };
      const cookies = cookieJar(ctx, services.config.accounts.secureCookies);
      const result = r.transaction === true
        ? await services.db.transaction((trx) => r.handler({ params, query, body, context: { ...base, trx }, services, cookies }))
        : await r.handler({ params, query, body, context: base, services, cookies });
      ctx.status = r.statusCode ?? 200;
      ctx.set('Cache-Control', cacheControl);
      if (r.responseType && r.responseType !== 'json') ctx.type = MEDIA_TYPES[r.responseType];
      const grant = result as { token?: unknown; user_id?: unknown; id?: unknown; username?: unknown } | null;
      if (r.session === 'issue' && typeof grant?.token === 'string' && realm === 'admin') {
        // staff: the admin cookies only (no cart to merge, no shop header name)
        for (const c of sessionCookies(grant.token, services.config, 'admin')) ctx.append('Set-Cookie', c);
      } else if (r.session === 'issue' && typeof grant?.token === 'string') {
        for (const c of sessionCookies(grant.token, services.config)) ctx.append('Set-Cookie', c);
        // a session has started: what the guest kept in cookies joins the account (the guest cart)
        const userId = Number(grant.user_id ?? grant.id);
        for (const hook of services.sessionStarted) await hook({ userId, context: base, cookies });
        if (typeof grant.username === 'string') setHeaderName(cookies, grant.username);
      }
      if (r.session === 'clear' && realm === 'admin') {
        for (const c of sessionCookies(null, services.config, 'admin')) ctx.append('Set-Cookie', c);
      } else if (r.session === 'clear') {
        for (const c of sessionCookies(null, services.config)) ctx.append('Set-Cookie', c);
        setHeaderName(cookies, null);
      }
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
