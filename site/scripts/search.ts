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

async function run() {
  const params = new URLSearchParams(location.search);
  const q = (params.get('q') ?? '').trim();
  const page = Math.max(1, Number.parseInt(params.get('page') ?? '1', 10) || 1);
  const input = document.querySelector<HTMLInputElement>('input[name="q"]');
  if (input) input.value = q;
  if (!q) {
    status.textContent = '请输入要搜索的商品名称';
    await suggest();
    return;
  }
  status.textContent = '搜索中…';
  // 'search:query' (performance.getEntriesByName): manifest to results drawn, the figure
  // docs/benchmarks.md reports for the browser (bench/search-page.mjs); the marks between
  // (manifest, shards, ranked) show where it went, in devtools too
  performance.mark('search:start');
  const manifest = await fetchJson<SearchManifest>('/search/manifest.json', { cache: 'no-cache' });
  performance.mark('search:manifest');
  const file = (name: string) => `/search/${manifest.generation}/${name}`;
  const shardNos = shardsOfQuery(q, manifest.shards);
  const [tableJson, ...shardList] = await Promise.all([
    fetchJson<DocTableJson>(file(TABLE_FILE)),
    ...shardNos.map((k) => fetchJson<ShardEntry[]>(file(shardFile(k)))),
  ]);
  performance.mark('search:shards');
  const table = decodeTable(tableJson as DocTableJson);
  const shards = new Map<number, Shard>(shardNos.map((k, i) => [k, parseShard(shardList[i] as ShardEntry[])]));
  const query: QueryInput = { table, fields: manifest.fields, entry: (t) => shards.get(shardOf(t, manifest.shards))?.get(t), big: new Map() };
  // the plan is made from the shards' counts first: only the common terms it keeps are fetched
  await Promise.all(bigListsOfQuery(q, query).map(async (name) => query.big!.set(name, await fetchJson<BigListJson>(file(name)))));
  const ids = searchShards(q, query);
  performance.mark('search:ranked');

  // display rows of the page shown, from the chunks holding them
  const shown = ids.slice((page - 1) * PAGE_SIZE, page * PAGE_SIZE).map((id) => ordinalOf(table, id));
  const chunkNos = [...new Set(shown.map((o) => Math.floor(o / manifest.chunkRows)))];
  const chunks = new Map(await Promise.all(chunkNos.map(async (c) => [c, await fetchJson<SearchDisplayRow[]>(file(chunkFile(c)))] as const)));
  const rowOf = (o: number) => chunks.get(Math.floor(o / manifest.chunkRows))![o % manifest.chunkRows]!;

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

run().catch(() => {
  status.textContent = '搜索暂时不可用，请稍后再试';
});
