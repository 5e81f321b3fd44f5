// 管理员: GET /api/admin/staff (keyword: username or mobile).
import { mountList } from './list-kit.ts';
import { bootConsole, showPageError } from './shell.ts';

interface Staff { id: number; username: string; mobile: string | null; is_superuser: boolean; is_active: boolean; groups: { id: number; name: string }[]; effective_permissions: string[] }

async function main() {
  const me = await bootConsole();
  if (!me.can('users.view_staff')) return;
  mountList<Staff>({
    id: 'staff',
    endpoint: '/api/admin/staff',
    can: me.can,
    columns: [
      { label: '用户名', cell: (s) => Object.assign(document.createElement('a'), { href: `/admin/staff-member.html?id=${s.id}`, textContent: s.username }) },
      { label: '手机号', cell: (s) => s.mobile ?? '—' },
      { label: '状态', cell: (s) => (s.is_active ? '启用' : '停用') },
      { label: '超级管理员', cell: (s) => (s.is_superuser ? '是' : '否') },
      { label: '用户组', cell: (s) => s.groups.map((g) => g.name).join('、') || '—' },
      { label: '权限数', cell: (s) => String(s.effective_permissions.length), num: true },
    ],
  });
  document.body.dataset.ready = 'true';
}

main().catch(showPageError);
