import { z } from 'zod';
import { currentStaff } from '../../services/admin/admin-sessions.ts';
import { defineRoute } from '../define.ts';
import * as answer from '../answers/admin.ts';

// Staff log in to the admin API (api/services/admin/admin-sessions.ts). The realm of these routes
// is the admin API's (define.ts realmOf): the cookies set are meiduo_admin_session and its CSRF twin.
export const adminSessionRoutes = [
  defineRoute({
    method: 'post',
    path: '/api/admin/sessions',
    auth: 'public',
    summary: 'Staff log in (8 idle hours); anyone not active staff gets the wrong-password answer',
    body: z.strictObject({
      username: z.string({ message: '请输入用户名' }).min(1, '请输入用户名').max(20, '用户名或密码错误'),
      password: z.string({ message: '请输入密码' }).min(1, '请输入密码').max(100, '用户名或密码错误'),
    }),
    statusCode: 201,
    response: answer.adminGrant,
    errors: [429],
    session: 'issue',
    examples: { body: { username: 'admin_wang', password: 'secret-2026' }, response: { token: 'adm_Jx9kR2mQ7vT4nW8zL1pY5cB3hF6dG0aE', username: 'admin_wang', permissions: ['goods.change_sku', 'goods.view_sku'] } },
    handler: async ({ body, context, services }) => services.adminSessions.login(context, body),
  }),
  defineRoute({
    method: 'delete',
    path: '/api/admin/sessions',
    auth: 'public',
    summary: 'Staff log out (ends the admin session presented, if any)',
    statusCode: 204,
    session: 'clear',
    handler: async ({ context, services }) => services.adminSessions.logout(context),
  }),
  defineRoute({
    method: 'get',
    path: '/api/admin/me',
    auth: 'staff',
    summary: 'The logged-in staff member and the permissions they hold now',
    response: answer.me,
    handler: async ({ context }) => currentStaff(context),
  }),
];
