import { z } from 'zod';
import { mobileSchema, passwordSchema, usernameSchema } from '../../services/accounts/account-schema.ts';
import { defineRoute } from '../define.ts';
import * as answer from '../answers/admin.ts';
import { codenames, groupIds, idParams, listOpts, listQuery, notEmpty, NOTHING_TO_CHANGE } from './common.ts';

// Staff accounts (api/services/admin/staff.ts: the grant rule, the last-superuser rule, the audit).
export const staffRoutes = [
  defineRoute({
    method: 'get',
    path: '/api/admin/staff',
    auth: { permission: 'users.view_staff' },
    summary: 'Staff, by id; keyword matches username or mobile',
    query: listQuery,
    response: answer.staffPage,
    handler: async ({ query, context, services }) => services.staff.list(context, listOpts(query)),
  }),
  defineRoute({
    method: 'get',
    path: '/api/admin/staff/:id',
    auth: { permission: 'users.view_staff' },
    summary: 'One staff member, with groups, own and effective permissions',
    params: idParams,
    response: answer.staff,
    errors: [404],
    handler: async ({ params, context, services }) => services.staff.get(context, params.id),
  }),
  defineRoute({
    method: 'post',
    path: '/api/admin/staff',
    auth: { permission: 'users.add_staff' },
    summary: 'Make a staff account (only permissions the caller holds; a superuser only by a superuser)',
    body: z.strictObject({ username: usernameSchema, password: passwordSchema, mobile: mobileSchema, groups: groupIds.optional(), permissions: codenames.optional(), is_superuser: z.boolean().optional() }),
    statusCode: 201,
    transaction: true,
    response: answer.staff,
    examples: { body: { username: 'editor_li', password: 'secret-2026', mobile: '13800138001', groups: [1], permissions: ['goods.view_sku'] } },
    handler: async ({ body, context, services }) => services.staff.create(context, body),
  }),
  defineRoute({
    method: 'patch',
    path: '/api/admin/staff/:id',
    auth: { permission: 'users.change_staff' },
    summary: 'Change a staff member: password, mobile, groups, own permissions, superuser, active (the last active superuser stays one)',
    params: idParams,
    body: z
      .strictObject({ password: passwordSchema.optional(), mobile: mobileSchema.optional(), groups: groupIds.optional(), permissions: codenames.optional(), is_superuser: z.boolean().optional(), is_active: z.boolean().optional() })
      .refine(notEmpty, NOTHING_TO_CHANGE),
    transaction: true,
    response: answer.staff,
    errors: [404, 409],
    handler: async ({ params, body, context, services }) => services.staff.update(context, params.id, body),
  }),
  defineRoute({
    method: 'delete',
    path: '/api/admin/staff/:id',
    auth: { permission: 'users.delete_staff' },
    summary: 'Remove a staff member: the account is kept, deactivated, without groups, permissions or sessions',
    params: idParams,
    statusCode: 204,
    transaction: true,
    errors: [404, 409],
    handler: async ({ params, context, services }) => services.staff.remove(context, params.id),
  }),
];
