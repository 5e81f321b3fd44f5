// Entry of every user-centre page: the content stays hidden until the API says who is logged in;
// a visitor without a session goes to the login page and comes back here afterwards.
import { asApiError } from './api-client.ts';
import { requireUser, type CurrentUser } from './session.ts';

/** The user, or null when the page could not load (the reason is shown in its place). */
export async function enterUserCenter(): Promise<CurrentUser | null> {
  const loading = document.getElementById('uc-loading')!;
  const body = document.getElementById('uc-body')!;
  try {
    const user = await requireUser();
    loading.hidden = true;
    body.hidden = false;
    return user;
  } catch (err) {
    loading.textContent = `加载失败：${asApiError(err).message}，请刷新重试`;
    loading.classList.add('error');
    return null;
  }
}
