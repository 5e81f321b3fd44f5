// /goods_judge.html?order_id=…: one comment form per line of a delivered order not yet commented
// (GET /api/orders/{id}/uncommentgoods) — a score of 0 to 5 stars, 5–200 characters, anonymous or
// not. Each line is sent on its own; once the last one is in, the API finishes the order.
import { api, asApiError, request } from './api-client.ts';
import { busy, check, clearErrors, el, showApiError } from './form-kit.ts';
import { redirectIfUnauthorized } from './session.ts';
import { cents, ORDER_ID, yuan } from './shop.ts';
import { enterUserCenter } from './user-center.ts';

interface UncommentedLine {
  sku_id: number;
  name: string;
  default_image_url: string | null;
  /** As the database has it: on SQLite "6688", not "6688.00" — formatted here. */
  price: string;
  count: number;
}

const MAX_SCORE = 5;
const MIN_CHARS = 5;
const MAX_CHARS = 200;

const orderId = new URLSearchParams(location.search).get('order_id') ?? '';
const list = document.getElementById('judge-list')!;
const empty = document.getElementById('judge-empty')!;
const done = document.getElementById('judge-done')!;
const msg = document.getElementById('judge-msg')!;

function say(message: string | null): void {
  msg.textContent = message ?? '';
  msg.hidden = !message;
}

function setScore(form: HTMLFormElement, score: number): void {
  form.dataset.score = String(score);
  for (const star of form.querySelectorAll<HTMLButtonElement>('.star')) {
    const on = Number(star.dataset.value) <= score;
    star.classList.toggle('on', on);
    star.setAttribute('aria-pressed', on ? 'true' : 'false');
  }
  form.querySelector('.score-text')!.textContent = `${score} 分`;
}

function judgeForm(line: UncommentedLine): HTMLFormElement {
  const url = `/goods/${line.sku_id}.html`;
  const form = el('form', { class: 'judge-form', novalidate: '', 'data-sku': String(line.sku_id) });
  const goods = el('div', { class: 'judge-goods' });
  const img = el('a', { class: 'line-img', href: url, tabindex: '-1', 'aria-hidden': 'true' });
  if (line.default_image_url) img.append(el('img', { src: line.default_image_url, alt: '', loading: 'lazy' }));
  goods.append(img, el('a', { class: 'line-name', href: url }, line.name), el('p', { class: 'price' }, `¥${yuan(cents(line.price))} × ${line.count}`));

  const stars = el('div', { class: 'stars', role: 'group', 'aria-label': '评分' });
  for (let v = 1; v <= MAX_SCORE; v++) stars.append(el('button', { type: 'button', class: 'star', 'data-value': String(v), 'aria-label': `${v} 星` }, '★'));
  stars.append(el('span', { class: 'score-text' }));

  const text = el('textarea', { name: 'comment', rows: '4', maxlength: String(MAX_CHARS), 'aria-label': '评价内容', placeholder: `商品是否给力？快分享你的购买心得吧（${MIN_CHARS}-${MAX_CHARS}字）` });
  const counter = el('span', { class: 'char-count' }, `0/${MAX_CHARS}`);
  text.addEventListener('input', () => void (counter.textContent = `${text.value.trim().length}/${MAX_CHARS}`));
  const anonymous = el('label', { class: 'judge-anon' });
  anonymous.append(el('input', { type: 'checkbox', name: 'is_anonymous' }), ' 匿名评价');

  const fields = el('div', { class: 'judge-fields' });
  fields.append(
    stars,
    el('p', { class: 'field-error', 'data-error-for': 'score', role: 'alert', hidden: '' }),
    text,
    counter,
    el('p', { class: 'field-error', 'data-error-for': 'comment', role: 'alert', hidden: '' }),
    anonymous,
    el('p', { class: 'form-msg', role: 'alert', hidden: '' }),
    el('button', { type: 'submit', class: 'btn-primary btn-small' }, '提交评价'),
  );
  form.append(goods, fields);
  setScore(form, MAX_SCORE);
  return form;
}

function finishedOne(form: HTMLFormElement): void {
  const note = el('div', { class: 'judge-form judge-sent' });
  note.append(form.querySelector('.judge-goods')!, el('p', { class: 'hint ok' }, '已评价，谢谢！'));
  form.replaceWith(note);
  if (!list.querySelector('form.judge-form')) done.hidden = false;
}

// Clicking the lit star the score ends on takes one off, so a single star can become 0.
list.addEventListener('click', (event) => {
  const star = (event.target as Element).closest<HTMLButtonElement>('button.star');
  const form = star?.closest<HTMLFormElement>('form.judge-form');
  if (!star || !form) return;
  const value = Number(star.dataset.value);
  setScore(form, Number(form.dataset.score) === value ? value - 1 : value);
});

list.addEventListener('submit', (event) => {
  event.preventDefault();
  const form = event.target as HTMLFormElement;
  clearErrors(form);
  const comment = (form.elements.namedItem('comment') as HTMLTextAreaElement).value.trim();
  const ok = check(form, {
    comment: comment.length < MIN_CHARS || comment.length > MAX_CHARS ? `请填写${MIN_CHARS}-${MAX_CHARS}个字的评价` : null,
  });
  if (!ok) return;
  const body = {
    sku_id: Number(form.dataset.sku),
    comment,
    score: Number(form.dataset.score),
    is_anonymous: (form.elements.namedItem('is_anonymous') as HTMLInputElement).checked,
  };
  void busy(form.querySelector('button[type="submit"]'), async () => {
    try {
      await request('POST', `/orders/${orderId}/comments`, body);
      finishedOne(form);
    } catch (err) {
      const e = asApiError(err);
      if (!redirectIfUnauthorized(e)) showApiError(form, e);
    }
  });
});

async function start(): Promise<void> {
  if (!(await enterUserCenter())) return;
  if (!ORDER_ID.test(orderId)) {
    say('订单号有误，请从“我的订单”进入评价');
    return;
  }
  document.getElementById('judge-order')!.textContent = `订单号：${orderId}`;
  const { data, error } = await api<UncommentedLine[]>(`/orders/${orderId}/uncommentgoods`);
  if (error) {
    if (!redirectIfUnauthorized(error)) say(error.message);
    return;
  }
  const lines = Array.isArray(data) ? data : [];
  list.replaceChildren(...lines.map(judgeForm));
  empty.hidden = lines.length > 0;
}

void start();
