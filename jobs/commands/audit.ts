import type { Config } from '../../api/config.ts';
import { UsageError, args } from './arguments.ts';
import { cliContext, out, withDb } from './terminal.ts';

/** `meiduo audit [--resource users.staff] [--since YYYY-MM-DD] [--limit N] [--json]`: the admin audit trail, newest first. */
export async function run(config: Config, argv: string[]) {
  const { values } = args(argv, { resource: { type: 'string' }, since: { type: 'string' }, limit: { type: 'string' } });
  let from: number | undefined;
  if (values.since !== undefined) {
    // a Beijing day, as the API's date_from
    if (!/^\d{4}-\d{2}-\d{2}$/.test(values.since) || Number.isNaN(Date.parse(values.since + 'T00:00:00Z'))) throw new UsageError(`--since: a date YYYY-MM-DD (got '${values.since}')`);
    from = Date.parse(values.since + 'T00:00:00Z') - 8 * 3600_000;
  }
  const limit = values.limit === undefined ? 50 : Number(values.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 100 || !/^\d+$/.test(values.limit ?? '50')) throw new UsageError(`--limit: 1-100 (got '${values.limit}')`);
  const { listAudit } = await import('../../api/services/admin/audit.ts');
  await withDb(config, async (db) => {
    const r = await listAudit(await cliContext(db, 'audit'), { resource: values.resource, from, page: 1, pageSize: limit });
    const lines = r.results.map((e) => `${e.at}\t${e.actor}\t${e.action}\t${e.resource}${e.resource_id === null ? '' : ' ' + e.resource_id}\t${e.changes ? Object.keys(e.changes).join(',') : ''}`);
    out(values.json, r, lines.length ? `${lines.join('\n')}\n(${r.results.length} of ${r.count})` : 'no audit entries');
  });
}
