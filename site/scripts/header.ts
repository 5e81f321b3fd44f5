// Header, on every prebuilt page: the pages are the same for everyone, so who is logged in is
// filled in by script. header-state.js (blocking, in <head>) paints it from the readable cookies
// before the first paint; this checks with the server and corrects it both ways — a session that
// ended elsewhere shows the login links again. No csrf cookie means logged out, and then nothing is
// asked of the server.
import { currentUser, logout, pageNeedsLogin } from './session.ts';
import { refreshCartCount } from './shop.ts';

const info = document.getElementById('user-info');
const links = document.getElementById('login-links');
const name = document.getElementById('username');
const logoutLink = document.getElementById('logout-link');

// Come back here after logging in — except from the account pages themselves.
const ACCOUNT_ENTRY = /^\/(login|register|find_password|oauth_callback)\.html$/;
if (!ACCOUNT_ENTRY.test(location.pathname)) {
  const here = location.pathname + location.search;
  for (const a of links?.querySelectorAll<HTMLAnchorElement>('a[href="/login.html"]') ?? []) {
    if (here !== '/') a.href = `/login.html?next=${encodeURIComponent(here)}`;
  }
}

function showUser(username: string | null): void {
  if (name) name.textContent = username ?? '';
  if (info) info.hidden = username === null;
  if (links) links.hidden = username !== null;
  document.documentElement.dataset.session = username === null ? 'guest' : 'user';
}

currentUser()
  .then((user) => showUser(user?.username ?? null))
  .catch(() => {
    // API unreachable: leave what the cookies painted (header-state.js)
  });

// Stay on the page after logging out — unless it needs a login, which would only show the login page.
logoutLink?.addEventListener('click', (event) => {
  event.preventDefault();
  void logout().then(() => {
    if (pageNeedsLogin()) location.assign('/');
    else location.reload();
  });
});

// Guests have a cart too (a cookie only the server reads), so the count is asked for on every page.
void refreshCartCount();

const q = new URLSearchParams(location.search).get('q');
const box = document.querySelector<HTMLInputElement>('.search-form input[name="q"]');
if (q && box && !box.value) box.value = q;

export {};
