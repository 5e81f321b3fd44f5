// /login.html: username or mobile + password → POST /api/sessions; then back to ?next= when it is
// a path on this site. The QQ button shows only when the server has QQ login configured.
import { api, asApiError, request } from './api-client.ts';
import { busy, check, clearErrors, input, minutes, setFormMessage, showApiError, value } from './form-kit.ts';
import { safeNext } from './session.ts';

const form = document.getElementById('login-form') as HTMLFormElement;
const submit = form.querySelector<HTMLButtonElement>('button[type="submit"]');
const next = safeNext(new URLSearchParams(location.search).get('next'));

// Sent here by 去结算 (cart.ts): say why, and that checkout comes next. (Any page's 登录 link carries
// ?next= as well, so only the pages that cannot be shown without a login say 请先登录.)
const WHY: Record<string, string> = { '/place_order.html': '请先登录，登录后将回到结算页继续下单' };
const notice = document.getElementById('login-notice');
if (notice && WHY[next]) {
  notice.textContent = WHY[next];
  notice.hidden = false;
}

// Keep ?next= when the visitor goes on to register instead.
if (next !== '/') {
  for (const a of document.querySelectorAll<HTMLAnchorElement>('.account-head a[href="/register.html"]')) {
    a.href = `/register.html?next=${encodeURIComponent(next)}`;
  }
}

form.addEventListener('submit', (event) => {
  event.preventDefault();
  clearErrors(form);
  const account = value(form, 'account');
  const password = input(form, 'password').value;
  const ok = check(form, {
    account: account ? null : '请输入用户名或手机号',
    password: password ? null : '请输入密码',
  });
  if (!ok) return;

  void busy(submit, async () => {
    try {
      await request('POST', '/sessions', { account, password });
      location.assign(next);
    } catch (err) {
      const e = asApiError(err);
      if (e.status === 429) setFormMessage(form, `尝试次数过多，请 ${minutes(e.retryAfter)} 分钟后再试`);
      // one message for a wrong account and a wrong password, above the form, naming neither
      else if (e.code === 'LOGIN_FAILED' || (e.status === 400 && !Object.keys(e.fields).length)) setFormMessage(form, e.message || '用户名或密码错误');
      else showApiError(form, e);
    }
  });
});

async function offerQq(): Promise<void> {
  // ask first whether QQ login exists here: its endpoints answer 404 when it does not
  const { data: can } = await api<{ qq_login: boolean }>('/capabilities');
  if (!can?.qq_login) return;
  const { data } = await api<{ login_url: string }>(`/oauth/qq/authorization?next=${encodeURIComponent(next)}`);
  const box = document.getElementById('qq-box');
  const link = document.getElementById('qq-login') as HTMLAnchorElement | null;
  // only a web address may become the link (never javascript:)
  if (!data?.login_url || !box || !link || !/^https?:\/\//.test(data.login_url)) return;
  link.href = data.login_url;
  box.hidden = false;
}
void offerQq();
