// /place_order.html: the settlement of the selected cart lines (GET /api/orders/settlement) — pick an
// address (the default one preselected) or add one right here (the user centre's form, address-form.ts:
// no detour that would not come back), a payment method, check the goods and totals, and place
// the order. One Idempotency-Key per page load: a retry after a lost answer, or a second click,
// returns the order already made instead of making another.
import type { Address } from '../../api/services/addresses/address-service.ts';
import { addressEditor } from './address-form.ts';
import { api, asApiError, type ApiError } from './api-client.ts';
import { clearErrors, el, setFieldError, setFormMessage, showApiError } from './form-kit.ts';
import { redirectIfUnauthorized, requireUser } from './session.ts';
import { newIdempotencyKey } from './shop.ts';

interface SettlementSku {
  id: number;
  name: string;
  default_image_url: string | null;
  price: string;
  count: number;
  amount: string;
}

interface Settlement {
  addresses: Address[];
  default_address_id: number | null;
  skus: SettlementSku[];
  total_count: number;
  total_amount: string;
  freight: string;
  payment_amount: string;
}

const PAY_CASH = 1;
const PAY_ALIPAY = 2;

const loading = document.getElementById('order-loading')!;
const form = document.getElementById('order-form') as HTMLFormElement;
const addressList = document.getElementById('addresses')!;
const noAddress = document.getElementById('no-address')!;
const rows = document.getElementById('settle-rows')!;
const submit = document.getElementById('order-submit') as HTMLButtonElement;
const alipayOption = document.getElementById('alipay-option')!;
const alipayNote = document.getElementById('alipay-note')!;

const idempotencyKey = newIdempotencyKey();

const maskMobile = (m: string) => m.replace(/^(\d{3})\d{4}(\d{4})$/, '$1****$2');

function addressItem(a: Address, checked: boolean, isDefault: boolean): HTMLLIElement {
  const li = el('li', { class: 'settle-address' });
  const label = el('label');
  const radio = el('input', { type: 'radio', name: 'address_id', value: String(a.id) });
  radio.checked = checked;
  label.append(radio, el('strong', {}, a.title));
  if (isDefault) label.append(el('span', { class: 'badge default' }, '默认地址'));
  label.append(el('span', { class: 'addr-text' }, `${a.receiver} ${a.province} ${a.city} ${a.district} ${a.place} ${maskMobile(a.mobile)}`));
  li.append(label);
  return li;
}

function skuRow(s: SettlementSku): HTMLTableRowElement {
  const tr = el('tr', { 'data-sku': String(s.id) });
  const goods = el('td', { class: 'col-goods' });
  const box = el('div', { class: 'line-goods' });
  const img = el('a', { class: 'line-img', href: `/goods/${s.id}.html`, tabindex: '-1', 'aria-hidden': 'true' });
  if (s.default_image_url) img.append(el('img', { src: s.default_image_url, alt: '', loading: 'lazy' }));
  box.append(img, el('a', { class: 'line-name', href: `/goods/${s.id}.html` }, s.name), el('p', { class: 'line-error', role: 'alert', hidden: '' }));
  goods.append(box);
  tr.append(goods, el('td', {}, `¥${s.price}`), el('td', {}, String(s.count)), el('td', { class: 'price' }, `¥${s.amount}`));
  return tr;
}

/** `pick`: the address to check (one just added), else the default one, else the first. */
function render(s: Settlement, pick?: number): void {
  const defaultId = [pick, s.default_address_id].find((id) => id != null && s.addresses.some((a) => a.id === id)) ?? s.addresses[0]?.id ?? null;
  addressList.replaceChildren(...s.addresses.map((a) => addressItem(a, a.id === defaultId, a.id === s.default_address_id)));
  noAddress.hidden = s.addresses.length > 0;
  rows.replaceChildren(...s.skus.map(skuRow));
  document.getElementById('total-count')!.textContent = String(s.total_count);
  document.getElementById('total-amount')!.textContent = `¥${s.total_amount}`;
  document.getElementById('freight')!.textContent = `¥${s.freight}`;
  document.getElementById('payment-amount')!.textContent = `¥${s.payment_amount}`;
  submit.disabled = s.addresses.length === 0;
}

function nothingSelected(): void {
  loading.replaceChildren('购物车中没有选中的商品，', el('a', { href: '/cart.html' }, '返回购物车'));
}

/** No Alipay on this server (no keys): the option shows as unavailable and cash is chosen. */
function disableAlipay(): void {
  const radio = alipayOption.querySelector('input')!;
  radio.disabled = true;
  alipayOption.classList.add('disabled');
  alipayNote.hidden = false;
  form.querySelector<HTMLInputElement>(`input[name="pay_method"][value="${PAY_CASH}"]`)!.checked = true;
}

/** Alipay refused at submit (it went away since the page loaded): say so and fall back to cash. */
function alipayUnavailable(message: string): void {
  disableAlipay();
  setFieldError(form, 'pay_method', `${message}，已为您改选货到付款，请确认后再次提交`);
}

void api<{ alipay: boolean }>('/capabilities').then(({ data }) => {
  if (data && !data.alipay) disableAlipay();
});

function showOutOfStock(err: ApiError): void {
  const lines: string[] = [];
  for (const [key, message] of Object.entries(err.fields)) {
    const id = /^sku_(\d+)$/.exec(key)?.[1];
    const slot = id ? rows.querySelector<HTMLElement>(`tr[data-sku="${id}"] .line-error`) : null;
    if (slot) {
      slot.textContent = message;
      slot.hidden = false;
    } else lines.push(message);
  }
  setFormMessage(form, ['部分商品库存不足，请返回购物车修改数量后再提交', ...lines].join('；'));
}

function failed(err: ApiError): void {
  if (redirectIfUnauthorized(err)) return;
  if (err.code === 'OUT_OF_STOCK') return showOutOfStock(err);
  if (err.code === 'IDEMPOTENCY_KEY_REUSED') {
    // the first click's order was made though its answer was lost; this page's choices changed since
    setFormMessage(form, '订单已提交过，请到“我的订单”查看，勿重复下单');
    return;
  }
  if (err.fields.pay_method) {
    alipayUnavailable(err.fields.pay_method);
    return;
  }
  showApiError(form, err);
}

async function pay(orderId: string): Promise<void> {
  const { data, error } = await api<{ alipay_url: string }>(`/orders/${orderId}/payment`);
  if (data?.alipay_url) {
    location.href = data.alipay_url;
    return;
  }
  // the order stands unpaid: the success page offers 去支付 again and says why it failed
  const reason = error ? `&pay_error=${encodeURIComponent(error.message)}` : '';
  location.assign(`/order_success.html?order_id=${orderId}&pay_method=${PAY_ALIPAY}${reason}`);
}

form.addEventListener('submit', (event) => {
  event.preventDefault();
  if (submit.disabled) return;
  clearErrors(form);
  for (const slot of rows.querySelectorAll<HTMLElement>('.line-error')) slot.hidden = true;
  const address = form.querySelector<HTMLInputElement>('input[name="address_id"]:checked');
  const method = form.querySelector<HTMLInputElement>('input[name="pay_method"]:checked');
  if (!address) {
    setFieldError(form, 'address_id', '请选择收货地址');
    return;
  }
  const payMethod = Number(method?.value ?? PAY_CASH);
  submit.disabled = true;
  void (async () => {
    const { data, error } = await api<{ order_id: string; cart_cleared: boolean }>('/orders', {
      method: 'POST',
      headers: { 'Idempotency-Key': idempotencyKey },
      body: JSON.stringify({ address_id: Number(address.value), pay_method: payMethod }),
    });
    if (error || !data) {
      submit.disabled = false;
      failed(error ?? asApiError(null));
      return;
    }
    // placed: the button stays disabled while the browser moves on
    if (payMethod === PAY_ALIPAY) await pay(data.order_id);
    else location.assign(`/order_success.html?order_id=${data.order_id}&pay_method=${PAY_CASH}`);
  })();
});

// Back from Alipay's cashier with the back button, the page would come from the back/forward cache
// with its button still disabled: load it afresh (the order made is no longer in the cart).
addEventListener('pageshow', (event) => {
  if (event.persisted) location.reload();
});

async function settlement(): Promise<Settlement | null> {
  const { data, error } = await api<Settlement>('/orders/settlement');
  if (error || !data) {
    if (error && redirectIfUnauthorized(error)) return null;
    loading.textContent = `加载失败：${error?.message ?? '服务器返回了无法识别的数据'}，请刷新重试`;
    loading.classList.add('error');
    loading.hidden = false;
    form.hidden = true;
    return null;
  }
  return data;
}

// A new address is saved, then the settlement read again (the first one becomes the default) with it checked.
const editor = addressEditor(async (address) => {
  const data = await settlement();
  if (!data) return;
  render(data, address.id);
  setFieldError(form, 'address_id', null);
});
for (const id of ['address-add', 'address-add-first']) document.getElementById(id)!.addEventListener('click', () => void editor.open(null));

async function start(): Promise<void> {
  try {
    await requireUser();
  } catch (err) {
    loading.textContent = `加载失败：${asApiError(err).message}，请刷新重试`;
    loading.classList.add('error');
    return;
  }
  const data = await settlement();
  if (!data) return;
  if (data.skus.length === 0) return nothingSelected();
  render(data);
  loading.hidden = true;
  form.hidden = false;
  // nothing to deliver to yet: the form opens at once, here, instead of sending the shopper away
  if (data.addresses.length === 0) void editor.open(null);
}

void start();
