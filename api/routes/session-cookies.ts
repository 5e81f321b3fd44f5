import type { Config } from '../config.ts';
import type { Realm } from '../context.ts';
import { REALM_COOKIES } from '../services/accounts/session-authenticator.ts';
import { csrfTokenFor } from '../services/accounts/sessions.ts';

// The pages' session: the token in an HttpOnly cookie (scripts cannot read it, so an injected
// script cannot steal it) and its CSRF value in a readable one, which the pages send back as the
// X-CSRF-Token header on writes. Both SameSite=Lax, Secure when the shop is served over HTTPS. The
// cookies live 30 days; the server ends an unused session sooner (SESSION_IDLE_DAYS).

// The admin session's cookies (realm 'admin') are named apart and live a day; the server ends the
// session after 8 idle hours (api/services/admin/admin-sessions.ts).
const MAX_AGE_S: Record<Realm, number> = { shop: 30 * 86_400, admin: 86_400 };

/** Set-Cookie values that start (token) or end (null) the pages' session of a realm. */
export function sessionCookies(token: string | null, config: Pick<Config, 'accounts'>, realm: Realm = 'shop'): string[] {
  const { session: SESSION_COOKIE, csrf: CSRF_COOKIE } = REALM_COOKIES[realm];
  const common = `Path=/; SameSite=Lax${config.accounts.secureCookies ? '; Secure' : ''}`;
  if (token === null) {
    const gone = `Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; ${common}`;
    return [`${SESSION_COOKIE}=; ${gone}; HttpOnly`, `${CSRF_COOKIE}=; ${gone}`];
  }
  return [`${SESSION_COOKIE}=${token}; Max-Age=${MAX_AGE_S[realm]}; ${common}; HttpOnly`, `${CSRF_COOKIE}=${csrfTokenFor(token)}; Max-Age=${MAX_AGE_S[realm]}; ${common}`];
}
