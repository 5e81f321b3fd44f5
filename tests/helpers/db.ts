import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import knexFactory, { type Knex } from 'knex';
import { parseDatabaseUrl, type DatabaseConfig } from '../../api/config.ts';
import { createDb } from '../../api/db/knex.ts';
import { migrateLatest } from '../../api/db/migrate.ts';
import { seedCatalog } from '../../api/services/seed/seed.ts';
import { MYSQL_URL, type DbKind } from './env.ts';

// A fresh, empty database per test file: a temp SQLite file, or a new MariaDB database named for
// this process. drop() removes it.

export interface TestDb {
  kind: DbKind;
  config: DatabaseConfig;
  url: string;
  db: Knex;
  mediaDir: string;
  drop(): Promise<void>;
}

export async function createTestDb(kind: DbKind, opts: { migrate?: boolean; seed?: boolean; skus?: number } = {}): Promise<TestDb> {
  const tag = `${process.pid}_${crypto.randomBytes(3).toString('hex')}`;
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'meiduo-test-'));
  const mediaDir = path.join(tmp, 'media');
  let url: string;
  let dropServerDb = async () => {};
  if (kind === 'sqlite') {
    url = `sqlite:${path.join(tmp, 'test.sqlite')}`;
  } else {
    if (!MYSQL_URL) throw new Error('TEST_MYSQL_URL is not set');
    const server = parseDatabaseUrl(MYSQL_URL);
    if (server.client !== 'mysql') throw new Error('TEST_MYSQL_URL must be mysql://');
    const name = `meiduo_t_${tag}`;
    const admin = knexFactory({ client: 'mysql2', connection: { host: server.host, port: server.port, user: server.user, password: server.password } });
    await admin.raw(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
    await admin.destroy();
    const u = new URL(MYSQL_URL);
    u.pathname = `/${name}`;
    url = u.toString();
    dropServerDb = async () => {
      const a = knexFactory({ client: 'mysql2', connection: { host: server.host, port: server.port, user: server.user, password: server.password } });
      await a.raw(`DROP DATABASE IF EXISTS \`${name}\``);
      await a.destroy();
    };
  }
  const config = parseDatabaseUrl(url);
  const db = createDb(config);
  if (opts.migrate !== false || opts.seed) await migrateLatest(db);
  if (opts.seed) await seedCatalog(db, { mediaDir, skus: opts.skus });
  return {
    kind,
    config,
    url,
    db,
    mediaDir,
    async drop() {
      await db.destroy();
      await dropServerDb();
      fs.rmSync(tmp, { recursive: true, force: true });
    },
  };
}
