import type { Knex } from 'knex';
import crypto from 'node:crypto';
import { ANONYMOUS, type Actor, type Authenticator, type Realm } from '../../context.ts';
import type { Clock } from '../../clock.ts';
import { ForbiddenError } from '../../errors.ts';
import { csrfTokenFor, type SessionService } from './sessions.ts';
import { looksLike } from './tokens.ts';
import type { AdminSessionService } from '../admin/admin-sessions.ts';

// Who is calling: API clients send `Authorization: Bearer <session token>`; the shop's pages carry
// the same token in an HttpOnly cookie. A cookie is sent by the browser whatever page made the
// request, so a cookie-authenticated write must also carry the CSRF header (the readable cookie's
// value), which a cross-site form cannot set. SameSite=Lax already keeps the cookie off most
// cross-site requests; the header makes it not depend on the browser.
//
// Two realms (api/routes/define.ts realmOf): the shop's routes accept only shop sessions, the admin
// routes (/api/admin/…) only admin sessions — each with a cookie of its own, so one browser may hold
// both and neither ever stands for the other (a shop token on an admin route is nobody: 401).

export const SESSION_COOKIE = 'meiduo_session';
export const CSRF_COOKIE = 'meiduo_csrf';
export const CSRF_HEADER = 'x-csrf-token';
export const ADMIN_SESSION_COOKIE = 'meiduo_admin_session';
export const ADMIN_CSRF_COOKIE = 'meiduo_admin_csrf';

/** The session and CSRF cookie names of a realm. */
export const REALM_COOKIES: Record<Realm, { session: string; csrf: string }> = {
  shop: { session: SESSION_COOKIE, csrf: CSRF_COOKIE },
  admin: { session: ADMIN_SESSION_COOKIE, csrf: ADMIN_CSRF_COOKIE },
};

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

type Headers = Record<string, string | string[] | undefined>;

const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);

/** One cookie's value from a Cookie header (the first of that name). */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

const sameText = (a: string, b: string) => a.length === b.length && crypto.timingSafeEqual(Buffer.from(a), Buffer.from(b));

/** The session token a request presents to a realm's route, and whether it came in the cookie. */
export function presentedSession(headers: Headers, realm: Realm = 'shop'): { token: string; viaCookie: boolean } | null {
  const auth = one(headers['authorization']);
  if (auth !== undefined) {
    const m = /^Bearer\s+(\S+)$/i.exec(auth);
    return m ? { token: m[1]!, viaCookie: false } : null;
  }
  const cookie = cookieValue(one(headers['cookie']), REALM_COOKIES[realm].session);
  return cookie ? { token: cookie, viaCookie: true } : null;
}

/** `pool`: sessions are looked up before a request has a context (and never inside its transaction). */
export function sessionAuthenticator(sessions: SessionService, clock: Clock, pool: Knex, admin?: AdminSessionService): Authenticator {
  return {
    async authenticate({ headers, method, realm = 'shop' }): Promise<Actor> {
      const presented = presentedSession(headers, realm);
      if (!presented || !looksLike(realm === 'admin' ? 'adminSession' : 'session', presented.token)) return ANONYMOUS;
      if (realm === 'admin' && !admin) return ANONYMOUS;
      if (presented.viaCookie && !SAFE.has((method ?? 'GET').toUpperCase())) {
        const sent = one(headers[CSRF_HEADER]) ?? '';
        if (!sameText(sent, csrfTokenFor(presented.token))) throw new ForbiddenError('请求来源校验失败，请刷新页面后重试', 'CSRF_FAILED');
      }
      if (realm === 'admin') return (await admin!.actorFor(pool, presented.token, clock.now().getTime())) ?? ANONYMOUS;
      const s = await sessions.lookup(pool, presented.token, clock.now().getTime());
      return s ? { kind: 'user', userId: s.userId, sessionId: s.sessionId } : ANONYMOUS;
    },
  };
}
