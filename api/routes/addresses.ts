import { z } from 'zod';
import { userIdOf } from '../services/accounts/accounts-service.ts';
import { addressBodySchema, titleBodySchema } from '../services/addresses/address-schema.ts';
import { idSchema } from '../validation.ts';
import { defineRoute } from './define.ts';

// A customer's shipping addresses (api/services/addresses). Create and update do not declare
// `transaction: true`: they check the areas before opening their own transaction, and AreaService
// may need a pool connection for that, which on SQLite is the one a route transaction would hold
// (see address-service.ts).

const idOnly = z.object({ id: idSchema });

export const addressRoutes = [
  defineRoute({
    method: 'get',
    path: '/api/addresses',
    auth: 'user',
    summary: 'The caller’s live addresses (newest first), the default one’s id and the limit',
    handler: async ({ context, services }) => services.addresses.list(context, userIdOf(context)),
  }),
  defineRoute({
    method: 'post',
    path: '/api/addresses',
    auth: 'user',
    summary: 'Add an address (at most 20); the first one becomes the default',
    body: addressBodySchema,
    statusCode: 201,
    handler: async ({ body, context, services }) => services.addresses.create(context, userIdOf(context), body),
  }),
  defineRoute({
    method: 'get',
    path: '/api/addresses/:id',
    auth: 'user',
    summary: 'One of the caller’s addresses',
    params: idOnly,
    handler: async ({ params, context, services }) => services.addresses.get(context, userIdOf(context), params.id),
  }),
  defineRoute({
    method: 'put',
    path: '/api/addresses/:id',
    auth: 'user',
    summary: 'Replace an address’s fields (an absent title keeps the current one)',
    params: idOnly,
    body: addressBodySchema,
    handler: async ({ params, body, context, services }) => services.addresses.update(context, userIdOf(context), params.id, body),
  }),
  defineRoute({
    method: 'delete',
    path: '/api/addresses/:id',
    auth: 'user',
    summary: 'Delete an address; if it was the default, the newest remaining one becomes the default',
    params: idOnly,
    transaction: true,
    statusCode: 204,
    handler: async ({ params, context, services }) => {
      await services.addresses.remove(context, userIdOf(context), params.id);
      return undefined;
    },
  }),
  defineRoute({
    method: 'put',
    path: '/api/addresses/:id/status',
    auth: 'user',
    summary: 'Make an address the default one',
    params: idOnly,
    transaction: true,
    handler: async ({ params, context, services }) => services.addresses.setDefault(context, userIdOf(context), params.id),
  }),
  defineRoute({
    method: 'put',
    path: '/api/addresses/:id/title',
    auth: 'user',
    summary: 'Rename an address',
    params: idOnly,
    body: titleBodySchema,
    transaction: true,
    handler: async ({ params, body, context, services }) => services.addresses.setTitle(context, userIdOf(context), params.id, body),
  }),
];
