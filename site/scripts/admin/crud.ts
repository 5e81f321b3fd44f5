// A list with its form on one page, for the short catalog resources (categories, channels, channel
// groups, specs, options, SPUs, contents: docs/admin-console.md). The ListKit `id` lists the rows;
// each row's 编辑 fills the form `${id}-form` (PATCH), 新增 empties it (POST); 删除 asks first.
// After a write: the pages being re-rendered (the answer's `pages`), and the list again.
import { adminGet, adminRequest } from './api.ts';
import { bindForm, fillForm, setFormMessage } from './form-kit.ts';
import { mountList, type Column } from './list-kit.ts';
import { byId, type Staff } from './shell.ts';
import type { Written } from './catalog-data.ts';

export interface CrudOptions<T extends { id: number }> {
  id: string;
  endpoint: string;
  /** 'goods.%_category': % is view/add/change/delete. */
  permission: string;
  noun: string;
  columns: Column<T>[];
  /** The body of POST (editing null) or PATCH from the form's values. */
  body(values: Record<string, string>, editing: T | null): Record<string, unknown>;
  /** Form values of a row (default: the row). */
  toForm?(row: T): Record<string, unknown>;
  /** Fields set at creation only: read-only while editing (a <select>, and its picker's search box, disabled). */
  createOnly?: string[];
  /**
   * After the form is filled with a row (编辑) or emptied (新增: null): for pickers that fill themselves
   * (pickers.ts) and what a page draws from the form (the contents' preview). After a save, `saved`.
   */
  filled?(row: T | null): void;
  /** What the form shows once a write went through (default: the pages). */
  saved?(answer: T & Written): string;
}

const perm = (model: string, action: string) => model.replace('%', action);

export function pagesText(pages: string[]): string {
  if (pages.length === 0) return '没有需要重新生成的页面';
  if (pages.includes('*')) return '正在重新生成全部页面';
  return `正在重新生成 ${pages.length} 个页面：${pages.slice(0, 6).join('、')}${pages.length > 6 ? ' 等' : ''}`;
}

export function mountCrud<T extends { id: number }>(me: Staff, o: CrudOptions<T>): { reload(): Promise<void> } {
  const form = byId<HTMLFormElement>(`${o.id}-form`);
  const heading = byId(`${o.id}-form-title`);
  const save = form.querySelector<HTMLButtonElement>('button[type="submit"]')!;
  let editing: T | null = null;
  const setMode = (row: T | null) => {
    editing = row;
    heading.textContent = row ? `编辑${o.noun} #${row.id}` : `新增${o.noun}`;
    const need = perm(o.permission, row ? 'change' : 'add');
    save.hidden = !me.can(need);
    for (const name of o.createOnly ?? []) {
      const field = form.elements.namedItem(name);
      if (field instanceof HTMLSelectElement) field.disabled = Boolean(row);
      else (field as HTMLInputElement).readOnly = Boolean(row);
      for (const search of form.querySelectorAll<HTMLInputElement>(`[data-search-for="${name}"]`)) search.disabled = Boolean(row);
    }
  };
  const edit = (row: T) => {
    form.reset();
    setFormMessage(form, null);
    fillForm(form, o.toForm ? o.toForm(row) : row);
    o.filled?.(row);
    setMode(row);
    form.querySelector<HTMLElement>('input:not([readonly]):not(:disabled), select:not(:disabled), textarea')?.focus();
  };
  const button = (text: string, label: string, onClick: () => void) => {
    const b = Object.assign(document.createElement('button'), { type: 'button', className: 'a-btn', textContent: text });
    b.setAttribute('aria-label', label);
    b.addEventListener('click', onClick);
    return b;
  };
  const actions = (row: T) => {
    const span = document.createElement('span');
    span.className = 'a-row-actions';
    span.append(button('编辑', `编辑${o.noun} #${row.id}`, () => void adminGet<T>(`${o.endpoint}/${row.id}`).then(edit)));
    if (me.can(perm(o.permission, 'delete'))) {
      span.append(button('删除', `删除${o.noun} #${row.id}`, () => {
        if (!confirm(`确定删除${o.noun} #${row.id} 吗？`)) return;
        adminRequest<Written>('DELETE', `${o.endpoint}/${row.id}`)
          .then((w) => {
            setFormMessage(form, `已删除。${pagesText(w.pages)}`, 'ok');
            return list.reload();
          })
          .catch((err) => setFormMessage(form, err instanceof Error ? err.message : '删除失败'));
      }));
    }
    return span;
  };
  const list = mountList<T>({ id: o.id, endpoint: o.endpoint, can: me.can, columns: [...o.columns, { label: '操作', cell: actions }] });
  byId(`${o.id}-new`).addEventListener('click', () => {
    form.reset();
    setFormMessage(form, null);
    o.filled?.(null);
    setMode(null);
    form.querySelector<HTMLElement>('input, select, textarea')?.focus();
  });
  o.filled?.(null);
  setMode(null);
  bindForm(
    form,
    (v) => (editing ? adminRequest<T & Written>('PATCH', `${o.endpoint}/${editing.id}`, o.body(v, editing)) : adminRequest<T & Written>('POST', o.endpoint, o.body(v, null))),
    (answer) => {
      setMode(answer);
      setFormMessage(form, `已保存。${o.saved ? o.saved(answer) : pagesText(answer.pages)}`, 'ok');
      void list.reload();
    },
  );
  return list;
}

/** '' → undefined (the field is left out), else a number. */
export const num = (v: string | undefined) => (v ? Number(v) : undefined);
