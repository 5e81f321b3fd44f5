// /order_success.html?order_id=…&pay_method=1|2: the order just placed. The amount and state come
// from GET /api/orders/{id}; the query alone is enough to say the order was placed if that fails. An
// unpaid Alipay order (its payment page could not be opened) gets 去支付 here.
import { api, asApiError } from './api-client.ts';
import { redirectIfUnauthorized, requireUser } from './session.ts';
import { formatTime, ORDER_ID } from './shop.ts';

interface OrderSummary {
  order_id: string;
  status: number;
  status_name: string;
  pay_method: number;
  pay_method_name: string;
  payment_amount: string;
  pay_deadline: string | null;
}

const UNPAID = 1;
const PAY_ALIPAY = 2;

const params = new URLSearchParams(location.search);
const orderId = params.get('order_id') ?? '';
const payMethod = Number(params.get('pay_method'));
const title = document.getElementById('result-title')!;
const facts = document.getElementById('result-facts')!;
const text = document.getElementById('result-text')!;
const msg = document.getElementById('result-msg')!;
const payNow = document.getElementById('pay-now') as HTMLButtonElement;

function say(message: string | null): void {
  msg.textContent = message ?? '';
  msg.hidden = !message;
}

function show(order: Pick<OrderSummary, 'order_id' | 'pay_method_name'> & Partial<OrderSummary>): void {
  document.getElementById('result-order-id')!.textContent = order.order_id;
  document.getElementById('result-pay-method')!.textContent = order.pay_method_name;
  if (order.payment_amount) document.getElementById('result-amount')!.textContent = `¥${order.payment_amount}`;
  facts.hidden = false;
  const alipay = order.pay_method === PAY_ALIPAY;
  const unpaid = order.status === UNPAID || (order.status === undefined && alipay);
  payNow.hidden = !(alipay && unpaid);
  if (!alipay) text.textContent = '您选择了货到付款，我们会尽快为您发货。';
  else if (unpaid) text.textContent = order.pay_deadline ? `请在 ${formatTime(order.pay_deadline)} 前完成支付，逾期订单将自动取消。` : '请尽快完成支付。';
  else if (order.status_name) text.textContent = `订单状态：${order.status_name}`;
}

payNow.addEventListener('click', () => {
  payNow.disabled = true;
  say(null);
  void api<{ alipay_url: string }>(`/orders/${orderId}/payment`).then(({ data, error }) => {
    if (data?.alipay_url) {
      location.href = data.alipay_url;
      return;
    }
    payNow.disabled = false;
    if (error && redirectIfUnauthorized(error)) return;
    say(`无法打开支付页面：${error?.message ?? '请稍后再试'}`);
  });
});

async function start(): Promise<void> {
  if (!ORDER_ID.test(orderId)) {
    title.textContent = '订单信息有误';
    title.className = 'result-title error';
    text.textContent = '请到“我的订单”查看您的订单。';
    return;
  }
  // what the checkout page knew, shown before (and without) the order's own answer
  show({ order_id: orderId, pay_method: payMethod, pay_method_name: payMethod === PAY_ALIPAY ? '支付宝' : '货到付款' });
  const payError = params.get('pay_error');
  if (payError) say(`支付页面打开失败：${payError}`);
  try {
    await requireUser();
  } catch (err) {
    say(`订单详情加载失败：${asApiError(err).message}`);
    return;
  }
  const { data, error } = await api<OrderSummary>(`/orders/${orderId}`);
  if (error) {
    if (!redirectIfUnauthorized(error)) say(`订单详情加载失败：${error.message}`);
    return;
  }
  if (data) show(data);
}

void start();
