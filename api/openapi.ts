import { z } from 'zod';
import type { AnyRoute, Auth } from './routes/define.ts';

// The OpenAPI 3.1 document of the whole API, made from the route definitions themselves: a route
// appears because it is defined, with the same zod schemas that validate its input (zod 4 writes
// JSON Schema itself; `io: 'input'` describes what a client sends — '7' for an id, not 7).

type JsonSchema = Record<string, unknown>;

const toSchema = (s: z.ZodType): JsonSchema => {
  const { $schema: _, ...rest } = z.toJSONSchema(s, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  return rest;
};

function parameters(schema: z.ZodType | undefined, where: 'path' | 'query') {
  if (!schema) return [];
  const json = toSchema(schema);
  const required = new Set((json.required as string[] | undefined) ?? []);
  return Object.entries((json.properties as Record<string, JsonSchema> | undefined) ?? {}).map(([name, s]) => ({
    name,
    in: where,
    required: where === 'path' || required.has(name),
    schema: s,
  }));
}

const ERROR_SCHEMA: JsonSchema = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: {
        code: { type: 'string', description: 'stable UPPER_SNAKE code' },
        message: { type: 'string' },
        fields: { type: 'object', additionalProperties: { type: 'string' }, description: 'per field, the first problem' },
      },
    },
  },
};

function security(auth: Auth) {
  if (auth === 'public') return { security: [] as object[] };
  return {
    security: [{ session: [] }, { bearer: [] }],
    'x-meiduo-auth': auth === 'user' ? 'user' : `permission:${auth.permission}`,
  };
}

const openApiPath = (p: string) => p.replace(/:([A-Za-z_][A-Za-z0-9_]*)/g, '{$1}');

export function openApiDocument(routes: readonly AnyRoute[], info: { title: string; version: string }) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of routes) {
    const errors: Record<string, unknown> = { '4XX': { $ref: '#/components/responses/Error' } };
    paths[openApiPath(r.path)] ??= {};
    paths[openApiPath(r.path)]![r.method] = {
      operationId: `${r.method}${openApiPath(r.path).replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ? c.toUpperCase() : ''))}`,
      ...(r.summary ? { summary: r.summary } : {}),
      parameters: [...parameters(r.params, 'path'), ...parameters(r.query, 'query')],
      ...(r.body
        ? {
            requestBody: {
              required: true,
              content: Object.fromEntries(
                (r.bodyKinds ?? ['json']).map((k) => [k === 'json' ? 'application/json' : 'application/x-www-form-urlencoded', { schema: toSchema(r.body!) }]),
              ),
            },
          }
        : {}),
      responses: { [String(r.statusCode ?? 200)]: { description: 'OK', content: { [r.responseType === 'png' ? 'image/png' : 'application/json']: { schema: {} } } }, ...errors },
      ...security(r.auth),
    };
  }
  return {
    openapi: '3.1.0',
    info,
    paths,
    components: {
      responses: { Error: { description: 'The request was refused; nothing was changed.', content: { 'application/json': { schema: ERROR_SCHEMA } } } },
      securitySchemes: {
        session: { type: 'apiKey', in: 'cookie', name: 'meiduo_session', description: 'the pages’ HttpOnly session cookie (accounts issue)' },
        bearer: { type: 'http', scheme: 'bearer', description: 'API clients: Authorization: Bearer <token> (accounts issue)' },
      },
    },
  };
}
