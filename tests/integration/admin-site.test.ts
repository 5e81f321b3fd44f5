import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStaff, type TestStaff } from '../helpers/admin.ts';
import { call } from '../helpers/api-client.ts';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { createTestDb, type TestDb } from '../helpers/db.ts';
import { DB_KINDS } from '../helpers/env.ts';
import { openJobStore, type JobStore } from '../../jobs/job-admin.ts';

// The console's 站点 routes (docs/admin-console.md): the status (pending page changes, the release
// and search index served, jobs per state), the job list by state, retrying a failed job (404 for an
// unknown id, 400 for a malformed one), a full rebuild requested and followed to done by a worker.
// 401/403 for every route are admin-auth's generated sweep.

describe.each(DB_KINDS)('admin site routes on %s', (kind) => {
  let t: TestDb;
  let app: TestApp;
  let store: JobStore;
  let operator: TestStaff;
  let viewer: TestStaff;
  beforeAll(async () => {
    t = await createTestDb(kind, { seed: true });
    app = await startTestApp(t);
    store = await openJobStore(app.services.config, app.services.db);
    operator = await createStaff(app, { permissions: ['site.view_site', 'site.change_site'] });
    viewer = await createStaff(app, { permissions: ['site.view_site'] });
  });
  afterAll(async () => {
    await store?.close();
    await app?.close();
    await t?.drop();
  });

  it('tells pending page changes, the release and search index served, and jobs per state', async () => {
    await t.db('page_changes').del();
    const empty = await call(app, 'GET', '/api/admin/site', { headers: viewer.headers });
    expect(empty.status).toBe(200);
    expect(empty.body).toMatchObject({ pending_changes: 0, release: null, search: null });
    // a served release: dist/client → releases/<id>/client with a search manifest and a stamp
    const rel = path.join(app.distDir, 'releases', '20261204100000-abcdef', 'client', 'search');
    fs.mkdirSync(rel, { recursive: true });
    fs.writeFileSync(path.join(rel, 'manifest.json'), JSON.stringify({ version: 1, index: 'index.x.json', docs: 'docs.x.json', count: 42 }));
    fs.symlinkSync(path.join('releases', '20261204100000-abcdef', 'client'), path.join(app.distDir, 'client'));
    fs.writeFileSync(path.join(app.distDir, '.meiduo-build.json'), '{}');
    await t.db('page_changes').insert([1, 2, 3].map((i) => ({ payload: JSON.stringify({ kind: 'pages', skuIds: [i], spuIds: [], categoryIds: [], home: false }), created_at: Date.now() })));
    const failed = await store.repository.saveJob({ name: 'site-test.failed', priority: 0, type: 'normal', data: {}, nextRunAt: null, lastRunAt: new Date(), failedAt: new Date(), failCount: 3, failReason: 'disk full' }, undefined);
    const r = await call(app, 'GET', '/api/admin/site', { headers: viewer.headers });
    expect(r.body.pending_changes).toBe(3);
    expect(r.body.release).toEqual({ id: '20261204100000-abcdef', built_at: expect.any(String) });
    expect(r.body.search).toEqual({ documents: 42, published_at: expect.any(String) });
    expect(r.body.jobs.failed).toBeGreaterThanOrEqual(1);

    const list = await call(app, 'GET', '/api/admin/jobs?state=failed', { headers: viewer.headers });
    expect(list.status).toBe(200);
    expect(list.body.results).toContainEqual(expect.objectContaining({ id: String(failed._id), name: 'site-test.failed', state: 'failed', fail_count: 3, fail_reason: 'disk full' }));
    expect((await call(app, 'GET', '/api/admin/jobs?state=nope', { headers: viewer.headers })).status).toBe(400);
    // keyword: part of the name, taken literally; paged by the store
    const named = await call(app, 'GET', '/api/admin/jobs?keyword=SITE-TEST.F', { headers: viewer.headers });
    expect(named.body.results.map((j: { name: string }) => j.name)).toEqual(['site-test.failed']);
    expect((await call(app, 'GET', '/api/admin/jobs?keyword=%25', { headers: viewer.headers })).body.count).toBe(0);
    const all = await call(app, 'GET', '/api/admin/jobs?page_size=1', { headers: viewer.headers });
    expect(all.body.results).toHaveLength(1);
    expect(all.body.count).toBeGreaterThanOrEqual(1);
    const second = await call(app, 'GET', '/api/admin/jobs?page_size=1&page=2', { headers: viewer.headers });
    if (all.body.count > 1) expect(second.body.results[0].id).not.toBe(all.body.results[0].id);
    else expect(second.body.results).toEqual([]);
    await t.db('page_changes').del();
  });

  it('retries a failed job (audited); an unknown id is a 404, a malformed one a 400; viewing is not retrying', async () => {
    const failed = await store.repository.saveJob({ name: 'site-test.retry', priority: 0, type: 'normal', data: {}, nextRunAt: null, failedAt: new Date(), failCount: 5, failReason: 'gave up' }, undefined);
    const id = String(failed._id);
    expect((await call(app, 'POST', `/api/admin/jobs/${id}/retry`, { headers: viewer.headers })).status).toBe(403);
    const r = await call(app, 'POST', `/api/admin/jobs/${id}/retry`, { headers: operator.headers });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ id, state: 'queued', fail_count: 5 });
    const audit = await t.db('admin_audit').where({ resource: 'site.job', resource_id: id }).select('action', 'actor_name');
    expect(audit).toEqual([{ action: 'retry', actor_name: operator.username }]);
    const unknown = await call(app, 'POST', `/api/admin/jobs/${kind === 'sqlite' ? '00000000-0000-4000-8000-000000000000' : 'nope'}/retry`, { headers: operator.headers });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('JOB_NOT_FOUND');
    expect((await call(app, 'POST', '/api/admin/jobs/a%20b/retry', { headers: operator.headers })).status).toBe(400);
  });

  it('requests a full rebuild (audited) and reports its stage until the outbox is empty', async () => {
    expect((await call(app, 'POST', '/api/admin/site/rebuild', { headers: operator.headers, body: {} })).status).toBe(400);
    const r = await call(app, 'POST', '/api/admin/site/rebuild', { headers: operator.headers, body: { scope: 'all' } });
    expect(r.status).toBe(202);
    const changeId = r.body.change_id as number;
    const row = await t.db('page_changes').where({ id: changeId }).first('payload');
    expect(JSON.parse(row.payload)).toMatchObject({ kind: 'full' });
    expect((await call(app, 'GET', `/api/admin/site/rebuild/${changeId}`, { headers: viewer.headers })).body).toEqual({ change_id: changeId, stage: 'pages', pending_changes: 1, pending_search: 0 });
    // the pages job applies it and asks for a search publish: search; then published: done
    await t.db('page_changes').where('id', '<=', changeId).del();
    await t.db('search_requests').insert({ scope: 'full', created_at: Date.now() });
    expect((await call(app, 'GET', `/api/admin/site/rebuild/${changeId}`, { headers: viewer.headers })).body.stage).toBe('search');
    await t.db('search_requests').del();
    expect((await call(app, 'GET', `/api/admin/site/rebuild/${changeId}`, { headers: viewer.headers })).body.stage).toBe('done');
    expect(await t.db('admin_audit').where({ resource: 'site.site', resource_id: String(changeId) }).select('action')).toEqual([{ action: 'rebuild' }]);
    expect((await call(app, 'GET', '/api/admin/site/rebuild/abc', { headers: viewer.headers })).status).toBe(400);
  });
});
