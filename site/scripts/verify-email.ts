// /success_verify_email.html?token=…: the link in the verification mail. The token alone proves
// the address, so this works in a browser that is not logged in too.
import { asApiError, request } from './api-client.ts';

const title = document.getElementById('verify-title')!;
const msg = document.getElementById('verify-msg')!;

function done(ok: boolean, heading: string, text: string): void {
  title.textContent = heading;
  title.classList.add(ok ? 'ok' : 'error');
  msg.textContent = text;
}

async function verify(): Promise<void> {
  const token = new URLSearchParams(location.search).get('token');
  if (!token) {
    done(false, '邮箱验证失败', '链接不完整，请从验证邮件中重新打开链接。');
    return;
  }
  try {
    const r = await request<{ email: string; email_active: boolean; already_verified: boolean }>('PUT', '/emails/verification', { token });
    if (r.already_verified) done(true, '邮箱已验证', `您的邮箱 ${r.email} 已通过验证，无需再次验证。`);
    else done(true, '邮箱验证成功', `您的邮箱 ${r.email} 已通过验证。`);
  } catch (err) {
    const e = asApiError(err);
    if (e.status === 400 || e.status === 404) done(false, '邮箱验证失败', '链接无效或已过期，请在用户中心重新发送验证邮件。');
    else done(false, '邮箱验证失败', e.message);
  }
}

void verify();
