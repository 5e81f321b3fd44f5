import type { RequestContext } from '../../context.ts';

/** Records who changed what (old → new), through db(context) so it commits with the caller's transaction. */
export async function recordAudit(
  _context: RequestContext,
  _entry: { action: string; resource: string; resourceId: string | number | null; changes?: Record<string, [unknown, unknown]> | null },
): Promise<void> {
  // replaced by the admin-core branch at merge
}
