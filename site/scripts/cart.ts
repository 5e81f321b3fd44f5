// /cart.html, for guests and customers alike (the server keeps a guest's cart in a cookie only it
// reads): lines with a checkbox each, select all, − / + / a typed count, delete, and the totals of
// the selected lines. Changes show at once and are sent one after another, so the server ends up
// with the last thing the shopper did; a refusal (库存不足) reloads the cart as the server has it.
import { api, asApiError, request } from './api-client.ts';
import { el } from './form-kit.ts';
import { currentUser, loginUrl } from './session.ts';
import { cartOnLoad, cents, showCartCount, yuan, type CartItem } from './shop.ts';

const MAX_COUNT = 99; // the API's per-line bound; the stock may be lower, and then the API says so

const rows = document.getElementById('cart-rows') as HTMLTableSectionElement;
const main = document.getElementById('cart-main')!;
const empty = document.getElementById('cart-empty')!;
const loading = document.getElementById('cart-loading')!;
const msg = document.getElementById('cart-notice')!;
const lineCount = document.getElementById('cart-lines')!;
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
  const img = el('a', { class: 'line-img', href: goodsUrl(item.id) });
  if (item.default_image_url) img.append(el('img', { src: item.default_image_url, alt: '', loading: 'lazy' }));
  box.append(img, el('a', { class: 'line-name', href: goodsUrl(item.id) }, item.name));
  goods.append(box);
  const qty = el('div', { class: 'qty-box' });
  const count = el('input', { type: 'number', min: '1', max: String(MAX_COUNT), 'data-act': 'count', 'aria-label': `${item.name} 的数量`, inputmode: 'numeric' });
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

/** Brings one row (and the totals) in line with its item, without rebuilding it: focus stays put. */
function refreshRow(item: CartItem): void {
  const tr = rows.querySelector<HTMLTableRowElement>(`tr[data-id="${item.id}"]`);
  if (!tr) return;
  tr.classList.toggle('selected', item.selected);
  tr.querySelector<HTMLInputElement>('[data-act="select"]')!.checked = item.selected;
  const count = tr.querySelector<HTMLInputElement>('[data-act="count"]')!;
  if (document.activeElement !== count || Number(count.value) !== item.count) count.value = String(item.count);
  tr.querySelector<HTMLButtonElement>('[data-act="minus"]')!.disabled = item.count <= 1;
  tr.querySelector<HTMLButtonElement>('[data-act="plus"]')!.disabled = item.count >= MAX_COUNT;
  tr.querySelector('.col-amount')!.textContent = `¥${yuan(cents(item.price) * item.count)}`;
}

function refreshTotals(): void {
  const chosen = items.filter((i) => i.selected);
  const all = items.length > 0 && chosen.length === items.length;
  for (const box of selectAlls) box.checked = all;
  lineCount.textContent = String(items.length);
  selectedCount.textContent = String(chosen.reduce((n, i) => n + i.count, 0));
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
      if (item.count < MAX_COUNT) change(item, { count: item.count + 1 });
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
    const count = Math.max(1, Math.min(MAX_COUNT, n));
    input.value = String(count);
    if (count !== item.count) change(item, { count });
  }
});

for (const box of selectAlls) {
  box.addEventListener('change', () => {
    say(null);
    const selected = box.checked;
    for (const item of items) {
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
    const user = await currentUser().catch(() => null);
    location.assign(user ? '/place_order.html' : loginUrl('/place_order.html'));
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
