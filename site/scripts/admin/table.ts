// Small tables filled from an answer (the dashboard's, the site page's), one cell per value.

export function fillRows(body: HTMLTableSectionElement, rows: { text: string; num?: boolean }[][], empty: string, columns: number): void {
  if (rows.length === 0) {
    const td = Object.assign(document.createElement('td'), { colSpan: columns, textContent: empty, className: 'a-muted' });
    body.replaceChildren(Object.assign(document.createElement('tr'), {}));
    body.firstElementChild!.append(td);
    return;
  }
  body.replaceChildren(
    ...rows.map((cells) => {
      const tr = document.createElement('tr');
      for (const c of cells) tr.append(Object.assign(document.createElement('td'), { textContent: c.text, className: c.num ? 'num' : '' }));
      return tr;
    }),
  );
}
