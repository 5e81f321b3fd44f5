// The admin catalog's list endpoints on the 10,000-SKU catalog (issue 14): p50/p95/p99 per list,
// and the SKU list under each column sort (issue 15),
// with a keyword (target p99 ≤ 50 ms) and without, each request sequential against the app in this
// process (an admin actor stands in for the admin session, as the tests' authenticator override does).
// BENCH_LIVE=1 also times an admin price PATCH from the request to the new price on the built
// /goods/{id}.html and its list page (needs a build of the bench catalog, like bench/rebuild.mjs;
// a job worker runs in this process, as `npm start` runs one).
import { register } from 'tsx/esm/api';
import { BENCH_ENV, ensureBuilt, ensureCatalog, machine } from './lib.mjs';

register();
const ROUNDS = Number(process.env.BENCH_ROUNDS || 300);
const LIVE = process.env.BENCH_LIVE === '1';
if (LIVE) {
  const built = await ensureBuilt();
  if (built) console.log(built);
} else await ensureCatalog();

const { loadConfig } = await import('../api/config.ts');
const { createServices } = await import('../api/services/index.ts');
const { listen } = await import('../api/server.ts');
const { createLogger } = await import('../api/logger.ts');
const config = loadConfig({ ...process.env, ...BENCH_ENV, LOG_LEVEL: 'silent' });
const permissions = new Set(
  [...['sku', 'spu', 'spec', 'brand', 'category', 'channel'].flatMap((m) => ['view', 'change'].map((a) => `goods.${a}_${m}`)), 'contents.view_content'],
);
const services = createServices(config, { log: createLogger('silent'), authenticator: { authenticate: async () => ({ kind: 'admin', userId: 1, permissions }) } });
const server = await listen(services, 0, '127.0.0.1');
const base = `http://127.0.0.1:${server.port}`;
const db = services.db;

const pct = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))];
const ms = (x) => `${x.toFixed(1)} ms`;

// keywords as an admin types them: pieces of real names, and ids
const sample = async (table, column, n = 50) => {
  const all = (await db(table).select(column).limit(20_000)).map((r) => String(r[column]));
  return Array.from({ length: Math.min(n, all.length) }, (_, i) => all[(i * 7919) % all.length]);
};
const pieces = (names) => names.map((s, i) => { const a = [...s]; const start = i % Math.max(1, a.length - 3); return a.slice(start, start + 2 + (i % 3)).join(''); }).filter((k) => k.trim());
const skuNames = await sample('skus', 'name');
const keywords = {
  skus: [...pieces(skuNames), ...(await sample('skus', 'id', 20)), '手机', '不存在的商品'],
  spus: pieces(await sample('spus', 'name')),
  brands: pieces(await sample('brands', 'name', 20)),
  categories: pieces(await sample('goods_categories', 'name', 30)),
  specs: pieces(await sample('spu_specs', 'name', 30)),
  'spec-options': pieces(await sample('spec_options', 'value', 30)),
  channels: pieces(await sample('goods_categories', 'name', 30)),
  'channel-groups': ['1', '2', '频道'],
  contents: pieces(await sample('contents', 'title', 20)),
  'content-categories': ['index', '轮播', '快讯'],
};

async function time(path) {
  const t0 = performance.now();
  const r = await fetch(base + path);
  await r.arrayBuffer();
  if (r.status !== 200) throw new Error(`${path} → ${r.status}`);
  return performance.now() - t0;
}

console.log(`admin lists, ${ROUNDS} sequential requests each, ${Number((await db('skus').count({ n: '*' }).first()).n)} SKUs, ${config.database.client}; ${machine()}`);
console.log('list                     keyword p50 / p95 / p99              no keyword p50 / p95 / p99');
for (const [resource, words] of Object.entries(keywords)) {
  for (let i = 0; i < 20; i++) await time(`/api/admin/${resource}?keyword=${encodeURIComponent(words[i % words.length])}`); // warm-up
  const withKw = [];
  const without = [];
  for (let i = 0; i < ROUNDS; i++) {
    withKw.push(await time(`/api/admin/${resource}?keyword=${encodeURIComponent(words[i % words.length])}&page_size=20`));
    without.push(await time(`/api/admin/${resource}?page=${1 + (i % 5)}&page_size=20`));
  }
  const row = (xs) => `${ms(pct(xs, 0.5))} / ${ms(pct(xs, 0.95))} / ${ms(pct(xs, 0.99))}`;
  console.log(`${resource.padEnd(24)} ${row(withKw).padEnd(36)} ${row(without)}`);
}

// the SKU list's column sorts (the console's headers), deep pages included: the (price|stock|sales, id) indexes
console.log('SKU list ordering        p50 / p95 / p99 (pages 1, 50, 200 of 20)');
for (const ordering of ['price', '-price', 'stock', '-stock', 'sales', '-sales', '-id']) {
  for (let i = 0; i < 20; i++) await time(`/api/admin/skus?ordering=${ordering}&page_size=20`);
  const xs = [];
  for (let i = 0; i < ROUNDS; i++) xs.push(await time(`/api/admin/skus?ordering=${ordering}&page=${[1, 50, 200][i % 3]}&page_size=20`));
  console.log(`${ordering.padEnd(24)} ${ms(pct(xs, 0.5))} / ${ms(pct(xs, 0.95))} / ${ms(pct(xs, 0.99))}`);
}

if (LIVE) {
  const { createJobQueue } = await import('../jobs/queue.ts');
  const queue = await createJobQueue({ ...config, jobs: { ...config.jobs, pollMs: 50 } }, db, services.log, { services });
  await queue.startWorker();
  const sku = await db('skus').where('is_launched', true).orderBy('id').offset(37).first('id', 'category_id', 'price');
  const times = [];
  for (let i = 0; i < Number(process.env.BENCH_LIVE_ROUNDS || 10); i++) {
    const price = `${7000 + i}.${String(i % 100).padStart(2, '0')}`;
    const t0 = performance.now();
    const r = await fetch(`${base}/api/admin/skus/${sku.id}`, { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ price }) });
    const answer = await r.json();
    if (r.status !== 200) throw new Error(JSON.stringify(answer));
    const list = answer.pages.find((p) => p.startsWith(`/list/${sku.category_id}/price/`));
    const shows = async (url) => (await (await fetch(base + url)).text()).includes(price);
    // the detail page, and every price-sorted page of its category until one shows it
    for (;;) {
      if ((await shows(`/goods/${sku.id}.html`)) && list) {
        const lists = answer.pages.filter((p) => p.startsWith(`/list/${sku.category_id}/default/`));
        let found = false;
        for (const p of lists) if (await shows(p)) { found = true; break; }
        if (found) break;
      }
      await new Promise((r) => setTimeout(r, 10));
    }
    times.push(performance.now() - t0);
  }
  console.log(`admin PATCH price → live on /goods/{id}.html and its list page: p50 ${ms(pct(times, 0.5))}, p95 ${ms(pct(times, 0.95))}, max ${ms(Math.max(...times))} (${times.length} edits)`);
  // the price back, through the API as well
  await fetch(`${base}/api/admin/skus/${sku.id}`, { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ price: Number(sku.price).toFixed(2) }) });
  await queue.close();
}
await server.close();
await services.close();
