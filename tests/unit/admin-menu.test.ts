import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PERMISSION_CATALOG } from '../../api/services/admin/permission-catalog.ts';
import { holds } from '../../site/scripts/admin/permissions.ts';
import { ADMIN_MENU, anyOf, entryHref, entryPermission } from '../../templates/admin/menu.ts';

// The console's side menu (templates/admin/menu.ts) against the pages it leads to: every console page
// is in its entry with the permission its AdminLayout declares, so an entry shows to whoever may see
// any of its pages — spec options, channel groups and content categories have permissions of their
// own, not their parent's — and opens the first of them they may see.

const PAGES_DIR = path.resolve(import.meta.dirname, '../../site/pages/admin');

/** Each console page: its URL, its AdminLayout's `page` (the menu key) and `permission`. */
function consolePages(): { href: string; key: string; permission: string }[] {
  const found = [];
  for (const file of fs.readdirSync(PAGES_DIR, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.astro'))) {
    const layout = /<AdminLayout\b[^>]*\bpage="([^"]+)"[^>]*\bpermission="([^"]+)"/.exec(fs.readFileSync(path.join(PAGES_DIR, file), 'utf8'));
    if (!layout) continue; // login, logout: no layout, no menu
    const href = file === path.join('index', 'index.astro') ? '/admin/' : `/admin/${file.replace(/\.astro$/, '.html')}`;
    found.push({ href, key: layout[1]!, permission: layout[2]! });
  }
  return found;
}

const entry = (key: string) => ADMIN_MENU.flatMap((g) => g.entries).find((e) => e.key === key)!;
const groupOf = (key: string) => ADMIN_MENU.find((g) => g.entries.some((e) => e.key === key))!;
const holder = (...permissions: string[]) => {
  const held = new Set(permissions);
  return (spec: string) => holds(held, spec);
};

describe('the console’s side menu', () => {
  it('holds each page’s permission in its entry, and each entry page is a console page declaring that permission', () => {
    const pages = consolePages();
    expect(pages.length).toBeGreaterThanOrEqual(20);
    const catalog = new Set(PERMISSION_CATALOG.map((p) => p.codename));
    for (const p of pages) {
      const e = entry(p.key);
      expect(e, `${p.href}: no menu entry '${p.key}'`).toBeDefined();
      expect(entryPermission(e).split('|'), `${p.href} needs ${p.permission}`).toContain(p.permission);
    }
    for (const e of ADMIN_MENU.flatMap((g) => g.entries)) {
      for (const mp of e.pages) {
        expect(catalog.has(mp.permission), mp.permission).toBe(true);
        expect(pages, `${e.key}: ${mp.href}`).toContainEqual({ href: mp.href, key: e.key, permission: mp.permission });
      }
    }
  });

  it('shows an entry and its group to a holder of only the part’s permission, opening the part’s page', () => {
    for (const [key, parent, part, partPage] of [
      ['specs', 'goods.view_spec', 'goods.view_spec_option', '/admin/spec-options.html'],
      ['channels', 'goods.view_channel', 'goods.view_channel_group', '/admin/channel-groups.html'],
      ['contents', 'contents.view_content', 'contents.view_content_category', '/admin/content-categories.html'],
    ] as const) {
      const e = entry(key);
      const parentPage = e.pages[0]!.href;
      for (const [can, shown, href] of [
        [holder(part), true, partPage],
        [holder(parent), true, parentPage],
        [holder(parent, part), true, parentPage],
        [holder('goods.view_sku'), false, parentPage],
      ] as const) {
        expect(can(entryPermission(e)), key).toBe(shown);
        expect(entryHref(e, can), key).toBe(href);
      }
      expect(holder(part)(anyOf(groupOf(key))), key).toBe(true);
    }
    expect(holder('goods.view_channel_group')(anyOf(ADMIN_MENU.find((g) => g.label === '订单管理')!))).toBe(false);
  });
});
