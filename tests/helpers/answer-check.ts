import zlib from 'node:zlib';
import { z } from 'zod';
import { API_ROUTES } from '../../api/app.ts';
import { errorSchema } from '../../api/openapi.ts';
import { documentedErrors, MEDIA_TYPES, successStatus, type AnyRoute } from '../../api/routes/define.ts';
import { openApiRoutes } from '../../api/routes/openapi.ts';

// Every answer an integration test receives through the test client (app.get, app.json, call) is
// checked here against what its route declares — the same declarations the OpenAPI document is made
// of: the success status and its schema (`response`) or media type, the 4xx statuses the route
// documents, the error shape for every 4xx/5xx, X-Request-Id on a route's answers and Retry-After on
// a 429. So a field renamed in a service, or a status nobody documented, fails the suite where it
// first shows, with the route and the difference named.

/** The routes the app mounts: the API and its reference. */
export const MOUNTED_ROUTES: readonly AnyRoute[] = [...API_ROUTES, ...openApiRoutes(API_ROUTES)];

export interface Answer {
  method: string;
  /** Path and query, as requested. */
  url: string;
  status: number;
  header(name: string): string | undefined;
  /** The body as received (still compressed when `Content-Encoding` says so and nothing decoded it). */
  body: Buffer;
  /** Whether the client already undid the Content-Encoding (fetch does, node:http does not). */
  decoded: boolean;
}

export class AnswerMismatch extends Error {
  override name = 'AnswerMismatch';
}

const matchers = new WeakMap<AnyRoute, RegExp>();
function pathPattern(r: AnyRoute): RegExp {
  let re = matchers.get(r);
  if (!re) {
    const source = r.path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/:[A-Za-z_][A-Za-z0-9_]*/g, '[^/]+');
    re = new RegExp(`^${source}/?$`); // @koa/router is not strict about a trailing slash
    matchers.set(r, re);
  }
  return re;
}

/** The route that answers `method path`, in mount order (the first match wins, as in the router). */
export function routeFor(routes: readonly AnyRoute[], method: string, path: string): AnyRoute | undefined {
  const m = method === 'HEAD' ? 'GET' : method;
  return routes.find((r) => r.method.toUpperCase() === m && pathPattern(r).test(path));
}

function decodedBody(a: Answer): Buffer {
  const coding = a.decoded ? undefined : a.header('content-encoding')?.trim().toLowerCase();
  if (coding === 'gzip') return zlib.gunzipSync(a.body);
  if (coding === 'br') return zlib.brotliDecompressSync(a.body);
  return a.body;
}

const describeIssues = (e: z.ZodError) => z.prettifyError(e).replace(/\n/g, '\n    ');

/** Throws an AnswerMismatch naming the route and the difference; answers outside /api are not checked. */
export function checkAnswer(a: Answer, routes: readonly AnyRoute[] = MOUNTED_ROUTES): void {
  const method = a.method.toUpperCase();
  const path = a.url.split('?')[0]!;
  if (method === 'OPTIONS' || !(path === '/api' || path.startsWith('/api/'))) return; // CORS preflights; pages and media
  const route = routeFor(routes, method, path);
  const where = `${method} ${a.url} → ${a.status}` + (route ? ` (route ${route.method.toUpperCase()} ${route.path})` : ' (no route)');
  const fail = (why: string): never => {
    throw new AnswerMismatch(`${where}: ${why}`);
  };
  const type = a.header('content-type') ?? '';
  const text = () => decodedBody(a).toString('utf8');
  const json = (): unknown => {
    if (!type.startsWith('application/json')) fail(`Content-Type is '${type}', not application/json`);
    try {
      return JSON.parse(text());
    } catch {
      return fail(`the body is not JSON: ${text().slice(0, 200)}`);
    }
  };
  if (route && !a.header('x-request-id')) fail('no X-Request-Id header');

  if (a.status >= 400) {
    // a 5xx other than 503 is a failure the route never meant (the 5XX entry covers it); 503 is declared
    if (route && (a.status < 500 || a.status === 503) && !(documentedErrors(route) as number[]).includes(a.status)) {
      fail(`status ${a.status} is not among the route's documented errors (${documentedErrors(route).join(', ') || 'none'}): declare it in the route's \`errors\``);
    }
    if (a.status === 429 && !/^[1-9][0-9]*$/.test(a.header('retry-after') ?? '')) fail('a 429 without a Retry-After of whole seconds');
    if (method === 'HEAD') return;
    const r = errorSchema.safeParse(json());
    if (!r.success) fail(`the error does not have the shared error shape:\n    ${describeIssues(r.error)}`);
    return;
  }

  if (!route) return fail('a success from a path no route declares');
  if (a.status !== successStatus(route)) fail(`the route declares ${successStatus(route)} for success`);
  if (a.status === 204) {
    if (a.body.length > 0) fail('a 204 with a body');
    return;
  }
  const kind = route.responseType ?? 'json';
  if (!type.startsWith(MEDIA_TYPES[kind])) fail(`Content-Type is '${type}', the route declares ${MEDIA_TYPES[kind]}`);
  if (method === 'HEAD') return;
  if (kind === 'png' && !decodedBody(a).subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) fail('not a PNG image');
  if (kind === 'svg' && !/^\s*<svg[\s>]/.test(text())) fail('not an SVG image');
  if (!route.response) return;
  const r = route.response.safeParse(kind === 'json' ? json() : text());
  if (!r.success) fail(`the answer does not match the route's response schema:\n    ${describeIssues(r.error)}`);
}

/** checkAnswer for a fetch Response, leaving the Response readable. */
export async function checkFetched(method: string, url: string, res: Response, routes?: readonly AnyRoute[]): Promise<void> {
  const body = Buffer.from(await res.clone().arrayBuffer());
  checkAnswer({ method, url, status: res.status, header: (n) => res.headers.get(n) ?? undefined, body, decoded: true }, routes);
}
