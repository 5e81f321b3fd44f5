import fs from 'node:fs';
import path from 'node:path';
import knexFactory, { type Knex } from 'knex';
import type { DatabaseConfig } from '../config.ts';

export type Db = Knex;

// The module that opens a pool is the one that closes it: callers get `destroy` with the handle.
export function createDb(cfg: DatabaseConfig, opts: { pool?: number } = {}): Knex {
  if (cfg.client === 'sqlite') {
    if (cfg.filename !== ':memory:') fs.mkdirSync(path.dirname(cfg.filename), { recursive: true });
    return knexFactory({
      client: 'better-sqlite3',
      connection: { filename: cfg.filename },
      useNullAsDefault: true,
      // better-sqlite3 is synchronous: one connection serves every query without contention, and
      // a single connection keeps `:memory:` databases whole.
      pool: {
        min: 1,
        max: 1,
        afterCreate(conn: SqliteConnection, done: (err: Error | null, conn: unknown) => void) {
          try {
            cachePreparedStatements(conn);
            conn.pragma('journal_mode = WAL');
            conn.pragma('synchronous = NORMAL');
            conn.pragma('foreign_keys = ON');
            conn.pragma('busy_timeout = 5000');
            done(null, conn);
          } catch (err) {
            done(err as Error, conn);
          }
        },
      },
    });
  }
  return knexFactory({
    client: 'mysql2',
    connection: {
      ...(cfg.socketPath ? { socketPath: cfg.socketPath } : { host: cfg.host, port: cfg.port }),
      user: cfg.user,
      password: cfg.password,
      database: cfg.database,
      charset: 'utf8mb4',
      timezone: 'Z',
      dateStrings: true, // same 'YYYY-MM-DD HH:MM:SS' strings as SQLite
      supportBigNumbers: true,
      decimalNumbers: false, // DECIMAL stays a string: money is converted exactly in api/money.ts
    },
    pool: { min: 0, max: opts.pool ?? 10 },
  });
}

interface SqliteConnection {
  pragma(sql: string): unknown;
  prepare(sql: string): unknown;
}

// Two adjustments to what knex sends to better-sqlite3:
// - knex prepares every query anew; on a hot read that costs more than running it. Statements are
//   reusable in better-sqlite3, so keep the most recent ones by SQL text.
// - knex opens transactions with a plain BEGIN (deferred). In WAL mode a transaction that reads and
//   then writes fails with SQLITE_BUSY_SNAPSHOT if another process wrote in between (the web
//   process's job worker, a CLI edit), and busy_timeout cannot help. BEGIN IMMEDIATE takes the write
//   lock up front, so concurrent writers queue on busy_timeout instead: SQLite's SELECT … FOR UPDATE.
function cachePreparedStatements(conn: SqliteConnection, max = 500) {
  const prepare = conn.prepare.bind(conn);
  const cache = new Map<string, unknown>();
  conn.prepare = (text: string) => {
    const sql = text === 'BEGIN;' ? 'BEGIN IMMEDIATE;' : text;
    let st = cache.get(sql);
    if (st === undefined) {
      st = prepare(sql);
      cache.set(sql, st);
      if (cache.size > max) cache.delete(cache.keys().next().value as string);
    }
    return st;
  };
}

// where it was always imported from; the dialect rules live in dialect.ts
export { isSqlite } from './dialect.ts';

/** 'YYYY-MM-DD HH:MM:SS' in UTC, the format both databases store and return; pass the context's clock.now(). */
export function sqlNow(date: Date): string {
  return date.toISOString().slice(0, 19).replace('T', ' ');
}
