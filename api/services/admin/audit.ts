import type { RequestContext } from '../../context.ts';
import { db } from '../../db/transaction.ts';

// The audit trail of admin writes: who (staff id + the username at the time, or the system's name
// for the CLI and jobs), when (the context's clock), from where (IP, request id), what (action,
// resource, id) and which fields changed, old → new. Written through db(context), so an entry
// commits — or rolls back — with the write it describes. Nothing changes or deletes entries.

export interface AuditEntry {
  action: string;
  resource: string;
  resourceId: string | number | null;
  changes?: Record<string, [unknown, unknown]> | null;
}

/** Fields whose values never enter the trail (that they changed does): the one place secrets are redacted. */
const SECRET_FIELD = /password|secret|token|hash|csrf|private_key/i;
export const REDACTED = '[redacted]';

export function redactChanges(changes: Record<string, [unknown, unknown]>): Record<string, [unknown, unknown]> {
  return Object.fromEntries(
    Object.entries(changes).map(([field, [before, after]]) =>
      SECRET_FIELD.test(field) ? [field, [before == null ? before : REDACTED, after == null ? after : REDACTED]] : [field, [before, after]],
    ),
  );
}

/** Who the context acts for, as the trail names them. */
async function actorOf(context: RequestContext): Promise<{ id: number | null; name: string }> {
  const a = context.actor;
  if (a.kind === 'admin' || a.kind === 'user') {
    const row = await db(context)('users').where({ id: a.userId }).first<{ username: string } | undefined>('username');
    return { id: a.userId, name: row?.username ?? `user:${a.userId}` };
  }
  if (a.kind === 'system') return { id: null, name: a.name };
  return { id: null, name: 'anonymous' };
}

export async function recordAudit(
  context: RequestContext,
  entry: { action: string; resource: string; resourceId: string | number | null; changes?: Record<string, [unknown, unknown]> | null },
): Promise<void> {
  const actor = await actorOf(context);
  await db(context)('admin_audit').insert({
    actor_id: actor.id,
    actor_name: actor.name.slice(0, 60),
    created_at: context.clock.now().getTime(),
    ip: context.ip.slice(0, 45),
    request_id: context.requestId.slice(0, 100),
    action: entry.action,
    resource: entry.resource,
    resource_id: entry.resourceId === null ? null : String(entry.resourceId),
    changes: entry.changes ? JSON.stringify(redactChanges(entry.changes)) : null,
  });
}

/** The fields of `after` that differ from `before`, as [old, new] (for an entry's `changes`). */
export function diff(before: Record<string, unknown>, after: Record<string, unknown>): Record<string, [unknown, unknown]> {
  const out: Record<string, [unknown, unknown]> = {};
  for (const [k, v] of Object.entries(after)) {
    if (v === undefined) continue;
    const old = before[k];
    if (JSON.stringify(old) !== JSON.stringify(v)) out[k] = [old ?? null, v];
  }
  return out;
}

export interface AuditFilters {
  actor?: string;
  resource?: string;
  resourceId?: string;
  /** epoch ms, inclusive */
  from?: number;
  /** epoch ms, exclusive */
  to?: number;
  page: number;
  pageSize: number;
}

export interface AuditRecord {
  id: number;
  actor_id: number | null;
  actor: string;
  at: string;
  ip: string;
  request_id: string;
  action: string;
  resource: string;
  resource_id: string | null;
  changes: Record<string, [unknown, unknown]> | null;
}

interface AuditRow {
  id: number;
  actor_id: number | null;
  actor_name: string;
  created_at: number | string;
  ip: string;
  request_id: string;
  action: string;
  resource: string;
  resource_id: string | null;
  changes: string | null;
}

/** Newest first. */
export async function listAudit(context: RequestContext, filters: AuditFilters): Promise<{ count: number; results: AuditRecord[] }> {
  const q = () => {
    const b = db(context)('admin_audit');
    if (filters.actor !== undefined) b.where('actor_name', filters.actor);
    if (filters.resource !== undefined) b.where('resource', filters.resource);
    if (filters.resourceId !== undefined) b.where('resource_id', filters.resourceId);
    if (filters.from !== undefined) b.where('created_at', '>=', filters.from);
    if (filters.to !== undefined) b.where('created_at', '<', filters.to);
    return b;
  };
  const total = await q().count({ n: '*' }).first();
  const rows: AuditRow[] = await q()
    .orderBy([{ column: 'created_at', order: 'desc' }, { column: 'id', order: 'desc' }])
    .limit(filters.pageSize)
    .offset((filters.page - 1) * filters.pageSize);
  return {
    count: Number(total?.n ?? 0),
    results: rows.map((r) => ({
      id: Number(r.id),
      actor_id: r.actor_id === null ? null : Number(r.actor_id),
      actor: r.actor_name,
      at: new Date(Number(r.created_at)).toISOString(),
      ip: r.ip,
      request_id: r.request_id,
      action: r.action,
      resource: r.resource,
      resource_id: r.resource_id,
      changes: r.changes === null ? null : (JSON.parse(r.changes) as Record<string, [unknown, unknown]>),
    })),
  };
}
