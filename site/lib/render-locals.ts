import type { CatalogSnapshot } from '../../api/services/catalog/snapshot.ts';

// What the rebuild job hands the on-demand twin routes through the adapter's `locals`. Only an
// in-process caller can set locals, so their presence is also the twins' guard (site/middleware.ts).
export interface RenderLocals {
  meiduoRender: true;
  snapshot: CatalogSnapshot;
}

export function renderLocals(locals: unknown): RenderLocals | null {
  const l = locals as Partial<RenderLocals> | undefined;
  return l && l.meiduoRender === true && l.snapshot ? (l as RenderLocals) : null;
}
