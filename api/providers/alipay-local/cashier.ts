import { LOCAL_GATEWAY_BASE } from '../alipay.ts';

// The pages of the local development gateway: the cashier that plays Alipay's (alipay.trade.page.pay)
// and its error page. Plain HTML forms, no script (the shop's CSP allows none inline), one small
// stylesheet served next to them. Every page says in its title and at its top that it is a local
// simulation and no money moves, so nobody mistakes it for Alipay.

export const CASHIER_PATH = LOCAL_GATEWAY_BASE;
export const CASHIER_TITLE = '支付宝收银台（本地开发模拟，非真实支付）';

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

function page(title: string, body: string): string {
  return `<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${esc(title)}</title>
<link rel="stylesheet" href="${CASHIER_PATH}/cashier.css">
</head>
<body>
<p class="dev-banner" role="note">本地开发模拟：这不是支付宝，不会扣款（ALIPAY_GATEWAY=local）</p>
<main class="cashier">
<h1 class="brand">支付宝 <span>收银台 · 本地模拟</span></h1>
${body}
</main>
</body>
</html>
`;
}

export interface CashierOrder {
  orderId: string;
  subject: string;
  /** "88.80" as the shop asked. */
  amount: string;
  /** Where 取消 goes: the shop's order list. */
  cancelUrl: string;
  /** The shop's signed request, carried back on 确认付款 and checked again. */
  params: Record<string, string>;
}

export function cashierPage(o: CashierOrder): string {
  const hidden = Object.entries(o.params)
    .map(([k, v]) => `<input type="hidden" name="${esc(k)}" value="${esc(v)}">`)
    .join('\n');
  return page(
    CASHIER_TITLE,
    `<section class="bill">
<dl>
<dt>订单号</dt><dd id="order-id">${esc(o.orderId)}</dd>
<dt>商品</dt><dd>${esc(o.subject)}</dd>
</dl>
<p class="amount">应付金额 <strong id="amount">¥${esc(o.amount)}</strong></p>
</section>
<form method="post" action="${CASHIER_PATH}/pay" class="actions">
${hidden}
<button type="submit" id="pay" class="pay">确认付款</button>
<a href="${esc(o.cancelUrl)}" id="cancel" class="cancel">取消</a>
</form>
<p class="hint">确认付款后，本地网关像支付宝一样签名并向商城发送异步通知，再带着签名的参数把您送回商城。</p>`,
  );
}

export function errorPage(message: string, backUrl: string): string {
  return page(`支付宝收银台错误（本地开发模拟）`, `<p class="error" id="gateway-error">${esc(message)}</p>
<p><a href="${esc(backUrl)}" class="cancel">返回商城</a></p>`);
}

export const CASHIER_CSS = `*{box-sizing:border-box}
body{margin:0;font:14px/1.6 "PingFang SC","Microsoft YaHei",sans-serif;color:#333;background:#f5f6f7}
.dev-banner{margin:0;padding:8px 16px;background:#fff3cd;color:#7a5b00;border-bottom:1px solid #f0d78c;text-align:center;font-weight:bold}
.cashier{max-width:560px;margin:32px auto;padding:24px;background:#fff;border:1px solid #e5e5e5;border-radius:6px}
.brand{margin:0 0 20px;font-size:24px;color:#1677ff}
.brand span{font-size:14px;color:#888;font-weight:normal}
.bill dl{display:grid;grid-template-columns:5em 1fr;gap:6px 12px;margin:0}
.bill dt{color:#888}
.bill dd{margin:0;word-break:break-all}
.amount{margin:20px 0;font-size:16px}
.amount strong{font-size:28px;color:#f60}
.actions{display:flex;gap:12px;align-items:center;flex-wrap:wrap}
.pay{padding:10px 32px;font-size:16px;color:#fff;background:#1677ff;border:0;border-radius:4px;cursor:pointer}
.pay:hover{background:#0958d9}
.cancel{padding:10px 16px;color:#555;text-decoration:none}
.hint{margin-top:20px;color:#888;font-size:12px}
.error{color:#c00;font-size:16px}
@media (max-width:600px){.cashier{margin:0;border:0;border-radius:0}.pay{flex:1}}
`;
