import type { Nav } from '../../api/services/catalog/page-models.ts';

// The category menu is the same ~430 links on every one of the ~12,000 pages. Rendering it once per
// build as a string (instead of as Astro elements on each page) takes a large share off the full
// build. Markup and escaping match what CategoryMenu.astro rendered before.

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const link = (url: string, name: string) => `<a href="${escapeHtml(url)}">${escapeHtml(name)}</a>`;

const memo = new WeakMap<Nav, Map<boolean, string>>();

export function categoryMenuHtml(nav: Nav, expanded: boolean): string {
  let byMode = memo.get(nav);
  if (!byMode) memo.set(nav, (byMode = new Map()));
  const hit = byMode.get(expanded);
  if (hit !== undefined) return hit;

  const groups = nav.map((group) => {
    // a channel with nothing launched under it has no link (nav.ts): shown greyed, not as a dead link
    const title = group.channels
      .map((ch) => (ch.url ? link(ch.url, ch.name) : `<span class="cat-empty" title="暂无商品">${escapeHtml(ch.name)}</span>`))
      .join('<span class="slash">/</span>');
    const panel =
      group.subs.length === 0
        ? ''
        : `<div class="cat-panel">${group.subs
            .map(
              (c2) =>
                `<dl><dt>${c2.url ? link(c2.url, c2.name) : escapeHtml(c2.name)}</dt><dd>${c2.subs
                  .map((c3) => (c3.url ? link(c3.url, c3.name) : `<span>${escapeHtml(c3.name)}</span>`))
                  .join('')}</dd></dl>`,
            )
            .join('')}</div>`;
    return `<li class="cat-group"><div class="cat-title">${title}</div>${panel}</li>`;
  });
  const html = `<div class="category-menu${expanded ? ' expanded' : ''}"><button type="button" class="cat-toggle" aria-haspopup="true">商品分类</button><ul class="cat-list">${groups.join('')}</ul></div>`;
  byMode.set(expanded, html);
  return html;
}
