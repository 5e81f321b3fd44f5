// Who is logged in, asked of the server at most once per page: the header and the user-centre
// scripts share this module, so they share the one GET /api/user.
import { api, CSRF_COOKIE, hasSession, request } from './api-client.ts';

export interface CurrentUser {
  id: number;
  username: string;
  mobile: string;
  email: string | null;
  email_active: boolean;
}

let pending: Promise<CurrentUser | null> | null = null;

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

// The server ended the session (expired, or a password change elsewhere) but the readable cookie
// outlived it: dropping it spares every later page a request that can only answer 401.
function forgetSession(): void {
  document.cookie = `${CSRF_COOKIE}=; Max-Age=0; Path=/; SameSite=Lax${location.protocol === 'https:' ? '; Secure' : ''}`;
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
