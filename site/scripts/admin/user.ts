// 用户详情: GET /api/admin/users/{id}; 停用 / 启用 (PATCH {is_active}) for staff with users.change_user,
// after a confirm(). Deactivating ends the customer's sessions: they are logged out at once.
import { adminRequest } from './api.ts';
import { count, money, time } from './format.ts';
import { bootConsole, byId, setText, showPageError } from './shell.ts';
import type { CustomerDetail } from './user-types.ts';

function show(u: CustomerDetail, canChange: boolean) {
  setText('u-username', u.username);
  setText('u-status', u.is_active ? '启用' : '停用');
  setText('u-mobile', u.mobile);
  setText('u-email', u.email ? `${u.email}${u.email_active ? '（已验证）' : '（未验证）'}` : '—');
  setText('u-qq', u.qq_bound ? '已绑定' : '未绑定');
  setText('u-joined', time(u.date_joined));
  setText('u-active', u.last_active_at ? time(u.last_active_at) : '从未');
  setText('u-sessions', count(u.sessions_count));
  // the order list's keyword finds a customer exactly by mobile (a username matches by its start)
  const orders = byId('u-orders');
  orders.replaceChildren(
    u.orders_count > 0
      ? Object.assign(document.createElement('a'), { href: `/admin/orders.html?keyword=${encodeURIComponent(u.mobile)}`, textContent: `${count(u.orders_count)} 个，查看订单` })
      : '0',
  );
  setText('u-paid-orders', count(u.paid_orders_count));
  setText('u-total-paid', money(u.total_paid));
  setText('u-addresses', count(u.addresses_count));
  const a = u.default_address;
  setText('u-default-address', a ? `${a.receiver} ${a.mobile}，${a.province}${a.city}${a.district}${a.place}` : '—');
  const toggle = byId<HTMLButtonElement>('u-toggle');
  toggle.hidden = !canChange;
  toggle.textContent = u.is_active ? '停用' : '启用';
  toggle.className = u.is_active ? 'a-btn' : 'a-btn primary';
}

async function main() {
  const me = await bootConsole();
  if (!me.can('users.view_user')) return;
  const id = new URLSearchParams(location.search).get('id') ?? '';
  if (!/^\d{1,10}$/.test(id)) throw new Error('缺少用户 id');
  const path = `/api/admin/users/${id}`;
  const canChange = me.can('users.change_user');
  let user = await adminRequest<CustomerDetail>('GET', path);
  show(user, canChange);
  const msg = byId('u-msg');
  byId('u-toggle').addEventListener('click', async () => {
    const active = !user.is_active;
    const question = active ? `启用用户 ${user.username}？其可以重新登录。` : `停用用户 ${user.username}？其登录会话将立即失效，且不能再登录。`;
    if (!confirm(question)) return;
    msg.hidden = true;
    try {
      user = await adminRequest<CustomerDetail>('PATCH', path, { is_active: active });
      show(user, canChange);
      msg.className = 'a-alert ok';
      msg.textContent = active ? '已启用' : '已停用，登录会话已结束';
    } catch (err) {
      msg.className = 'a-alert';
      msg.textContent = err instanceof Error ? err.message : '操作失败';
    }
    msg.hidden = false;
  });
  document.body.dataset.ready = 'true';
}

main().catch(showPageError);
