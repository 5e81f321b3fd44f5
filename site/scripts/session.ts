// Who is logged in, asked of the server at most once per page: the header and the user-centre
// scripts share this module, so they share the one GET /api/user.
import { HEADER_NAME_COOKIE } from '../../api/services/header/header-cookies.ts';
import { api, CSRF_COOKIE, hasSession, request } from './api-client.ts';

export interface CurrentUser {
  id: number;
  username: string;
  mobile: string;
  email: string | null;
  email_active: boolean;
}

let pending: Promise<CurrentUser | null> | null = null;

// Set by requireUser: after a logout, a page that needs a login cannot be shown again (it would
// send the customer to the login page), so the header goes home instead of reloading it.
let needsLogin = false;

/** Whether this page asked for a logged-in user (requireUser). */
export const pageNeedsLogin = (): boolean => needsLogin;

/** The user, or null when logged out (no csrf cookie → no request at all; 401 → null). */
export function currentUser(): Promise<CurrentUser | null> {
  pending ??= (async () => {
    if (!hasSession()) return null;
    const { data, error } = await api<CurrentUser>('/user');
    if (error) {
      if (error.status !== 401) throw error;
      forgetSession();
      return null;
    }
    return data;
  })();
  return pending;
}

// The server ended the session (expired, or a password change elsewhere) but the readable cookies
// outlived it: dropping them spares every later page a request that can only answer 401, and the
// header's name cookie (header-state.js) must not paint a logged-in header again.
function forgetSession(): void {
  const attrs = `Max-Age=0; Path=/; SameSite=Lax${location.protocol === 'https:' ? '; Secure' : ''}`;
  for (const name of [CSRF_COOKIE, HEADER_NAME_COOKIE]) document.cookie = `${name}=; ${attrs}`;
}

/**
 * A `next` value that stays on this site: a path, never `//host` or `/\host` (browsers read both as
 * another origin), and never a URL with a scheme.
 */
export function safeNext(next: string | null | undefined, fallback = '/'): string {
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.includes('\\')) return fallback;
  if (/[\u0000-\u001f]/.test(next)) return fallback;
  return next;
}

export function loginUrl(next = location.pathname + location.search): string {
  return `/login.html?next=${encodeURIComponent(next)}`;
}

/**
 * For the user-centre pages: the user, or off to the login page (and this promise never settles).
 * Other failures (network, 5xx) reject, so the page can say so instead of asking for a login.
 */
export async function requireUser(): Promise<CurrentUser> {
  needsLogin = true;
  const user = await currentUser();
  if (user) return user;
  location.replace(loginUrl());
  return new Promise<never>(() => {});
}

/** For the user-centre pages' own API calls: a 401 midway (session ended elsewhere) means log in again. */
export function redirectIfUnauthorized(err: { status: number }): boolean {
  if (err.status !== 401) return false;
  location.replace(loginUrl());
  return true;
}

export async function logout(): Promise<void> {
  try {
    await request('DELETE', '/sessions');
  } catch {
    // the cookies may already be gone; reloading shows whatever state the server has
  }
}
