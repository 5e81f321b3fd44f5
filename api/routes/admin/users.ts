import { z } from 'zod';
import { CUSTOMER_ORDERINGS, type CustomerOrdering } from '../../services/admin/customers.ts';
import { defineRoute } from '../define.ts';
import * as answer from '../answers/admin.ts';
import { dateRange, idParams, listQuery, shopDates } from './common.ts';

const orderings = Object.keys(CUSTOMER_ORDERINGS) as [CustomerOrdering, ...CustomerOrdering[]];

// Customers for staff (api/services/admin/customers.ts): find them, see one, deactivate or
// reactivate one (deactivating ends their shop sessions). Staff accounts are /api/admin/staff's:
// never listed here, and a staff id is a 404.
export const customerRoutes = [
  defineRoute({
    method: 'get',
    path: '/api/admin/users',
    auth: { permission: 'users.view_user' },
    summary: 'Customers (never staff); keyword matches text in the username, mobile or email; by active state and the shop’s days joined (inclusive)',
    query: listQuery.extend({
      is_active: z.enum(['true', 'false'], { message: 'is_active 只能是 true 或 false' }).optional(),
      ...shopDates,
      ordering: z.enum(orderings, { message: `必须是 ${orderings.join(' | ')} 之一` }).default('-date_joined'),
    }),
    response: answer.customerPage,
    handler: async ({ query, context, services }) =>
      services.customers.list(context, {
        keyword: query.keyword || undefined,
        isActive: query.is_active === undefined ? undefined : query.is_active === 'true',
        ...dateRange(services.config, query),
        ordering: query.ordering,
        page: query.page,
        pageSize: query.page_size,
      }),
  }),
  defineRoute({
    method: 'get',
    path: '/api/admin/users/:id',
    auth: { permission: 'users.view_user' },
    summary: 'One customer: account, addresses, orders and the total paid, live sessions',
    params: idParams,
    response: answer.customerDetail,
    errors: [404],
    handler: async ({ params, context, services }) => services.customers.get(context, params.id),
  }),
  defineRoute({
    method: 'patch',
    path: '/api/admin/users/:id',
    auth: { permission: 'users.change_user' },
    summary: 'Deactivate (is_active false: every shop session ends, login is refused) or reactivate a customer',
    params: idParams,
    body: z.strictObject({ is_active: z.boolean({ message: 'is_active 是 true 或 false' }) }),
    transaction: true,
    response: answer.customerDetail,
    errors: [404],
    examples: { body: { is_active: false } },
    handler: async ({ params, body, context, services }) => services.customers.setActive(context, params.id, body.is_active),
  }),
];
