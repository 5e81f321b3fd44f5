// 用户: GET /api/admin/users (keyword: username, mobile or email; is_active; date_from, date_to: days joined).
import { mountList } from './list-kit.ts';
import { count, time } from './format.ts';
import { bootConsole, showPageError } from './shell.ts';
import type { Customer } from './user-types.ts';

async function main() {
  const me = await bootConsole();
  if (!me.can('users.view_user')) return;
  mountList<Customer>({
    id: 'users',
    endpoint: '/api/admin/users',
    can: me.can,
    empty: '没有符合条件的用户',
    columns: [
      { label: '用户名', cell: (u) => Object.assign(document.createElement('a'), { href: `/admin/user.html?id=${u.id}`, textContent: u.username }) },
      { label: '手机号', cell: (u) => u.mobile },
      { label: '邮箱', cell: (u) => u.email ?? '—' },
      { label: '状态', cell: (u) => (u.is_active ? '启用' : '停用') },
      { label: '订单数', cell: (u) => count(u.orders_count), num: true },
      { label: '注册时间', cell: (u) => time(u.date_joined) },
      { label: '最近活跃', cell: (u) => (u.last_active_at ? time(u.last_active_at) : '—') },
    ],
  });
  document.body.dataset.ready = 'true';
}

main().catch(showPageError);
