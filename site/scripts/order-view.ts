// What 我的订单 and the order detail page show alike: Beijing times, the time left to pay, the
// refund's state, and the buttons of the actions the API says the order allows (Order.actions) —
// 去支付, 取消订单, 确认收货, 去评价, 再次购买 — with what each does when clicked.
import type { Order } from '../../api/services/orders/order-service.ts';
import type { Reordered } from '../../api/services/orders/reorder.ts';
import { asApiError, request } from './api-client.ts';
import { busy, el } from './form-kit.ts';
import { redirectIfUnauthorized } from './session.ts';
import { refreshCartCount } from './shop.ts';

const beijing = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });

/** YYYY-MM-DD HH:MM on the Beijing clock, wherever the browser is. */
export function beijingTime(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const p = Object.fromEntries(beijing.formatToParts(d).map((x) => [x.type, x.value]));
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}`;
}

/** "还剩 12 分 30 秒" until the deadline; null once past it (the order is about to be cancelled). */
export function timeLeft(deadline: string, now = Date.now()): string | null {
  const s = Math.floor((new Date(deadline).getTime() - now) / 1000);
  if (!(s > 0)) return null;
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h > 0 ? `还剩 ${h} 小时 ${m} 分` : `还剩 ${m} 分 ${s % 60} 秒`;
}

export const REFUND_NAMES = { pending: '退款中', done: '已退款', failed: '退款失败，请联系客服' } as const;

/** 已取消 · 退款中, or the status alone. */
export function statusText(o: Order): string {
  return o.refund_state ? `${o.status_name} · ${REFUND_NAMES[o.refund_state]}` : o.status_name;
}

/** The buttons of what the order allows now; `detail` adds the link to its detail page. */
export function actionButtons(o: Order, detail: boolean): HTMLElement {
  const box = el('div', { class: 'order-actions' });
  for (const act of o.actions) {
    if (act === 'pay') {
      const left = o.pay_deadline ? timeLeft(o.pay_deadline) : null;
      box.append(el('button', { type: 'button', class: 'btn-primary btn-small', 'data-act': 'pay' }, '去支付'));
      if (left) box.append(el('span', { class: 'muted pay-left', 'data-deadline': o.pay_deadline! }, left));
    } else if (act === 'cancel') box.append(el('button', { type: 'button', class: 'btn-plain btn-small', 'data-act': 'cancel' }, '取消订单'));
    else if (act === 'receive') box.append(el('button', { type: 'button', class: 'btn-primary btn-small', 'data-act': 'receive' }, '确认收货'));
    else if (act === 'comment') box.append(el('a', { class: 'btn-primary btn-small btn-link', href: `/goods_judge.html?order_id=${o.order_id}` }, '去评价'));
    else if (act === 'reorder') box.append(el('button', { type: 'button', class: 'btn-plain btn-small', 'data-act': 'reorder' }, '再次购买'));
  }
  if (detail) box.append(el('a', { class: 'order-detail-link', href: detailUrl(o.order_id) }, '订单详情'));
  return box;
}

export const detailUrl = (orderId: string) => `/user_center_order_detail.html?order_id=${orderId}`;

/** Keeps every shown "还剩 …" current; an order whose time ran out is shown again as it is now. */
export function tickDeadlines(root: HTMLElement, expired: () => void): void {
  setInterval(() => {
    for (const span of root.querySelectorAll<HTMLElement>('.pay-left')) {
      const left = timeLeft(span.dataset.deadline!);
      if (left) span.textContent = left;
      else return expired();
    }
  }, 1000);
}

export interface ActionHooks {
  say(message: string | null, kind?: 'error' | 'ok'): void;
  /** Shows the order(s) again as they are now. */
  reload(): Promise<void>;
}

function reorderMessage(r: Reordered): string {
  const parts: string[] = [];
  if (r.added.length) parts.push(`已将 ${r.added.length} 种商品加入购物车`);
  if (r.skipped.length) parts.push(`未加入：${r.skipped.map((s) => `${s.name}（${s.reason}）`).join('、')}`);
  return parts.join('；') || '订单中没有可以加入购物车的商品';
}

/** Handles a click on an action button of the order `orderId`. */
export function runAction(btn: HTMLButtonElement, orderId: string, hooks: ActionHooks): void {
  const failed = (err: unknown) => {
    const e = asApiError(err);
    if (!redirectIfUnauthorized(e)) hooks.say(e.message);
  };
  hooks.say(null);
  const act = btn.dataset.act;
  if (act === 'pay') {
    void busy(btn, async () => {
      try {
        const { alipay_url } = await request<{ alipay_url: string }>('GET', `/orders/${orderId}/payment`);
        location.href = alipay_url;
      } catch (err) {
        failed(err);
      }
    });
  } else if (act === 'cancel') {
    if (!confirm(`确定取消订单 ${orderId} 吗？已支付的订单将原路退款。`)) return;
    void busy(btn, () =>
      request('POST', `/orders/${orderId}/cancel`).then(hooks.reload, (err) => {
        failed(err);
        return hooks.reload(); // it may have been paid, shipped or cancelled meanwhile: show what it is now
      }),
    );
  } else if (act === 'receive') {
    if (!confirm(`确认已收到订单 ${orderId} 的全部商品吗？确认后可以评价商品。`)) return;
    void busy(btn, () =>
      request('POST', `/orders/${orderId}/receipt`).then(
        () => {
          hooks.say('已确认收货，欢迎评价商品', 'ok');
          return hooks.reload();
        },
        (err) => {
          failed(err);
          return hooks.reload(); // received meanwhile (ORDER_AUTO_RECEIVE_DAYS after shipping): show what it is now
        },
      ),
    );
  } else if (act === 'reorder') {
    void busy(btn, async () => {
      try {
        const r = await request<Reordered>('POST', `/orders/${orderId}/reorder`);
        hooks.say(reorderMessage(r), r.added.length ? 'ok' : 'error');
        // the lines went into the cart: the header's badge must not keep the old count until the next page
        if (r.added.length) await refreshCartCount(true);
      } catch (err) {
        failed(err);
      }
    });
  }
}
