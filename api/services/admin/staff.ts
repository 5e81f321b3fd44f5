import crypto from 'node:crypto';
import type { RequestContext } from '../../context.ts';
import { MOBILE, normalizeIdentifier } from '../accounts/identifiers.ts';
import { forUpdate, isDeadlock, violatedUnique, whereContains } from '../../db/dialect.ts';
import { db, withTransaction, type TxContext } from '../../db/transaction.ts';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../../errors.ts';
import { hashPassword } from '../accounts/passwords.ts';
import type { SessionService } from '../accounts/sessions.ts';
import type { AdminSessionService } from './admin-sessions.ts';
import { diff, recordAudit } from './audit.ts';
import { groupPermissions } from './groups.ts';
import { ALL_PERMISSIONS } from './permission-catalog.ts';
import { actsAsSuperuser, actorGrants, assertMayGrant, permissionIds } from './permissions.ts';

// Staff accounts: users with is_staff, in groups and holding permissions of their own. The rules,
// each decided inside the write's transaction:
// - the grant rule: what a change adds to someone's effective permissions must be held by the actor
//   (permissions.ts); only a superuser makes a superuser;
// - nobody changes or removes staff who can do more than they can (a new password would hand them
//   those permissions): a non-superuser touches only staff whose permissions are a subset of theirs;
// - the last active superuser is never demoted, deactivated or removed. The active superusers' rows
//   are locked first (SELECT … FOR UPDATE on MariaDB; SQLite's IMMEDIATE transactions serialise
//   writers), so of two concurrent demotions of the last two, the second sees one left and is refused.
// Removing a staff member keeps the account (orders and the audit trail refer to it), deactivated.

export interface StaffView {
  id: number;
  username: string;
  /** null for staff made without one (the CLI's first admin) */
  mobile: string | null;
  email: string | null;
  is_superuser: boolean;
  is_active: boolean;
  groups: { id: number; name: string }[];
  /** the member's own permissions (besides their groups') */
  permissions: string[];
  /** groups' ∪ own; every permission for a superuser */
  effective_permissions: string[];
}

export interface StaffInput {
  username: string;
  password: string;
  /** Without one (the CLI may make the first admin so), the column holds a placeholder that is no phone number. */
  mobile?: string;
  groups?: number[];
  permissions?: string[];
  is_superuser?: boolean;
}

export interface StaffPatch {
  password?: string;
  mobile?: string;
  groups?: number[];
  permissions?: string[];
  is_superuser?: boolean;
  is_active?: boolean;
}

interface UserRow {
  id: number;
  username: string;
  mobile: string;
  email: string | null;
  is_superuser: unknown;
  is_active: unknown;
}

const USER_UNIQUES = { users_username_unique: 'username', users_mobile_unique: 'mobile' };
const flag = (v: unknown) => Boolean(Number(v));
/** users.mobile is unique and required: staff without a mobile hold 'x' + 10 random digits, which no login or registration can match (MOBILE). */
const placeholderMobile = () => 'x' + String(crypto.randomInt(0, 10_000_000_000)).padStart(10, '0');
const sorted = (xs: Iterable<string>) => [...new Set(xs)].sort();

function duplicateUser(err: unknown): ValidationError | null {
  const index = violatedUnique(err, USER_UNIQUES);
  if (index === 'users_username_unique') return new ValidationError('用户名已存在', { username: '用户名已存在' });
  if (index === 'users_mobile_unique') return new ValidationError('手机号已注册', { mobile: '手机号已注册' });
  return null;
}

export class StaffService {
  constructor(
    private readonly adminSessions: AdminSessionService,
    private readonly shopSessions: SessionService,
  ) {}

  private async views(context: RequestContext, rows: UserRow[]): Promise<StaffView[]> {
    const ids = rows.map((r) => Number(r.id));
    if (ids.length === 0) return [];
    const memberships: { user_id: number; id: number; name: string }[] = await db(context)('admin_user_groups as ug')
      .join('admin_groups as g', 'g.id', 'ug.group_id')
      .whereIn('ug.user_id', ids)
      .orderBy('g.id')
      .select('ug.user_id', 'g.id', 'g.name');
    const own: { user_id: number; codename: string }[] = await db(context)('admin_user_permissions as up')
      .join('admin_permissions as p', 'p.id', 'up.permission_id')
      .whereIn('up.user_id', ids)
      .select('up.user_id', 'p.codename');
    const groupPerms = await groupPermissions(context, [...new Set(memberships.map((m) => Number(m.id)))]);
    return rows.map((r) => {
      const id = Number(r.id);
      const groups = memberships.filter((m) => Number(m.user_id) === id).map((m) => ({ id: Number(m.id), name: m.name }));
      const permissions = sorted(own.filter((o) => Number(o.user_id) === id).map((o) => o.codename));
      const effective = flag(r.is_superuser) ? sorted(ALL_PERMISSIONS) : sorted([...permissions, ...groups.flatMap((g) => groupPerms.get(g.id) ?? [])]);
      return { id, username: r.username, mobile: MOBILE.test(r.mobile) ? r.mobile : null, email: r.email, is_superuser: flag(r.is_superuser), is_active: flag(r.is_active), groups, permissions, effective_permissions: effective };
    });
  }

  private staffRows(context: RequestContext) {
    return db(context)('users').where('is_staff', true);
  }

  async list(context: RequestContext, opts: { keyword?: string; page: number; pageSize: number }): Promise<{ count: number; results: StaffView[] }> {
    const q = () => {
      const b = this.staffRows(context);
      return opts.keyword ? b.where((w) => whereContains(whereContains(w, 'username', opts.keyword!), 'mobile', opts.keyword!, true)) : b;
    };
    const total = await q().count({ n: '*' }).first();
    const rows: UserRow[] = await q().orderBy('id').limit(opts.pageSize).offset((opts.page - 1) * opts.pageSize).select('id', 'username', 'mobile', 'email', 'is_superuser', 'is_active');
    return { count: Number(total?.n ?? 0), results: await this.views(context, rows) };
  }

  async get(context: RequestContext, id: number): Promise<StaffView> {
    const row = await this.staffRows(context).where({ id }).first<UserRow | undefined>('id', 'username', 'mobile', 'email', 'is_superuser', 'is_active');
    if (!row) throw new NotFoundError('管理员不存在');
    return (await this.views(context, [row]))[0]!;
  }

  /** The effective permissions groups and own permissions would give (every one for a superuser). */
  private async effective(context: RequestContext, groups: readonly number[], own: readonly string[], superuser: boolean): Promise<Set<string>> {
    if (superuser) return new Set(ALL_PERMISSIONS);
    const perms = await groupPermissions(context, groups);
    return new Set([...own, ...[...perms.values()].flat()]);
  }

  private async checkGroups(context: RequestContext, groups: readonly number[]): Promise<number[]> {
    const unique = [...new Set(groups)];
    if (unique.length === 0) return [];
    const found: number[] = (await db(context)('admin_groups').whereIn('id', unique).pluck('id')).map(Number);
    const missing = unique.find((g) => !found.includes(g));
    if (missing !== undefined) throw new ValidationError(`用户组不存在：${missing}`, { groups: `用户组不存在：${missing}` });
    return unique.sort((a, b) => a - b);
  }

  /** The grant rule for a change of someone's permissions from `before` to `after` (and superuser status). */
  private async assertGrant(context: RequestContext, before: Set<string>, after: Set<string>, makesSuperuser: boolean): Promise<void> {
    if (makesSuperuser && !(await actsAsSuperuser(context))) throw new ForbiddenError('只有超级管理员可以设置超级管理员', 'GRANT_NOT_HELD');
    assertMayGrant(context, [...after].filter((p) => !before.has(p)));
  }

  async create(context: RequestContext, input: StaffInput): Promise<StaffView> {
    const hash = await hashPassword(input.password);
    return withTransaction(context, async (tx) => {
      const groups = await this.checkGroups(tx, input.groups ?? []);
      const own = sorted(input.permissions ?? []);
      const permIds = await permissionIds(tx, own);
      const superuser = input.is_superuser ?? false;
      await this.assertGrant(tx, new Set(), await this.effective(tx, groups, own, superuser), superuser);
      const now = tx.clock.now().getTime();
      let id: number;
      try {
        [id] = (
          await db(tx)('users').insert({ username: input.username, password_hash: hash, mobile: input.mobile ?? placeholderMobile(), email_active: false, is_active: true, is_staff: true, is_superuser: superuser, created_at: now, updated_at: now })
        ).map(Number) as [number];
      } catch (err) {
        throw duplicateUser(err) ?? err;
      }
      if (groups.length) await db(tx)('admin_user_groups').insert(groups.map((group_id) => ({ user_id: id, group_id })));
      if (permIds.length) await db(tx)('admin_user_permissions').insert(permIds.map((permission_id) => ({ user_id: id, permission_id })));
      await recordAudit(tx, {
        action: 'create',
        resource: 'users.staff',
        resourceId: id,
        changes: { username: [null, input.username], mobile: [null, input.mobile ?? null], password: [null, input.password], is_superuser: [null, superuser], groups: [null, groups], permissions: [null, own] },
      });
      return this.get(tx, id);
    });
  }

  /**
   * Locks the active superusers (first, always, so two staff writes take their locks in one order)
   * and loads the target; refuses a target who can do more than the actor.
   */
  private async lockTarget(tx: TxContext, id: number): Promise<{ target: StaffView; activeSuperusers: number[] }> {
    const activeSuperusers: number[] = (await forUpdate(db(tx), db(tx)('users').where({ is_superuser: true, is_active: true, is_staff: true }).select('id'))).map((r: { id: number }) => Number(r.id));
    const target = await this.get(tx, id);
    const actor = actorGrants(tx);
    if (!actor.all) {
      if (target.is_superuser) throw new ForbiddenError('只有超级管理员可以修改超级管理员', 'STAFF_OUTRANKS');
      if (target.effective_permissions.some((p) => !actor.permissions.has(p))) throw new ForbiddenError('不能修改权限多于自己的管理员', 'STAFF_OUTRANKS');
    }
    return { target, activeSuperusers };
  }

  private static assertNotLastSuperuser(target: StaffView, activeSuperusers: number[]): void {
    if (target.is_superuser && target.is_active && activeSuperusers.length <= 1 && activeSuperusers.includes(target.id)) {
      throw new ConflictError('不能移除最后一个超级管理员', 'LAST_SUPERUSER');
    }
  }

  async update(context: RequestContext, id: number, patch: StaffPatch): Promise<StaffView> {
    const hash = patch.password === undefined ? undefined : await hashPassword(patch.password);
    return lockConflicts(() => withTransaction(context, (tx) => this.applyUpdate(tx, id, patch, hash)));
  }

  /**
   * A new password for the staff member of that username (`meiduo admin password`, for one locked
   * out): the update's own path, so the same hash, the end of every session of theirs (a reset after
   * a compromise must lock out the old token) and the audit entry, in one transaction. A customer's
   * account is refused (400), not touched: a customer resets their own password (找回密码).
   */
  async setPassword(context: RequestContext, username: string, password: string): Promise<StaffView> {
    const hash = await hashPassword(password);
    return lockConflicts(() =>
      withTransaction(context, async (tx) => {
        const user = await db(tx)('users').where('username', normalizeIdentifier(username)).first<{ id: number; is_staff: unknown } | undefined>('id', 'is_staff');
        if (!user) throw new NotFoundError(`没有这个用户：${username}`);
        if (!flag(user.is_staff)) throw new ValidationError(`不是管理员账号：${username}（顾客的密码由顾客自己找回）`, { username: '不是管理员账号' });
        return this.applyUpdate(tx, Number(user.id), { password }, hash);
      }),
    );
  }

  private async applyUpdate(tx: TxContext, id: number, patch: StaffPatch, hash: string | undefined): Promise<StaffView> {
    const { target, activeSuperusers } = await this.lockTarget(tx, id);
    const groups = patch.groups === undefined ? target.groups.map((g) => g.id) : await this.checkGroups(tx, patch.groups);
    const own = patch.permissions === undefined ? target.permissions : sorted(patch.permissions);
    const permIds = await permissionIds(tx, own);
    const superuser = patch.is_superuser ?? target.is_superuser;
    const active = patch.is_active ?? target.is_active;
    await this.assertGrant(tx, new Set(target.effective_permissions), await this.effective(tx, groups, own, superuser), superuser && !target.is_superuser);
    if ((!superuser || !active) && target.is_superuser) StaffService.assertNotLastSuperuser(target, activeSuperusers);
    const row: Record<string, unknown> = {};
    if (patch.mobile !== undefined && patch.mobile !== target.mobile) row.mobile = patch.mobile;
    if (superuser !== target.is_superuser) row.is_superuser = superuser;
    if (active !== target.is_active) row.is_active = active;
    if (hash !== undefined) row.password_hash = hash;
    if (Object.keys(row).length > 0) {
      try {
        await db(tx)('users').where({ id }).update({ ...row, updated_at: tx.clock.now().getTime() });
      } catch (err) {
        throw duplicateUser(err) ?? err;
      }
    }
    const oldGroups = target.groups.map((g) => g.id);
    if (JSON.stringify(groups) !== JSON.stringify(oldGroups)) {
      await db(tx)('admin_user_groups').where({ user_id: id }).del();
      if (groups.length) await db(tx)('admin_user_groups').insert(groups.map((group_id) => ({ user_id: id, group_id })));
    }
    if (JSON.stringify(own) !== JSON.stringify(target.permissions)) {
      await db(tx)('admin_user_permissions').where({ user_id: id }).del();
      if (permIds.length) await db(tx)('admin_user_permissions').insert(permIds.map((permission_id) => ({ user_id: id, permission_id })));
    }
    // a new password or a deactivation ends the account's sessions, admin and shop alike
    if (hash !== undefined || !active) await this.endSessions(tx, id);
    const changes = diff(
      { mobile: target.mobile, is_superuser: target.is_superuser, is_active: target.is_active, groups: oldGroups, permissions: target.permissions },
      { mobile: patch.mobile, is_superuser: superuser, is_active: active, groups, permissions: own },
    );
    if (patch.password !== undefined) changes.password = ['', patch.password];
    if (Object.keys(changes).length > 0) await recordAudit(tx, { action: 'update', resource: 'users.staff', resourceId: id, changes });
    return this.get(tx, id);
  }

  /** No longer staff: the account stays (deactivated), its groups, permissions and sessions go. */
  async remove(context: RequestContext, id: number): Promise<void> {
    await lockConflicts(() =>
      withTransaction(context, async (tx) => {
        const { target, activeSuperusers } = await this.lockTarget(tx, id);
        StaffService.assertNotLastSuperuser(target, activeSuperusers);
        await db(tx)('users').where({ id }).update({ is_staff: false, is_superuser: false, is_active: false, updated_at: tx.clock.now().getTime() });
        await db(tx)('admin_user_groups').where({ user_id: id }).del();
        await db(tx)('admin_user_permissions').where({ user_id: id }).del();
        await this.endSessions(tx, id);
        await recordAudit(tx, {
          action: 'delete',
          resource: 'users.staff',
          resourceId: id,
          changes: { username: [target.username, null], is_superuser: [target.is_superuser, false], is_active: [target.is_active, false], groups: [target.groups.map((g) => g.id), []], permissions: [target.permissions, []] },
        });
      }),
    );
  }

  private async endSessions(context: RequestContext, userId: number): Promise<void> {
    await this.adminSessions.revokeAll(context, userId);
    await this.shopSessions.revokeAll(db(context), userId);
  }
}

/** MariaDB may end one of two crossing staff writes as a deadlock's victim: a 409 to retry, never a 500. */
async function lockConflicts<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (isDeadlock(err)) throw new ConflictError('操作冲突，请重试', 'CONFLICT');
    throw err;
  }
}
