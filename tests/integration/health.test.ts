import fs from 'node:fs';
import path from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { READY_TIMEOUT_MS } from '../../api/routes/health.ts';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { createTestDb, type TestDb } from '../helpers/db.ts';
import { DB_KINDS, redisDbUrl } from '../helpers/env.ts';

// Liveness apart from readiness (api/routes/health.ts), for a load balancer: /api/health/live needs
// nothing but the process; /api/health/ready asks the database, the cache and the published site,
// each within READY_TIMEOUT_MS, and answers 503 naming what failed.

const publish = (app: TestApp) => {
  fs.mkdirSync(path.join(app.distDir, 'client'), { recursive: true });
  fs.writeFileSync(path.join(app.distDir, 'client', 'index.html'), '<!doctype html><title>首页</title>');
};

describe.each(DB_KINDS)('health on %s', (kind) => {
  let t: TestDb;
  let app: TestApp;
  beforeAll(async () => {
    t = await createTestDb(kind);
    app = await startTestApp(t, { redisUrl: kind === 'mysql' ? (redisDbUrl(2) ?? null) : null });
  });
  afterAll(async () => {
    await app?.close();
    await t?.drop();
  });

  it('is live, and ready once the site is published; /api/health answers as before', async () => {
    const live = await app.json('/api/health/live');
    expect(live).toMatchObject({ status: 200, body: { status: 'live' } });
    expect(live.headers.get('cache-control')).toBe('no-store');
    const notYet = await app.json('/api/health/ready');
    expect(notYet.status).toBe(503);
    expect(notYet.body.error).toMatchObject({ code: 'HEALTH_NOT_READY', fields: { site: 'failed (ENOENT)' } });
    expect(notYet.body.error.fields).not.toHaveProperty('database');
    expect(notYet.body.error.message).toContain('site');
    publish(app);
    const ready = await app.json('/api/health/ready');
    expect(ready).toMatchObject({ status: 200, body: { status: 'ready', checks: { database: 'ok', cache: 'ok', site: 'ok' } } });
    expect(ready.headers.get('cache-control')).toBe('no-store');
    expect((await app.json('/api/health')).body).toMatchObject({ status: 'ok', database: kind });
  });

  it('is not ready once its database is gone, but still live', async () => {
    const t2 = await createTestDb(kind);
    const other = await startTestApp(t2);
    try {
      publish(other);
      expect((await other.json('/api/health/ready')).status).toBe(200);
      await other.services.db.destroy();
      const started = Date.now();
      const r = await other.json('/api/health/ready');
      expect(r.status).toBe(503);
      expect(Object.keys(r.body.error.fields)).toEqual(['database']);
      expect(r.body.error.fields.database).toMatch(/^(failed|no answer)/);
      expect(Date.now() - started).toBeLessThan(READY_TIMEOUT_MS + 1500);
      expect((await other.json('/api/health/live')).status).toBe(200);
    } finally {
      await other.close();
      await t2.drop();
    }
  });
});

describe('health with Redis unreachable', () => {
  let t: TestDb;
  let app: TestApp;
  const logLines: Record<string, unknown>[] = [];
  beforeAll(async () => {
    t = await createTestDb('sqlite');
    const log = pino({ level: 'info', base: undefined }, { write: (line: string) => void logLines.push(JSON.parse(line)) });
    // nothing listens on port 1: every Redis command fails or hangs
    app = await startTestApp(t, { redisUrl: 'redis://127.0.0.1:1/0', overrides: { log } });
    publish(app);
  });
  afterAll(async () => {
    await app?.close();
    await t?.drop();
  });

  it('answers 503 naming the cache within the check timeout', async () => {
    const started = Date.now();
    const r = await app.json('/api/health/ready');
    expect(r.status).toBe(503);
    expect(Object.keys(r.body.error.fields)).toEqual(['cache']);
    expect(r.body.error.fields.cache).toMatch(/^(failed|no answer within)/);
    expect(Date.now() - started).toBeLessThan(READY_TIMEOUT_MS + 1500);
    expect((await app.json('/api/health/live')).status).toBe(200);
  });

  it('logs each unready probe once, as a warning naming the failed check, without a stack', async () => {
    logLines.length = 0;
    const r = await app.json('/api/health/ready');
    expect(r.status).toBe(503);
    const lines = logLines.filter((l) => l.url === '/api/health/ready' || l.msg === 'not ready');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 40, code: 'HEALTH_NOT_READY', fields: { cache: r.body.error.fields.cache } });
    expect(lines[0]).not.toHaveProperty('err');
  });
});
