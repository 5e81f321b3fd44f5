import { z } from 'zod';
import { renderApiReference } from '../openapi-page.ts';
import { openApiDocument } from '../openapi.ts';
import { defineRoute, type AnyRoute } from './define.ts';

const REFERENCE = { name: 'reference', description: 'This document, and the same as a readable page.' };

/** `/api/openapi.json` and its readable page `/api/docs`, describing `routes` and themselves. */
export function openApiRoutes(routes: readonly AnyRoute[]): AnyRoute[] {
  type Doc = ReturnType<typeof openApiDocument>;
  let doc: Doc | null = null;
  const own: AnyRoute[] = [];
  const document = () => (doc ??= openApiDocument([...routes, ...own], { title: '美多商城 API', version: '1' }));
  own.push(
    defineRoute({
      method: 'get',
      path: '/api/openapi.json',
      auth: 'public',
      summary: 'This document: every route of the API, generated from the route definitions',
      tag: REFERENCE,
      cacheControl: 'public, max-age=60',
      response: z.looseObject({ openapi: z.literal('3.1.0'), info: z.looseObject({ title: z.string(), version: z.string() }), paths: z.record(z.string(), z.looseObject({})) }),
      handler: async (): Promise<Doc> => document(),
    }),
    defineRoute({
      method: 'get',
      path: '/api/docs',
      auth: 'public',
      summary: 'The API reference as a page',
      tag: REFERENCE,
      responseType: 'html',
      response: z.string().startsWith('<!doctype html>'),
      cacheControl: 'public, max-age=60',
      handler: async (): Promise<string> => renderApiReference(document()),
    }),
  );
  return own;
}
