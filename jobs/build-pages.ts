import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Knex } from 'knex';
import type { Config } from '../api/config.ts';
import { leafCategoryIds } from '../api/services/catalog/pages.ts';
import { loadSnapshot } from '../api/services/catalog/snapshot.ts';
import type { BuildPagesInput, BuildPagesReport, PageWork } from './build-pages.thread.ts';
import { threadEntry } from './runtime.ts';

// The full build's goods and list pages — at 100,000 SKUs some 120,000 of 120,050 pages — rendered
// outside Astro's single-threaded prerender loop: a thread per core (jobs/build-pages.thread.ts),
// each rendering through the new release's on-demand twins (the routes the rebuild job renders
// through, so a page is the same whichever made it). Their .gz/.br siblings are made after the
// release went live (jobs/build.ts): a third of the pages' CPU, off the path to the new pages.
// The catalog is cut into items of about ITEM_SKUS SKUs, each rendered from its own scoped snapshot,
// so memory does not grow with the catalog.

/**
 * SKUs per work item: big enough that its snapshot load (~50 ms of fixed queries) is noise, small
 * enough to balance two threads' tails. BUILD_ITEM_SKUS overrides it: tests cut the 215-SKU demo
 * catalog into many items, so a page that needs data outside its item's scope shows.
 */
const ITEM_SKUS = Number(process.env.BUILD_ITEM_SKUS) > 0 ? Number(process.env.BUILD_ITEM_SKUS) : 2000;
/** A thread's heap ceiling: its module graph plus one item's snapshot and page models need a fraction of it. */
const HEAP_LIMIT_MB = 512;

/**
 * The work items: SPUs in (category, id) order cut into groups of about ITEM_SKUS SKUs — each with
 * the categories of its SKUs, whose best sellers its pages show — then the leaf categories, cut by
 * their SKU counts, for the list pages.
 */
export async function planPageWork(db: Knex): Promise<PageWork[]> {
  const pairs = (await db('skus')
    .select('spu_id', 'category_id')
    .count({ n: '*' })
    .groupBy('spu_id', 'category_id')
    .orderBy([{ column: 'category_id' }, { column: 'spu_id' }])) as { spu_id: number; category_id: number; n: number | string }[];
  const categoriesOf = new Map<number, Set<number>>();
  for (const p of pairs) {
    const spu = Number(p.spu_id);
    let cats = categoriesOf.get(spu);
    if (!cats) categoriesOf.set(spu, (cats = new Set()));
    cats.add(Number(p.category_id));
  }
  const items: PageWork[] = [];
  let spuIds: number[] = [];
  let size = 0;
  const seen = new Set<number>();
  const flushGoods = () => {
    if (spuIds.length === 0) return;
    const categoryIds = new Set<number>();
    for (const id of spuIds) for (const c of categoriesOf.get(id)!) categoryIds.add(c);
    items.push({ kind: 'goods', spuIds, categoryIds: [...categoryIds] });
    spuIds = [];
    size = 0;
  };
  for (const p of pairs) {
    const spu = Number(p.spu_id);
    size += Number(p.n);
    if (seen.has(spu)) continue;
    seen.add(spu);
    spuIds.push(spu);
    if (size >= ITEM_SKUS) flushGoods();
  }
  flushGoods();

  // every leaf category has list pages (at least page 1 of each sort, empty or not)
  const skusIn = new Map<number, number>();
  for (const p of pairs) skusIn.set(Number(p.category_id), (skusIn.get(Number(p.category_id)) ?? 0) + Number(p.n));
  const leaves = leafCategoryIds(await loadSnapshot(db, {})); // categories only: no SKU is loaded
  let categoryIds: number[] = [];
  size = 0;
  for (const id of leaves) {
    categoryIds.push(id);
    size += skusIn.get(id) ?? 0;
    if (size >= ITEM_SKUS) {
      items.push({ kind: 'list', categoryIds });
      categoryIds = [];
      size = 0;
    }
  }
  if (categoryIds.length > 0) items.push({ kind: 'list', categoryIds });
  return items;
}

export interface PagesSummary {
  /** The pages written, relative to the release's client folder. */
  files: string[];
}

/**
 * Starts rendering every goods and list page of the release in `releaseDir` (its server/ built, its
 * client/ being filled); resolves once the threads run, with their end. The caller may then block
 * its own thread (the search index build does): the threads need nothing from it until they end.
 */
export async function startCatalogPages(
  config: Config, db: Knex, releaseDir: string, threads = os.availableParallelism(),
): Promise<{ finished: Promise<PagesSummary> }> {
  const items = await planPageWork(db);
  const next = new SharedArrayBuffer(4);
  const input: Omit<BuildPagesInput, 'items'> & { items: PageWork[] } = {
    entry: pathToFileURL(path.join(releaseDir, 'server', 'entry.mjs')).href,
    clientDir: path.join(releaseDir, 'client'),
    database: config.database,
    siteUrl: config.siteUrl,
    imageHosts: config.imageHosts,
    items,
    next,
  };
  const reports = Array.from({ length: Math.max(1, Math.min(threads, items.length)) }, () => new Promise<BuildPagesReport>((resolve) => {
    const w = new Worker(threadEntry('build-pages'), { workerData: input, resourceLimits: { maxOldGenerationSizeMb: HEAP_LIMIT_MB } });
    let report: BuildPagesReport | null = null;
    let failure: Error | null = null;
    w.on('message', (m: BuildPagesReport) => (report = m));
    w.on('error', (err) => {
      failure = err;
      Atomics.store(new Int32Array(next), 0, items.length); // the others stop after their current item
    });
    w.on('exit', (code) => resolve(report ?? { ok: false, error: failure?.stack ?? `page thread exited with ${code}` }));
  }));
  const finished = Promise.all(reports).then((done) => {
    const failed = done.find((r): r is Extract<BuildPagesReport, { ok: false }> => !r.ok);
    if (failed) throw new Error(`rendering the catalog pages failed: ${failed.error}`);
    return { files: done.flatMap((r) => (r.ok ? r.files : [])) };
  });
  return { finished };
}
