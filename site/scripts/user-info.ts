// /user_center_info.html: 基本信息 (with the email's verification state and the form that sets it
// and sends the verification mail) and 最近浏览 (the five SKUs viewed last, newest first).
import { api, asApiError, request } from './api-client.ts';
import { busy, check, clearErrors, el, input, rules, showApiError, value } from './form-kit.ts';
import { redirectIfUnauthorized } from './session.ts';
import { enterUserCenter } from './user-center.ts';

interface HistorySku {
  id: number;
  name: string;
  price: string;
  default_image_url: string;
  comments: number;
}

const emailText = document.getElementById('info-email')!;
const emailState = document.getElementById('email-state')!;
const editBtn = document.getElementById('email-edit') as HTMLButtonElement;
const sent = document.getElementById('email-sent')!;
const form = document.getElementById('email-form') as HTMLFormElement;
const submit = form.querySelector<HTMLButtonElement>('button[type="submit"]');

let current: { email: string | null; active: boolean } = { email: null, active: false };

function renderEmail(email: string | null, active: boolean): void {
  current = { email, active };
  emailText.textContent = email || '未设置';
  emailText.classList.toggle('muted', !email);
  emailState.hidden = !email;
  emailState.textContent = active ? '已验证' : '未验证';
  emailState.className = `badge ${active ? 'ok' : 'warn'}`;
  editBtn.textContent = !email ? '设置邮箱' : active ? '修改邮箱' : '重新发送验证邮件';
}

function openForm(open: boolean): void {
  form.hidden = !open;
  editBtn.hidden = open;
  if (!open) return;
  clearErrors(form);
  input(form, 'email').value = current.email ?? '';
  input(form, 'email').focus();
}

editBtn.addEventListener('click', () => openForm(true));
document.getElementById('email-cancel')!.addEventListener('click', () => openForm(false));

form.addEventListener('submit', (event) => {
  event.preventDefault();
  clearErrors(form);
  const email = value(form, 'email');
  if (!check(form, { email: email ? rules.email(email) : '请输入邮箱' })) return;
  void busy(submit, async () => {
    try {
      await request('PUT', '/user/email', { email });
      renderEmail(email, false);
      openForm(false);
      sent.textContent = `验证邮件已发送至 ${email}，请登录邮箱点击链接完成验证`;
      sent.hidden = false;
    } catch (err) {
      const e = asApiError(err);
      if (redirectIfUnauthorized(e)) return;
      showApiError(form, e);
    }
  });
});

function card(sku: HistorySku): HTMLLIElement {
  const url = `/goods/${sku.id}.html`;
  const li = el('li', { class: 'sku-card' });
  // the picture repeats the name link beside it: out of the tab order, hidden from screen readers, no alt
  const imgLink = el('a', { class: 'sku-img', href: url, tabindex: '-1', 'aria-hidden': 'true' });
  imgLink.append(el('img', { src: sku.default_image_url, alt: '', loading: 'lazy' }));
  const nameP = el('p', { class: 'sku-name' });
  nameP.append(el('a', { href: url, title: sku.name }, sku.name));
  li.append(imgLink, el('p', { class: 'sku-price' }, `¥${sku.price}`), nameP, el('p', { class: 'sku-comments' }, `${sku.comments}评价`));
  return li;
}

async function loadHistory(): Promise<void> {
  const list = document.getElementById('history')!;
  const empty = document.getElementById('history-empty')!;
  const { data, error } = await api<HistorySku[]>('/browse_histories');
  if (error) {
    if (redirectIfUnauthorized(error)) return;
    empty.textContent = `最近浏览加载失败：${error.message}`;
    empty.hidden = false;
    return;
  }
  const skus = Array.isArray(data) ? data : [];
  list.replaceChildren(...skus.map(card));
  empty.hidden = skus.length > 0;
}

async function start(): Promise<void> {
  const user = await enterUserCenter();
  if (!user) return;
  document.getElementById('info-username')!.textContent = user.username;
  document.getElementById('info-mobile')!.textContent = user.mobile;
  renderEmail(user.email, user.email_active);
  await loadHistory();
}

void start();
