import { adminRequest } from './api.ts';

const msg = document.getElementById('logout-msg')!;
adminRequest('DELETE', '/api/admin/sessions', undefined, { redirectOn401: false })
  .then(
    () => (msg.textContent = '您已退出管理后台。'),
    () => (msg.textContent = '退出失败，请稍后再试。'),
  )
  .finally(() => (document.body.dataset.ready = 'true'));
