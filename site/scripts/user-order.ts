// /user_center_order.html?status=N&page=M: the customer's orders, newest first, under the tabs
// 全部 / 待支付 / 待发货 / 待收货 / 待评价 with their counts; each order with its lines, its state
// (and refund) and the actions it allows now (order-view.ts), linked to its detail page.
import type { Order, OrderLine, OrderService } from '../../api/services/orders/order-service.ts';
import { api, asApiError } from './api-client.ts';
import { el } from './form-kit.ts';
import { actionButtons, beijingTime, detailUrl, runAction, statusText, tickDeadlines } from './order-view.ts';
import { redirectIfUnauthorized } from './session.ts';
import { enterUserCenter } from './user-center.ts';

type OrderPage = Awaited<ReturnType<OrderService['list']>>;
type Counts = Awaited<ReturnType<OrderService['counts']>>;

const PAGE_SIZE = 5;
const TABS: { status: '' | '1' | '2' | '3' | '4'; label: string }[] = [
  { status: '', label: '全部' },
  { status: '1', label: '待支付' },
  { status: '2', label: '待发货' },
  { status: '3', label: '待收货' },
  { status: '4', label: '待评价' },
];

const list = document.getElementById('order-list')!;
const empty = document.getElementById('order-empty')!;
const pages = document.getElementById('order-pages')!;
const tabs = document.getElementById('order-tabs')!;
const msg = document.getElementById('order-msg')!;

const query = new URLSearchParams(location.search);
const requested = Math.floor(Number(query.get('page')));
let page = Number.isFinite(requested) && requested >= 1 ? requested : 1;
const status = TABS.find((t) => t.status === query.get('status'))?.status ?? '';

function say(message: string | null, kind: 'error' | 'ok' = 'error'): void {
  msg.textContent = message ?? '';
  msg.className = kind === 'ok' ? 'form-msg ok' : 'form-msg';
  msg.hidden = !message;
}

function failed(err: unknown): void {
  const e = asApiError(err);
  if (!redirectIfUnauthorized(e)) say(e.message);
}

const href = (s: string, p = 1) => `?${new URLSearchParams({ ...(s ? { status: s } : {}), ...(p > 1 ? { page: String(p) } : {}) })}`;

function renderTabs(counts: Counts): void {
  tabs.replaceChildren(
    ...TABS.map((t) => {
      const n = t.status ? counts[Number(t.status) as 1 | 2 | 3 | 4] : counts.all;
      const a = el('a', { href: href(t.status) || '?', role: 'tab', 'data-status': t.status, 'aria-selected': String(t.status === status) }, t.label);
      a.append(el('em', { class: 'tab-count' }, String(n)));
      if (t.status === status) a.classList.add('active');
      return a;
    }),
  );
}

function lineItem(line: OrderLine): HTMLLIElement {
  const url = `/goods/${line.sku_id}.html`;
  const li = el('li', { class: 'order-line' });
  const img = el('a', { class: 'line-img', href: url, tabindex: '-1', 'aria-hidden': 'true' });
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
  const no = el('span', { class: 'order-no' }, '订单号：');
  no.append(el('a', { href: detailUrl(o.order_id) }, o.order_id));
  head.append(el('span', { class: 'order-time' }, beijingTime(o.created_at)), no, el('span', { class: 'order-status' }, statusText(o)));
  const side = el('div', { class: 'order-side' });
  side.append(el('p', { class: 'price order-pay' }, `¥${o.payment_amount}`), el('p', { class: 'muted' }, `含运费 ¥${o.freight}`), el('p', {}, o.pay_method_name));
  side.append(actionButtons(o, true));
  const body = el('div', { class: 'order-body' });
  const lines = el('ul', { class: 'order-lines' });
  lines.append(...o.skus.map(lineItem));
  body.append(lines, side);
  card.append(head, body);
  return card;
}

function pageLink(n: number, label: string, current = false): HTMLElement {
  if (current) return el('span', { class: 'current', 'aria-current': 'page' }, label);
  return el('a', { href: href(status, n) || '?' }, label);
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
  const [{ data, error }, counts] = await Promise.all([api<OrderPage>(`/orders?page=${page}&page_size=${PAGE_SIZE}${status ? `&status=${status}` : ''}`), api<Counts>('/orders/counts')]);
  if (error || !data) return failed(error);
  if (counts.data) renderTabs(counts.data);
  // a page past the end (an order cancelled away, an old link): show the last one instead
  if (data.results.length === 0 && data.count > 0 && page > 1) {
    page = Math.ceil(data.count / PAGE_SIZE);
    history.replaceState(null, '', href(status, page));
    return load();
  }
  list.replaceChildren(...data.results.map(orderCard));
  empty.hidden = data.count > 0;
  renderPages(data.count);
}

list.addEventListener('click', (event) => {
  const btn = (event.target as Element).closest<HTMLButtonElement>('button[data-act]');
  const orderId = btn?.closest<HTMLElement>('[data-order]')?.dataset.order;
  if (btn && orderId) runAction(btn, orderId, { say, reload: load });
});

async function start(): Promise<void> {
  if (!(await enterUserCenter())) return;
  await load();
  tickDeadlines(list, () => void load());
}

void start();
