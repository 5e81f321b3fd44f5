import { listUrl } from './paths.ts';
import type { Crumb, Nav } from './page-models.ts';
import type { Category, Channel, ChannelGroup } from './types.ts';

// The three-level menu (groups → channels → second → third level) and breadcrumbs, from the small
// category tables. Pure, so the page build and the API share it.
//
// The menu never links a category with nothing to show: a third-level category without a launched
// SKU is left out, and so is a second-level one left with no third level. A channel with nothing
// under it stays in its group's title (the groups keep their shape) but unlinked (url ''); one whose
// stored link leads to an empty list page links its first filled list page instead. `filled` is the
// set of third-level categories with a launched SKU — the one fact the menu depends on besides the
// category tables (the rebuild's dependency map re-renders every page when it changes).

const bySeq = <T extends { sequence: number; id: number }>(a: T, b: T) => a.sequence - b.sequence || a.id - b.id;

export function childrenIndex(categories: Iterable<Category>): Map<number | null, Category[]> {
  const children = new Map<number | null, Category[]>();
  for (const c of categories) {
    const list = children.get(c.parentId) ?? [];
    list.push(c);
    children.set(c.parentId, list);
  }
  for (const list of children.values()) list.sort(bySeq);
  return children;
}

/** The category a list-page URL shows ('/list/115/default/1.html' → 115), else null. */
export function listCategoryOf(url: string): number | null {
  const m = /^\/list\/(\d+)\//.exec(url);
  return m ? Number(m[1]) : null;
}

/** A link is dead when it leads to the list page of a category with nothing launched in it. */
export const isDeadListLink = (url: string, filled: ReadonlySet<number>) => {
  const id = listCategoryOf(url);
  return id !== null && !filled.has(id);
};

/**
 * Where each channel links, by its first-level category: its stored URL, unless that is a dead list
 * link; then its first filled third-level category's list; '' when nothing under it is launched.
 */
export function channelUrls(categories: Iterable<Category>, channels: Channel[], filled: ReadonlySet<number>): Map<number, string> {
  const children = childrenIndex(categories);
  const out = new Map<number, string>();
  for (const ch of channels) {
    const leaves = (children.get(ch.categoryId) ?? []).flatMap((c2) => children.get(c2.id) ?? []).filter((c3) => filled.has(c3.id));
    let url = '';
    if (leaves.length > 0) url = ch.url && !isDeadListLink(ch.url, filled) ? ch.url : listUrl(leaves[0]!.id);
    out.set(ch.categoryId, url);
  }
  return out;
}

export function buildNav(categories: Iterable<Category>, channels: Channel[], groups: ChannelGroup[], filled: ReadonlySet<number>): Nav {
  const all = [...categories];
  const children = childrenIndex(all);
  const byCategory = new Map<number, Category>();
  for (const list of children.values()) for (const c of list) byCategory.set(c.id, c);
  const urls = channelUrls(all, channels, filled);

  return [...groups]
    .sort((a, b) => a.id - b.id)
    .map((g) => {
      const chans = channels.filter((ch) => ch.groupId === g.id && byCategory.has(ch.categoryId)).sort(bySeq);
      return {
        id: g.id,
        channels: chans.map((ch) => ({ id: ch.categoryId, name: byCategory.get(ch.categoryId)!.name, url: urls.get(ch.categoryId) ?? '' })),
        subs: chans.flatMap((ch) =>
          (children.get(ch.categoryId) ?? [])
            .map((c2) => ({
              id: c2.id,
              name: c2.name,
              url: '',
              subs: (children.get(c2.id) ?? []).filter((c3) => filled.has(c3.id)).map((c3) => ({ id: c3.id, name: c3.name, url: listUrl(c3.id) })),
            }))
            .filter((c2) => c2.subs.length > 0),
        ),
      };
    })
    .filter((g) => g.channels.length > 0);
}

/** Root-first chain of a category: [level1, level2, level3] for a leaf. */
export function ancestry(categoryId: number, byId: Map<number, Category>): Category[] {
  const chain: Category[] = [];
  let c = byId.get(categoryId);
  while (c && chain.length < 3) {
    chain.unshift(c);
    c = c.parentId === null ? undefined : byId.get(c.parentId);
  }
  return chain;
}

/** `channels`: channelUrls() of the same tables. */
export function buildBreadcrumb(categoryId: number, byId: Map<number, Category>, channels: Map<number, string>, filled: ReadonlySet<number>): Crumb[] {
  const chain = ancestry(categoryId, byId);
  return chain.map((c, i) => {
    let url = '';
    if (i === 0) url = channels.get(c.id) ?? '';
    else if (i === 2 && filled.has(c.id)) url = listUrl(c.id);
    return { id: c.id, name: c.name, url };
  });
}
