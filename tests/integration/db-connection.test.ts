import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDatabaseUrl } from '../../api/config.ts';
import { createDb } from '../../api/db/knex.ts';
import { createTestDb, type TestDb } from '../helpers/db.ts';
import { MYSQL_URL } from '../helpers/env.ts';

// DATABASE_URL=mysql://…?socket=<path>: the shop reaches a MariaDB on the same host through its Unix
// socket (no loopback TCP per statement). Against the machine's real server, on the socket it
// reports itself (@@socket).
describe.skipIf(!MYSQL_URL)('MySQL through its Unix socket', () => {
  let t: TestDb;
  let socket: string;
  beforeAll(async () => {
    t = await createTestDb('mysql');
    socket = String((await t.db.raw('SELECT @@socket AS s'))[0][0].s);
  });
  afterAll(() => t?.drop());

  it('connects through ?socket=, and the server sees a local (not a TCP) client', async () => {
    if (t.config.client !== 'mysql') throw new Error('a MySQL test database');
    expect(fs.existsSync(socket), `the server's socket ${socket}`).toBe(true);
    const db = createDb(parseDatabaseUrl(`mysql://${t.config.user}@localhost/${t.config.database}?socket=${encodeURIComponent(socket)}`));
    try {
      const [[me]] = await db.raw('SELECT DATABASE() AS db, (SELECT host FROM information_schema.processlist WHERE id = CONNECTION_ID()) AS host');
      expect(me).toEqual({ db: t.config.database, host: 'localhost' });
      // the same database as over TCP: a row written there is read here
      await t.db('search_requests').insert({ scope: 'display', created_at: 42 });
      expect(await db('search_requests').where({ created_at: 42 }).pluck('scope')).toEqual(['display']);
      // while over TCP the server sees an address and a port
      const [[tcp]] = await t.db.raw('SELECT host FROM information_schema.processlist WHERE id = CONNECTION_ID()');
      expect(tcp.host).toMatch(/^[\d.]+:\d+$/);
    } finally {
      await db.destroy();
    }
  });
});
