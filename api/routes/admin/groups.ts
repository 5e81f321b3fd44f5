import { z } from 'zod';
import { createGroup, deleteGroup, getGroup, listGroups, updateGroup } from '../../services/admin/groups.ts';
import { defineRoute } from '../define.ts';
import * as answer from '../answers/admin.ts';
import { codenames, idParams, listOpts, listQuery, notEmpty, NOTHING_TO_CHANGE } from './common.ts';

const name = z.string({ message: '请输入用户组名称' }).trim().min(1, '请输入用户组名称').max(50, '用户组名称最多50个字符');

// Groups of permissions (api/services/admin/groups.ts).
export const groupRoutes = [
  defineRoute({
    method: 'get',
    path: '/api/admin/groups',
    auth: { permission: 'auth.view_group' },
    summary: 'Groups, by id; keyword matches the name',
    query: listQuery,
    response: answer.groupPage,
    handler: async ({ query, context }) => listGroups(context, listOpts(query)),
  }),
  defineRoute({
    method: 'get',
    path: '/api/admin/groups/:id',
    auth: { permission: 'auth.view_group' },
    summary: 'One group and its permissions',
    params: idParams,
    response: answer.group,
    errors: [404],
    handler: async ({ params, context }) => getGroup(context, params.id),
  }),
  defineRoute({
    method: 'post',
    path: '/api/admin/groups',
    auth: { permission: 'auth.add_group' },
    summary: 'Make a group (only of permissions the caller holds)',
    body: z.strictObject({ name, permissions: codenames.optional() }),
    statusCode: 201,
    transaction: true,
    response: answer.group,
    examples: { body: { name: '商品编辑', permissions: ['goods.view_sku', 'goods.change_sku'] } },
    handler: async ({ body, context }) => createGroup(context, body),
  }),
  defineRoute({
    method: 'patch',
    path: '/api/admin/groups/:id',
    auth: { permission: 'auth.change_group' },
    summary: 'Rename a group or set its permissions (what is added must be held by the caller: it reaches every member)',
    params: idParams,
    body: z.strictObject({ name: name.optional(), permissions: codenames.optional() }).refine(notEmpty, NOTHING_TO_CHANGE),
    transaction: true,
    response: answer.group,
    errors: [404],
    handler: async ({ params, body, context }) => updateGroup(context, params.id, body),
  }),
  defineRoute({
    method: 'delete',
    path: '/api/admin/groups/:id',
    auth: { permission: 'auth.delete_group' },
    summary: 'Delete a group (its members lose what it gave them)',
    params: idParams,
    statusCode: 204,
    transaction: true,
    errors: [404, 409],
    handler: async ({ params, context }) => deleteGroup(context, params.id),
  }),
];
