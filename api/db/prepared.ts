import type { Knex } from 'knex';
import { isSqlite } from './dialect.ts';

// A hot read by fixed SQL (GET /api/skus/{id}: every SKU page asks it), run on a connection of the
// pool as knex would, but without knex's query builder, compiler and runner, which cost more than the
// query itself (docs/architecture.md, "Hot reads"). The statement is prepared once per connection:
// better-sqlite3's by the cache api/db/knex.ts installs, mysql2's `execute` keeps its own per
// connection. The pool is the same, so on SQLite the read still waits for a transaction holding the
// one connection instead of reading its uncommitted rows. Only for the pool: a request inside a
// transaction reads through it (db(context)) with knex.

type Row = Record<string, unknown>;
interface SqliteConn {
  prepare(sql: string): { all(bindings: readonly unknown[]): Row[] };
}
interface MysqlConn {
  execute(sql: string, bindings: readonly unknown[], cb: (err: Error | null, rows: Row[]) => void): void;
}
interface PoolClient {
  acquireConnection(): Promise<unknown>;
  releaseConnection(conn: unknown): Promise<unknown>;
  // tarn's pool (knex's); `free` holds the idle connections
  pool?: { numUsed(): number; numPendingAcquires(): number; free: { resource: unknown }[] };
}

/** Rows of `sql` (plain `?` placeholders, the same text on both databases) with these bindings. */
export async function preparedRows(knex: Knex, sql: string, bindings: readonly unknown[]): Promise<Row[]> {
  const client = knex.client as unknown as PoolClient;
  const sqlite = isSqlite(knex);
  // SQLite's one connection idle (no transaction holds it, nobody waits): better-sqlite3 runs the
  // statement synchronously, so nothing can take the connection in between — no acquire needed.
  const pool = client.pool;
  if (sqlite && pool && pool.numUsed() === 0 && pool.numPendingAcquires() === 0 && pool.free.length > 0) {
    return (pool.free[0]!.resource as SqliteConn).prepare(sql).all(bindings);
  }
  const conn = await client.acquireConnection();
  try {
    if (sqlite) return (conn as SqliteConn).prepare(sql).all(bindings);
    return await new Promise<Row[]>((resolve, reject) => (conn as MysqlConn).execute(sql, bindings, (err, rows) => (err ? reject(err) : resolve(rows))));
  } finally {
    await client.releaseConnection(conn);
  }
}
