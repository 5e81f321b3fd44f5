import type { RequestContext } from '../../context.ts';
import { violatedUnique } from '../../db/dialect.ts';
import { whereContains } from '../../db/dialect.ts';
import { db, withTransaction } from '../../db/transaction.ts';
import { ConflictError, NotFoundError, ValidationError } from '../../errors.ts';
import { recordAudit } from './audit.ts';
import { assertMayGrant, permissionIds } from './permissions.ts';

// Groups of permissions (Django's auth.Group): staff are put in groups and hold the union of their
// groups' permissions. Adding a permission to a group grants it to every member, so the grant rule
// applies to what a change adds (permissions.ts assertMayGrant). Every write is audited in its
// transaction.

export interface GroupView {
  id: number;
  name: string;
  permissions: string[];
  member_count: number;
}

const UNIQUES = { admin_groups_name_unique: 'name' };
const duplicate = (err: unknown) => (violatedUnique(err, UNIQUES) ? new ValidationError('用户组名称已存在', { name: '用户组名称已存在' }) : null);

/** The codenames each group holds. */
export async function groupPermissions(context: RequestContext, groupIds: readonly number[]): Promise<Map<number, string[]>> {
  const out = new Map<number, string[]>(groupIds.map((id) => [id, []]));
  if (groupIds.length === 0) return out;
  const rows: { group_id: number; codename: string }[] = await db(context)('admin_group_permissions as gp')
    .join('admin_permissions as p', 'p.id', 'gp.permission_id')
    .whereIn('gp.group_id', groupIds)
    .orderBy('p.codename')
    .select('gp.group_id', 'p.codename');
  for (const r of rows) out.get(Number(r.group_id))?.push(r.codename);
  return out;
}

async function views(context: RequestContext, rows: { id: number; name: string }[]): Promise<GroupView[]> {
  const ids = rows.map((r) => Number(r.id));
  const perms = await groupPermissions(context, ids);
  const counts: { group_id: number; n: number }[] = ids.length
    ? await db(context)('admin_user_groups').whereIn('group_id', ids).groupBy('group_id').select('group_id').count({ n: '*' })
    : [];
  const members = new Map(counts.map((c) => [Number(c.group_id), Number(c.n)]));
  return rows.map((r) => ({ id: Number(r.id), name: r.name, permissions: perms.get(Number(r.id)) ?? [], member_count: members.get(Number(r.id)) ?? 0 }));
}

export async function listGroups(context: RequestContext, opts: { keyword?: string; page: number; pageSize: number }): Promise<{ count: number; results: GroupView[] }> {
  const q = () => {
    const b = db(context)('admin_groups');
    return opts.keyword ? whereContains(b, 'name', opts.keyword) : b;
  };
  const total = await q().count({ n: '*' }).first();
  const rows = await q().orderBy('id').limit(opts.pageSize).offset((opts.page - 1) * opts.pageSize).select('id', 'name');
  return { count: Number(total?.n ?? 0), results: await views(context, rows) };
}

export async function getGroup(context: RequestContext, id: number): Promise<GroupView> {
  const row = await db(context)('admin_groups').where({ id }).first<{ id: number; name: string } | undefined>('id', 'name');
  if (!row) throw new NotFoundError('用户组不存在');
  return (await views(context, [row]))[0]!;
}

export async function createGroup(context: RequestContext, input: { name: string; permissions?: string[] }): Promise<GroupView> {
  return withTransaction(context, async (tx) => {
    const codenames = [...new Set(input.permissions ?? [])].sort();
    const ids = await permissionIds(tx, codenames);
    assertMayGrant(tx, codenames);
    const now = tx.clock.now().getTime();
    let id: number;
    try {
      [id] = (await db(tx)('admin_groups').insert({ name: input.name, created_at: now, updated_at: now })).map(Number) as [number];
    } catch (err) {
      throw duplicate(err) ?? err;
    }
    if (ids.length) await db(tx)('admin_group_permissions').insert(ids.map((permission_id) => ({ group_id: id, permission_id })));
    await recordAudit(tx, { action: 'create', resource: 'auth.group', resourceId: id, changes: { name: [null, input.name], permissions: [null, codenames] } });
    return getGroup(tx, id);
  });
}

export async function updateGroup(context: RequestContext, id: number, patch: { name?: string; permissions?: string[] }): Promise<GroupView> {
  return withTransaction(context, async (tx) => {
    const before = await getGroup(tx, id);
    const changes: Record<string, [unknown, unknown]> = {};
    if (patch.name !== undefined && patch.name !== before.name) {
      try {
        await db(tx)('admin_groups').where({ id }).update({ name: patch.name, updated_at: tx.clock.now().getTime() });
      } catch (err) {
        throw duplicate(err) ?? err;
      }
      changes.name = [before.name, patch.name];
    }
    if (patch.permissions !== undefined) {
      const codenames = [...new Set(patch.permissions)].sort();
      const ids = await permissionIds(tx, codenames);
      // what the change adds reaches every member: only those the actor holds
      assertMayGrant(tx, codenames.filter((c) => !before.permissions.includes(c)));
      if (JSON.stringify(codenames) !== JSON.stringify(before.permissions)) {
        await db(tx)('admin_group_permissions').where({ group_id: id }).del();
        if (ids.length) await db(tx)('admin_group_permissions').insert(ids.map((permission_id) => ({ group_id: id, permission_id })));
        changes.permissions = [before.permissions, codenames];
      }
    }
    if (Object.keys(changes).length > 0) await recordAudit(tx, { action: 'update', resource: 'auth.group', resourceId: id, changes });
    return getGroup(tx, id);
  });
}

/** Deletes the group; its members lose what it gave them (their memberships go with it). */
export async function deleteGroup(context: RequestContext, id: number): Promise<void> {
  await withTransaction(context, async (tx) => {
    const before = await getGroup(tx, id);
    const members: number[] = (await db(tx)('admin_user_groups').where({ group_id: id }).pluck('user_id')).map(Number);
    const deleted = await db(tx)('admin_groups').where({ id }).del();
    if (deleted !== 1) throw new ConflictError('用户组已被删除');
    await recordAudit(tx, { action: 'delete', resource: 'auth.group', resourceId: id, changes: { name: [before.name, null], permissions: [before.permissions, null], members: [members, null] } });
  });
}
