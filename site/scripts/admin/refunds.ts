// 待处理退款: GET /api/admin/refunds?state=failed; 重试 (POST …/{payment_id}/retry) and 标记已处理
// with a note (POST …/{payment_id}/settle), both for failed refunds only and only with orders.change_refund.
import { adminPost, ApiError } from './api.ts';
import { mountList } from './list-kit.ts';
import { money, time } from './format.ts';
import { bootConsole, showPageError } from './shell.ts';
import { REFUND_STATES } from './order-types.ts';

interface Refund {
  payment_id: number;
  order_id: string;
  trade_no: string;
  amount: string;
  refund_state: string;
  refund_state_name: string;
  refund_attempts: number;
  refund_error: string | null;
  refund_note: string | null;
  created_at: string;
}

let list: { reload(): Promise<void> } | null = null;

function actions(r: Refund): Node | string {
  if (r.refund_state !== 'failed') return '';
  const box = document.createElement('div');
  box.className = 'a-row-actions';
  const msg = Object.assign(document.createElement('p'), { className: 'a-error', hidden: true });
  msg.setAttribute('role', 'alert');
  const fail = (err: unknown) => {
    msg.textContent = err instanceof ApiError || err instanceof Error ? err.message : '操作失败';
    msg.hidden = false;
  };
  const retry = Object.assign(document.createElement('button'), { type: 'button', className: 'a-btn', textContent: '重试' });
  retry.setAttribute('aria-label', `重试退款 ${r.trade_no}`);
  retry.addEventListener('click', async () => {
    retry.disabled = true;
    try {
      await adminPost(`/api/admin/refunds/${r.payment_id}/retry`);
      await list?.reload();
    } catch (err) {
      fail(err);
      retry.disabled = false;
    }
  });
  // 标记已处理 asks how it was handled: a note, sent with the button
  const details = document.createElement('details');
  details.append(Object.assign(document.createElement('summary'), { textContent: '标记已处理' }));
  const form = document.createElement('form');
  form.className = 'a-inline-form';
  const noteId = `note-${r.payment_id}`;
  const label = Object.assign(document.createElement('label'), { htmlFor: noteId, textContent: '处理说明' });
  const note = Object.assign(document.createElement('input'), { id: noteId, name: 'note', maxLength: 200, required: true });
  const ok = Object.assign(document.createElement('button'), { type: 'submit', className: 'a-btn primary', textContent: '确认' });
  form.append(label, note, ok);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    ok.disabled = true;
    try {
      await adminPost(`/api/admin/refunds/${r.payment_id}/settle`, { note: note.value.trim() });
      await list?.reload();
    } catch (err) {
      fail(err);
      ok.disabled = false;
    }
  });
  details.append(form);
  box.append(retry, details, msg);
  return box;
}

async function main() {
  const me = await bootConsole();
  if (!me.can('orders.view_refund')) return;
  list = mountList<Refund>({
    id: 'refunds',
    endpoint: '/api/admin/refunds',
    can: me.can,
    empty: '没有这种状态的退款',
    columns: [
      { label: '订单号', cell: (r) => (me.can('orders.view_order') ? Object.assign(document.createElement('a'), { href: `/admin/order.html?id=${r.order_id}`, textContent: r.order_id }) : r.order_id) },
      { label: '支付流水号', cell: (r) => r.trade_no },
      { label: '金额', cell: (r) => money(r.amount), num: true },
      { label: '状态', cell: (r) => REFUND_STATES[r.refund_state] ?? r.refund_state_name },
      { label: '尝试次数', cell: (r) => String(r.refund_attempts), num: true },
      { label: '原因 / 说明', cell: (r) => [r.refund_error, r.refund_note && `处理说明：${r.refund_note}`].filter(Boolean).join('；') || '—' },
      { label: '时间', cell: (r) => time(r.created_at) },
      { label: '操作', cell: actions, permission: 'orders.change_refund' },
    ],
  });
  document.body.dataset.ready = 'true';
}

main().catch(showPageError);
