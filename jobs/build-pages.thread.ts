// Worker-thread entry (jobs/build-pages.ts starts one per core through threadEntry('build-pages')):
// renders the goods and list pages of a full build through the new release's on-demand twins and
// writes them; their .gz/.br siblings are made after the release went live (jobs/build.ts). Work
// items are shared by every thread; each takes the next one through an atomic counter, so no thread
// waits on the main thread (which builds the search index meanwhile). Each item loads its own scoped snapshot — the same scopes the rebuild job loads
// (jobs/pages-rebuild.ts) — so no thread ever holds the whole catalog.
import fs from 'node:fs';
import path from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import type { DatabaseConfig } from '../api/config.ts';
import { createDb } from '../api/db/knex.ts';
import { goodsPageIds, listPageParams } from '../api/services/catalog/pages.ts';
import { goodsUrl, listUrl, urlToFile } from '../api/services/catalog/paths.ts';
import { loadSnapshot, type CatalogSnapshot } from '../api/services/catalog/snapshot.ts';
import { renderDirect } from './render/twin-direct.mjs';

/** What a thread renders: the goods pages of these SPUs, or the list pages of these categories. */
export type PageWork = { kind: 'goods'; spuIds: number[]; categoryIds: number[] } | { kind: 'list'; categoryIds: number[] };

export interface BuildPagesInput {
  /** file URL of the new release's server/entry.mjs */
  entry: string;
  clientDir: string;
  database: DatabaseConfig;
  siteUrl: string;
  imageHosts: string[];
  items: PageWork[];
  /** Int32Array over this: [0] the next item to take */
  next: SharedArrayBuffer;
}

/** `files`: the pages written, relative to clientDir, for the compression after the swap. */
export type BuildPagesReport = { ok: true; files: string[] } | { ok: false; error: string };

const input = workerData as BuildPagesInput;
const next = new Int32Array(input.next);
type Handler = (req: unknown, res: unknown, next: () => void, locals: object) => Promise<void>;

/** The twin URLs of one item, from its snapshot. */
function urlsOf(item: PageWork, s: CatalogSnapshot): string[] {
  if (item.kind === 'goods') return goodsPageIds(s).map(goodsUrl);
  // a scoped snapshot knows every category but the SKUs of these only: their pages alone are right
  const mine = new Set(item.categoryIds);
  return listPageParams(s).filter((p) => mine.has(p.categoryId)).map((p) => listUrl(p.categoryId, p.sort, p.page));
}

async function run(): Promise<BuildPagesReport> {
  const { handler } = (await import(input.entry)) as { handler: Handler };
  const db = createDb(input.database, { pool: 1 });
  const dirs = new Set<string>();
  const files: string[] = [];
  try {
    for (let i = Atomics.add(next, 0, 1); i < input.items.length; i = Atomics.add(next, 0, 1)) {
      const item = input.items[i]!;
      const scope = item.kind === 'goods' ? { spuIds: item.spuIds, categoryIds: item.categoryIds } : { categoryIds: item.categoryIds };
      const snapshot = await loadSnapshot(db, scope, { siteUrl: input.siteUrl, imageHosts: input.imageHosts });
      const locals = { meiduoRender: true, snapshot };
      for (const url of urlsOf(item, snapshot)) {
        const r = await renderDirect(handler, url, locals);
        if (r.status !== 200) throw new Error(`rendering ${url} answered ${r.status}: ${r.body.toString('utf8').slice(0, 2000)}`);
        const rel = urlToFile(url);
        const file = path.join(input.clientDir, rel);
        const dir = path.dirname(file);
        if (!dirs.has(dir)) {
          fs.mkdirSync(dir, { recursive: true });
          dirs.add(dir);
        }
        // nothing serves this release yet: no temp file and rename
        fs.writeFileSync(file, r.body);
        files.push(rel);
      }
    }
    return { ok: true, files };
  } finally {
    await db.destroy();
  }
}

let report: BuildPagesReport;
try {
  report = await run();
} catch (err) {
  Atomics.store(next, 0, input.items.length); // the other threads stop after their current item
  report = { ok: false, error: String((err as Error)?.stack ?? err) };
}
parentPort!.postMessage(report);
