// /find_password.html, four steps: account + captcha → access_token; SMS code to the account's
// mobile, checked → reset_token; new password; done. Each token proves the step before it, so the
// page only carries them forward. The API answers step 1 alike whether the account exists or not
// and shows no part of the mobile, so the page cannot say more than "the account's mobile".
import { asApiError, request } from './api-client.ts';
import { busy, Captcha, check, clearErrors, input, rules, setFieldError, setFormMessage, showApiError, SmsButton, value } from './form-kit.ts';

const steps = document.querySelectorAll<HTMLElement>('#steps [data-step]');
const panels = document.querySelectorAll<HTMLElement>('[data-step-panel]');
const accountForm = document.getElementById('fp-account') as HTMLFormElement;
const verifyForm = document.getElementById('fp-verify') as HTMLFormElement;
const resetForm = document.getElementById('fp-reset') as HTMLFormElement;

const state = { account: '', accessToken: '', resetToken: '' };

function show(step: number): void {
  for (const li of steps) {
    const n = Number(li.dataset.step);
    li.classList.toggle('active', n === step);
    li.classList.toggle('done', n < step);
  }
  for (const p of panels) p.hidden = Number(p.dataset.stepPanel) !== step;
  panels.forEach((p) => {
    if (!p.hidden) p.querySelector<HTMLInputElement>('input:not([type="hidden"])')?.focus();
  });
}

const submitOf = (f: HTMLFormElement) => f.querySelector<HTMLButtonElement>('button[type="submit"]');

// Step 1
const captcha = new Captcha(accountForm.querySelector<HTMLImageElement>('img.captcha')!, input(accountForm, 'image_code'));
accountForm.addEventListener('submit', (event) => {
  event.preventDefault();
  clearErrors(accountForm);
  const account = value(accountForm, 'account');
  const imageCode = value(accountForm, 'image_code');
  if (!check(accountForm, { account: account ? null : '请输入用户名或手机号', image_code: rules.imageCode(imageCode) })) return;
  void busy(submitOf(accountForm), async () => {
    try {
      const r = await request<{ access_token: string }>('POST', '/password_resets/account', {
        account,
        image_code_id: captcha.id,
        image_code: imageCode,
      });
      state.account = account;
      state.accessToken = r.access_token;
      input(resetForm, 'username').value = account; // for password managers
      show(2);
    } catch (err) {
      const e = asApiError(err);
      captcha.refresh(); // spent, right or wrong
      showApiError(accountForm, e);
    }
  });
});

// Step 2
const sms = new SmsButton(verifyForm.querySelector<HTMLButtonElement>('.sms-btn')!);
sms.button.addEventListener('click', () => {
  setFormMessage(verifyForm, null);
  sms
    .send(() => request('POST', '/password_resets/sms_codes', { access_token: state.accessToken }).then(() => undefined))
    .then(() => {
      setFieldError(verifyForm, 'sms_code', null);
      setFormMessage(verifyForm, '短信验证码已发送，请注意查收', 'ok');
    })
    .catch((err: unknown) => {
      const e = asApiError(err);
      if (e.status === 429) setFieldError(verifyForm, 'sms_code', e.message || '发送短信过于频繁，请稍后再试');
      else showApiError(verifyForm, e);
    });
});
verifyForm.addEventListener('submit', (event) => {
  event.preventDefault();
  clearErrors(verifyForm);
  const smsCode = value(verifyForm, 'sms_code');
  if (!check(verifyForm, { sms_code: rules.smsCode(smsCode) })) return;
  void busy(submitOf(verifyForm), async () => {
    try {
      const r = await request<{ reset_token: string }>('POST', '/password_resets/verify', { account: state.account, sms_code: smsCode });
      state.resetToken = r.reset_token;
      show(3);
    } catch (err) {
      const e = asApiError(err);
      if (e.status === 400 && !Object.keys(e.fields).length) setFieldError(verifyForm, 'sms_code', e.message);
      else showApiError(verifyForm, e);
    }
  });
});

// Step 3
resetForm.addEventListener('submit', (event) => {
  event.preventDefault();
  clearErrors(resetForm);
  const password = input(resetForm, 'password').value;
  const password2 = input(resetForm, 'password2').value;
  if (!check(resetForm, { password: rules.password(password), password2: rules.password2(password2, password) })) return;
  void busy(submitOf(resetForm), async () => {
    try {
      await request('POST', '/password_resets', { reset_token: state.resetToken, password, password2 });
      show(4);
    } catch (err) {
      const e = asApiError(err);
      if (e.fields.reset_token || e.code.toLowerCase().includes('token')) {
        setFormMessage(resetForm, '验证已过期，请重新找回密码');
      } else {
        showApiError(resetForm, e);
      }
    }
  });
});
