import type { Knex } from 'knex';
import type { RequestContext } from '../../context.ts';
import { db } from '../../db/transaction.ts';
import { ForbiddenError, NotFoundError, ValidationError } from '../../errors.ts';
import { ALL_PERMISSIONS, PERMISSION_CATALOG } from './permission-catalog.ts';

// Effective permissions and the grant rule, in one place. A staff member's permissions are the
// union of their groups' and their own; a superuser has every permission of the catalog. They are
// read per request (one query, api/services/admin/admin-sessions.ts), so a revocation acts at once.

export interface StaffAccess {
  isSuperuser: boolean;
  permissions: Set<string>;
}

/**
 * Whether the user is active staff, and what they may do — one query: the user's flags joined to
 * every permission of their groups or their own (none: one row with a null codename). null when the
 * user is not active staff.
 */
export async function staffAccess(q: Knex, userId: number): Promise<StaffAccess | null> {
  const rows: { is_staff: unknown; is_active: unknown; is_superuser: unknown; codename: string | null }[] = await q('users as u')
    .joinRaw(
      'left join admin_permissions p on (p.id in (select up.permission_id from admin_user_permissions up where up.user_id = u.id)' +
        ' or p.id in (select gp.permission_id from admin_group_permissions gp join admin_user_groups ug on ug.group_id = gp.group_id where ug.user_id = u.id))',
    )
    .where('u.id', userId)
    .select('u.is_staff', 'u.is_active', 'u.is_superuser', 'p.codename');
  const first = rows[0];
  if (!first || !Number(first.is_staff) || !Number(first.is_active)) return null;
  const isSuperuser = Boolean(Number(first.is_superuser));
  return {
    isSuperuser,
    permissions: isSuperuser ? new Set(ALL_PERMISSIONS) : new Set(rows.flatMap((r) => (r.codename ? [r.codename] : []))),
  };
}

/** What the context's actor may grant: everything for the system (CLI, jobs) and superusers; else their own permissions. */
export function actorGrants(context: RequestContext): { all: boolean; permissions: ReadonlySet<string> } {
  const a = context.actor;
  if (a.kind === 'system') return { all: true, permissions: ALL_PERMISSIONS };
  if (a.kind === 'admin') return { all: a.permissions.size === ALL_PERMISSIONS.size && [...ALL_PERMISSIONS].every((p) => a.permissions.has(p)), permissions: a.permissions };
  return { all: false, permissions: new Set() };
}

/** Whether the context acts as a superuser (or as the system). */
export async function actsAsSuperuser(context: RequestContext): Promise<boolean> {
  const a = context.actor;
  if (a.kind === 'system') return true;
  if (a.kind !== 'admin') return false;
  const row = await db(context)('users').where({ id: a.userId }).first<{ is_superuser: unknown } | undefined>('is_superuser');
  return Boolean(Number(row?.is_superuser ?? 0));
}

/**
 * The grant rule: nobody hands on a permission they lack — to anyone, themselves included, directly
 * or through a group. 403 naming the first such permission.
 */
export function assertMayGrant(context: RequestContext, permissions: Iterable<string>): void {
  const { all, permissions: own } = actorGrants(context);
  if (all) return;
  for (const p of permissions) {
    if (!own.has(p)) throw new ForbiddenError(`不能授予自己没有的权限：${p}`, 'GRANT_NOT_HELD');
  }
}

/** Codenames → permission ids; 400 naming an unknown one. */
export async function permissionIds(context: RequestContext, codenames: readonly string[], field = 'permissions'): Promise<number[]> {
  const unique = [...new Set(codenames)];
  const unknown = unique.find((c) => !ALL_PERMISSIONS.has(c));
  if (unknown !== undefined) throw new ValidationError(`没有这个权限：${unknown}`, { [field]: `没有这个权限：${unknown}` });
  if (unique.length === 0) return [];
  const rows: { id: number }[] = await db(context)('admin_permissions').whereIn('codename', unique).select('id');
  return rows.map((r) => Number(r.id));
}

export interface PermissionView {
  id: number;
  codename: string;
  name: string;
  resource: string;
  action: string;
}

const ORDER = new Map(PERMISSION_CATALOG.map((p, i) => [p.codename, i]));

/** Permissions in catalog order, filtered by keyword (codename or name). */
export async function listPermissions(context: RequestContext, opts: { keyword?: string; page: number; pageSize: number }): Promise<{ count: number; results: PermissionView[] }> {
  const rows: PermissionView[] = await db(context)('admin_permissions').select('id', 'codename', 'name', 'resource', 'action');
  const k = opts.keyword?.toLowerCase();
  const all = rows
    .map((r) => ({ ...r, id: Number(r.id) }))
    .filter((r) => !k || r.codename.toLowerCase().includes(k) || r.name.toLowerCase().includes(k))
    .sort((a, b) => (ORDER.get(a.codename) ?? 0) - (ORDER.get(b.codename) ?? 0));
  const start = (opts.page - 1) * opts.pageSize;
  return { count: all.length, results: all.slice(start, start + opts.pageSize) };
}

export async function getPermission(context: RequestContext, id: number): Promise<PermissionView> {
  const r = await db(context)('admin_permissions').where({ id }).first<PermissionView | undefined>('id', 'codename', 'name', 'resource', 'action');
  if (!r) throw new NotFoundError('权限不存在');
  return { ...r, id: Number(r.id) };
}
