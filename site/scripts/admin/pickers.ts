// Pickers for the ids of other records in the 商品管理 forms (docs/admin-console.md): a <select> of a
// short list (brands, channel groups, first-level categories: catalog-data.ts fillSelect), the
// three category levels as cascading selects (一级 → 二级 → 三级), and, for the long lists (SPUs, a
// SPU's specs), a search box whose matches fill a <select>. Each <select> keeps its name, label and
// error slot (Field.astro), so the form kit sends and marks it like any field.
import { adminGet, ApiError, type Page } from './api.ts';
import type { Category } from './catalog-data.ts';

const option = (label: string, value: string) => new Option(label, value);

/** A select's options after its first (the "请选择" one). */
function refill(select: HTMLSelectElement, items: { id: number; label: string }[]) {
  const keep = select.options[0];
  select.replaceChildren(...(keep ? [keep] : []), ...items.map((i) => option(i.label, String(i.id))));
}

export interface Cascade {
  /** Shows a line of ids (an edit): each select refilled with the children of the one before, then set. */
  set(ids: (number | null | undefined)[]): void;
}

/**
 * Selects for the levels of a category line; choosing one refills the next with its children and
 * empties those after it. `selects[0]` lists the first-level categories.
 */
export function categoryCascade(selects: HTMLSelectElement[], categories: Category[]): Cascade {
  const children = (parent: number | null) =>
    categories
      .filter((c) => (c.parent_id ?? null) === parent)
      .sort((a, b) => a.sequence - b.sequence || a.id - b.id)
      .map((c) => ({ id: c.id, label: c.name }));
  const fillFrom = (level: number) => {
    // the select at `level` lists the children of the one before it (none chosen: nothing); later ones are emptied
    for (let i = level; i < selects.length; i++) {
      const parent = i === 0 ? null : Number(selects[i - 1]!.value) || 0;
      refill(selects[i]!, i === 0 ? children(null) : i === level && parent ? children(parent) : []);
    }
  };
  selects.forEach((s, i) => s.addEventListener('change', () => fillFrom(i + 1)));
  fillFrom(0);
  return {
    set(ids) {
      fillFrom(0);
      ids.forEach((id, i) => {
        const s = selects[i];
        if (!s) return;
        s.value = id ? String(id) : '';
        if (i + 1 < selects.length) fillFrom(i + 1);
      });
    },
  };
}

export interface SearchPicker {
  /** Puts one record in the select and chooses it (an edit, or an id from the URL). */
  set(id: number | null, label?: string): void;
}

/**
 * A search box for a long list: what is typed is sent as the list's `keyword` (after a short pause)
 * and the first 20 matches fill the select, whose value is what the form sends. `denied`: the staff
 * member may not read `endpoint`; the box then says so instead of searching.
 */
export function searchPicker<T extends { id: number }>(search: HTMLInputElement, select: HTMLSelectElement, endpoint: string, label: (row: T) => string, denied?: string): SearchPicker {
  let timer = 0;
  let asked = 0;
  const status = select.closest('.a-field')?.querySelector<HTMLElement>('[data-picker-status]') ?? null;
  const find = async () => {
    // staff who may not read the list: the select keeps what it has (an edit's record), the box says why
    if (denied) {
      if (status) status.textContent = denied;
      return;
    }
    const n = ++asked;
    const keyword = search.value.trim();
    const q = new URLSearchParams({ page_size: '20', ...(keyword ? { keyword } : {}) });
    try {
      const page = await adminGet<Page<T>>(`${endpoint}?${q}`);
      if (n !== asked) return; // a later search answered first or is on its way
      const chosen = select.value;
      refill(select, page.results.map((r) => ({ id: r.id, label: label(r) })));
      // else what was chosen stays chosen while it still matches; else a search's first match is (an empty box chooses nothing)
      // what was typed as an id chooses that record, whatever else matched it in its name
      const byId = page.results.find((r) => String(r.id) === keyword);
      select.value = byId ? keyword : page.results.some((r) => String(r.id) === chosen) ? chosen : keyword && page.results[0] ? String(page.results[0].id) : '';
      // a choice made by the search is a choice: whoever follows the select (the SKU form's specs) hears it
      if (select.value !== chosen) select.dispatchEvent(new Event('change', { bubbles: true }));
      if (status) status.textContent = page.count > page.results.length ? `共 ${page.count} 个匹配，显示前 ${page.results.length} 个` : `${page.count} 个匹配`;
    } catch (err) {
      if (status && n === asked) status.textContent = err instanceof Error ? err.message : '搜索失败';
    }
  };
  search.addEventListener('input', () => {
    clearTimeout(timer);
    timer = window.setTimeout(() => void find(), 250);
  });
  // Enter in the box searches at once instead of sending the form
  search.addEventListener('keydown', (e) => {
    if (e.key !== 'Enter') return;
    e.preventDefault();
    clearTimeout(timer);
    void find();
  });
  return {
    set(id, text) {
      search.value = '';
      if (status) status.textContent = '';
      refill(select, id ? [{ id, label: text ?? `#${id}` }] : []);
      select.value = id ? String(id) : '';
      if (!id) void find();
    },
  };
}

/**
 * Before a form is sent: each named picker left on "请选择" is refused with its message under it, as
 * the API's 400 would be (bindForm shows it) — the API refuses them too, with a less telling "必须是正整数".
 */
export function requireChosen(values: Record<string, string>, fields: Record<string, string>): void {
  const missing = Object.fromEntries(Object.entries(fields).filter(([name]) => !values[name]));
  if (Object.keys(missing).length) throw new ApiError(400, 'VALIDATION_ERROR', '请先选择', missing);
}
