import type { RequestContext } from '../../context.ts';

/** An admin write's audit entry, written through db(context) so it commits with the write. */
export async function recordAudit(
  _context: RequestContext,
  _entry: { action: string; resource: string; resourceId: string | number | null; changes?: Record<string, [unknown, unknown]> | null },
): Promise<void> {
  // replaced by the admin-core branch at merge
}
