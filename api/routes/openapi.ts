import { openApiDocument } from '../openapi.ts';
import { defineRoute, type AnyRoute } from './define.ts';

/** `/api/openapi.json`, describing `routes` and itself. */
export function openApiRoutes(routes: readonly AnyRoute[]): AnyRoute[] {
  type Doc = ReturnType<typeof openApiDocument>;
  let doc: Doc | null = null;
  const self: AnyRoute = defineRoute({
    method: 'get',
    path: '/api/openapi.json',
    auth: 'public',
    summary: 'This document: every route of the API, generated from the route definitions',
    cacheControl: 'public, max-age=60',
    handler: async (): Promise<Doc> => (doc ??= openApiDocument([...routes, self], { title: '美多商城 API', version: '1' })),
  });
  return [self];
}
