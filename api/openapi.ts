import { z } from 'zod';
import { BODY_TYPES } from './middleware/body.ts';
import { documentedErrors, IDEMPOTENCY_KEY, MEDIA_TYPES, realmOf, successStatus, type AnyRoute, type Auth, type ErrorStatus, type RouteTag } from './routes/define.ts';

// The OpenAPI 3.1 document of the whole API, made from the route definitions themselves: a route
// appears because it is defined, with the same zod schemas that validate its input (zod 4 writes
// JSON Schema itself; `io: 'input'` describes what a client sends — '7' for an id, not 7) and the
// schema of its answer (`response`, output side), which the integration tests check every answer
// against (tests/helpers/answer-check.ts). Error answers are listed per route (documentedErrors).

type JsonSchema = Record<string, unknown>;

const toSchema = (s: z.ZodType, io: 'input' | 'output'): JsonSchema => {
  const { $schema: _, ...rest } = z.toJSONSchema(s, { io, unrepresentable: 'any' }) as JsonSchema;
  return rest;
};

function parameters(schema: z.ZodType | undefined, where: 'path' | 'query') {
  if (!schema) return [];
  const json = toSchema(schema, 'input');
  const required = new Set((json.required as string[] | undefined) ?? []);
  return Object.entries((json.properties as Record<string, JsonSchema> | undefined) ?? {}).map(([name, { description, ...s }]) => ({
    name,
    in: where,
    required: where === 'path' || required.has(name),
    ...(description ? { description } : {}),
    schema: s,
  }));
}

const idempotencyKeyParameter = {
  name: 'Idempotency-Key',
  in: 'header',
  required: false,
  description: 'Retries of one request send the same key and get the same result; the same key with another body is a 409.',
  schema: { type: 'string', pattern: IDEMPOTENCY_KEY.source },
  example: 'checkout-7f3a9c21',
};

/** The shared error shape, as the tests check it too. */
export const errorSchema = z.strictObject({
  error: z.strictObject({
    code: z.string().regex(/^[A-Z][A-Z0-9_]*$/).meta({ description: 'stable UPPER_SNAKE code' }),
    message: z.string().min(1),
    fields: z.record(z.string(), z.string()).optional().meta({ description: 'per field, the first problem' }),
  }),
});

const ERRORS: Record<ErrorStatus | '5XX', { name: string; description: string; example: { code: string; message: string; fields?: Record<string, string> } }> = {
  400: { name: 'BadRequest', description: 'Malformed input (the fields named), or refused by a rule of the service; nothing was changed.', example: { code: 'VALIDATION_ERROR', message: '请求参数有误 (path)', fields: { id: '必须是正整数' } } },
  401: { name: 'Unauthorized', description: 'No session: log in first.', example: { code: 'UNAUTHORIZED', message: '请先登录' } },
  403: { name: 'Forbidden', description: 'Not allowed for this caller, or a write with the session cookie but without the X-CSRF-Token header.', example: { code: 'CSRF_FAILED', message: '请求来源校验失败，请刷新页面后重试' } },
  404: { name: 'NotFound', description: 'No such resource (or not the caller’s), or a feature this shop has not configured.', example: { code: 'NOT_FOUND', message: '资源不存在' } },
  409: { name: 'Conflict', description: 'Refused in the resource’s current state.', example: { code: 'CONFLICT', message: '只能取消待支付的订单' } },
  413: { name: 'PayloadTooLarge', description: 'The body is over the route’s limit (16 KiB unless stated).', example: { code: 'PAYLOAD_TOO_LARGE', message: '请求体不能超过 16384 字节' } },
  415: { name: 'UnsupportedMediaType', description: 'The body is not of a media type the route reads.', example: { code: 'UNSUPPORTED_MEDIA_TYPE', message: '请求体必须是 application/json' } },
  429: { name: 'TooManyRequests', description: 'A throttle or daily limit: try again after Retry-After seconds.', example: { code: 'TOO_MANY_REQUESTS', message: '操作太频繁，请稍后再试' } },
  503: { name: 'ServiceUnavailable', description: 'Not ready: a dependency named in `fields` failed its check; a load balancer sends traffic elsewhere.', example: { code: 'HEALTH_NOT_READY', message: '未就绪: database', fields: { database: 'failed (ECONNREFUSED)' } } },
  '5XX': { name: 'ServerError', description: 'The server failed; the request may or may not have taken effect unless the message says so.', example: { code: 'INTERNAL_ERROR', message: '服务器内部错误' } },
};

const requestIdHeader = { $ref: '#/components/headers/RequestId' };

function errorResponse(status: ErrorStatus | '5XX') {
  const e = ERRORS[status];
  return {
    description: e.description,
    headers: { 'X-Request-Id': requestIdHeader, ...(String(status) === '429' ? { 'Retry-After': { $ref: '#/components/headers/RetryAfter' } } : {}) },
    content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' }, example: { error: e.example } } },
  };
}

function successResponse(r: AnyRoute) {
  const status = successStatus(r);
  const headers = { 'X-Request-Id': requestIdHeader };
  if (status === 204) return { description: 'Done; no content.', headers };
  const type = r.responseType ?? 'json';
  const schema: JsonSchema = r.response ? toSchema(r.response, 'output') : type === 'png' ? { type: 'string', contentMediaType: 'image/png' } : { type: 'string' };
  const example = r.examples?.response === undefined ? {} : { example: r.examples.response };
  return { description: status === 201 ? 'Created.' : 'OK.', headers, content: { [MEDIA_TYPES[type]]: { schema, ...example } } };
}

/** Who may call the route: the security schemes of its realm, and for staff routes the permission (x-permission) in words too. */
function security(r: AnyRoute) {
  const auth = r.auth;
  if (auth === 'public') return { security: [] as object[] };
  const schemes = realmOf(r) === 'admin' ? [{ adminSession: [] }, { bearer: [] }] : [{ session: [] }, { bearer: [] }];
  if (auth === 'user') return { security: schemes, 'x-meiduo-auth': 'user' };
  if (auth === 'staff') return { description: 'Any logged-in staff member (an admin session).', security: schemes, 'x-meiduo-auth': 'staff' };
  return {
    description: `Staff holding the permission \`${auth.permission}\` (an admin session; superusers hold every permission).`,
    security: schemes,
    'x-meiduo-auth': `permission:${auth.permission}`,
    'x-permission': auth.permission,
  };
}

const openApiPath = (p: string) => p.replace(/:([A-Za-z_][A-Za-z0-9_]*)/g, '{$1}');

export interface DocumentInfo {
  title: string;
  version: string;
}

export function openApiDocument(routes: readonly AnyRoute[], info: DocumentInfo) {
  const paths: Record<string, Record<string, unknown>> = {};
  const tags = new Map<string, RouteTag>();
  for (const r of routes) {
    if (r.tag) tags.set(r.tag.name, r.tag);
    const path = openApiPath(r.path);
    const errors = Object.fromEntries(documentedErrors(r).map((s) => [String(s), { $ref: `#/components/responses/${ERRORS[s].name}` }]));
    paths[path] ??= {};
    paths[path]![r.method] = {
      operationId: `${r.method}${path.replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ? c.toUpperCase() : ''))}`,
      summary: r.summary,
      ...(r.tag ? { tags: [r.tag.name] } : {}),
      parameters: [...parameters(r.params, 'path'), ...parameters(r.query, 'query'), ...(r.idempotencyKey ? [idempotencyKeyParameter] : [])],
      ...(r.body
        ? {
            requestBody: {
              required: true,
              content: Object.fromEntries(
                (r.bodyKinds ?? ['json']).map((k) => [
                  BODY_TYPES[k],
                  { schema: toSchema(r.body!, 'input'), ...(r.examples?.body === undefined ? {} : { example: r.examples.body }) },
                ]),
              ),
            },
          }
        : {}),
      responses: {
        [String(successStatus(r))]: successResponse(r),
        ...errors,
        '4XX': { $ref: '#/components/responses/HttpRefused' },
        '5XX': { $ref: '#/components/responses/ServerError' },
      },
      ...security(r),
    };
  }
  const usedErrors = new Set(routes.flatMap(documentedErrors));
  return {
    openapi: '3.1.0',
    info: {
      title: info.title,
      version: info.version,
      description:
        'The JSON API of the shop. Errors are `{"error": {"code", "message", "fields"?}}` with the status listed per operation; a refused request changes nothing. ' +
        'Ids, `page` and `page_size` are decimal digits only, within the bounds their patterns state. Customers authenticate with `Authorization: Bearer <token>` or the pages’ session cookie (writes with the cookie also send `X-CSRF-Token`). ' +
        'Staff use the admin API (`/api/admin/…`) with an admin session from `POST /api/admin/sessions` — bearer or the `meiduo_admin_session` cookie; a shop session never opens an admin route, nor an admin session a customer’s. Each staff operation names the permission it needs (`x-permission`).',
      license: { name: 'Proprietary: all rights reserved', identifier: 'LicenseRef-Proprietary' },
    },
    // relative: the shop that serves this document, whatever its PUBLIC_URL or proxy
    servers: [{ url: '/', description: 'the shop serving this document' }],
    tags: [...tags.values()].sort((a, b) => a.name.localeCompare(b.name)),
    paths,
    components: {
      schemas: { Error: toSchema(errorSchema, 'output') },
      responses: {
        ...Object.fromEntries(
          (Object.keys(ERRORS) as (ErrorStatus | '5XX')[])
            .filter((s) => s === '5XX' || usedErrors.has(Number(s) as ErrorStatus))
            .map((s) => [ERRORS[s].name, errorResponse(s)]),
        ),
        // Node's HTTP parser answers these itself, before any route runs: a bare status, no body
        HttpRefused: { description: 'Refused by the HTTP server before the API saw the request (malformed HTTP, headers over 16 KiB): no body. The API’s own refusals are the statuses listed.' },
      },
      headers: {
        RequestId: {
          description: 'The caller’s X-Request-Id when it is 1–64 of `A-Za-z0-9._:-`, else a new UUID; the server logs it with the request.',
          schema: { type: 'string', pattern: '^[A-Za-z0-9._:-]{1,64}$' },
        },
        RetryAfter: { description: 'Whole seconds until the request may succeed (at least 1).', schema: { type: 'integer', minimum: 1 } },
      },
      securitySchemes: {
        session: { type: 'apiKey', in: 'cookie', name: 'meiduo_session', description: 'the pages’ HttpOnly session cookie; writes also need the X-CSRF-Token header' },
        adminSession: { type: 'apiKey', in: 'cookie', name: 'meiduo_admin_session', description: 'the admin pages’ HttpOnly session cookie (staff); writes also need the X-CSRF-Token header' },
        bearer: { type: 'http', scheme: 'bearer', description: 'API clients: Authorization: Bearer <token> (from POST /api/sessions or /api/users; staff: from POST /api/admin/sessions)' },
      },
    },
  };
}
