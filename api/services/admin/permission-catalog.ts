import type { Knex } from 'knex';

// Every permission the admin API knows, in one list: `<app>.<action>_<model>` codenames as in the
// original shop's Django admin, each with its Chinese display name. Routes name one of these in
// `auth: { permission }`; the `admin_permissions` table holds exactly these rows (the migration
// writes them with syncPermissionCatalog, and a test checks rows == catalog). A change to this list
// ships with a new migration that calls syncPermissionCatalog again.

export type PermissionAction = 'view' | 'add' | 'change' | 'delete';

const ALL: readonly PermissionAction[] = ['view', 'add', 'change', 'delete'];

/** The models the admin manages: app.model, its Chinese name, and the actions that apply. */
const MODELS: readonly { app: string; model: string; label: string; actions: readonly PermissionAction[] }[] = [
  { app: 'goods', model: 'sku', label: 'SKU', actions: ALL },
  { app: 'goods', model: 'spu', label: 'SPU', actions: ALL },
  { app: 'goods', model: 'spec', label: '规格', actions: ALL },
  { app: 'goods', model: 'spec_option', label: '规格选项', actions: ALL },
  { app: 'goods', model: 'brand', label: '品牌', actions: ALL },
  { app: 'goods', model: 'category', label: '商品分类', actions: ALL },
  { app: 'goods', model: 'channel', label: '频道', actions: ALL },
  { app: 'goods', model: 'channel_group', label: '频道组', actions: ALL },
  { app: 'goods', model: 'sku_image', label: 'SKU图片', actions: ALL },
  { app: 'contents', model: 'content', label: '广告内容', actions: ALL },
  { app: 'contents', model: 'content_category', label: '广告类别', actions: ALL },
  // orders are placed by customers and never deleted: staff read and move them on
  { app: 'orders', model: 'order', label: '订单', actions: ['view', 'change'] },
  { app: 'orders', model: 'refund', label: '退款', actions: ['view', 'change'] },
  { app: 'users', model: 'staff', label: '管理员', actions: ALL },
  // customers register themselves and are never deleted: staff find them and (de)activate them
  { app: 'users', model: 'user', label: '用户', actions: ['view', 'change'] },
  { app: 'auth', model: 'group', label: '用户组', actions: ALL },
  // permissions come from this file: staff can only read them
  { app: 'auth', model: 'permission', label: '权限', actions: ['view'] },
];

const ACTION_NAMES: Record<PermissionAction, string> = { view: '查看', add: '新增', change: '修改', delete: '删除' };

export interface PermissionEntry {
  codename: string;
  name: string;
  /** 'goods.sku', or 'statistics' / 'audit' for the two that are not about a model */
  resource: string;
  action: string;
}

export const PERMISSION_CATALOG: readonly PermissionEntry[] = Object.freeze([
  ...MODELS.flatMap((m) =>
    m.actions.map((a) => ({ codename: `${m.app}.${a}_${m.model}`, name: `${ACTION_NAMES[a]}${m.label}`, resource: `${m.app}.${m.model}`, action: a })),
  ),
  { codename: 'statistics.view_statistics', name: '查看统计数据', resource: 'statistics', action: 'view' },
  { codename: 'audit.view_audit', name: '查看操作日志', resource: 'audit', action: 'view' },
  // the console's 站点 page: the pages' outbox, the release, the job queue; a full rebuild, job retries
  { codename: 'site.view_site', name: '查看站点状态', resource: 'site', action: 'view' },
  { codename: 'site.change_site', name: '重建站点与重试任务', resource: 'site', action: 'change' },
]);

export const ALL_PERMISSIONS: ReadonlySet<string> = new Set(PERMISSION_CATALOG.map((p) => p.codename));

export const isPermission = (codename: string) => ALL_PERMISSIONS.has(codename);

/**
 * Makes the admin_permissions rows the catalog: inserts the new ones, renames changed names,
 * deletes the ones gone (their grants go with them, by cascade). Run by migrations only.
 */
export async function syncPermissionCatalog(knex: Knex): Promise<void> {
  const rows: { id: number; codename: string; name: string }[] = await knex('admin_permissions').select('id', 'codename', 'name');
  const have = new Map(rows.map((r) => [r.codename, r]));
  for (const p of PERMISSION_CATALOG) {
    const row = have.get(p.codename);
    if (!row) await knex('admin_permissions').insert(p);
    else if (row.name !== p.name) await knex('admin_permissions').where({ id: row.id }).update({ name: p.name });
  }
  const gone = rows.filter((r) => !ALL_PERMISSIONS.has(r.codename)).map((r) => r.id);
  if (gone.length > 0) await knex('admin_permissions').whereIn('id', gone).del();
}
