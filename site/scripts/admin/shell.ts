// Every console page's start (docs/admin-console.md): who is logged in (GET /api/admin/me; a 401
// goes to the login page), their name in the header, the menu and controls they may use
// (permissions.ts), the folding menu. Page scripts: `const me = await bootConsole(); if (me.can('x')) …`.
import { ADMIN_MENU, entryHref } from '../../../templates/admin/menu.ts';
import { adminGet } from './api.ts';
import { applyPermissions, holds } from './permissions.ts';

export interface Me {
  id: number;
  username: string;
  is_superuser: boolean;
  permissions: string[];
}

export interface Staff extends Me {
  held: ReadonlySet<string>;
  /** Whether they hold the permission (or one of 'a|b'). */
  can(spec: string): boolean;
}

/** Each menu entry opens the first of its pages the staff member may see (频道 → 频道组 for one holding only the groups' permission). */
function pointMenu(can: (spec: string) => boolean) {
  for (const e of ADMIN_MENU.flatMap((g) => g.entries)) {
    const a = document.querySelector<HTMLAnchorElement>(`#a-side a[data-menu-entry="${e.key}"]`);
    if (a) a.href = entryHref(e, can);
  }
}

function wireMenu() {
  const toggle = document.getElementById('a-menu-toggle');
  const side = document.getElementById('a-side');
  if (!toggle || !side) return;
  toggle.addEventListener('click', () => {
    const open = side.classList.toggle('open');
    toggle.setAttribute('aria-expanded', String(open));
  });
}

let booted: Promise<Staff> | null = null;

export function bootConsole(): Promise<Staff> {
  booted ??= (async () => {
    wireMenu();
    const me = await adminGet<Me>('/api/admin/me');
    const held = new Set(me.permissions);
    const name = document.getElementById('a-username');
    if (name) name.textContent = me.username;
    const can = (spec: string) => holds(held, spec);
    applyPermissions(held);
    pointMenu(can);
    return { ...me, held, can };
  })();
  return booted;
}

/** Text into an element by id (the pages' figures). */
export function setText(id: string, text: string): void {
  const el = document.getElementById(id);
  if (el) el.textContent = text;
}

/** An element by id, of a type; throws if the page lacks it (a template and its script disagree). */
export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`#${id} missing`);
  return el as T;
}

/** A page's loading failed: say so at the top of <main> (the console logs nothing itself). */
export function showPageError(err: unknown): void {
  const box = Object.assign(document.createElement('p'), { className: 'a-alert', textContent: `加载失败：${err instanceof Error ? err.message : '请稍后再试'}` });
  box.setAttribute('role', 'alert');
  document.getElementById('a-main')?.prepend(box);
}
