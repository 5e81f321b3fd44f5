import { listUrl } from './paths.ts';
import type { Crumb, Nav } from './page-models.ts';
import type { Category, Channel, ChannelGroup } from './types.ts';

// The three-level menu (groups → channels → second → third level) and breadcrumbs, from the small
// category tables. Pure, so the page build and the API share it.

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

export function buildNav(categories: Iterable<Category>, channels: Channel[], groups: ChannelGroup[]): Nav {
  const children = childrenIndex(categories);
  const byCategory = new Map<number, Category>();
  for (const list of children.values()) for (const c of list) byCategory.set(c.id, c);

  return [...groups]
    .sort((a, b) => a.id - b.id)
    .map((g) => {
      const chans = channels.filter((ch) => ch.groupId === g.id && byCategory.has(ch.categoryId)).sort(bySeq);
      return {
        id: g.id,
        channels: chans.map((ch) => ({ id: ch.categoryId, name: byCategory.get(ch.categoryId)!.name, url: ch.url })),
        subs: chans.flatMap((ch) =>
          (children.get(ch.categoryId) ?? []).map((c2) => ({
            id: c2.id,
            name: c2.name,
            url: '',
            subs: (children.get(c2.id) ?? []).map((c3) => ({ id: c3.id, name: c3.name, url: listUrl(c3.id) })),
          })),
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

export function buildBreadcrumb(categoryId: number, byId: Map<number, Category>, channels: Channel[]): Crumb[] {
  const chain = ancestry(categoryId, byId);
  return chain.map((c, i) => {
    let url = '';
    if (i === 0) url = channels.find((ch) => ch.categoryId === c.id)?.url ?? '';
    else if (i === 2) url = listUrl(c.id);
    return { id: c.id, name: c.name, url };
  });
}
