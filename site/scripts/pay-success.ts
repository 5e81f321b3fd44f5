// /pay_success.html?<Alipay's signed parameters>: where Alipay sends the browser after paying. The
// query goes back to the API as is (PUT /api/payment/status), which checks Alipay's signature and
// answers the order's status. A refusal is not a failed payment: Alipay's notify may still settle
// it, so the page says the result is being confirmed rather than that the payment failed.
import { api } from './api-client.ts';

interface PaymentStatus {
  order_id: string;
  trade_no: string;
  status: number;
}

const UNPAID = 1;
const CANCELED = 6;

const title = document.getElementById('pay-title')!;
const text = document.getElementById('pay-text')!;

function result(heading: string, kind: 'ok' | 'pending' | 'error', detail: string): void {
  title.textContent = heading;
  title.className = `result-title ${kind}`;
  text.textContent = detail;
}

async function start(): Promise<void> {
  if (!location.search) {
    result('支付结果确认中', 'pending', '没有收到支付宝的支付信息，请到“我的订单”查看订单状态。');
    return;
  }
  const { data, error } = await api<PaymentStatus>(`/payment/status${location.search}`, { method: 'PUT' });
  if (error || !data) {
    result('支付结果确认中', 'pending', '暂时无法确认本次支付，请稍后到“我的订单”查看订单状态，请勿重复付款。');
    return;
  }
  document.getElementById('pay-order-id')!.textContent = data.order_id;
  document.getElementById('pay-trade-no')!.textContent = data.trade_no;
  document.getElementById('pay-facts')!.hidden = false;
  if (data.status === UNPAID) result('支付结果确认中', 'pending', '支付宝尚未确认这笔付款，请稍后到“我的订单”查看，请勿重复付款。');
  else if (data.status === CANCELED) result('订单已取消', 'error', '付款到账时订单已超时取消，款项将原路退回。');
  else result('支付成功', 'ok', '我们会尽快为您发货。');
}

void start();
