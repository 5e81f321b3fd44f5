// The captcha + SMS-button pair that register and the QQ bind form share: the picture proves a
// person asks, then POST /api/sms_codes sends the code to the mobile in the same form — a code for
// that form's purpose only (a registration code binds no QQ account and resets no password).
import { ApiError, asApiError, request } from './api-client.ts';
import { Captcha, check, input, rules, setFieldError, setFormMessage, showApiError, SmsButton, value } from './form-kit.ts';

export function wireSmsField(form: HTMLFormElement, purpose: 'register' | 'bind'): { captcha: Captcha; sms: SmsButton } {
  const captcha = new Captcha(form.querySelector<HTMLImageElement>('img.captcha')!, input(form, 'image_code'));
  const sms = new SmsButton(form.querySelector<HTMLButtonElement>('.sms-btn')!);

  sms.button.addEventListener('click', () => {
    const mobile = value(form, 'mobile');
    const imageCode = value(form, 'image_code');
    if (!check(form, { mobile: rules.mobile(mobile), image_code: rules.imageCode(imageCode) })) return;
    setFormMessage(form, null);
    sms
      .send(() => request('POST', '/sms_codes', { mobile, image_code_id: captcha.id, image_code: imageCode, purpose }).then(() => undefined))
      .then(() => {
        setFieldError(form, 'sms_code', null);
        setFormMessage(form, `短信验证码已发送至 ${mobile}，请注意查收`, 'ok');
        // the captcha was spent on this send; a resend needs a new one
        captcha.refresh();
        input(form, 'sms_code').focus();
      })
      .catch((err: unknown) => {
        const e = asApiError(err);
        if (e.status === 429) {
          setFieldError(form, 'sms_code', e.message || '发送短信过于频繁，请稍后再试');
          return;
        }
        if (e instanceof ApiError && e.status === 400) captcha.refresh();
        showApiError(form, e);
      });
  });

  return { captcha, sms };
}
