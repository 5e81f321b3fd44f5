import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../api/clock.ts';
import { systemContext } from '../../api/context.ts';
import { alipayGateway } from '../../api/providers/alipay.ts';
import { CatalogService } from '../../api/services/catalog/catalog-service.ts';
import { updateContent, updateSku } from '../../api/services/catalog/catalog-editor.ts';
import { markApplied, readChanges } from '../../api/services/catalog/outbox.ts';
import { MANIFEST, SEARCH_DIR } from '../../api/services/search/publish.ts';
import { SearchService } from '../../api/services/search/search-service.ts';
import { createTestDb, type TestDb } from '../helpers/db.ts';
import { DB_KINDS } from '../helpers/env.ts';
import { startAlipayStandIn } from '../helpers/standins/alipay.ts';

// One clock: what the catalog editor, the outbox, search and the Alipay adapter stamp or compare
// comes from the context's clock, so a test moves time instead of reading the wall clock.

describe.each(DB_KINDS)('the context clock on %s', (kind) => {
  let t: TestDb;
  const clock = new ManualClock(Date.UTC(2031, 4, 6, 7, 8, 9));
  beforeAll(async () => {
    t = await createTestDb(kind, { seed: true });
  }, 120_000);
  afterAll(async () => t?.drop());

  it('stamps catalog edits and their page-change and search rows with it', async () => {
    const context = systemContext('clock-test', { db: t.db, clock });
    await updateSku(context, 1, { stock: 11 });
    await updateContent(context, 1, { title: '钟表' });
    expect(await t.db('skus').where({ id: 1 }).first('update_time')).toMatchObject({ update_time: expect.stringMatching(/^2031-05-06 07:08:09/) });
    expect(String((await t.db('contents').where({ id: 1 }).first('update_time')).update_time)).toMatch(/^2031-05-06 07:08:09/);
    const rows = await t.db('page_changes').orderBy('id').select('created_at');
    expect(rows.slice(-2).map((r) => Number(r.created_at))).toEqual([clock.now().getTime(), clock.now().getTime()]);
    clock.advance(60_000);
    const pending = await readChanges(context, 100);
    await markApplied(context, pending!.ids, 'index');
    expect(Number((await t.db('search_requests').orderBy('id', 'desc').first('created_at')).created_at)).toBe(clock.now().getTime());
  });
});

describe('search and Alipay read the context clock', () => {
  it('search re-reads the published manifest when the clock says a second has passed', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'meiduo-clock-'));
    fs.mkdirSync(path.join(dir, SEARCH_DIR));
    const write = (generation: string) => fs.writeFileSync(path.join(dir, SEARCH_DIR, MANIFEST), JSON.stringify({ version: 2, generation, shards: 16, count: 0, terms: 0, fields: [], chunkRows: 32, bytes: 0 }));
    const clock = new ManualClock();
    const t = await createTestDb('sqlite');
    try {
      const context = systemContext('clock-test', { db: t.db, clock });
      const search = new SearchService(dir, new CatalogService(), 1000);
      write('00000000000000aa');
      expect(await search.publishedIndex(context)).toBe('00000000000000aa');
      write('00000000000000bb');
      clock.advance(999);
      expect(await search.publishedIndex(context)).toBe('00000000000000aa'); // still within the second
      clock.advance(1);
      expect(await search.publishedIndex(context)).toBe('00000000000000bb');
    } finally {
      await t.drop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('Alipay requests carry the clock’s Beijing time', async () => {
    const standIn = await startAlipayStandIn({ appId: '2021000000000002' });
    try {
      const clock = new ManualClock(Date.UTC(2030, 0, 2, 3, 4, 5));
      const url = new URL(await alipayGateway(standIn.config(), clock).pagePayUrl({ orderId: '20300102110405000000001', amountCents: 100, subject: 't', expiresAt: null }));
      expect(url.searchParams.get('timestamp')).toBe('2030-01-02 11:04:05');
    } finally {
      await standIn.close();
    }
  });
});
