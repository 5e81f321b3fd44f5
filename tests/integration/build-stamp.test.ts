import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../api/config.ts';
import { currentStamp } from '../../jobs/build.ts';
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
});
