// Header: greet a logged-in user (username kept in local/session storage by the login page)
// and echo the search query into the search box.

function storedUsername(): string | null {
  try {
    return localStorage.getItem('username') || sessionStorage.getItem('username');
  } catch {
    return null; // storage disabled
  }
}

const username = storedUsername();
if (username) {
  const name = document.getElementById('username');
  const info = document.getElementById('user-info');
  const links = document.getElementById('login-links');
  if (name) name.textContent = username;
  if (info) info.hidden = false;
  if (links) links.hidden = true;
}

const q = new URLSearchParams(location.search).get('q');
const box = document.querySelector<HTMLInputElement>('.search-form input[name="q"]');
if (q && box && !box.value) box.value = q;

export {};
