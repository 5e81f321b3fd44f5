// 权限: GET /api/admin/permissions (keyword: codename or name), read-only.
import { mountList } from './list-kit.ts';
import type { Permission } from './permission-matrix.ts';
import { bootConsole, showPageError } from './shell.ts';

const ACTIONS: Record<string, string> = { view: '查看', add: '新增', change: '修改', delete: '删除' };

async function main() {
  const me = await bootConsole();
  if (!me.can('auth.view_permission')) return;
  mountList<Permission>({
    id: 'permissions',
    endpoint: '/api/admin/permissions',
    can: me.can,
    pageSize: 50,
    columns: [
      { label: '权限代码', cell: (p) => Object.assign(document.createElement('code'), { textContent: p.codename }) },
      { label: '名称', cell: (p) => p.name },
      { label: '对象', cell: (p) => p.resource },
      { label: '操作', cell: (p) => ACTIONS[p.action] ?? p.action },
    ],
  });
  document.body.dataset.ready = 'true';
}

main().catch(showPageError);
