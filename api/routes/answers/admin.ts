import { z } from 'zod';
import { address } from './addresses.ts';
import { count, id, instant, money } from './common.ts';

// Answers of the admin API's staff, groups, permissions, sessions and audit routes (api/services/admin).

const codename = z.string().meta({ description: 'a permission codename such as goods.change_sku' });

export const adminGrant = z.strictObject({ token: z.string().min(1), username: z.string(), permissions: z.array(codename) });

export const me = z.strictObject({ id, username: z.string(), is_superuser: z.boolean(), permissions: z.array(codename) });

export const permission = z.strictObject({ id, codename, name: z.string(), resource: z.string(), action: z.string() });
export const permissionPage = z.strictObject({ count, results: z.array(permission) });

export const group = z.strictObject({ id, name: z.string(), permissions: z.array(codename), member_count: count });
export const groupPage = z.strictObject({ count, results: z.array(group) });

export const staff = z.strictObject({
  id,
  username: z.string(),
  mobile: z.string().nullable().meta({ description: 'null for staff made without one' }),
  email: z.string().nullable(),
  is_superuser: z.boolean(),
  is_active: z.boolean(),
  groups: z.array(z.strictObject({ id, name: z.string() })),
  permissions: z.array(codename).meta({ description: 'held directly, besides the groups’' }),
  effective_permissions: z.array(codename).meta({ description: 'groups’ ∪ own; every permission for a superuser' }),
});
export const staffPage = z.strictObject({ count, results: z.array(staff) });

export const auditEntry = z.strictObject({
  id: z.int().min(1),
  actor_id: id.nullable(),
  actor: z.string().meta({ description: 'the staff member’s username then, or cli:<command>' }),
  at: instant,
  ip: z.string(),
  request_id: z.string(),
  action: z.string(),
  resource: z.string(),
  resource_id: z.string().nullable(),
  changes: z.record(z.string(), z.tuple([z.unknown(), z.unknown()])).nullable().meta({ description: 'field → [old, new]; secrets show as "[redacted]"' }),
});
export const auditPage = z.strictObject({ count, results: z.array(auditEntry) });

// Customers (api/services/admin/customers.ts): the shop's users who are not staff.
export const customer = z.strictObject({
  id,
  username: z.string(),
  mobile: z.string().meta({ description: 'in full: the service desk finds and calls customers by it' }),
  email: z.string().nullable(),
  is_active: z.boolean(),
  date_joined: instant,
  last_active_at: instant.nullable().meta({ description: 'the last login, or the first use of a session on a shop day; null if never' }),
  orders_count: count,
});
export const customerPage = z.strictObject({ count, results: z.array(customer) });
export const customerDetail = customer.extend({
  email_active: z.boolean(),
  addresses_count: count,
  default_address: address.nullable(),
  total_paid: money.meta({ description: 'orders paid (Alipay, or cash on delivery once received) and not cancelled, summed' }),
  paid_orders_count: count,
  sessions_count: count.meta({ description: 'live shop sessions (logged-in browsers and apps)' }),
  qq_bound: z.boolean(),
});
