import type { Knex } from 'knex';

// Everything that differs between the embedded SQLite and MySQL/MariaDB, in one place, so services,
// migrations and the job store ask "which database?" here and nowhere else. (How transactions begin
// on SQLite is the connection's business: api/db/knex.ts.)

export function isSqlite(db: Knex): boolean {
  const client = db.client.config.client;
  return client === 'better-sqlite3' || client === 'sqlite3';
}

/**
 * Locks the rows a read selects until the transaction ends (SELECT … FOR UPDATE). SQLite has no row
 * locks and needs none: every transaction there begins IMMEDIATE (api/db/knex.ts), holding the whole
 * database's write lock from its first statement.
 */
export function forUpdate(db: Knex, q: Knex.QueryBuilder): Knex.QueryBuilder {
  return isSqlite(db) ? q : q.forUpdate();
}

/** A shared lock (`LOCK IN SHARE MODE`) where the database has row locks; SQLite writes one at a time anyway. */
export function forShare(db: Knex, q: Knex.QueryBuilder): Knex.QueryBuilder {
  return isSqlite(db) ? q : q.forShare();
}

/**
 * Table options for every table: on MySQL an explicit InnoDB + utf8mb4 table whatever the server's
 * defaults are (Chinese names must never meet latin1); SQLite has neither engines nor charsets.
 */
export function tableOptions(knex: Knex, t: Knex.CreateTableBuilder): void {
  if (isSqlite(knex)) return;
  t.engine('InnoDB');
  t.charset('utf8mb4');
  t.collate('utf8mb4_unicode_ci');
}

/**
 * A column compared byte for byte. SQLite compares text that way already; MySQL tables default to a
 * case-insensitive collation.
 */
export function caseSensitive(knex: Knex, c: Knex.ColumnBuilder): Knex.ColumnBuilder {
  return isSqlite(knex) ? c : c.collate('utf8mb4_bin');
}

/** Did MySQL pick this transaction as a deadlock's victim (rolled back: safe to run again)? */
export const isDeadlock = (err: unknown): boolean => (err as { code?: string } | null)?.code === 'ER_LOCK_DEADLOCK';

/** Is `err` a duplicate key — of a unique index or of the primary key — on either database? */
export function isDuplicateKey(err: unknown): boolean {
  const code = (err as { code?: string } | null)?.code;
  return code === 'ER_DUP_ENTRY' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

/**
 * When `err` is a unique-index (or primary-key) violation, the index it names (e.g. 'users_mobile_unique'), matched
 * against `indexes`; null for any other error. MySQL names the key in its message; SQLite names the
 * columns ("UNIQUE constraint failed: users.mobile"), so each index is given with its column.
 */
export function violatedUnique(err: unknown, indexes: Record<string, string>): string | null {
  if (!isDuplicateKey(err)) return null;
  const message = (err as { message?: string }).message ?? '';
  for (const [index, column] of Object.entries(indexes)) {
    if (message.includes(`'${index}'`) || message.includes(`.${index}'`) || message.endsWith(`.${column}`) || message.includes(`.${column},`) || message.includes(`.${column} `)) return index;
  }
  return null;
}

/**
 * `column LIKE '%text%'` for text typed by a user, its % and _ taken literally, on both databases
 * (SQLite has no default escape character and MySQL's backslash depends on the SQL mode, hence '!').
 */
export function whereContains(q: Knex.QueryBuilder, column: string, text: string, or = false): Knex.QueryBuilder {
  const pattern = `%${text.replace(/[!%_]/g, (c) => '!' + c)}%`;
  return or ? q.orWhereRaw(`?? like ? escape '!'`, [column, pattern]) : q.whereRaw(`?? like ? escape '!'`, [column, pattern]);
}

/** `column LIKE 'text%'`, the same escaping: a prefix, which an index on the column can serve. */
export function whereStartsWith(q: Knex.QueryBuilder, column: string, text: string, or = false): Knex.QueryBuilder {
  const pattern = `${text.replace(/[!%_]/g, (c) => '!' + c)}%`;
  return or ? q.orWhereRaw(`?? like ? escape '!'`, [column, pattern]) : q.whereRaw(`?? like ? escape '!'`, [column, pattern]);
}

/**
 * SQL for the exact sum, in integer cents, of a DECIMAL(10,2) money column (times a whole-number
 * column when `times` is given); 0 over no rows. MySQL sums DECIMAL exactly; SQLite holds money as
 * REAL, so each value is rounded to its cents first and integers are summed.
 */
export function sumCentsSql(db: Knex, money: string, times?: string): string {
  const by = times ? ` * ${times}` : '';
  return isSqlite(db)
    ? `COALESCE(SUM(CAST(ROUND(${money} * 100) AS INTEGER)${by}), 0)`
    : `COALESCE(CAST(SUM(${money}${by}) * 100 AS SIGNED), 0)`;
}

/**
 * INSERT rows, or add `column` of a row whose key already exists to the stored one (an upsert that
 * adds): ON CONFLICT … DO UPDATE on SQLite, ON DUPLICATE KEY UPDATE on MySQL.
 */
export async function insertOrAdd(q: Knex, table: string, keys: string[], column: string, rows: Record<string, unknown>[]): Promise<void> {
  if (rows.length === 0) return;
  const add = isSqlite(q) ? q.raw('??.?? + excluded.??', [table, column, column]) : q.raw('?? + VALUES(??)', [column, column]);
  await q(table).insert(rows).onConflict(keys).merge({ [column]: add });
}
