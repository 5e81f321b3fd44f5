// /cart.html, for guests and customers alike (the server keeps a guest's cart in a cookie only it
// reads): lines with a checkbox each, select all, − / + / a typed count, delete, and the totals of
// the selected lines. Changes show at once and are sent one after another, so the server ends up
// with the last thing the shopper did; a refusal reloads the cart as the server has it.
// Each line says its stock state as the server decided it (stock-state.ts): 仅剩 N 件, 库存不足 with
// 改为 N (N: the line's max, the one maximum the SKU page and the API use too), 已下架 (unselectable,
// removable). + stops at the max; − always lowers, even a count above it (the API accepts that).
// Counts are pieces everywhere: 全部商品 N 件, 已选 N 件 and the header's badge.
import { STOCK_STATE_TEXT } from './cart-lines.ts';
import { api, asApiError, request } from './api-client.ts';
import { el } from './form-kit.ts';
import { currentUser, loginUrl } from './session.ts';
import { cartOnLoad, cents, showCartCount, yuan, type CartItem } from './shop.ts';
import { stockState } from '../../api/services/cart/stock-state.ts';

const rows = document.getElementById('cart-rows') as HTMLTableSectionElement;
const main = document.getElementById('cart-main')!;
const empty = document.getElementById('cart-empty')!;
const loading = document.getElementById('cart-loading')!;
const msg = document.getElementById('cart-notice')!;
const pieceCount = document.getElementById('cart-pieces')!;
const selectAlls = [document.getElementById('select-all'), document.getElementById('select-all-foot')] as HTMLInputElement[];
const selectedCount = document.getElementById('selected-count')!;
const selectedAmount = document.getElementById('selected-amount')!;
const checkout = document.getElementById('checkout') as HTMLButtonElement;

let items: CartItem[] = [];

function say(message: string | null): void {
  msg.textContent = message ?? '';
  msg.hidden = !message;
}

const goodsUrl = (id: number) => `/goods/${id}.html`;

function row(item: CartItem): HTMLTableRowElement {
  const tr = el('tr', { 'data-id': String(item.id) });
  const check = el('input', { type: 'checkbox', 'data-act': 'select', 'aria-label': `选择 ${item.name}` });
  check.checked = item.selected;
  const goods = el('td', { class: 'col-goods' });
  const box = el('div', { class: 'line-goods' });
  const img = el('a', { class: 'line-img', href: goodsUrl(item.id), tabindex: '-1', 'aria-hidden': 'true' });
  if (item.default_image_url) img.append(el('img', { src: item.default_image_url, alt: '', loading: 'lazy' }));
  box.append(img, el('a', { class: 'line-name', href: goodsUrl(item.id) }, item.name), el('p', { class: 'line-state', role: 'status' }));
  goods.append(box);
  const qty = el('div', { class: 'qty-box' });
  const count = el('input', { type: 'number', min: '1', 'data-act': 'count', 'aria-label': `${item.name} 的数量`, inputmode: 'numeric' });
  count.value = String(item.count);
  qty.append(
    el('button', { type: 'button', 'data-act': 'minus', 'aria-label': '减少' }, '−'),
    count,
    el('button', { type: 'button', 'data-act': 'plus', 'aria-label': '增加' }, '+'),
  );
  const checkCell = el('td', { class: 'col-check' });
  checkCell.append(check);
  const countCell = el('td', { class: 'col-count' });
  countCell.append(qty);
  const act = el('td', { class: 'col-act' });
  act.append(el('button', { type: 'button', class: 'link-btn', 'data-act': 'delete' }, '删除'));
  tr.append(checkCell, goods, el('td', { class: 'col-price' }, `¥${item.price}`), countCell, el('td', { class: 'col-amount price' }), act);
  return tr;
}

const offSale = (item: CartItem) => item.stock_state === 'off_sale';

/** The line's stock state: 仅剩 N 件, or 库存不足 with 改为 N, or 已下架. */
function showState(tr: HTMLTableRowElement, item: CartItem): void {
  const slot = tr.querySelector<HTMLElement>('.line-state')!;
  const text = STOCK_STATE_TEXT[item.stock_state](item);
  slot.className = `line-state ${item.stock_state}`;
  slot.replaceChildren(text);
  if (item.stock_state === 'short' && item.max > 0) {
    slot.append(' ', el('button', { type: 'button', class: 'link-btn fix-count', 'data-act': 'fix' }, `改为 ${item.max}`));
  }
  slot.hidden = text === '';
}

/** Brings one row (and the totals) in line with its item, without rebuilding it: focus stays put. */
function refreshRow(item: CartItem): void {
  const tr = rows.querySelector<HTMLTableRowElement>(`tr[data-id="${item.id}"]`);
  if (!tr) return;
  // the state follows the count the shopper sets: lowering a short line to its max makes it ok
  item.stock_state = stockState({ launched: !offSale(item), stock: item.stock, count: item.count, max: item.max });
  tr.classList.toggle('selected', item.selected);
  tr.classList.toggle('off-sale', offSale(item));
  const check = tr.querySelector<HTMLInputElement>('[data-act="select"]')!;
  check.checked = item.selected;
  check.disabled = offSale(item);
  const count = tr.querySelector<HTMLInputElement>('[data-act="count"]')!;
  if (document.activeElement !== count || Number(count.value) !== item.count) count.value = String(item.count);
  count.max = String(Math.max(item.max, item.count));
  count.disabled = offSale(item);
  tr.querySelector<HTMLButtonElement>('[data-act="minus"]')!.disabled = offSale(item) || item.count <= 1;
  tr.querySelector<HTMLButtonElement>('[data-act="plus"]')!.disabled = item.count >= item.max;
  tr.querySelector('.col-amount')!.textContent = offSale(item) ? '—' : `¥${yuan(cents(item.price) * item.count)}`;
  showState(tr, item);
}

const pieces = (list: readonly CartItem[]) => list.reduce((n, i) => n + i.count, 0);

function refreshTotals(): void {
  const chosen = items.filter((i) => i.selected);
  const selectable = items.filter((i) => !offSale(i));
  const all = selectable.length > 0 && chosen.length === selectable.length;
  for (const box of selectAlls) box.checked = all;
  pieceCount.textContent = String(pieces(items));
  selectedCount.textContent = String(pieces(chosen));
  selectedAmount.textContent = `¥${yuan(chosen.reduce((sum, i) => sum + cents(i.price) * i.count, 0))}`;
  checkout.disabled = chosen.length === 0;
  showCartCount(items);
}

function render(): void {
  loading.hidden = true;
  main.hidden = items.length === 0;
  empty.hidden = items.length > 0;
  rows.replaceChildren(...items.map(row));
  for (const item of items) refreshRow(item);
  refreshTotals();
}

async function reload(): Promise<void> {
  const { data, error } = await api<CartItem[]>('/cart');
  if (error) {
    say(`购物车加载失败：${error.message}`);
    return;
  }
  items = Array.isArray(data) ? data : [];
  render();
}

// One change at a time, in the order made: two quick clicks on + must not reach the server as 2 then 1.
let queue: Promise<void> = Promise.resolve();

function send(work: () => Promise<unknown>): Promise<void> {
  queue = queue.then(async () => {
    try {
      await work();
    } catch (err) {
      const e = asApiError(err);
      say(e.fields.count ?? e.fields.sku_id ?? e.message);
      await reload();
    }
  });
  return queue;
}

function change(item: CartItem, patch: Partial<Pick<CartItem, 'count' | 'selected'>>): void {
  say(null);
  Object.assign(item, patch);
  refreshRow(item);
  refreshTotals();
  void send(() => {
    // the latest state when this request's turn comes, so a burst of clicks ends on the last one
    const current = items.find((i) => i.id === item.id);
    if (!current) return Promise.resolve();
    return request('PUT', '/cart', { sku_id: current.id, count: current.count, selected: current.selected });
  });
}

function itemOf(target: Element): CartItem | undefined {
  const id = Number(target.closest<HTMLElement>('tr[data-id]')?.dataset.id);
  return items.find((i) => i.id === id);
}

rows.addEventListener('click', (event) => {
  const target = event.target as Element;
  const btn = target.closest<HTMLButtonElement>('button[data-act]');
  const item = btn && itemOf(btn);
  if (!btn || !item) return;
  switch (btn.dataset.act) {
    case 'minus':
      if (item.count > 1) change(item, { count: item.count - 1 });
      break;
    case 'plus':
      if (item.count < item.max) change(item, { count: item.count + 1 });
      else say(`${item.name} 最多可买 ${item.max} 件`);
      break;
    case 'fix':
      if (item.max > 0) change(item, { count: item.max });
      break;
    case 'delete':
      say(null);
      items = items.filter((i) => i !== item);
      render();
      void send(() => request('DELETE', '/cart', { sku_id: item.id }));
      break;
  }
});

rows.addEventListener('change', (event) => {
  const input = event.target as HTMLInputElement;
  const item = itemOf(input);
  if (!item) return;
  if (input.dataset.act === 'select') change(item, { selected: input.checked });
  if (input.dataset.act === 'count') {
    const n = Math.floor(Number(input.value));
    if (!Number.isFinite(n) || input.value.trim() === '') {
      input.value = String(item.count);
      return;
    }
    // up to the max; a line already above it may only come down
    const count = Math.max(1, Math.min(Math.max(item.max, item.count), n));
    input.value = String(count);
    if (count !== item.count) change(item, { count });
    if (n > count) say(`${item.name} 最多可买 ${item.max} 件${item.max < item.stock ? '（每人限购）' : '（库存不足）'}`);
  }
});

for (const box of selectAlls) {
  box.addEventListener('change', () => {
    say(null);
    const selected = box.checked;
    for (const item of items) {
      if (offSale(item)) continue; // the server never selects it for checkout either
      item.selected = selected;
      refreshRow(item);
    }
    refreshTotals();
    void send(() => request('PUT', '/cart/selection', { selected }));
  });
}

checkout.addEventListener('click', () => {
  checkout.disabled = true;
  void (async () => {
    // the settlement reads the selection from the server: every change made here must be there first
    await queue;
    if (!items.some((i) => i.selected)) {
      refreshTotals();
      return;
    }
    // the order would be refused: say which line, here, where it can be changed
    const short = items.find((i) => i.selected && i.stock_state === 'short');
    if (short) {
      say(`${short.name} 库存不足，请先改为 ${short.max} 件或取消勾选`);
      refreshTotals();
      return;
    }
    const user = await currentUser().catch(() => null);
    if (user) return location.assign('/place_order.html');
    // the login page says 请先登录 too, and comes back to checkout (the cart joins the account's)
    say('请先登录，登录后将回到结算页');
    location.assign(loginUrl('/place_order.html'));
  })();
});

// Back here from checkout with the browser's back button: the page comes from the back/forward cache
// as it was, while the cart may have been ordered away since.
addEventListener('pageshow', (event) => {
  if (event.persisted) void reload();
});

async function start(): Promise<void> {
  const { data, error } = await cartOnLoad();
  if (error) {
    loading.textContent = `购物车加载失败：${error.message}，请刷新重试`;
    loading.classList.add('error');
    return;
  }
  items = Array.isArray(data) ? data : [];
  render();
}

void start();
