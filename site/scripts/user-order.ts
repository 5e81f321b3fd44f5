// /user_center_order.html?page=N: the customer's orders, newest first, each with its lines, state
// and what can be done with it now — 去支付 (unpaid Alipay), 取消订单 (unpaid), 去评价 (待评价).
import type { Order, OrderLine, OrderService } from '../../api/services/orders/order-service.ts';
import { api, asApiError, request } from './api-client.ts';
import { busy, el } from './form-kit.ts';
import { redirectIfUnauthorized } from './session.ts';
import { formatTime } from './shop.ts';
import { enterUserCenter } from './user-center.ts';

type OrderPage = Awaited<ReturnType<OrderService['list']>>;

const PAGE_SIZE = 5;
const STATUS = { unpaid: 1, uncommented: 4 } as const;
const PAY_ALIPAY = 2;

const list = document.getElementById('order-list')!;
const empty = document.getElementById('order-empty')!;
const pages = document.getElementById('order-pages')!;
const count = document.getElementById('order-count')!;
const msg = document.getElementById('order-msg')!;

const requested = Math.floor(Number(new URLSearchParams(location.search).get('page')));
let page = Number.isFinite(requested) && requested >= 1 ? requested : 1;

function say(message: string | null): void {
  msg.textContent = message ?? '';
  msg.hidden = !message;
}

function failed(err: unknown): void {
  const e = asApiError(err);
  if (!redirectIfUnauthorized(e)) say(e.message);
}

function lineItem(line: OrderLine): HTMLLIElement {
  const url = `/goods/${line.sku_id}.html`;
  const li = el('li', { class: 'order-line' });
  const img = el('a', { class: 'line-img', href: url });
  if (line.default_image_url) img.append(el('img', { src: line.default_image_url, alt: '', loading: 'lazy' }));
  li.append(
    img,
    el('a', { class: 'line-name', href: url }, line.name),
    el('span', { class: 'line-price' }, `¥${line.price} × ${line.count}`),
    el('span', { class: 'line-amount' }, `¥${line.amount}`),
  );
  return li;
}

function orderCard(o: Order): HTMLElement {
  const card = el('article', { class: 'order-card', 'data-order': o.order_id, 'data-status': String(o.status) });
  const head = el('header', { class: 'order-head' });
  head.append(
    el('span', { class: 'order-time' }, formatTime(o.created_at)),
    el('span', { class: 'order-no' }, `订单号：${o.order_id}`),
    el('span', { class: 'order-status' }, o.status_name),
  );
  const side = el('div', { class: 'order-side' });
  side.append(
    el('p', { class: 'price order-pay' }, `¥${o.payment_amount}`),
    el('p', { class: 'muted' }, `含运费 ¥${o.freight}`),
    el('p', {}, o.pay_method_name),
  );
  if (o.status === STATUS.unpaid && o.pay_deadline) side.append(el('p', { class: 'muted' }, `请于 ${formatTime(o.pay_deadline)} 前支付`));
  const actions = el('div', { class: 'order-actions' });
  if (o.status === STATUS.unpaid && o.pay_method === PAY_ALIPAY) actions.append(el('button', { type: 'button', class: 'btn-primary btn-small', 'data-act': 'pay' }, '去支付'));
  if (o.status === STATUS.unpaid) actions.append(el('button', { type: 'button', class: 'btn-plain btn-small', 'data-act': 'cancel' }, '取消订单'));
  if (o.status === STATUS.uncommented) actions.append(el('a', { class: 'btn-primary btn-small btn-link', href: `/goods_judge.html?order_id=${o.order_id}` }, '去评价'));
  side.append(actions);
  const body = el('div', { class: 'order-body' });
  const lines = el('ul', { class: 'order-lines' });
  lines.append(...o.skus.map(lineItem));
  body.append(lines, side);
  card.append(head, body);
  return card;
}

function pageLink(n: number, label: string, current = false): HTMLElement {
  if (current) return el('span', { class: 'current', 'aria-current': 'page' }, label);
  return el('a', { href: `?page=${n}` }, label);
}

function renderPages(total: number): void {
  const pageCount = Math.ceil(total / PAGE_SIZE);
  pages.replaceChildren();
  if (pageCount <= 1) return;
  if (page > 1) pages.append(pageLink(page - 1, '上一页'));
  for (let p = 1; p <= pageCount; p++) pages.append(pageLink(p, String(p), p === page));
  if (page < pageCount) pages.append(pageLink(page + 1, '下一页'));
}

async function load(): Promise<void> {
  const { data, error } = await api<OrderPage>(`/orders?page=${page}&page_size=${PAGE_SIZE}`);
  if (error || !data) return failed(error);
  // a page past the end (an order cancelled away, an old link): show the last one instead
  if (data.results.length === 0 && data.count > 0 && page > 1) {
    page = Math.ceil(data.count / PAGE_SIZE);
    history.replaceState(null, '', `?page=${page}`);
    return load();
  }
  count.textContent = `共 ${data.count} 个订单`;
  list.replaceChildren(...data.results.map(orderCard));
  empty.hidden = data.count > 0;
  renderPages(data.count);
}

list.addEventListener('click', (event) => {
  const btn = (event.target as Element).closest<HTMLButtonElement>('button[data-act]');
  const orderId = btn?.closest<HTMLElement>('[data-order]')?.dataset.order;
  if (!btn || !orderId) return;
  say(null);
  if (btn.dataset.act === 'pay') {
    void busy(btn, async () => {
      try {
        const { alipay_url } = await request<{ alipay_url: string }>('GET', `/orders/${orderId}/payment`);
        location.href = alipay_url;
      } catch (err) {
        failed(err);
      }
    });
  } else if (btn.dataset.act === 'cancel') {
    if (!confirm(`确定取消订单 ${orderId} 吗？`)) return;
    void busy(btn, () => request('POST', `/orders/${orderId}/cancel`).then(load, (err) => {
      failed(err);
      return load(); // it may have been paid or cancelled meanwhile: show what it is now
    }));
  }
});

async function start(): Promise<void> {
  if (!(await enterUserCenter())) return;
  await load();
}

void start();
