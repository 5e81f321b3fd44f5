// The header's first paint, from the readable cookies the API sets (api/services/header/header-cookies.ts):
// loaded in <head> as a classic, blocking script (the CSP allows no inline script) so that the
// logged-in name and the cart count are in place before the body is painted — the pages are the
// same prebuilt HTML for everyone, and waiting for GET /api/user flashed 请登录 | 免费注册 and a 0.
// It runs before the body exists: a MutationObserver fills each header element as the parser
// inserts it (observer callbacks run before the browser next renders). site/scripts/header.ts then
// checks with the API and corrects whatever the cookies got wrong (a session ended elsewhere).
// Plain ES5 and no imports: it is copied as is (imported with ?url), never bundled.
(function () {
  'use strict';
  function cookie(name) {
    var parts = document.cookie.split(';');
    for (var i = 0; i < parts.length; i++) {
      var eq = parts[i].indexOf('=');
      if (eq < 0 || parts[i].slice(0, eq).trim() !== name) continue;
      try {
        return decodeURIComponent(parts[i].slice(eq + 1).trim());
      } catch (e) {
        return null;
      }
    }
    return null;
  }
  // no csrf cookie, no session: a name cookie left behind alone means nothing
  var name = cookie('meiduo_csrf') ? cookie('meiduo_name') : null;
  var count = cookie('meiduo_cart_n');
  var pieces = count && /^\d{1,5}$/.test(count) ? String(Number(count)) : '0';
  var root = document.documentElement;
  root.setAttribute('data-session', name ? 'user' : 'guest');
  var todo = { 'login-links': 1, 'user-info': 1, username: 1, 'cart-count': 1 };
  var left = 4;
  function fill() {
    for (var id in todo) {
      if (!todo[id]) continue;
      var el = document.getElementById(id);
      if (!el) continue;
      todo[id] = 0;
      left--;
      if (id === 'login-links') el.hidden = !!name;
      else if (id === 'user-info') el.hidden = !name;
      else if (id === 'username') el.textContent = name || '';
      else el.textContent = pieces;
    }
    if (left === 0) observer.disconnect();
  }
  var observer = new MutationObserver(fill);
  observer.observe(root, { childList: true, subtree: true });
  document.addEventListener('DOMContentLoaded', function () {
    fill();
    observer.disconnect();
  });
})();
