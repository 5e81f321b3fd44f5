import type { Knex } from 'knex';
import type { RequestContext } from '../context.ts';

// The one way a service reaches the database (Vendure's TransactionalConnection): through the
// request context. A request that has opened a transaction carries it, and every query of that
// request — whichever service makes it — goes through it. On SQLite, with its single connection, a
// query on the pool while the request's own transaction holds that connection would wait for itself
// (a deadlock until knex's 60 s timeout); on MariaDB it would read outside the transaction and
// commit on its own. Neither can happen when nobody but this module picks the handle.

/** The handle every query of this request uses: its open transaction, or the pool. */
export function db(context: RequestContext): Knex {
  return context.trx ?? context.db;
}

/**
 * Runs `work` in a transaction: the request's own when one is open (joined, not nested — it commits
 * or rolls back with the request), else a new one that commits when `work` resolves and rolls back
 * when it throws. `work` gets a context carrying the transaction; pass that one on.
 */
export function withTransaction<T>(context: RequestContext, work: (context: TxContext) => Promise<T>): Promise<T> {
  if (context.trx) return work(context as TxContext);
  return context.db.transaction((trx) => work({ ...context, trx }));
}

/** A context inside a transaction. */
export type TxContext = RequestContext & { readonly trx: Knex.Transaction };

/** Whether this call opened nothing of its own: its writes commit with the caller's transaction. */
export const inTransaction = (context: RequestContext): context is TxContext => context.trx !== undefined;
