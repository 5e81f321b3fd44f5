// Tab switching for any [data-tabs] container: buttons [data-tab=key] show .tab-panel[data-panel=key].
// The server-rendered markup already has the first tab active, so pages work without this script.

function activate(root: Element, key: string): void {
  for (const btn of root.querySelectorAll<HTMLElement>('[data-tab]')) {
    const on = btn.dataset.tab === key;
    btn.classList.toggle('active', on);
    btn.setAttribute('aria-selected', on ? 'true' : 'false');
  }
  for (const panel of root.querySelectorAll<HTMLElement>('.tab-panel[data-panel]')) {
    panel.classList.toggle('active', panel.dataset.panel === key);
  }
}

for (const root of document.querySelectorAll('[data-tabs]')) {
  root.addEventListener('click', (event) => {
    const target = event.target;
    if (!(target instanceof Element)) return;
    const btn = target.closest<HTMLElement>('[data-tab]');
    if (btn && root.contains(btn) && btn.dataset.tab) activate(root, btn.dataset.tab);
  });
}

export {};
