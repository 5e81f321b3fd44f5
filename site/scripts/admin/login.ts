// POST /api/admin/sessions sets the admin cookies; then back to the page that sent us here.
import { adminRequest, safeNext } from './api.ts';
import { bindForm } from './form-kit.ts';

const form = document.getElementById('login-form') as HTMLFormElement;
bindForm(
  form,
  (v) => adminRequest('POST', '/api/admin/sessions', { username: v.username ?? '', password: v.password ?? '' }, { redirectOn401: false }),
  () => location.assign(safeNext(new URLSearchParams(location.search).get('next'))),
);
(form.elements.namedItem('username') as HTMLInputElement).focus();
document.body.dataset.ready = 'true';
