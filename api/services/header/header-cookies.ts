import type { Cookies } from '../../context.ts';

// What the page header shows before any script has asked the API — who is logged in and how many
// pieces are in the cart — kept in two readable cookies that the blocking head script
// (site/public/header-state.js) reads before the first paint. Neither holds a secret: the display
// name (URI-encoded) and a number. The server writes them where the truth changes (login,
// registration, QQ login, every cart write and cart read, logout); the pages correct them on the
// first API answer (a 401 from /api/user drops the name), so they can be stale but never trusted.
// SameSite=Lax, Path=/ and Secure with the session cookies (api/routes/define.ts cookieJar).

export const HEADER_NAME_COOKIE = 'meiduo_name';
export const HEADER_CART_COOKIE = 'meiduo_cart_n';

/** As long as the session cookies (api/routes/session-cookies.ts). */
export const HEADER_COOKIE_MAX_AGE_S = 30 * 86_400;

/** The display name at login; null (logout) removes it and the cart count with it. */
export function setHeaderName(cookies: Cookies, username: string | null): void {
  if (username === null) {
    cookies.set(HEADER_NAME_COOKIE, null);
    cookies.set(HEADER_CART_COOKIE, null);
    return;
  }
  cookies.set(HEADER_NAME_COOKIE, encodeURIComponent(username), { maxAgeSeconds: HEADER_COOKIE_MAX_AGE_S });
}

/**
 * The badge's number (pieces, as the header counts them); an empty cart removes the cookie. Nothing
 * is sent when the browser already holds that value (every page reads the cart).
 */
export function setHeaderCartCount(cookies: Cookies, pieces: number): void {
  if ((cookies.get(HEADER_CART_COOKIE) ?? '0') === String(pieces)) return;
  cookies.set(HEADER_CART_COOKIE, pieces > 0 ? String(pieces) : null, { maxAgeSeconds: HEADER_COOKIE_MAX_AGE_S });
}
