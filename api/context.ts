import crypto from 'node:crypto';
import type { Knex } from 'knex';
import type { Clock } from './clock.ts';
import { currentRequestId } from './request-scope.ts';

// What a handler and the services it calls know about the request, instead of Koa's ctx (Vendure's
// RequestContext): who is acting, an id to find the request in the logs, the clock, the database
// and — once a route declared `transaction: true` or a service called withTransaction — the
// transaction every query of the request joins (api/db/transaction.ts). Jobs, the build and the CLI
// build one too (`systemContext`), so services never need to know who called them.

export type Actor =
  | { kind: 'anonymous' }
  /** A shop customer, logged in with a shop session. */
  | { kind: 'user'; userId: number; sessionId?: number }
  /** Staff with named permissions such as 'goods.change_sku', logged in with an admin session. */
  | { kind: 'admin'; userId: number; permissions: ReadonlySet<string> }
  /** A job run, the build or a CLI command (systemContext). */
  | { kind: 'system'; name: string };

export interface RequestContext {
  readonly actor: Actor;
  readonly requestId: string;
  readonly clock: Clock;
  /** The caller's address (throttles); '' for jobs and the CLI. */
  readonly ip: string;
  /** The session token the request presented (logout ends that one). */
  readonly sessionToken?: string;
  /** The Idempotency-Key header of a write that may be retried (POST /orders). */
  readonly idempotencyKey?: string;
  /** The pool. Services never query it directly: `db(context)` (api/db/transaction.ts) picks the handle. */
  readonly db: Knex;
  /** The request's open transaction, when it has one. */
  readonly trx?: Knex.Transaction;
}

export const ANONYMOUS: Actor = Object.freeze({ kind: 'anonymous' });

/**
 * The context of a job run, a build or a CLI command: acting as the system. Its request id is the
 * scope's it is made in (a job run's, a command's: api/request-scope.ts), so its log lines and the
 * context agree; a fresh one outside any scope.
 */
export function systemContext(name: string, deps: { db: Knex; clock: Clock }, requestId = currentRequestId() ?? `${name}:${crypto.randomUUID()}`): RequestContext {
  return { actor: { kind: 'system', name }, requestId, clock: deps.clock, ip: '', db: deps.db };
}

/** The shop's routes and the admin API's (/api/admin/…): each accepts only its own kind of session. */
export type Realm = 'shop' | 'admin';

/**
 * Who is making a request: sessions (a bearer token or the pages' cookie) in the shop
 * (api/services/accounts/session-authenticator.ts). A strategy, so tests hand in their own (createServices).
 */
export interface Authenticator {
  /**
   * Throws (403) when a request's credentials are present but not acceptable as sent (CSRF).
   * `realm`: whose route it is — the shop's (shop sessions only) or the admin API's (admin sessions only).
   */
  authenticate(request: { headers: Record<string, string | string[] | undefined>; method?: string; realm?: Realm }): Promise<Actor>;
}

/**
 * The request's cookies and the ones the answer sets, for the few routes that keep state in a
 * cookie (the guest cart). Set cookies are Path=/, SameSite=Lax, Secure behind https.
 */
export interface Cookies {
  get(name: string): string | undefined;
  /** null removes the cookie. */
  set(name: string, value: string | null, opts?: { httpOnly?: boolean; maxAgeSeconds?: number }): void;
}
