import { z } from 'zod';
import { idSchema } from '../validation.ts';
import { defineRoute } from './define.ts';
import * as answer from './answers/addresses.ts';

// The national areas change only with a release (they come from a migration), so browsers and
// proxies may keep them for a day: address forms ask for the same few lists over and over.
const AREAS_CACHE = 'public, max-age=86400';

export const areaRoutes = [
  defineRoute({
    method: 'get',
    path: '/api/areas',
    response: answer.provinces,
    auth: 'public',
    summary: 'The provinces (GB/T 2260 codes), by id',
    cacheControl: AREAS_CACHE,
    handler: async ({ context, services }) => services.areas.provinces(context),
  }),
  defineRoute({
    method: 'get',
    path: '/api/areas/:id',
    response: answer.areaDetail,
    errors: [404],
    auth: 'public',
    summary: 'One area and the areas one level down (a province’s cities, a city’s districts)',
    cacheControl: AREAS_CACHE,
    params: z.object({ id: idSchema }),
    handler: async ({ params, context, services }) => services.areas.area(context, params.id),
  }),
];
