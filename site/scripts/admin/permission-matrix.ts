// The permission matrix of the group and staff forms: one row per resource (goods.sku, …), one column
// per action (查看 / 新增 / 修改 / 删除), a checkbox where the catalog (GET /api/admin/permissions)
// has that permission. The checkboxes carry no name: the page reads `selected()` into its body.
import { adminGet, ApiError, type Page } from './api.ts';

export interface Permission { id: number; codename: string; name: string; resource: string; action: string }

const ACTIONS: [string, string][] = [['view', '查看'], ['add', '新增'], ['change', '修改'], ['delete', '删除']];

export const loadPermissions = () => adminGet<Page<Permission>>('/api/admin/permissions?page_size=100').then((p) => p.results);

/**
 * Without auth.view_permission the catalog cannot be read: the form keeps the permissions it was
 * given (`held`) and says why there is no matrix.
 */
export function matrixOrNote(host: HTMLElement, perms: Permission[] | null, caption: string, held: () => readonly string[]): Matrix {
  if (perms) return mountMatrix(host, perms, caption);
  host.textContent = '需要“查看权限”的权限才能修改这里的权限；保存时保持原样。';
  host.className = 'a-muted';
  return { set: () => {}, selected: () => [...held()] };
}

export interface Matrix {
  set(codenames: readonly string[]): void;
  selected(): string[];
}

export function mountMatrix(host: HTMLElement, perms: Permission[], caption: string): Matrix {
  const rows = new Map<string, Permission[]>();
  for (const p of perms) rows.set(p.resource, [...(rows.get(p.resource) ?? []), p]);
  const boxes: HTMLInputElement[] = [];
  const table = document.createElement('table');
  table.className = 'a-table a-matrix';
  table.append(Object.assign(document.createElement('caption'), { className: 'visually-hidden', textContent: caption }));
  const head = document.createElement('tr');
  head.append(Object.assign(document.createElement('th'), { scope: 'col', textContent: '对象' }));
  for (const [, label] of ACTIONS) head.append(Object.assign(document.createElement('th'), { scope: 'col', textContent: label }));
  table.createTHead().append(head);
  const body = table.createTBody();
  for (const [resource, list] of rows) {
    const tr = document.createElement('tr');
    // the row's name: the permissions' names without their action word (查看SKU → SKU)
    const label = list[0]!.name.replace(/^(查看|新增|修改|删除)/, '');
    const th = Object.assign(document.createElement('th'), { scope: 'row', textContent: label });
    th.append(Object.assign(document.createElement('small'), { className: 'a-muted', textContent: ` ${resource}` }));
    tr.append(th);
    for (const [action] of ACTIONS) {
      const td = document.createElement('td');
      const p = list.find((x) => x.action === action);
      if (p) {
        const box = Object.assign(document.createElement('input'), { type: 'checkbox', value: p.codename });
        box.setAttribute('aria-label', `${p.name}（${p.codename}）`);
        boxes.push(box);
        td.append(box);
      }
      tr.append(td);
    }
    // a permission outside view/add/change/delete (site.change_site is one) gets its own line
    const odd = list.filter((x) => !ACTIONS.some(([a]) => a === x.action));
    for (const p of odd) {
      const box = Object.assign(document.createElement('input'), { type: 'checkbox', value: p.codename });
      const l = document.createElement('label');
      l.append(box, ` ${p.name}`);
      boxes.push(box);
      tr.lastElementChild!.append(l);
    }
    body.append(tr);
  }
  const wrap = document.createElement('div');
  wrap.className = 'a-table-wrap';
  wrap.append(table);
  host.replaceChildren(wrap);
  return {
    set: (codenames) => boxes.forEach((b) => (b.checked = codenames.includes(b.value))),
    selected: () => boxes.filter((b) => b.checked).map((b) => b.value),
  };
}

/**
 * A write refused because it grants what the editor lacks (403 GRANT_NOT_HELD) is about the matrix:
 * the same error, its message under the permissions instead of on top.
 */
export async function grantsUnderMatrix<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (err) {
    if (err instanceof ApiError && err.code === 'GRANT_NOT_HELD') throw new ApiError(err.status, err.code, err.message, { permissions: err.message });
    throw err;
  }
}
