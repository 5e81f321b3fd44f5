import type { RequestContext } from '../../context.ts';
import { deleteRowsRead } from '../../db/delete-read.ts';
import { db, withTransaction } from '../../db/transaction.ts';
import { widerSearch, type CatalogChange, type SearchScope } from './dependencies.ts';

// The outbox, and the only module that touches its two tables:
// - page_changes: catalog changes waiting for their pages. An edit records its change in the same
//   transaction as the edit, so a committed edit can never miss its rebuild; the pages.rebuild job
//   deletes the rows it has applied.
// - search_requests: search publishes waiting for the search.rebuild job, kept apart so a slow index
//   build never holds up pages. The run that applies changes asks for the publish they need in the
//   same transaction that deletes them: a change is never gone without its request being there.
// So "live" is checkable from the database alone: no change ≤ id left, then no search request left
// that existed at that moment (waitUntilApplied). Both are drained by the ids read, never by "up to
// the last id read": a row with a lower id can commit after the read (api/db/delete-read.ts).

/**
 * Records changes in the request's transaction (an edit's own, so the edit and its record commit
 * together; a transaction of their own when the request has none); returns an id at or after them
 * (see waitUntilApplied).
 */
export async function recordChanges(context: RequestContext, changes: CatalogChange[]): Promise<number> {
  return withTransaction(context, async ({ trx, clock }) => {
    const now = clock.now().getTime();
    if (changes.length > 0) await trx('page_changes').insert(changes.map((c) => ({ payload: JSON.stringify(c), created_at: now })));
    const row = await trx('page_changes').max({ id: 'id' }).first();
    return Number(row?.id ?? 0);
  });
}

/** Rebuild requests without an edit: `{kind: 'full'}` for category/channel/brand edits, pages by name, the search index. */
export const requestRebuild = recordChanges;

export interface PendingChanges {
  /** The changes' ids: markApplied(context, ids, …) once they are applied. */
  ids: number[];
  changes: CatalogChange[];
}

/** The oldest pending changes, at most `limit`; null when there are none. */
export async function readChanges(context: RequestContext, limit: number): Promise<PendingChanges | null> {
  const rows = await db(context)('page_changes').select('id', 'payload').orderBy('id').limit(limit);
  if (rows.length === 0) return null;
  return { ids: rows.map((r) => Number(r.id)), changes: rows.map((r) => JSON.parse(r.payload) as CatalogChange) };
}

/** Asks the search.rebuild job for a publish of this scope (pages.rebuild does, before rendering the pages). */
export async function requestSearch(context: RequestContext, search: SearchScope): Promise<void> {
  await db(context)('search_requests').insert({ scope: search, created_at: context.clock.now().getTime() });
}

/** These changes are applied; in the same transaction, asks for the search publish they need. */
export async function markApplied(context: RequestContext, ids: readonly number[], search: SearchScope | null): Promise<void> {
  await withTransaction(context, async ({ trx, clock }) => {
    await deleteRowsRead(trx, 'page_changes', ids);
    if (search) await trx('search_requests').insert({ scope: search, created_at: clock.now().getTime() });
  });
}

export interface PendingSearch {
  /** The requests' ids: markPublished(context, ids) once a publish has covered them. */
  ids: number[];
  /** The widest need among them. */
  scope: SearchScope;
}

/** What the pending search requests need together; null when there are none. */
export async function readSearchRequests(context: RequestContext): Promise<PendingSearch | null> {
  // one row per applied batch of page changes: few, even when the index build lags
  const rows: { id: number | string; scope: string }[] = await db(context)('search_requests').select('id', 'scope').orderBy('id');
  if (rows.length === 0) return null;
  return {
    ids: rows.map((r) => Number(r.id)),
    scope: rows.map((r) => r.scope as SearchScope).reduce<SearchScope | null>(widerSearch, null)!,
  };
}

/** These search requests are published. */
export async function markPublished(context: RequestContext, ids: readonly number[]): Promise<void> {
  await deleteRowsRead(db(context), 'search_requests', ids);
}

/** Catalog changes whose pages are not live yet. */
export async function pendingCount(context: RequestContext): Promise<number> {
  return Number((await db(context)('page_changes').count({ n: '*' }).first())?.n ?? 0);
}

const DEFAULT_TIMEOUT_MS = 10 * 60_000;
const POLL_MS = 50;

/**
 * Resolves once everything recorded up to `changeId` is live: every change ≤ changeId applied (its
 * pages written) and then every search request that existed at that moment published — which
 * includes the ones those changes asked for. onPending gets the work still outstanding (changes
 * while pages are pending, then search requests).
 */
export async function waitUntilApplied(
  context: RequestContext,
  changeId: number,
  opts: { timeoutMs?: number; onPending?: (pending: number, stage: 'pages' | 'search') => void } = {},
): Promise<void> {
  const q = db(context);
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  // how long this process has waited, not a time of day: the monotonic clock, which a test's
  // stopped ManualClock must not freeze
  const deadline = performance.now() + timeoutMs;
  let searchUpTo: number | null = null;
  for (;;) {
    if (searchUpTo === null) {
      const row = await q('page_changes').where('id', '<=', changeId).count({ n: '*' }).first();
      const pending = Number(row?.n ?? 0);
      opts.onPending?.(pending, 'pages');
      if (pending === 0) {
        searchUpTo = Number((await q('search_requests').max({ id: 'id' }).first())?.id ?? 0);
        continue;
      }
    } else {
      const row = await q('search_requests').where('id', '<=', searchUpTo).count({ n: '*' }).first();
      const pending = Number(row?.n ?? 0);
      opts.onPending?.(pending, 'search');
      if (pending === 0) return;
    }
    if (performance.now() > deadline) {
      const what = searchUpTo === null ? `changes up to ${changeId} still pending` : `search index for changes up to ${changeId} still unpublished`;
      throw new Error(`${what} after ${timeoutMs} ms`);
    }
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}
