import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../api/clock.ts';
import { systemContext } from '../../api/context.ts';
import { waitUntilApplied } from '../../api/services/catalog/outbox.ts';
import { listUrl } from '../../api/services/catalog/paths.ts';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { ROOT, run } from '../helpers/cli.ts';
import { createTestDb, type TestDb } from '../helpers/db.ts';
import { DB_KINDS } from '../helpers/env.ts';

// An admin edit through the API goes live the way a CLI edit does (tests/e2e/rebuild.test.ts): the
// write's outbox record is applied by the job worker, and the built static pages show it — exactly
// the pages the answer listed are re-rendered.

/** Modification times of every built .html page, by URL. */
function htmlTimes(client: string): Map<string, number> {
  const out = new Map<string, number>();
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.html')) {
        const rel = '/' + path.relative(client, p);
        out.set(rel === '/index.html' ? '/' : rel, fs.statSync(p).mtimeMs);
      }
    }
  };
  walk(client);
  return out;
}

describe.each(DB_KINDS)('an admin SKU price edit on %s', (kind) => {
  let t: TestDb;
  let app: TestApp;
  let distDir: string;

  beforeAll(async () => {
    t = await createTestDb(kind, { seed: true });
    const now = Date.now();
    const [adminId] = await t.db('users').insert({ username: 'admin', password_hash: 'x', mobile: '13900000001', email_active: false, is_active: true, created_at: now, updated_at: now });
    distDir = path.join(ROOT, '.test-dist', `admin-live-${kind}-${process.pid}-${crypto.randomBytes(3).toString('hex')}`);
    await run(['build'], { DATABASE_URL: t.url, DIST_DIR: distDir, MEDIA_DIR: t.mediaDir, LOG_LEVEL: 'warn' });
    app = await startTestApp(t, {
      distDir,
      worker: true,
      overrides: { authenticator: { authenticate: async () => ({ kind: 'admin', userId: Number(adminId), permissions: new Set(['goods.change_sku']) }) } },
    });
  }, 240_000);
  afterAll(async () => {
    await app?.close();
    await t?.drop();
    if (distDir) fs.rmSync(distDir, { recursive: true, force: true });
  });

  it('shows on the static /goods/{id}.html and its list page once the worker applied it; the pages re-rendered are the ones listed', async () => {
    const homeSkus = await t.db('contents').whereNotNull('sku_id').pluck('sku_id');
    const sku = await t.db('skus').where('is_launched', true).whereNotIn('id', homeSkus).orderBy('sales').first('id', 'category_id');
    const client = path.join(distDir, 'client');
    const before = htmlTimes(client);
    const r = await app.json(`/api/admin/skus/${sku.id}`, { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ price: '1.23' }) });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.price).toBe('1.23');
    expect(r.body.pages).toContain(`/goods/${sku.id}.html`);
    expect(r.body.pages).toContain(listUrl(sku.category_id, 'price', 1));

    await waitUntilApplied(systemContext('admin-live-test', { db: t.db, clock: systemClock }), r.body.change_id, { timeoutMs: 60_000 });
    const goods = await app.get(`/goods/${sku.id}.html`);
    expect(goods.status).toBe(200);
    expect(await goods.text()).toContain('¥1.23');
    // the cheapest of its category now: first on the price-sorted list
    expect(await (await app.get(listUrl(sku.category_id, 'price', 1))).text()).toContain('¥1.23');
    const after = htmlTimes(client);
    const rewritten = [...after.keys()].filter((url) => after.get(url) !== before.get(url));
    expect(new Set(rewritten)).toEqual(new Set(r.body.pages));
  }, 120_000);
});
