// /register.html: live checks on blur, captcha-guarded SMS code, then POST /api/users, which
// also logs the new user in (the session cookies come with the 201).
import { asApiError, request } from './api-client.ts';
import { busy, check, clearErrors, input, rules, setFieldError, showApiError, value } from './form-kit.ts';
import { safeNext } from './session.ts';
import { wireSmsField } from './sms-field.ts';

const form = document.getElementById('register-form') as HTMLFormElement;
const submit = form.querySelector<HTMLButtonElement>('button[type="submit"]');
const { captcha } = wireSmsField(form, 'register');

// What the server said about a value already taken, so submit need not ask again.
const taken = { username: new Set<string>(), mobile: new Set<string>() };

async function checkTaken(kind: 'username' | 'mobile'): Promise<void> {
  const v = value(form, kind);
  const bad = kind === 'username' ? rules.username(v) : rules.mobile(v);
  if (bad) {
    setFieldError(form, kind, bad);
    return;
  }
  try {
    const { count } = await request<{ count: number }>('GET', `/${kind === 'username' ? 'usernames' : 'mobiles'}/${encodeURIComponent(v)}/count`);
    if (value(form, kind) !== v) return; // edited while we asked
    if (count > 0) {
      taken[kind].add(v);
      setFieldError(form, kind, kind === 'username' ? '用户名已存在' : '手机号已注册');
    } else {
      setFieldError(form, kind, null);
    }
  } catch {
    setFieldError(form, kind, null); // the server checks again on submit
  }
}

input(form, 'username').addEventListener('blur', () => {
  if (value(form, 'username')) void checkTaken('username');
});
input(form, 'mobile').addEventListener('blur', () => {
  if (value(form, 'mobile')) void checkTaken('mobile');
});
input(form, 'password').addEventListener('blur', () => {
  if (input(form, 'password').value) setFieldError(form, 'password', rules.password(input(form, 'password').value));
});
input(form, 'password2').addEventListener('blur', () => {
  if (input(form, 'password2').value) setFieldError(form, 'password2', rules.password2(input(form, 'password2').value, input(form, 'password').value));
});
input(form, 'allow').addEventListener('change', () => {
  if (input(form, 'allow').checked) setFieldError(form, 'allow', null);
});

form.addEventListener('submit', (event) => {
  event.preventDefault();
  clearErrors(form);
  const username = value(form, 'username');
  const password = input(form, 'password').value;
  const password2 = input(form, 'password2').value;
  const mobile = value(form, 'mobile');
  const smsCode = value(form, 'sms_code');
  const allow = input(form, 'allow').checked;
  const ok = check(form, {
    username: rules.username(username) ?? (taken.username.has(username) ? '用户名已存在' : null),
    password: rules.password(password),
    password2: rules.password2(password2, password),
    mobile: rules.mobile(mobile) ?? (taken.mobile.has(mobile) ? '手机号已注册' : null),
    sms_code: rules.smsCode(smsCode),
    allow: allow ? null : '请勾选同意用户使用协议',
  });
  if (!ok) return;

  void busy(submit, async () => {
    try {
      await request('POST', '/users', { username, password, password2, mobile, sms_code: smsCode, allow: true });
      location.assign(safeNext(new URLSearchParams(location.search).get('next')));
    } catch (err) {
      const e = asApiError(err);
      if (e.fields.image_code) captcha.refresh();
      showApiError(form, e);
    }
  });
});
