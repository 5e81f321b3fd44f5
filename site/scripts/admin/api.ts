// The console's one way to the admin API (docs/admin-console.md). The admin session is the HttpOnly
// cookie meiduo_admin_session; its readable twin meiduo_admin_csrf goes back as X-CSRF-Token on every
// write (api/routes/session-cookies.ts). Errors are the shop client's ApiError (status, code, message,
// fields for forms). A 401 means the session is gone: the page goes to the login page, which comes
// back here after the login.
import { api, ApiError, readCookie } from '../api-client.ts';

export { ApiError };
export const ADMIN_CSRF_COOKIE = 'meiduo_admin_csrf';
export const LOGIN_PAGE = '/admin/login.html';

/** The login page that returns to `here` (this page, its query included) afterwards. */
export function loginUrl(here = location.pathname + location.search): string {
  return `${LOGIN_PAGE}?next=${encodeURIComponent(here)}`;
}

/** Only a console page of this site may be a `next`: never another origin, never //evil. */
export function safeNext(raw: string | null): string {
  if (!raw || !raw.startsWith('/admin/') || raw.startsWith('//') || raw.includes('\\')) return '/admin/';
  return raw;
}

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** Sends one request; resolves with the JSON (null for 204), throws ApiError; a 401 leaves for the login page. */
export async function adminRequest<T>(method: Method, path: string, body?: unknown, opts: { redirectOn401?: boolean } = {}): Promise<T> {
  const headers: Record<string, string> = {};
  const csrf = readCookie(ADMIN_CSRF_COOKIE);
  if (method !== 'GET' && csrf) headers['X-CSRF-Token'] = csrf;
  const init: RequestInit = { method, headers };
  if (body !== undefined) init.body = JSON.stringify(body);
  const { data, error } = await api<T>(path, init);
  if (error) {
    if (error.status === 401 && opts.redirectOn401 !== false) {
      location.assign(loginUrl());
      // the page is leaving: nothing after this should run
      await new Promise<never>(() => {});
    }
    throw error;
  }
  return data as T;
}

export const adminGet = <T>(path: string) => adminRequest<T>('GET', path);
export const adminPost = <T>(path: string, body?: unknown) => adminRequest<T>('POST', path, body ?? {});

/** `{count, results}` of every admin list. */
export interface Page<T> {
  count: number;
  results: T[];
}
