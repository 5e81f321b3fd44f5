// /user_center_order_detail.html?order_id=…: one of the customer's orders — its state and refund,
// the timeline (Beijing times), address, payment and shipping, lines and totals, and the actions it
// allows now (order-view.ts). Another customer's order, or none, reads as 订单不存在.
import type { Order } from '../../api/services/orders/order-service.ts';
import { api, asApiError } from './api-client.ts';
import { el } from './form-kit.ts';
import { actionButtons, beijingTime, REFUND_NAMES, runAction, statusText, tickDeadlines } from './order-view.ts';
import { redirectIfUnauthorized } from './session.ts';
import { ORDER_ID } from './shop.ts';
import { enterUserCenter } from './user-center.ts';

const box = document.getElementById('detail')!;
const msg = document.getElementById('detail-msg')!;
const orderId = new URLSearchParams(location.search).get('order_id') ?? '';

function say(message: string | null, kind: 'error' | 'ok' = 'error'): void {
  msg.textContent = message ?? '';
  msg.className = kind === 'ok' ? 'form-msg ok' : 'form-msg';
  msg.hidden = !message;
}

function dl(id: string, rows: [string, string][]): void {
  document.getElementById(id)!.replaceChildren(...rows.flatMap(([k, v]) => [el('dt', {}, k), el('dd', {}, v)]));
}

/** What the customer should know of the money: unpaid, paid, to be paid on delivery, given back. */
function paymentState(o: Order): string {
  if (o.refund_state) return REFUND_NAMES[o.refund_state];
  if (o.timeline.some((e) => e.event === 'paid')) return '已支付';
  if (o.pay_method === 1) return o.status === 6 ? '未支付' : '货到付款，收货时支付';
  return '未支付';
}

function render(o: Order): void {
  document.getElementById('detail-no')!.textContent = o.order_id;
  const status = document.getElementById('detail-status')!;
  status.textContent = statusText(o);
  status.dataset.status = String(o.status);
  const actions = document.getElementById('detail-actions')!;
  actions.dataset.order = o.order_id;
  actions.replaceChildren(actionButtons(o, false));
  document.getElementById('detail-timeline')!.replaceChildren(
    ...o.timeline.map((e) => {
      const li = el('li', { 'data-event': e.event });
      li.append(el('span', { class: 'tl-name' }, e.name), el('time', { datetime: e.at }, beijingTime(e.at)));
      // the carrier and tracking number, or why it was cancelled (商家取消：…)
      if (e.detail) li.append(el('span', { class: 'tl-detail muted' }, e.detail));
      return li;
    }),
  );
  const a = o.address;
  dl('detail-address', [
    ['收货人', a.receiver],
    ['手机', a.mobile],
    ...(a.tel ? ([['固定电话', a.tel]] as [string, string][]) : []),
    ['地址', `${a.province} ${a.city} ${a.district} ${a.place}`],
  ]);
  const pay: [string, string][] = [['支付方式', o.pay_method_name], ['支付状态', paymentState(o)]];
  if (o.status === 1 && o.pay_deadline) pay.push(['支付期限', beijingTime(o.pay_deadline)]);
  // where the order is; once shipped, with the carrier and tracking number staff gave
  pay.push(['配送', o.status === 6 ? '订单已取消' : o.status <= 2 ? '尚未发货' : o.status === 3 ? '已发货，待收货' : '已收货']);
  if (o.express_company) pay.push(['快递公司', o.express_company]);
  if (o.tracking_no) pay.push(['快递单号', o.tracking_no]);
  dl('detail-pay', pay);
  document.getElementById('detail-lines')!.replaceChildren(
    ...o.skus.map((line) => {
      const url = `/goods/${line.sku_id}.html`;
      const li = el('li', { class: 'order-line' });
      const img = el('a', { class: 'line-img', href: url, tabindex: '-1', 'aria-hidden': 'true' });
      if (line.default_image_url) img.append(el('img', { src: line.default_image_url, alt: '', loading: 'lazy' }));
      li.append(img, el('a', { class: 'line-name', href: url }, line.name), el('span', { class: 'line-price' }, `¥${line.price} × ${line.count}`), el('span', { class: 'line-amount' }, `¥${line.amount}`));
      return li;
    }),
  );
  dl('detail-totals', [
    [`商品 ${o.total_count} 件`, `¥${o.total_amount}`],
    ['运费', `¥${o.freight}`],
    ['实付款', `¥${o.payment_amount}`],
  ]);
  box.hidden = false;
}

async function load(): Promise<void> {
  const { data, error } = await api<Order>(`/orders/${orderId}`);
  if (error || !data) {
    const e = asApiError(error);
    if (!redirectIfUnauthorized(e)) say(e.status === 404 ? '订单不存在' : e.message);
    box.hidden = true;
    return;
  }
  render(data);
}

document.getElementById('detail-actions')!.addEventListener('click', (event) => {
  const btn = (event.target as Element).closest<HTMLButtonElement>('button[data-act]');
  if (btn) runAction(btn, orderId, { say, reload: load });
});

async function start(): Promise<void> {
  if (!(await enterUserCenter())) return;
  if (!ORDER_ID.test(orderId)) return say('订单号错误');
  await load();
  tickDeadlines(box, () => void load());
}

void start();
