// Header, on every prebuilt page: the pages are the same for everyone, so who is logged in is
// filled in here. No csrf cookie means logged out, and then nothing is asked of the server.
import { currentUser, logout } from './session.ts';
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

currentUser()
  .then((user) => {
    if (!user) return;
    if (name) name.textContent = user.username;
    if (info) info.hidden = false;
    if (links) links.hidden = true;
  })
  .catch(() => {
    // API unreachable: leave the login links showing
  });

logoutLink?.addEventListener('click', (event) => {
  event.preventDefault();
  void logout().then(() => location.reload());
});

// Guests have a cart too (a cookie only the server reads), so the count is asked for on every page.
void refreshCartCount();

const q = new URLSearchParams(location.search).get('q');
const box = document.querySelector<HTMLInputElement>('.search-form input[name="q"]');
if (q && box && !box.value) box.value = q;

export {};
