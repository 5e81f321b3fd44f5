import type { RequestContext } from '../../context.ts';
import type { CatalogChange, SearchScope } from './dependencies.ts';
import { planFor, planUrls } from './plan-pages.ts';

// What a picture edit's answer tells the editor: the pages the pages.rebuild job will re-render for
// the changes the edit recorded, planned as the job plans them (plan-pages.ts) from the catalog as
// the edit's transaction sees it. The job plans again when it runs (other edits may have come
// since); this is the edit's own share.

export interface AffectedPages {
  /** The outbox id the edit's changes are recorded at or before (outbox.ts waitUntilApplied). */
  change_id: number;
  /** Every page is rebuilt (a category gained its first or lost its last launched SKU …). */
  full: boolean;
  /** The pages re-rendered (site paths); empty when `full`. */
  pages: string[];
  /** The search publish asked for: the whole index, the display file only, or none. */
  search: SearchScope | null;
}

/** What an edit of pictures tells its editor, by the one planning (plan-pages.ts) the job and the catalog editor use. */
export async function affectedPages(context: RequestContext, changes: CatalogChange[], changeId: number): Promise<AffectedPages> {
  const plan = await planFor(context, changes);
  return { change_id: changeId, full: plan.full, pages: plan.full ? [] : await planUrls(context, plan), search: plan.search };
}
