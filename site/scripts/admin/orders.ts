// 订单: GET /api/admin/orders (status, date_from, date_to, keyword; count_capped past 10,000).
import { mountList } from './list-kit.ts';
import { money, time } from './format.ts';
import { bootConsole, showPageError } from './shell.ts';
import type { StaffOrder } from './order-types.ts';

async function main() {
  const me = await bootConsole();
  if (!me.can('orders.view_order')) return;
  mountList<StaffOrder>({
    id: 'orders',
    endpoint: '/api/admin/orders',
    can: me.can,
    empty: '没有符合条件的订单',
    columns: [
      { label: '订单号', cell: (o) => Object.assign(document.createElement('a'), { href: `/admin/order.html?id=${o.order_id}`, textContent: o.order_id }) },
      { label: '用户', cell: (o) => o.customer.username },
      { label: '收货人', cell: (o) => o.address.receiver },
      { label: '状态', cell: (o) => o.status_name },
      { label: '件数', cell: (o) => String(o.total_count), num: true },
      { label: '实付', cell: (o) => money(o.payment_amount), num: true },
      { label: '下单时间', cell: (o) => time(o.created_at) },
    ],
  });
  document.body.dataset.ready = 'true';
}

main().catch(showPageError);
