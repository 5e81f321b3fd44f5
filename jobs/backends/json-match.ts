import type { Knex } from 'knex';
import { ms } from './job-rows.ts';

// Matching jobs by their JSON data column, as Mongo reads a filter: `{ a: { b: 1 } }` means the
// path a.b equals 1, and null also matches a missing key. Used by queryJobs / removeJobs (a data
// filter) and by unique() (its query: 'data.a.b' paths and a few top-level fields). SQLite compares
// `data -> '$."a"."b"'`, MariaDB/MySQL JSON_COMPACT(JSON_EXTRACT(...)): both give compact JSON text.

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && [Object.prototype, null].includes(Object.getPrototypeOf(v));

/** Mongo's reading of a data filter: nested objects are paths, anything else must equal. */
function dataPaths(value: unknown, prefix: string[] = []): [string[], unknown][] {
  if (!isPlainObject(value)) return [[prefix, value]];
  return Object.entries(value).flatMap(([k, v]) => dataPaths(v, [...prefix, k]));
}

// Top-level fields a unique() query may name besides data paths, with their stored form.
const UNIQUE_COLUMNS: Record<string, [string, (v: unknown) => unknown]> = {
  name: ['name', String],
  type: ['type', String],
  priority: ['priority', Number],
  disabled: ['disabled', (v) => (v ? 1 : 0)],
  nextRunAt: ['next_run_at', (v) => ms(v as Date)],
  repeatInterval: ['repeat_interval', String],
  repeatAt: ['repeat_at', String],
  repeatTimezone: ['repeat_timezone', String],
};

/** A JSON value at a path of the data column, as compact JSON text on both databases. */
function jsonAt(sqlite: boolean, path: string[]): [string, string[]] {
  const p = '$' + path.map((k) => {
    if (/["\\]/.test(k)) throw new Error(`unsupported data key ${JSON.stringify(k)}`);
    return `."${k}"`;
  }).join('');
  return sqlite ? ['(?? -> ?)', ['data', p]] : ['JSON_COMPACT(JSON_EXTRACT(??, ?))', ['data', p]];
}

function whereJsonEquals(qb: Knex.QueryBuilder, sqlite: boolean, path: string[], value: unknown) {
  const [expr, bindings] = jsonAt(sqlite, path);
  // as in Mongo, null also matches a missing key
  if (value == null) qb.where((w) => w.whereRaw(`${expr} IS NULL`, bindings).orWhereRaw(`${expr} = 'null'`, bindings));
  else qb.whereRaw(`${expr} = ?`, [...bindings, JSON.stringify(value)]);
}

/** True when a data filter names at least one path: an empty one ({}) designates nothing, as in Mongo. */
export const hasDataCriteria = (data: unknown): boolean => dataPaths(data).length > 0;

export function whereData(qb: Knex.QueryBuilder, sqlite: boolean, data: unknown) {
  for (const [path, value] of dataPaths(data)) whereJsonEquals(qb, sqlite, path, value);
}

export function whereUnique(qb: Knex.QueryBuilder, sqlite: boolean, unique: Record<string, unknown>) {
  for (const [key, value] of Object.entries(unique)) {
    if (isPlainObject(value) && Object.keys(value).some((k) => k.startsWith('$'))) {
      throw new Error(`unique(): query operators are not supported (${key})`);
    }
    if (key === 'data' || key.startsWith('data.')) {
      whereJsonEquals(qb, sqlite, key === 'data' ? [] : key.slice(5).split('.'), value);
    } else if (UNIQUE_COLUMNS[key]) {
      const [column, store] = UNIQUE_COLUMNS[key];
      if (value == null) qb.whereNull(column);
      else qb.where(column, store(value) as Knex.Value);
    } else {
      throw new Error(`unique(): unsupported key "${key}"`);
    }
  }
}
