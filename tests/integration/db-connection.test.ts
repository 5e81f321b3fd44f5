import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDatabaseUrl } from '../../api/config.ts';
import { createDb } from '../../api/db/knex.ts';
import { createTestDb, type TestDb } from '../helpers/db.ts';
import { MYSQL_URL } from '../helpers/env.ts';

// DATABASE_URL=mysql://…?socket=<path>: the shop reaches a MariaDB on the same host through its Unix
// socket (no loopback TCP per statement). Against the machine's real server, on the socket it
// reports itself (@@socket); skipped when the test server is on another host.
const LOCAL = MYSQL_URL !== null && ['127.0.0.1', 'localhost', '[::1]'].includes(new URL(MYSQL_URL).hostname);

describe.skipIf(!LOCAL)('MySQL through its Unix socket', () => {
  let t: TestDb;
  let socket: string;
  beforeAll(async () => {
    t = await createTestDb('mysql');
    socket = String((await t.db.raw('SELECT @@socket AS s'))[0][0].s);
  });
  afterAll(() => t?.drop());

  it('connects through ?socket=, and the server sees a local (not a TCP) client', async (ctx) => {
    if (t.config.client !== 'mysql') throw new Error('a MySQL test database');
    if (!fs.existsSync(socket)) ctx.skip(); // a server listening on TCP only
    const auth = t.config.password ? `${encodeURIComponent(t.config.user)}:${encodeURIComponent(t.config.password)}` : encodeURIComponent(t.config.user);
    const db = createDb(parseDatabaseUrl(`mysql://${auth}@localhost/${t.config.database}?socket=${encodeURIComponent(socket)}`));
    try {
      const [[me]] = await db.raw('SELECT DATABASE() AS db, (SELECT host FROM information_schema.processlist WHERE id = CONNECTION_ID()) AS host');
      expect(me).toEqual({ db: t.config.database, host: 'localhost' });
      // the same database as over TCP: a row written there is read here
      await t.db('search_requests').insert({ scope: 'display', created_at: 42 });
      expect(await db('search_requests').where({ created_at: 42 }).pluck('scope')).toEqual(['display']);
      // while over TCP the server sees a client port ('127.0.0.1:…', or 'localhost:…' with name resolution)
      const [[tcp]] = await t.db.raw('SELECT host FROM information_schema.processlist WHERE id = CONNECTION_ID()');
      expect(tcp.host).toMatch(/:\d+$/);
    } finally {
      await db.destroy();
    }
  });
});
