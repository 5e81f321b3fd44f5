// 数据概览 (docs/admin-console.md): the statistics routes (docs/statistics.md) as cards, two 30-day
// charts and two tables; alerts for refunds a human must handle and failed jobs, for staff who may see them.
// Staff without statistics.view_statistics are sent on (location.replace) to the first menu entry
// they may see (templates/admin/menu.ts, the rule the menu itself follows); with none, a page says so.
import { ADMIN_MENU, entryHref, entryPermission } from '../../../templates/admin/menu.ts';
import { adminGet, type Page } from './api.ts';
import { lineChart } from './chart.ts';
import { count, money, moneyNumber } from './format.ts';
import { bootConsole, byId, setText, showPageError } from './shell.ts';
import { fillRows } from './table.ts';

interface DayCount { date: string; count: number }
interface DayOrders extends DayCount { amount: string }


function alert(id: string, n: number, text: string, href: string) {
  const box = byId(id);
  if (n === 0) return;
  const a = Object.assign(document.createElement('a'), { href, textContent: text });
  box.replaceChildren(a);
  box.hidden = false;
}

const S = '/api/admin/statistics';

/** The first page of the side menu (other than this one) they may see, or null. */
function firstPageFor(can: (spec: string) => boolean): string | null {
  for (const g of ADMIN_MENU) for (const e of g.entries) if (e.key !== 'dashboard' && can(entryPermission(e))) return entryHref(e, can);
  return null;
}

/** Nothing in the menu is theirs: say so kindly, with 退出 (instead of the layout's "no permission"). */
function nothingToSee(username: string) {
  document.title = '管理后台 - 美多商城';
  document.querySelector('#a-main h1')!.textContent = '欢迎使用管理后台';
  const box = document.querySelector<HTMLElement>('.a-denied')!;
  const hello = Object.assign(document.createElement('p'), { textContent: `您好，${username}。您的账号还没有可以使用的管理页面，请联系超级管理员为您分配权限。` });
  const out = Object.assign(document.createElement('a'), { href: '/admin/logout.html', className: 'a-btn primary', textContent: '退出' });
  box.id = 'no-access';
  const actions = document.createElement('p');
  actions.append(out);
  box.replaceChildren(hello, actions);
}

async function main() {
const me = await bootConsole();
if (!me.can('statistics.view_statistics')) {
  // bootConsole just showed the layout's notice; hide it before the browser paints, then move on
  const target = firstPageFor(me.can);
  if (target) {
    document.querySelector<HTMLElement>('.a-denied')!.hidden = true;
    location.replace(target);
    return;
  }
  nothingToSee(me.username);
}
if (me.can('statistics.view_statistics')) {
  const [total, fresh, active, today, users, orders, views, top] = await Promise.all([
    adminGet<DayCount>(`${S}/users/total`),
    adminGet<DayCount>(`${S}/users/new`),
    adminGet<DayCount>(`${S}/users/active`),
    adminGet<DayOrders>(`${S}/orders/today`),
    adminGet<DayCount[]>(`${S}/users/daily?days=30`),
    adminGet<DayOrders[]>(`${S}/orders/daily?days=30`),
    adminGet<{ category_id: number; name: string; count: number }[]>(`${S}/views/today`),
    adminGet<{ sku_id: number; name: string; count: number; amount: string }[]>(`${S}/skus/top?days=7&limit=10`),
  ]);
  setText('users-total', count(total.count));
  setText('users-new', count(fresh.count));
  setText('users-active', count(active.count));
  setText('orders-count', count(today.count));
  setText('orders-amount', money(today.amount));
  lineChart(byId('chart-users'), users.map((d) => d.date), [{ label: '新增用户', values: users.map((d) => d.count), color: '#c81623', format: count }]);
  lineChart(byId('chart-orders'), orders.map((d) => d.date), [
    { label: '订单数', values: orders.map((d) => d.count), color: '#2b6cb0', format: count },
    { label: '销售额', values: orders.map((d) => Number(d.amount)), color: '#c81623', right: true, format: moneyNumber },
  ]);
  fillRows(byId<HTMLTableSectionElement>('views-body'), views.map((v) => [{ text: v.name }, { text: count(v.count), num: true }]), '今日暂无浏览', 2);
  fillRows(byId<HTMLTableSectionElement>('top-body'), top.map((s) => [{ text: s.name }, { text: count(s.count), num: true }, { text: money(s.amount), num: true }]), '本周暂无销售', 3);
}
if (me.can('orders.view_refund')) {
  const failed = await adminGet<Page<unknown>>('/api/admin/refunds?state=failed&page_size=1');
  alert('alert-refunds', failed.count, `有 ${count(failed.count)} 笔退款需要人工处理`, '/admin/refunds.html');
}
if (me.can('site.view_site')) {
  const jobs = await adminGet<Page<unknown>>('/api/admin/jobs?state=failed&page_size=1');
  alert('alert-jobs', jobs.count, `有 ${count(jobs.count)} 个后台任务失败`, '/admin/site.html');
}
document.body.dataset.ready = 'true';
}

main().catch(showPageError);
