// /oauth_callback.html: QQ returns here with ?code=&state=. The server trades the code for the QQ
// user: a bound one is logged in at once; a new one gets an access_token and binds a mobile here.
import { asApiError, request } from './api-client.ts';
import { busy, check, clearErrors, input, rules, showApiError, value } from './form-kit.ts';
import { safeNext } from './session.ts';
import { wireSmsField } from './sms-field.ts';

interface LoggedIn {
  token: string;
  user_id: number;
  username: string;
  next?: string;
}
interface Unbound {
  access_token: string;
  next?: string;
}

const status = document.getElementById('oauth-status')!;
const form = document.getElementById('oauth-bind') as HTMLFormElement;
const params = new URLSearchParams(location.search);
let next = '/';

function fail(message: string): void {
  status.textContent = message;
  status.classList.add('error');
  const back = document.createElement('a');
  back.href = '/login.html';
  back.textContent = '返回登录';
  status.append(' ', back);
}

async function start(): Promise<void> {
  const code = params.get('code');
  if (!code) {
    fail('QQ登录失败：缺少授权信息。');
    return;
  }
  let r: LoggedIn | Unbound;
  try {
    const q = new URLSearchParams({ code, state: params.get('state') ?? '' });
    r = await request<LoggedIn | Unbound>('GET', `/oauth/qq/user?${q}`);
  } catch (err) {
    fail(`QQ登录失败：${asApiError(err).message}`);
    return;
  }
  next = safeNext(r.next);
  if ('token' in r) {
    location.replace(next);
    return;
  }
  status.hidden = true;
  form.hidden = false;
  bind(r.access_token);
}

function bind(accessToken: string): void {
  const submit = form.querySelector<HTMLButtonElement>('button[type="submit"]');
  const { captcha } = wireSmsField(form, 'bind');
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    clearErrors(form);
    const mobile = value(form, 'mobile');
    const password = input(form, 'password').value;
    const smsCode = value(form, 'sms_code');
    if (!check(form, { mobile: rules.mobile(mobile), password: rules.password(password), sms_code: rules.smsCode(smsCode) })) return;
    void busy(submit, async () => {
      try {
        const r = await request<LoggedIn>('POST', '/oauth/qq/user', { access_token: accessToken, mobile, password, sms_code: smsCode });
        location.replace(safeNext(r?.next, next));
      } catch (err) {
        const e = asApiError(err);
        if (e.fields.image_code) captcha.refresh();
        if (e.fields.access_token) {
          form.hidden = true;
          status.hidden = false;
          fail('绑定已超时，请重新使用QQ登录。');
          return;
        }
        showApiError(form, e);
      }
    });
  });
}

void start();
