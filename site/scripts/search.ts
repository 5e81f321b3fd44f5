// Search in the browser: the same published generation, the same tokenizer and the same ranking
// code as /api/search (api/services/search/shards.ts). It reads /search/manifest.json once (never
// from the cache), then only that generation's files: the doc table, the shards of the query's
// terms, the big lists its plan keeps, and the display chunks of the page shown. Generation files
// never change, so the HTTP cache keeps them for the next query.
import type { SearchDisplayRow } from '../../api/services/search/search-index.ts';
import {
  TABLE_FILE, bigListsOfQuery, chunkFile, decodeTable, ordinalOf, parseShard, searchShards, shardFile, shardOf, shardsOfQuery,
  type BigListJson, type DocTableJson, type QueryInput, type SearchManifest, type Shard, type ShardEntry,
} from '../../api/services/search/shards.ts';

const PAGE_SIZE = 20;

const status = document.getElementById('search-status')!;
const results = document.getElementById('search-results')!;
const pages = document.getElementById('search-pages')!;

function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, text?: string) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  if (text !== undefined) node.textContent = text;
  return node;
}

/**
 * Nothing found (or nothing asked): the prebuilt channel links, and the best sellers of a few
 * categories from /api/categories/{id}/hotskus. A failed fetch leaves just the channels.
 */
async function suggest() {
  const box = document.getElementById('search-suggest');
  const hot = document.getElementById('search-hot');
  if (!box || !hot) return;
  box.hidden = false;
  const ids = (hot.dataset.categories ?? '').split(',').filter((x) => /^\d+$/.test(x));
  const lists = await Promise.all(
    ids.map((id) => fetchJson<{ id: number; name: string; price: string; default_image_url: string; comments: number }[]>(`/api/categories/${id}/hotskus`).catch(() => [])),
  );
  const seen = new Set<number>();
  const rows: SearchDisplayRow[] = [];
  for (const s of lists.flat()) {
    if (seen.has(s.id)) continue;
    seen.add(s.id);
    rows.push([s.id, s.name, s.price, s.default_image_url, s.comments]);
  }
  hot.replaceChildren(...rows.map(card));
  hot.hidden = rows.length === 0;
  const title = hot.previousElementSibling as HTMLElement | null;
  if (title) title.hidden = rows.length === 0;
}

function card([id, name, price, image, comments]: SearchDisplayRow): HTMLLIElement {
  const url = `/goods/${id}.html`;
  const li = el('li', { class: 'sku-card' });
  // the picture repeats the name link beside it: out of the tab order, hidden from screen readers, no alt
  const imgLink = el('a', { class: 'sku-img', href: url, tabindex: '-1', 'aria-hidden': 'true' });
  imgLink.append(el('img', { src: image, alt: '', loading: 'lazy' }));
  const nameP = el('p', { class: 'sku-name' });
  nameP.append(el('a', { href: url, title: name }, name));
  li.append(imgLink, el('p', { class: 'sku-price' }, `¥${price}`), nameP, el('p', { class: 'sku-comments' }, `${comments}评价`));
  return li;
}

async function fetchJson<T>(url: string, init?: RequestInit): Promise<T> {
  const res = await fetch(url, init);
  if (!res.ok) throw new Error(`${url}: ${res.status}`);
  return (await res.json()) as T;
}

// A shopper searches again from this page (the header's box, the page links, back and forward)
// without leaving it: the generation's files already fetched stay parsed here, so the next query
// fetches only the shards and chunks it lacks and runs on code already warm. The manifest is asked
// again after MANIFEST_FRESH_MS, so a page left open picks up a new publication.
const MANIFEST_FRESH_MS = 30_000;
let known: { manifest: SearchManifest; at: number } | null = null;
/** Parsed generation files by URL (the generation is in the path); emptied when it changes. */
const files = new Map<string, Promise<unknown>>();

async function currentManifest(): Promise<SearchManifest> {
  if (known && performance.now() - known.at < MANIFEST_FRESH_MS) return known.manifest;
  const manifest = await fetchJson<SearchManifest>('/search/manifest.json', { cache: 'no-cache' });
  if (known?.manifest.generation !== manifest.generation) files.clear();
  known = { manifest, at: performance.now() };
  return manifest;
}

function cached<T>(url: string, parse: (json: any) => T): Promise<T> {
  let p = files.get(url) as Promise<T> | undefined;
  if (!p) {
    p = fetchJson<unknown>(url).then(parse);
    files.set(url, p);
    p.catch(() => files.delete(url)); // a failed fetch is tried again by the next query
  }
  return p;
}

/** The latest query started: an older one still running draws nothing. */
let latest = 0;

async function run() {
  const mine = ++latest;
  const params = new URLSearchParams(location.search);
  const q = (params.get('q') ?? '').trim();
  const page = Math.max(1, Number.parseInt(params.get('page') ?? '1', 10) || 1);
  const input = document.querySelector<HTMLInputElement>('input[name="q"]');
  if (input) input.value = q;
  if (!q) {
    results.replaceChildren();
    pages.replaceChildren();
    document.title = '商品搜索 - 美多商城';
    status.textContent = '请输入要搜索的商品名称';
    await suggest();
    return;
  }
  status.textContent = '搜索中…';
  const suggestBox = document.getElementById('search-suggest');
  if (suggestBox) suggestBox.hidden = true;
  // 'search:query' (performance.getEntriesByName): manifest to results drawn, the figure
  // docs/benchmarks.md reports for the browser (bench/search-page.mjs); the marks between
  // (manifest, shards, ranked) show where it went, in devtools too
  for (const name of ['search:start', 'search:manifest', 'search:shards', 'search:ranked']) performance.clearMarks(name);
  performance.clearMeasures('search:query');
  performance.mark('search:start');
  const manifest = await currentManifest();
  performance.mark('search:manifest');
  const file = (name: string) => `/search/${manifest.generation}/${name}`;
  const shardNos = shardsOfQuery(q, manifest.shards);
  const [table, ...shardList] = await Promise.all([
    cached(file(TABLE_FILE), (j: DocTableJson) => decodeTable(j)),
    ...shardNos.map((k) => cached(file(shardFile(k)), (j: ShardEntry[]) => parseShard(j))),
  ]);
  performance.mark('search:shards');
  const shards = new Map<number, Shard>(shardNos.map((k, i) => [k, shardList[i] as Shard]));
  const query: QueryInput = { table, fields: manifest.fields, entry: (t) => shards.get(shardOf(t, manifest.shards))?.get(t), big: new Map() };
  // the plan is made from the shards' counts first: only the common terms it keeps are fetched
  await Promise.all(bigListsOfQuery(q, query).map(async (name) => query.big!.set(name, await cached(file(name), (j: BigListJson) => j))));
  const ids = searchShards(q, query);
  performance.mark('search:ranked');

  // display rows of the page shown, from the chunks holding them
  const shown = ids.slice((page - 1) * PAGE_SIZE, page * PAGE_SIZE).map((id) => ordinalOf(table, id));
  const chunkNos = [...new Set(shown.map((o) => Math.floor(o / manifest.chunkRows)))];
  const chunks = new Map(await Promise.all(chunkNos.map(async (c) => [c, await cached(file(chunkFile(c)), (j: SearchDisplayRow[]) => j)] as const)));
  const rowOf = (o: number) => chunks.get(Math.floor(o / manifest.chunkRows))![o % manifest.chunkRows]!;
  if (mine !== latest) return; // the shopper asked something else meanwhile

  results.replaceChildren(...shown.map((o) => card(rowOf(o))));
  status.textContent = ids.length ? `找到 ${ids.length} 件与“${q}”相关的商品` : `没有找到与“${q}”相关的商品`;
  document.title = `${q} - 商品搜索 - 美多商城`;
  performance.measure('search:query', 'search:start');
  if (ids.length === 0) await suggest();

  const pageCount = Math.ceil(ids.length / PAGE_SIZE);
  pages.replaceChildren();
  if (pageCount > 1) {
    const link = (p: number, label: string) => {
      const u = new URLSearchParams({ q, page: String(p) });
      return p === page ? el('span', { class: 'current' }, label) : el('a', { href: `?${u}` }, label);
    };
    if (page > 1) pages.append(link(page - 1, '上一页'));
    for (let p = 1; p <= pageCount; p++) pages.append(link(p, String(p)));
    if (page < pageCount) pages.append(link(page + 1, '下一页'));
  }
}

function search() {
  run().catch(() => {
    status.textContent = '搜索暂时不可用，请稍后再试';
  });
}

/** Shows another query or page of results here: the address changes as if the page had been loaded. */
function go(url: URL) {
  history.pushState(null, '', url);
  search();
  window.scrollTo(0, 0);
}

// the header's search box, on this page: search here instead of loading the page again
document.querySelector<HTMLFormElement>('form.search-form')?.addEventListener('submit', (e) => {
  const q = String(new FormData(e.currentTarget as HTMLFormElement).get('q') ?? '').trim();
  e.preventDefault();
  const url = new URL(location.href);
  url.search = new URLSearchParams({ q }).toString();
  go(url);
});
// the page links (a click that asks for a new tab or window keeps its meaning)
pages.addEventListener('click', (e) => {
  const a = (e.target as Element).closest('a');
  if (!a || e.button !== 0 || e.ctrlKey || e.metaKey || e.shiftKey || e.altKey) return;
  e.preventDefault();
  go(new URL(a.href));
});
window.addEventListener('popstate', search);
search();
