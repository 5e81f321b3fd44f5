// The console's list kit (docs/admin-console.md): pairs with templates/admin/ListKit.astro. Pages
// ask the server for one page at a time (`page`, `page_size`, `keyword` and the filters, answered
// `{count, results}` by every admin list). The URL's query is the state: a search or a page turn
// pushes it, back/forward load what it says.
import { adminGet, type Page } from './api.ts';
import { count as fmtCount } from './format.ts';

export interface Column<T> {
  label: string;
  /** Text, or a node (a link, a button). */
  cell: (row: T) => string | Node;
  /** Numbers and money: right-aligned. */
  num?: boolean;
  /** Shown only to staff holding it (the header and the cells). */
  permission?: string;
  /** The list's `ordering` value for this column (ascending; `-` + it descending): its header becomes a sort button. */
  sort?: string;
}

export interface ListOptions<T> {
  /** The ListKit's id. */
  id: string;
  /** '/api/admin/orders' */
  endpoint: string;
  columns: Column<T>[];
  pageSize?: number;
  /** The staff member's check (bootConsole().can), for columns with a permission. */
  can?: (permission: string) => boolean;
  empty?: string;
  /** The API's ordering when the URL names none (columns with `sort` need it), e.g. 'id'. */
  defaultOrdering?: string;
}

const q = <T extends Element>(root: Element, sel: string) => root.querySelector<T>(sel)!;

export function mountList<T>(opts: ListOptions<T>): { reload(): Promise<void> } {
  const root = document.getElementById(opts.id)!;
  const form = q<HTMLFormElement>(root, '[data-list-form]');
  const head = q<HTMLTableRowElement>(root, '[data-list-head]');
  const body = q<HTMLTableSectionElement>(root, '[data-list-body]');
  const prev = q<HTMLButtonElement>(root, '[data-list-prev]');
  const next = q<HTMLButtonElement>(root, '[data-list-next]');
  const pageSize = opts.pageSize ?? 20;
  const columns = opts.columns.filter((c) => !c.permission || (opts.can?.(c.permission) ?? false));
  // the ordering lives in the URL (`ordering`, left out at its default) like the filters; a sortable
  // header is a button in its <th>: a click sorts ascending, a second click descending, from page 1
  const defaultOrdering = opts.defaultOrdering ?? '';
  let ordering = defaultOrdering;
  const sortButtons: [Column<T>, HTMLTableCellElement, HTMLSpanElement][] = [];
  head.replaceChildren(...columns.map((c) => {
    const th = Object.assign(document.createElement('th'), { scope: 'col', className: c.num ? 'num' : '' });
    if (!c.sort) {
      th.textContent = c.label;
      return th;
    }
    const button = Object.assign(document.createElement('button'), { type: 'button', className: 'a-sort', textContent: c.label });
    const mark = Object.assign(document.createElement('span'), { className: 'a-sort-mark' });
    mark.setAttribute('aria-hidden', 'true');
    button.append(mark);
    button.addEventListener('click', () => {
      ordering = ordering === c.sort ? `-${c.sort}` : c.sort!;
      showOrdering();
      void go(1);
    });
    th.append(button);
    sortButtons.push([c, th, mark]);
    return th;
  }));
  const showOrdering = () => {
    for (const [c, th, mark] of sortButtons) {
      const dir = ordering === c.sort ? 'ascending' : ordering === `-${c.sort}` ? 'descending' : null;
      if (dir) th.setAttribute('aria-sort', dir);
      else th.removeAttribute('aria-sort');
      mark.textContent = dir === 'ascending' ? ' ▲' : dir === 'descending' ? ' ▼' : '';
    }
  };

  const field = (name: string) => form.elements.namedItem(name) as HTMLInputElement | HTMLSelectElement;
  const atDefault = (f: HTMLInputElement | HTMLSelectElement) =>
    f instanceof HTMLSelectElement ? [...f.options].every((o) => o.selected === o.defaultSelected) : f.value === f.defaultValue;
  const fieldNames = () => [...form.elements].map((e) => (e as HTMLInputElement).name).filter(Boolean);
  const fromUrl = () => {
    const params = new URLSearchParams(location.search);
    form.reset(); // a filter the URL does not name is at its default (a <select>'s selected option)
    for (const name of fieldNames()) {
      const v = params.get(name);
      if (v !== null) field(name).value = v;
    }
    // an ordering the headers do not offer (a hand-edited URL) is the default's
    const asked = params.get('ordering') ?? '';
    ordering = sortButtons.some(([c]) => asked === c.sort || asked === `-${c.sort}`) ? asked : defaultOrdering;
    showOrdering();
    return Math.max(1, Number(params.get('page')) || 1);
  };
  const row = (cells: (string | Node)[], className = '') => {
    const tr = document.createElement('tr');
    cells.forEach((c, i) => {
      const td = document.createElement('td');
      if (className) td.className = className;
      else if (columns[i]?.num) td.className = 'num';
      td.append(c);
      tr.append(td);
    });
    return tr;
  };

  async function load(page: number) {
    const params = new URLSearchParams();
    for (const name of fieldNames()) {
      const v = field(name).value.trim();
      if (v) params.set(name, v);
    }
    if (ordering && ordering !== defaultOrdering) params.set('ordering', ordering);
    params.set('page', String(page));
    params.set('page_size', String(pageSize));
    body.setAttribute('aria-busy', 'true');
    try {
      const data = await adminGet<Page<T> & { count_capped?: boolean }>(`${opts.endpoint}?${params}`);
      const pages = Math.max(1, Math.ceil(data.count / pageSize));
      body.replaceChildren(...(data.results.length ? data.results.map((r) => row(columns.map((c) => c.cell(r)))) : [row([opts.empty ?? '没有符合条件的记录'], 'a-muted')]));
      if (!data.results.length) (body.querySelector('td') as HTMLTableCellElement).colSpan = columns.length;
      // a list that stops counting (the orders: count_capped at 10,000) says so
      q(root, '[data-list-count]').textContent = `共 ${fmtCount(data.count)}${data.count_capped ? '+' : ''} 条`;
      q(root, '[data-list-page]').textContent = `${page} / ${pages}`;
      prev.disabled = page <= 1;
      next.disabled = page >= pages;
    } catch (err) {
      body.replaceChildren(row([err instanceof Error ? err.message : '加载失败'], 'a-error'));
      (body.querySelector('td') as HTMLTableCellElement).colSpan = columns.length;
    } finally {
      body.removeAttribute('aria-busy');
    }
  }

  const go = (page: number) => {
    // the URL names what differs from the form's defaults, an emptied default included ("state=")
    const params = new URLSearchParams();
    for (const name of fieldNames()) if (!atDefault(field(name))) params.set(name, field(name).value.trim());
    if (ordering !== defaultOrdering) params.set('ordering', ordering);
    if (page > 1) params.set('page', String(page));
    history.pushState(null, '', `${location.pathname}${params.size ? `?${params}` : ''}`);
    return load(page);
  };
  const current = () => Math.max(1, Number(new URLSearchParams(location.search).get('page')) || 1);
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    void go(1);
  });
  prev.addEventListener('click', () => void go(current() - 1));
  next.addEventListener('click', () => void go(current() + 1));
  addEventListener('popstate', () => void load(fromUrl()));
  void load(fromUrl());
  return { reload: () => load(current()) };
}
