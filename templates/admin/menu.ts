// The console's side menu, one list: an entry shows when the staff member holds the permission of
// any of its pages, and opens the first of them they may see; a group shows when they may see any of
// its entries (site/scripts/admin/permissions.ts applies the `|` lists). Pages that share an entry
// (a list and its tabs: 规格 and 规格选项) need not share a permission — spec options, channel groups
// and content categories answer to their own —, so an entry lists each page with the permission
// its AdminLayout declares (tests/unit/admin-menu.test.ts holds the two together). A new page adds
// itself here (docs/admin-console.md); `key` is the page's AdminLayout `page`.

export interface MenuPage {
  href: string;
  /** The permission its list/read route needs (api/services/admin/permission-catalog.ts), as its AdminLayout declares it. */
  permission: string;
}

export interface MenuEntry {
  key: string;
  label: string;
  /** The pages the entry stands for, the one it opens first; detail pages (sku.html?id=…) reached from a list need not be here. */
  pages: MenuPage[];
}

export interface MenuGroup {
  label: string;
  entries: MenuEntry[];
}

const one = (href: string, permission: string): MenuPage[] => [{ href, permission }];

export const ADMIN_MENU: MenuGroup[] = [
  { label: '概览', entries: [{ key: 'dashboard', label: '数据概览', pages: one('/admin/', 'statistics.view_statistics') }] },
  {
    label: '商品管理',
    entries: [
      { key: 'skus', label: 'SKU', pages: one('/admin/skus.html', 'goods.view_sku') },
      { key: 'spus', label: 'SPU', pages: one('/admin/spus.html', 'goods.view_spu') },
      { key: 'specs', label: '规格与选项', pages: [{ href: '/admin/specs.html', permission: 'goods.view_spec' }, { href: '/admin/spec-options.html', permission: 'goods.view_spec_option' }] },
      { key: 'brands', label: '品牌', pages: one('/admin/brands.html', 'goods.view_brand') },
      { key: 'categories', label: '商品分类', pages: one('/admin/categories.html', 'goods.view_category') },
      { key: 'channels', label: '频道', pages: [{ href: '/admin/channels.html', permission: 'goods.view_channel' }, { href: '/admin/channel-groups.html', permission: 'goods.view_channel_group' }] },
      { key: 'contents', label: '广告内容', pages: [{ href: '/admin/contents.html', permission: 'contents.view_content' }, { href: '/admin/content-categories.html', permission: 'contents.view_content_category' }] },
    ],
  },
  {
    label: '订单管理',
    entries: [
      { key: 'orders', label: '订单', pages: one('/admin/orders.html', 'orders.view_order') },
      { key: 'refunds', label: '待处理退款', pages: one('/admin/refunds.html', 'orders.view_refund') },
    ],
  },
  {
    label: '用户与权限',
    entries: [
      { key: 'users', label: '用户', pages: one('/admin/users.html', 'users.view_user') },
      { key: 'staff', label: '管理员', pages: one('/admin/staff.html', 'users.view_staff') },
      { key: 'groups', label: '用户组', pages: one('/admin/groups.html', 'auth.view_group') },
      { key: 'permissions', label: '权限', pages: one('/admin/permissions.html', 'auth.view_permission') },
    ],
  },
  { label: '操作日志', entries: [{ key: 'audit', label: '操作日志', pages: one('/admin/audit.html', 'audit.view_audit') }] },
  { label: '站点', entries: [{ key: 'site', label: '站点与任务', pages: one('/admin/site.html', 'site.view_site') }] },
];

const anyPage = (entries: MenuEntry[]) => [...new Set(entries.flatMap((e) => e.pages.map((p) => p.permission)))].join('|');

/** `data-permission` of an entry: any of its pages' permissions (the `|` list permissions.ts reads). */
export const entryPermission = (e: MenuEntry) => anyPage([e]);

/** `data-permission` of a group: any of its entries'. */
export const anyOf = (g: MenuGroup) => anyPage(g.entries);

/** Where an entry leads the staff member: the first of its pages they may see (none: its first page, whose notice says why). */
export const entryHref = (e: MenuEntry, can: (permission: string) => boolean) => (e.pages.find((p) => can(p.permission)) ?? e.pages[0]!).href;
