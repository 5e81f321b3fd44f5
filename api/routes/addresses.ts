import { z } from 'zod';
import { userIdOf } from '../services/accounts/accounts-service.ts';
import { addressBodySchema, titleBodySchema } from '../services/addresses/address-schema.ts';
import { idSchema } from '../validation.ts';
import { defineRoute } from './define.ts';
import * as answer from './answers/addresses.ts';

// A customer's shipping addresses (api/services/addresses). Create and update do not declare
// `transaction: true`: they check the areas before opening their own transaction, and AreaService
// may need a pool connection for that, which on SQLite is the one a route transaction would hold
// (see address-service.ts).

const idOnly = z.object({ id: idSchema });

export const addressRoutes = [
  defineRoute({
    method: 'get',
    path: '/api/addresses',
    response: answer.addressList,
    auth: 'user',
    summary: 'The caller’s live addresses (newest first), the default one’s id and the limit',
    handler: async ({ context, services }) => services.addresses.list(context, userIdOf(context)),
  }),
  defineRoute({
    method: 'post',
    path: '/api/addresses',
    response: answer.address,
    examples: {
      body: { title: '家', receiver: '张三', province_id: 110000, city_id: 110100, district_id: 110108, place: '中关村大街 1 号', mobile: '13800138000', tel: '010-12345678', email: 'zhang@example.cn' },
      response: { id: 3, title: '家', receiver: '张三', province_id: 110000, province: '北京市', city_id: 110100, city: '市辖区', district_id: 110108, district: '海淀区', place: '中关村大街 1 号', mobile: '13800138000', tel: '010-12345678', email: 'zhang@example.cn' },
    },
    auth: 'user',
    summary: 'Add an address (at most 20); the first one becomes the default',
    body: addressBodySchema,
    statusCode: 201,
    handler: async ({ body, context, services }) => services.addresses.create(context, userIdOf(context), body),
  }),
  defineRoute({
    method: 'get',
    path: '/api/addresses/:id',
    response: answer.address,
    errors: [404],
    auth: 'user',
    summary: 'One of the caller’s addresses',
    params: idOnly,
    handler: async ({ params, context, services }) => services.addresses.get(context, userIdOf(context), params.id),
  }),
  defineRoute({
    method: 'put',
    path: '/api/addresses/:id',
    response: answer.address,
    errors: [404],
    auth: 'user',
    summary: 'Replace an address’s fields (an absent title keeps the current one)',
    params: idOnly,
    body: addressBodySchema,
    handler: async ({ params, body, context, services }) => services.addresses.update(context, userIdOf(context), params.id, body),
  }),
  defineRoute({
    method: 'delete',
    path: '/api/addresses/:id',
    errors: [404],
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
    response: answer.defaultAddress,
    errors: [404],
    auth: 'user',
    summary: 'Make an address the default one',
    params: idOnly,
    transaction: true,
    handler: async ({ params, context, services }) => services.addresses.setDefault(context, userIdOf(context), params.id),
  }),
  defineRoute({
    method: 'put',
    path: '/api/addresses/:id/title',
    response: answer.addressTitle,
    errors: [404],
    auth: 'user',
    summary: 'Rename an address',
    params: idOnly,
    body: titleBodySchema,
    transaction: true,
    handler: async ({ params, body, context, services }) => services.addresses.setTitle(context, userIdOf(context), params.id, body),
  }),
];
