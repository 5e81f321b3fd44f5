// 订单详情: GET /api/admin/orders/{id}; 发货 (PUT …/status {status: 3, express_company, tracking_no})
// and 取消订单 (PUT …/status {status: 6, reason}), each shown when the order's staff_actions allow it.
// A 409 (the order moved meanwhile) shows its message on the form; the answer redraws the page.
import { adminRequest } from './api.ts';
import { bindForm } from './form-kit.ts';
import { money, time } from './format.ts';
import { bootConsole, byId, setText, showPageError } from './shell.ts';
import { fillRows } from './table.ts';
import { REFUND_STATES, type StaffOrder } from './order-types.ts';

function show(o: StaffOrder) {
  setText('o-id', o.order_id);
  setText('o-status', o.status_name);
  setText('o-created', time(o.created_at));
  setText('o-pay-method', o.pay_method_name);
  setText('o-total', money(o.total_amount));
  setText('o-freight', money(o.freight));
  setText('o-payment', money(o.payment_amount));
  setText('o-refund', o.refund_state ? REFUND_STATES[o.refund_state] ?? o.refund_state : '无');
  setText('o-carrier', o.express_company ? `${o.express_company} ${o.tracking_no ?? ''}` : '未发货');
  setText('c-username', o.customer.username);
  setText('c-mobile', o.customer.mobile ?? '—');
  const a = o.address;
  setText('o-address', `${a.receiver} ${a.mobile}，${a.province}${a.city}${a.district}${a.place}`);
  fillRows(byId<HTMLTableSectionElement>('o-lines'), o.skus.map((s) => [{ text: s.name }, { text: money(s.price), num: true }, { text: String(s.count), num: true }, { text: money(s.amount), num: true }]), '无商品', 4);
  fillRows(
    byId<HTMLTableSectionElement>('o-payments'),
    o.payments.map((p) => [{ text: p.trade_no }, { text: money(p.amount), num: true }, { text: p.outcome === 'settled' ? '支付订单' : '待退还' }, { text: p.refund_state ? REFUND_STATES[p.refund_state] ?? p.refund_state : '—' }, { text: time(p.created_at) }]),
    '尚无支付记录',
    5,
  );
  byId('o-timeline').replaceChildren(
    ...o.timeline.map((e) => {
      const li = document.createElement('li');
      li.append(Object.assign(document.createElement('strong'), { textContent: e.name }), ` ${time(e.at)}`);
      if (e.detail) li.append(Object.assign(document.createElement('span'), { className: 'a-muted', textContent: ` ${e.detail}` }));
      return li;
    }),
  );
  byId('ship-form').hidden = !o.staff_actions.includes('ship');
  byId('cancel-form').hidden = !o.staff_actions.includes('cancel');
}

async function main() {
  const me = await bootConsole();
  if (!me.can('orders.view_order')) return;
  const id = new URLSearchParams(location.search).get('id') ?? '';
  if (!/^\d{1,40}$/.test(id)) throw new Error('缺少订单号');
  const path = `/api/admin/orders/${id}`;
  show(await adminRequest<StaffOrder>('GET', path));
  const put = (body: object) => adminRequest<StaffOrder>('PUT', `${path}/status`, body);
  bindForm(byId<HTMLFormElement>('ship-form'), (v) => put({ status: 3, express_company: v.express_company, tracking_no: v.tracking_no }), show);
  bindForm(byId<HTMLFormElement>('cancel-form'), (v) => put({ status: 6, reason: v.reason }), show);
  document.body.dataset.ready = 'true';
}

main().catch(showPageError);
