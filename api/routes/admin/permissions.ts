import { getPermission, listPermissions } from '../../services/admin/permissions.ts';
import { defineRoute } from '../define.ts';
import * as answer from '../answers/admin.ts';
import { idParams, listOpts, listQuery } from './common.ts';

// The permissions come from code (api/services/admin/permission-catalog.ts): read-only here.
export const permissionRoutes = [
  defineRoute({
    method: 'get',
    path: '/api/admin/permissions',
    auth: { permission: 'auth.view_permission' },
    summary: 'Every permission, in catalog order; keyword matches codename or name',
    query: listQuery,
    response: answer.permissionPage,
    handler: async ({ query, context }) => listPermissions(context, listOpts(query)),
  }),
  defineRoute({
    method: 'get',
    path: '/api/admin/permissions/:id',
    auth: { permission: 'auth.view_permission' },
    summary: 'One permission',
    params: idParams,
    response: answer.permission,
    errors: [404],
    handler: async ({ params, context }) => getPermission(context, params.id),
  }),
];
