// 用户组: GET /api/admin/groups (keyword: name).
import { mountList } from './list-kit.ts';
import { bootConsole, showPageError } from './shell.ts';

interface Group { id: number; name: string; permissions: string[]; member_count: number }

async function main() {
  const me = await bootConsole();
  if (!me.can('auth.view_group')) return;
  mountList<Group>({
    id: 'groups',
    endpoint: '/api/admin/groups',
    can: me.can,
    columns: [
      { label: '名称', cell: (g) => Object.assign(document.createElement('a'), { href: `/admin/group.html?id=${g.id}`, textContent: g.name }) },
      { label: '权限数', cell: (g) => String(g.permissions.length), num: true },
      { label: '成员数', cell: (g) => String(g.member_count), num: true },
    ],
  });
  document.body.dataset.ready = 'true';
}

main().catch(showPageError);
