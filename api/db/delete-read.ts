import type { Knex } from 'knex';

// Outbox-style tables (page_changes, search_requests, sales_changes) are drained by a job that reads
// rows, acts on them, then deletes them. It must delete exactly the rows it read, never "every id up
// to the last one read": on MySQL/MariaDB ids are handed out at INSERT but become visible at COMMIT,
// so a row with a lower id can commit after the read (a longer transaction that inserted first) and
// a `DELETE … WHERE id <= last` would drop it unapplied. (On SQLite writers take turns, so ids
// commit in order, but the rule costs nothing there.)
//
// The ids read are deleted as runs of consecutive ids (`id BETWEEN a AND b`): no row can hide
// inside a run whose every id was read, while a gap — a rolled-back insert, or a row still
// uncommitted — stays out of every range.

/** [first, last] of each run of consecutive ids, ascending. */
export function idRuns(ids: readonly number[]): [number, number][] {
  const sorted = [...new Set(ids)].sort((a, b) => a - b);
  const runs: [number, number][] = [];
  for (const id of sorted) {
    const last = runs[runs.length - 1];
    if (last && id === last[1] + 1) last[1] = id;
    else runs.push([id, id]);
  }
  return runs;
}

const RUNS_PER_STATEMENT = 200;

/** Deletes exactly the rows whose ids were read; returns how many went. */
export async function deleteRowsRead(q: Knex | Knex.Transaction, table: string, ids: readonly number[]): Promise<number> {
  const runs = idRuns(ids);
  let deleted = 0;
  for (let i = 0; i < runs.length; i += RUNS_PER_STATEMENT) {
    const chunk = runs.slice(i, i + RUNS_PER_STATEMENT);
    deleted += await q(table)
      .where((w) => {
        for (const [a, b] of chunk) {
          if (a === b) w.orWhere('id', a);
          else w.orWhereBetween('id', [a, b]);
        }
      })
      .del();
  }
  return deleted;
}
