import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../api/clock.ts';
import { ConfigError, loadConfig, type Config } from '../../api/config.ts';
import { systemContext } from '../../api/context.ts';
import { createLogger } from '../../api/logger.ts';
import { requestRebuild, waitUntilApplied } from '../../api/services/catalog/outbox.ts';
import { createBackend } from '../../jobs/backends/index.ts';
import { JOB, createJobQueue } from '../../jobs/queue.ts';
import { createTestDb, type TestDb } from '../helpers/db.ts';
import { REDIS_URL } from '../helpers/env.ts';

describe('job store configuration', () => {
  it('defaults to the SQL store and an in-process worker on SQLite only', () => {
    expect(loadConfig({}).jobs).toMatchObject({ backend: 'sql', inProcessWorker: true, pollMs: 250 });
    expect(loadConfig({ DATABASE_URL: 'mysql://root@db/shop' }).jobs.inProcessWorker).toBe(false);
    expect(loadConfig({ DATABASE_URL: 'mysql://root@db/shop', JOBS_IN_PROCESS: 'on' }).jobs.inProcessWorker).toBe(true);
  });

  it.each([
    [{ JOBS_BACKEND: 'rabbit' }, 'JOBS_BACKEND'],
    [{ JOBS_BACKEND: 'mongo' }, 'MONGO_URL'],
    [{ JOBS_BACKEND: 'mongo', MONGO_URL: 'http://x' }, 'MONGO_URL'],
    [{ JOBS_BACKEND: 'redis' }, 'REDIS_URL'],
    [{ JOBS_POLL_MS: '5' }, 'JOBS_POLL_MS'],
    [{ JOBS_IN_PROCESS: 'maybe' }, 'JOBS_IN_PROCESS'],
  ])('refuses %o naming %s', (env, variable) => {
    expect(() => loadConfig(env as NodeJS.ProcessEnv)).toThrow(ConfigError);
    try {
      loadConfig(env as NodeJS.ProcessEnv);
    } catch (e) {
      expect((e as ConfigError).variable).toBe(variable);
    }
  });

  it('builds the backend JOBS_BACKEND names', async () => {
    const t = await createTestDb('sqlite');
    try {
      expect((await createBackend(loadConfig({}), t.db)).name).toBe('SQL');
      // MongoDB cannot run here: the backend is built from MONGO_URL without connecting
      const mongo = await createBackend(loadConfig({ JOBS_BACKEND: 'mongo', MONGO_URL: 'mongodb://127.0.0.1:27017/meiduo' }), t.db);
      expect(mongo.name).toMatch(/mongo/i);
      expect(mongo.repository).toBeDefined();
      const redis = await createBackend(loadConfig({ JOBS_BACKEND: 'redis', REDIS_URL: 'redis://127.0.0.1:6379' }), t.db);
      expect(redis.name).toMatch(/redis/i);
      await redis.disconnect();
    } finally {
      await t.drop();
    }
  });
});

describe.skipIf(!REDIS_URL)('pages.rebuild on the Redis job store', () => {
  let t: TestDb;
  let config: Config;
  let dist: string;

  beforeAll(async () => {
    t = await createTestDb('sqlite', { seed: true });
    dist = fs.mkdtempSync(path.join(os.tmpdir(), 'meiduo-dist-'));
    config = { ...loadConfig({ DATABASE_URL: t.url, JOBS_BACKEND: 'redis', REDIS_URL: REDIS_URL!, JOBS_POLL_MS: '100' }), distDir: dist };
  });
  afterAll(async () => {
    await t.drop();
    fs.rmSync(dist, { recursive: true, force: true });
  });

  it('applies the outbox once with two workers on one store', async () => {
    const a = await createJobQueue(config, t.db, createLogger('silent'));
    const b = await createJobQueue(config, t.db, createLogger('silent'));
    await a.agenda.ready;
    await a.agenda.db.purgeAllJobs(); // a lock left by an earlier, killed run would hold the job for minutes
    let runs = 0;
    a.onRebuilt((s) => (runs += s.changes));
    b.onRebuilt((s) => (runs += s.changes));
    await Promise.all([a.startWorker(), b.startWorker()]);
    try {
      // one document per repeating job, though both workers scheduled them at the same moment: the
      // Redis store's upsert reads then inserts, and two documents would be rebuilt in parallel
      for (const name of [JOB.rebuildPages, JOB.rebuildSearch]) expect((await a.agenda.db.queryJobs({ name })).total).toBe(1);
      const ctx = systemContext('jobs-backends-test', { db: t.db, clock: systemClock });
      const changeId = await requestRebuild(ctx, [{ kind: 'search' }]);
      await waitUntilApplied(ctx, changeId, { timeoutMs: 20_000 });
      await new Promise((r) => setTimeout(r, 500)); // listeners run after the outbox is cleared; a second run would show by now
      expect(runs).toBe(1);
      // then the search job publishes the index it asked for
      const manifest = path.join(dist, 'client', 'search', 'manifest.json');
      for (let i = 0; i < 200 && !fs.existsSync(manifest); i++) await new Promise((r) => setTimeout(r, 100));
      expect(fs.existsSync(manifest)).toBe(true);
    } finally {
      await a.close();
      await b.close();
    }
  }, 30_000);

  it('replaces the duplicates a store already holds with one document', async () => {
    const q = await createJobQueue(config, t.db, createLogger('silent'));
    await q.agenda.ready;
    for (let i = 0; i < 2; i++) {
      await q.agenda.db.saveJob({ name: JOB.rebuildPages, type: 'normal', priority: 0, data: {}, nextRunAt: new Date(Date.now() + 60_000) }, undefined);
    }
    await q.startWorker();
    try {
      const { jobs } = await q.agenda.db.queryJobs({ name: JOB.rebuildPages });
      expect(jobs.map((j) => j.type)).toEqual(['single']);
    } finally {
      await q.close();
    }
  });
});
