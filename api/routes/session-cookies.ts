import type { Config } from '../config.ts';
import { CSRF_COOKIE, SESSION_COOKIE } from '../services/accounts/session-authenticator.ts';
import { csrfTokenFor } from '../services/accounts/sessions.ts';

// The pages' session: the token in an HttpOnly cookie (scripts cannot read it, so an injected
// script cannot steal it) and its CSRF value in a readable one, which the pages send back as the
// X-CSRF-Token header on writes. Both SameSite=Lax, Secure when the shop is served over HTTPS. The
// cookies live 30 days; the server ends an unused session sooner (SESSION_IDLE_DAYS).

const MAX_AGE_S = 30 * 86_400;

/** Set-Cookie values that start (token) or end (null) the pages' session. */
export function sessionCookies(token: string | null, config: Pick<Config, 'accounts'>): string[] {
  const common = `Path=/; SameSite=Lax${config.accounts.secureCookies ? '; Secure' : ''}`;
  if (token === null) {
    const gone = `Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; ${common}`;
    return [`${SESSION_COOKIE}=; ${gone}; HttpOnly`, `${CSRF_COOKIE}=; ${gone}`];
  }
  return [`${SESSION_COOKIE}=${token}; Max-Age=${MAX_AGE_S}; ${common}; HttpOnly`, `${CSRF_COOKIE}=${csrfTokenFor(token)}; Max-Age=${MAX_AGE_S}; ${common}`];
}
