// The console's side menu, one list: a group shows when the staff member holds the permission of
// any of its entries, an entry when they hold its permission (site/scripts/admin/permissions.ts).
// A new page adds its entry here (docs/admin-console.md); `key` is the page's AdminLayout `page`.

export interface MenuEntry {
  key: string;
  label: string;
  href: string;
  /** The permission its list/read route needs (api/services/admin/permission-catalog.ts). */
  permission: string;
}

export interface MenuGroup {
  label: string;
  entries: MenuEntry[];
}

export const ADMIN_MENU: MenuGroup[] = [
  { label: '概览', entries: [{ key: 'dashboard', label: '数据概览', href: '/admin/', permission: 'statistics.view_statistics' }] },
  {
    label: '商品管理',
    entries: [
      { key: 'skus', label: 'SKU', href: '/admin/skus.html', permission: 'goods.view_sku' },
      { key: 'spus', label: 'SPU', href: '/admin/spus.html', permission: 'goods.view_spu' },
      { key: 'specs', label: '规格与选项', href: '/admin/specs.html', permission: 'goods.view_spec' },
      { key: 'brands', label: '品牌', href: '/admin/brands.html', permission: 'goods.view_brand' },
      { key: 'categories', label: '商品分类', href: '/admin/categories.html', permission: 'goods.view_category' },
      { key: 'channels', label: '频道', href: '/admin/channels.html', permission: 'goods.view_channel' },
      { key: 'contents', label: '广告内容', href: '/admin/contents.html', permission: 'contents.view_content' },
    ],
  },
  {
    label: '订单管理',
    entries: [
      { key: 'orders', label: '订单', href: '/admin/orders.html', permission: 'orders.view_order' },
      { key: 'refunds', label: '待处理退款', href: '/admin/refunds.html', permission: 'orders.view_refund' },
    ],
  },
  {
    label: '用户与权限',
    entries: [
      { key: 'users', label: '用户', href: '/admin/users.html', permission: 'users.view_user' },
      { key: 'staff', label: '管理员', href: '/admin/staff.html', permission: 'users.view_staff' },
      { key: 'groups', label: '用户组', href: '/admin/groups.html', permission: 'auth.view_group' },
      { key: 'permissions', label: '权限', href: '/admin/permissions.html', permission: 'auth.view_permission' },
    ],
  },
  { label: '操作日志', entries: [{ key: 'audit', label: '操作日志', href: '/admin/audit.html', permission: 'audit.view_audit' }] },
  { label: '站点', entries: [{ key: 'site', label: '站点与任务', href: '/admin/site.html', permission: 'site.view_site' }] },
];

/** `data-permission` of a group: any of its entries' (the `|` list permissions.ts reads). */
export const anyOf = (g: MenuGroup) => [...new Set(g.entries.map((e) => e.permission))].join('|');
