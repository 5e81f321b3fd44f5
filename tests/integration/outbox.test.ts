import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { systemClock } from '../../api/clock.ts';
import { systemContext, type RequestContext } from '../../api/context.ts';
import {
  markApplied, markPublished, pendingCount, readChanges, readSearchRequests, recordChanges, requestRebuild, waitUntilApplied,
} from '../../api/services/catalog/outbox.ts';
import { createTestDb, type TestDb } from '../helpers/db.ts';
import { DB_KINDS } from '../helpers/env.ts';

const settled = async (p: Promise<unknown>) => {
  let done = false;
  p.then(() => (done = true), () => (done = true));
  await new Promise((r) => setTimeout(r, 200)); // several polls
  return done;
};

describe.each(DB_KINDS)('the outbox on %s', (kind) => {
  let t: TestDb;
  let ctx: RequestContext;
  beforeAll(async () => {
    t = await createTestDb(kind);
    ctx = systemContext('outbox-test', { db: t.db, clock: systemClock });
  });
  afterAll(() => t?.drop());
  afterEach(async () => {
    vi.useRealTimers();
    await t.db('page_changes').del();
    await t.db('search_requests').del();
  });

  it('records changes with the edit’s transaction, and loses them with its rollback', async () => {
    await expect(
      t.db.transaction(async (trx) => {
        await recordChanges({ ...ctx, trx }, [{ kind: 'content' }]);
        throw new Error('edit failed');
      }),
    ).rejects.toThrow('edit failed');
    expect(await pendingCount(ctx)).toBe(0);
    const id = await requestRebuild(ctx, [{ kind: 'content' }, { kind: 'search' }]);
    expect(await pendingCount(ctx)).toBe(2);
    expect(await readChanges(ctx, 10)).toEqual({ ids: [id - 1, id], changes: [{ kind: 'content' }, { kind: 'search' }] });
    expect((await readChanges(ctx, 1))?.changes).toEqual([{ kind: 'content' }]);
  });

  it('deletes applied changes and asks for their search publish in one transaction', async () => {
    const id = await requestRebuild(ctx, [{ kind: 'search' }]);
    // the request cannot be written: the changes must stay, or their search publish would be lost
    await t.db.schema.renameTable('search_requests', 'search_requests_away');
    try {
      await expect(markApplied(ctx, [id], 'index')).rejects.toThrow();
    } finally {
      await t.db.schema.renameTable('search_requests_away', 'search_requests');
    }
    expect(await pendingCount(ctx)).toBe(1);
    await markApplied(ctx, [id], 'index');
    expect(await pendingCount(ctx)).toBe(0);
    expect(await readSearchRequests(ctx)).toMatchObject({ scope: 'index' });
  });

  // MySQL hands out ids at INSERT and shows rows at COMMIT: a change can commit after a later one was
  // read. SQLite's writers take turns (the one pool connection would wait on itself here), so ids
  // commit in order there and the race cannot happen.
  it.skipIf(kind === 'sqlite')('keeps a change that committed after the read, even with a lower id', async () => {
    const slow = await t.db.transaction();
    try {
      const early = await recordChanges({ ...ctx, trx: slow }, [{ kind: 'content' }]); // its id first, its commit later
      const late = await requestRebuild(ctx, [{ kind: 'search' }]);
      expect(late).toBeGreaterThan(early);
      const pending = await readChanges(ctx, 10);
      expect(pending).toEqual({ ids: [late], changes: [{ kind: 'search' }] });
      await slow.commit();
      await markApplied(ctx, pending!.ids, 'index');
    } finally {
      if (!slow.isCompleted()) await slow.rollback();
    }
    // the slow edit's change is still there for the next run, not dropped unapplied
    expect(await readChanges(ctx, 10)).toMatchObject({ changes: [{ kind: 'content' }] });

    // the same for search requests
    const slowSearch = await t.db.transaction();
    try {
      await slowSearch('search_requests').insert({ scope: 'display', created_at: 1 });
      await markApplied(ctx, (await readChanges(ctx, 10))!.ids, 'index');
      const pending = await readSearchRequests(ctx);
      expect(pending?.ids).toHaveLength(2); // the one above and this one; not the slow one
      await slowSearch.commit();
      await markPublished(ctx, pending!.ids);
    } finally {
      if (!slowSearch.isCompleted()) await slowSearch.rollback();
    }
    expect(await readSearchRequests(ctx)).toMatchObject({ scope: 'display' });
  });

  it('reads pending search requests as the widest publish they need', async () => {
    expect(await readSearchRequests(ctx)).toBeNull();
    const a = await requestRebuild(ctx, [{ kind: 'content' }]);
    await markApplied(ctx, [a], 'display');
    expect(await readSearchRequests(ctx)).toMatchObject({ scope: 'display' });
    const b = await requestRebuild(ctx, [{ kind: 'content' }]);
    await markApplied(ctx, [b], 'index');
    await markApplied(ctx, [await requestRebuild(ctx, [{ kind: 'content' }])], 'display');
    const pending = await readSearchRequests(ctx);
    expect(pending?.scope).toBe('index');
    const ids = (await t.db('search_requests').pluck('id')).map(Number);
    expect(pending?.ids).toEqual(ids.sort((x, y) => x - y));
    await markPublished(ctx, pending!.ids);
    expect(await readSearchRequests(ctx)).toBeNull();
  });

  it('waits until the pages are applied AND the search publish they asked for is done', async () => {
    const id = await requestRebuild(ctx, [{ kind: 'search' }]);
    const stages: string[] = [];
    const waiting = waitUntilApplied(ctx, id, { timeoutMs: 10_000, onPending: (_n, stage) => stages.push(stage) });
    expect(await settled(waiting)).toBe(false);
    await markApplied(ctx, [id], 'index'); // pages live, index not yet
    expect(await settled(waiting)).toBe(false);
    const later = await requestRebuild(ctx, [{ kind: 'content' }]); // recorded after: not waited for
    await markPublished(ctx, (await readSearchRequests(ctx))!.ids);
    await waiting;
    expect(stages[0]).toBe('pages');
    expect(stages.at(-1)).toBe('search');
    expect(await pendingCount(ctx)).toBe(1);
    await markApplied(ctx, [later], null);
  });

  it('returns at once for changes that asked for no search publish', async () => {
    const id = await requestRebuild(ctx, [{ kind: 'content' }]);
    await markApplied(ctx, [id], null);
    await waitUntilApplied(ctx, id, { timeoutMs: 1000 });
  });

  it('gives up after the timeout, saying how long it waited', async () => {
    const id = await requestRebuild(ctx, [{ kind: 'content' }]);
    await expect(waitUntilApplied(ctx, id, { timeoutMs: 100 })).rejects.toThrow(`changes up to ${id} still pending after 100 ms`);
    // and with the default timeout: time jumps past it while the change is still pending (the wait
    // measures itself on the monotonic clock, performance.now(), which setSystemTime does not move)
    vi.useFakeTimers({ toFake: ['Date', 'performance'] });
    const waiting = waitUntilApplied(ctx, id, {
      onPending: () => vi.advanceTimersByTime(11 * 60_000),
    });
    await expect(waiting).rejects.toThrow(`changes up to ${id} still pending after 600000 ms`);
  });
});
