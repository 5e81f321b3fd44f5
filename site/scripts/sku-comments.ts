// The 商品评价 tab of a SKU page: GET /api/skus/{id}/comments (public, newest first, anonymous authors
// already masked by the API), asked for the first time the tab is opened — most visitors never open
// it, and the prebuilt page cannot carry comments written after its build.
import { api } from './api-client.ts';
import { el } from './form-kit.ts';
import { formatTime } from './shop.ts';

interface SkuComment {
  username: string;
  comment: string;
  score: number;
  is_anonymous: boolean;
  created_at: string;
}

interface CommentPage {
  count: number;
  results: SkuComment[];
}

const PAGE_SIZE = 10;
const MAX_SCORE = 5;

const panel = document.querySelector<HTMLElement>('.tab-panel[data-panel="comments"]');
const tab = document.querySelector<HTMLElement>('[data-tab="comments"]');
const list = document.getElementById('comment-list');
const empty = document.getElementById('comment-empty');
const loading = document.getElementById('comment-loading');
const pages = document.getElementById('comment-pages');

function item(c: SkuComment): HTMLLIElement {
  const li = el('li', { class: 'comment' });
  const head = el('div', { class: 'comment-head' });
  const score = Math.max(0, Math.min(MAX_SCORE, Math.round(c.score)));
  head.append(
    el('span', { class: 'comment-user' }, c.username),
    el('span', { class: 'comment-score', 'aria-label': `${score} 星` }, '★'.repeat(score) + '☆'.repeat(MAX_SCORE - score)),
    el('span', { class: 'comment-time' }, formatTime(c.created_at)),
  );
  li.append(head, el('p', { class: 'comment-text' }, c.comment));
  return li;
}

function renderPages(count: number, page: number): void {
  if (!pages) return;
  const pageCount = Math.ceil(count / PAGE_SIZE);
  pages.replaceChildren();
  if (pageCount <= 1) return;
  for (let p = 1; p <= pageCount; p++) {
    pages.append(p === page
      ? el('span', { class: 'current', 'aria-current': 'page' }, String(p))
      : el('button', { type: 'button', 'data-page': String(p) }, String(p)));
  }
}

async function load(page: number): Promise<void> {
  if (!panel || !list || !loading || !empty) return;
  loading.hidden = false;
  loading.textContent = '加载中…';
  const { data, error } = await api<CommentPage>(`/skus/${encodeURIComponent(panel.dataset.sku ?? '')}/comments?page=${page}&page_size=${PAGE_SIZE}`);
  if (error || !data) {
    loading.textContent = `评价加载失败：${error?.message ?? '请稍后再试'}`;
    return;
  }
  loading.hidden = true;
  list.replaceChildren(...data.results.map(item));
  empty.hidden = data.count > 0;
  if (tab) tab.textContent = `商品评价(${data.count})`;
  renderPages(data.count, page);
}

let opened = false;
tab?.addEventListener('click', () => {
  if (opened) return;
  opened = true;
  void load(1);
});

pages?.addEventListener('click', (event) => {
  const btn = (event.target as Element).closest<HTMLButtonElement>('button[data-page]');
  if (btn) void load(Number(btn.dataset.page));
});

export {};
