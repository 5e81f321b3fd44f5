// /user_center_pass.html: PUT /api/user/password. The server ends the user's other sessions and
// keeps this one, so the page stays logged in.
import { asApiError, request } from './api-client.ts';
import { busy, check, clearErrors, input, rules, setFormMessage, showApiError } from './form-kit.ts';
import { redirectIfUnauthorized } from './session.ts';
import { enterUserCenter } from './user-center.ts';

const form = document.getElementById('pass-form') as HTMLFormElement;
const submit = form.querySelector<HTMLButtonElement>('button[type="submit"]');

form.addEventListener('submit', (event) => {
  event.preventDefault();
  clearErrors(form);
  const oldPassword = input(form, 'old_password').value;
  const password = input(form, 'password').value;
  const password2 = input(form, 'password2').value;
  const ok = check(form, {
    old_password: oldPassword ? null : '请输入当前密码',
    password: rules.password(password) ?? (password === oldPassword ? '新密码不能与原密码相同' : null),
    password2: rules.password2(password2, password),
  });
  if (!ok) return;
  void busy(submit, async () => {
    try {
      await request('PUT', '/user/password', { old_password: oldPassword, password, password2 });
      form.reset();
      setFormMessage(form, '密码修改成功，其他设备上的登录已退出', 'ok');
    } catch (err) {
      const e = asApiError(err);
      if (redirectIfUnauthorized(e)) return;
      showApiError(form, e);
    }
  });
});

void enterUserCenter().then((user) => {
  // tells a password manager which account the new password belongs to
  if (user) input(form, 'username').value = user.username;
});
