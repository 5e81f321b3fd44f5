// Goods detail page: live stock, quantity stepper, add to cart, thumbnail switching. The stepper
// stops at the API's max_per_order — the cart's own maximum (order-rules.ts maxPerOrder) — and the
// page says it before the click, so 加入购物车 is never refused for a number the page accepted
// (except what the cart already holds, which the refusal then names).
import { LOW_STOCK } from '../../api/services/cart/stock-state.ts';
import { api, hasSession } from './api-client.ts';
import { refreshCartCount } from './shop.ts';

interface SkuInfo {
  id: number;
  name: string;
  price: string;
  stock: number;
  max_per_order: number;
  is_launched: boolean;
}

const status = document.getElementById('stock-status');
const qty = document.getElementById('qty') as HTMLInputElement | null;
const minus = document.getElementById('qty-minus') as HTMLButtonElement | null;
const plus = document.getElementById('qty-plus') as HTMLButtonElement | null;
const addBtn = document.getElementById('add-cart') as HTMLButtonElement | null;
const msg = document.getElementById('cart-msg');

let maxQty = Number.POSITIVE_INFINITY; // until the stock is known
let sellable = true;

function setMessage(text: string, kind: 'ok' | 'err' | ''): void {
  if (!msg) return;
  msg.textContent = text;
  msg.className = kind;
}

function clamp(n: number): number {
  const v = Number.isFinite(n) ? Math.floor(n) : 1;
  return Math.max(1, Math.min(v, Math.max(1, maxQty)));
}

function currentQty(): number {
  return clamp(qty ? Number(qty.value) : 1);
}

function setQty(n: number): void {
  if (qty) qty.value = String(clamp(n));
  updateStepper();
}

function updateStepper(): void {
  const n = qty ? Number(qty.value) : 1;
  if (minus) minus.disabled = !sellable || n <= 1;
  if (plus) plus.disabled = !sellable || n >= maxQty;
}

function disableBuying(): void {
  sellable = false;
  if (addBtn) addBtn.disabled = true;
  if (qty) qty.disabled = true;
  updateStepper();
}

async function loadStock(id: string): Promise<void> {
  if (!status) return;
  const { data, error } = await api<SkuInfo>(`/skus/${encodeURIComponent(id)}`);
  if (error || !data) {
    status.textContent = '库存查询失败，请稍后刷新';
    return;
  }
  if (data.is_launched === false) {
    status.textContent = '该商品已下架';
    status.className = 'out-of-stock';
    disableBuying();
    return;
  }
  const stock = Math.max(0, Math.floor(Number(data.stock) || 0));
  if (stock <= 0) {
    status.textContent = '无货';
    status.className = 'out-of-stock';
    maxQty = 1;
    disableBuying();
    return;
  }
  maxQty = Math.max(1, Math.min(stock, Math.floor(Number(data.max_per_order) || stock)));
  const limit = maxQty < stock ? `，每人限购 ${maxQty} 件` : '';
  status.textContent = stock < LOW_STOCK ? `有货，仅剩 ${stock} 件${limit}` : `有货${limit}`;
  status.className = 'in-stock';
  if (qty) qty.max = String(maxQty);
  setQty(currentQty());
}

async function addToCart(): Promise<void> {
  if (!addBtn || !sellable) return;
  const skuId = Number(addBtn.dataset.sku);
  const count = currentQty();
  setQty(count);
  addBtn.disabled = true;
  setMessage('', '');
  const { error } = await api('/cart', {
    method: 'POST',
    body: JSON.stringify({ sku_id: skuId, count, selected: true }),
  });
  addBtn.disabled = !sellable;
  if (error) {
    // 库存不足（剩余 n 件） or 每种商品最多 99 件… says more than the message 库存不足
    setMessage(error.fields.count ?? error.fields.sku_id ?? error.message, 'err');
    return;
  }
  setMessage('已加入购物车', 'ok');
  msg?.append(' ', Object.assign(document.createElement('a'), { href: '/cart.html', className: 'go-cart', textContent: '去购物车结算 ›' }));
  // POST answers the line, not the cart: the badge needs the whole cart's count
  void refreshCartCount(true);
}

/** A typed number above the max becomes the max, and the page says why. */
function typed(n: number): void {
  setQty(n);
  if (Number.isFinite(n) && n > maxQty) setMessage(`最多可买 ${maxQty} 件`, 'err');
  else setMessage('', '');
}

minus?.addEventListener('click', () => setQty(currentQty() - 1));
plus?.addEventListener('click', () => setQty(currentQty() + 1));
qty?.addEventListener('change', () => typed(Number(qty.value)));
addBtn?.addEventListener('click', () => void addToCart());
updateStepper();

const skuId = status?.dataset.sku;
if (skuId) void loadStock(skuId);

// One request per page view for the staff's statistics (today's views per category); never shown.
if (skuId) void api(`/skus/${encodeURIComponent(skuId)}/views`, { method: 'POST' });

// 最近浏览 in the user centre: recorded only for a logged-in shopper, and never worth an error message.
if (skuId && hasSession()) {
  void api('/browse_histories', { method: 'POST', body: JSON.stringify({ sku_id: Number(skuId) }) });
}

// Thumbnails: hover or click shows the image in the main view.
const mainImg = document.getElementById('main-img') as HTMLImageElement | null;
for (const thumb of document.querySelectorAll<HTMLElement>('.thumbs [data-src]')) {
  const show = (): void => {
    if (!mainImg || !thumb.dataset.src) return;
    mainImg.src = thumb.dataset.src;
    for (const t of document.querySelectorAll('.thumbs [data-src]')) t.classList.toggle('active', t === thumb);
  };
  thumb.addEventListener('mouseenter', show);
  thumb.addEventListener('click', show);
}

export {};
