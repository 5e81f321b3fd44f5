import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../api/config.ts';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { currentStamp, isBuildStale, writeStamp } from '../../jobs/build.ts';
import { createTestDb, type TestDb } from '../helpers/db.ts';

// The build stamp (dist/.meiduo-build.json) tells `npm start` whether dist/ matches the database and
// the catalog. It must tell databases apart without writing a MySQL password into dist/.
describe('the build stamp', () => {
  let t: TestDb;
  beforeAll(async () => {
    t = await createTestDb('sqlite');
  });
  afterAll(() => t?.drop());

  it('names the database by a hash of its URL, never the URL with its password', async () => {
    const stampFor = (url: string) => currentStamp(loadConfig({ DATABASE_URL: url }), t.db);
    const a = await stampFor('mysql://shop:s3cret-pass@db.local:3306/meiduo');
    const b = await stampFor('mysql://shop:s3cret-pass@db.local:3306/meiduo_staging');
    expect(JSON.stringify(a)).not.toContain('s3cret');
    expect(a.database).toMatch(/^[0-9a-f]{16}$/);
    expect(a.database).not.toBe(b.database);
    expect((await stampFor('mysql://shop:s3cret-pass@db.local:3306/meiduo')).database).toBe(a.database);
  });

  it('calls a build stale when SITE_URL changed: its pages carry the old origin in every canonical URL', async () => {
    const dist = fs.mkdtempSync(path.join(os.tmpdir(), 'meiduo-stamp-'));
    try {
      const config = (env: Record<string, string>) => ({ ...loadConfig({ DATABASE_URL: 'sqlite:/tmp/x.sqlite3', ...env }), distDir: dist });
      const built = config({ SITE_URL: 'https://shop.example.com' });
      await writeStamp(dist, await currentStamp(built, t.db));
      expect(await isBuildStale(built, t.db)).toBeNull();
      expect(await isBuildStale(config({ SITE_URL: 'https://www.example.com' }), t.db)).toBe('SITE_URL changed');
    } finally {
      fs.rmSync(dist, { recursive: true, force: true });
    }
  });
});
