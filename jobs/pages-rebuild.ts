import fs from 'node:fs/promises';
import path from 'node:path';
import type { Knex } from 'knex';
import type { Config } from '../api/config.ts';
import type { Logger } from '../api/logger.ts';
import {
  isEmptyPlan, planNeeds, planRebuild, type CatalogChange, type RebuildPlan,
} from '../api/services/catalog/dependencies.ts';
import { goodsPage, listPage, pageCountOf } from '../api/services/catalog/pages.ts';
import { LIST_SORTS, goodsUrl, homeUrl, listUrl, urlToFile } from '../api/services/catalog/paths.ts';
import { SKU_COLUMNS, toSku } from '../api/services/catalog/rows.ts';
import { loadSnapshot } from '../api/services/catalog/snapshot.ts';
import type { Sku } from '../api/services/catalog/types.ts';
import { createRenderer, type Renderer } from './render/astro-renderer.ts';
import { removeFile, writeFileAtomic } from './render/atomic-files.ts';
import { publishSearchIndexOffThread, stopSearchThread } from './search-publish.ts';
import { buildInChildProcess, currentStamp, writeStamp } from './build.ts';

// Applies the outbox (page_changes): works out the affected pages with the dependency map, renders
// them through the Astro twins and swaps them in one by one; a full rebuild when a change needs one.
// Runs inside the `pages.rebuild` job, one run at a time across all workers.

export interface RebuildSummary {
  changes: number;
  full: boolean;
  rendered: string[];
  removed: string[];
  search: boolean;
}

const BATCH = 10_000;

/** The variables that make a child `meiduo build` see this process's configuration. */
function envFor(config: Config): Record<string, string> {
  const url = config.database.client === 'sqlite' ? `sqlite:${config.database.filename}` : config.database.url;
  return { DATABASE_URL: url, DIST_DIR: config.distDir, MEDIA_DIR: config.mediaDir, LOG_LEVEL: 'warn' };
}
const RENDER_CONCURRENCY = 4;

async function pool<T>(items: T[], n: number, fn: (t: T) => Promise<void>) {
  let i = 0;
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, async () => {
    while (i < items.length) await fn(items[i++]!);
  }));
}

export class PageRebuilder {
  private renderer: Renderer | null = null;

  constructor(
    private readonly db: Knex,
    private readonly config: Config,
    private readonly log: Logger,
  ) {}

  private get clientDir() {
    return path.join(this.config.distDir, 'client');
  }

  private async getRenderer(): Promise<Renderer> {
    this.renderer ??= await createRenderer(this.config.distDir);
    return this.renderer;
  }

  async close(): Promise<void> {
    await this.renderer?.close();
    this.renderer = null;
    await stopSearchThread();
  }

  /** Applies every pending change; returns what it did. */
  async drain(): Promise<RebuildSummary> {
    const rows = await this.db('page_changes').select('id', 'payload').orderBy('id').limit(BATCH);
    const summary: RebuildSummary = { changes: rows.length, full: false, rendered: [], removed: [], search: false };
    if (rows.length === 0) return summary;
    const maxId = rows[rows.length - 1].id;
    const changes = rows.map((r) => JSON.parse(r.payload) as CatalogChange);

    const plan = await this.plan(changes);
    if (plan.full) {
      await this.fullBuild(); // the build publishes a fresh index too
      await this.db('search_requests').del();
      summary.full = true;
      summary.search = true;
    } else if (!isEmptyPlan(plan)) {
      await this.apply(plan, summary);
    }
    await this.db('page_changes').where('id', '<=', maxId).del();
    // `npm start` compares this stamp with the catalog: after an applied change, dist/ is current
    await writeStamp(this.config.distDir, await currentStamp(this.config, this.db));
    return summary;
  }

  async plan(changes: CatalogChange[]): Promise<RebuildPlan> {
    const needs = planNeeds(changes);
    const skuRows = needs.categoryIds.length + needs.spuIds.length === 0
      ? []
      : await this.db('skus').select(SKU_COLUMNS).whereIn('category_id', needs.categoryIds).orWhereIn('spu_id', needs.spuIds);
    const skus = skuRows.map(toSku);
    const by = (key: 'categoryId' | 'spuId', ids: number[]) => {
      const m = new Map<number, Sku[]>(ids.map((id) => [id, []]));
      for (const s of skus) m.get(s[key])?.push(s);
      return m;
    };
    const homeSkuIds = new Set<number>(
      (await this.db('contents').where('status', true).whereNotNull('sku_id').pluck('sku_id')).map(Number),
    );
    return planRebuild(changes, {
      categorySkus: by('categoryId', needs.categoryIds),
      spuSkus: by('spuId', needs.spuIds),
      homeSkuIds,
    });
  }

  private async apply(plan: RebuildPlan, summary: RebuildSummary) {
    // The pages to render need: their SPUs (detail data), their categories' SKUs (lists, hot boxes).
    const goodsRows = plan.goods.size
      ? await this.db('skus').select('id', 'spu_id', 'category_id').whereIn('id', [...plan.goods])
      : [];
    const snapshot = await loadSnapshot(this.db, {
      spuIds: [...new Set(goodsRows.map((r) => Number(r.spu_id)))],
      categoryIds: [...new Set([...plan.listCategories, ...goodsRows.map((r) => Number(r.category_id))])],
      home: plan.home,
    });

    const render: string[] = [];
    const remove: string[] = [];
    for (const id of plan.goods) (goodsPage(snapshot, id) ? render : remove).push(goodsUrl(id));
    for (const categoryId of plan.listCategories) {
      const first = listPage(snapshot, categoryId, 'default', 1);
      if (!first) continue; // not a leaf category: it has no list pages
      const pages = pageCountOf(first.total);
      for (const sort of LIST_SORTS) {
        for (let p = 1; p <= pages; p++) render.push(listUrl(categoryId, sort, p));
        remove.push(...(await this.pagesBeyond(categoryId, sort, pages)));
      }
    }
    if (plan.home) render.push(homeUrl());

    const renderer = render.length > 0 ? await this.getRenderer() : null;
    await pool(render, RENDER_CONCURRENCY, async (url) => {
      const r = await renderer!.render(url, snapshot);
      if (r.status !== 200) throw new Error(`re-render of ${url} answered ${r.status}`);
      await writeFileAtomic(path.join(this.clientDir, urlToFile(url)), r.html);
    });
    for (const url of remove) if (await removeFile(path.join(this.clientDir, urlToFile(url)))) summary.removed.push(url);
    summary.rendered = render;

    if (plan.search) {
      // the search.rebuild job picks this up; pages do not wait for the index
      await this.db('search_requests').insert({ created_at: Date.now() });
      summary.search = true;
    }
  }

  /** Publishes the search index if anyone asked for it since the last time. */
  async drainSearch(): Promise<boolean> {
    const row = await this.db('search_requests').max({ id: 'id' }).first();
    if (!row?.id) return false;
    await publishSearchIndexOffThread(this.config, this.clientDir);
    await this.db('search_requests').where('id', '<=', row.id).del();
    return true;
  }

  /** List pages left from when the category had more SKUs. */
  private async pagesBeyond(categoryId: number, sort: string, pages: number): Promise<string[]> {
    const dir = path.join(this.clientDir, 'list', String(categoryId), sort);
    const names = await fs.readdir(dir).catch(() => [] as string[]);
    return names
      .map((n) => /^(\d+)\.html$/.exec(n)?.[1])
      .filter((n): n is string => n !== undefined && Number(n) > pages)
      .map((n) => listUrl(categoryId, sort as (typeof LIST_SORTS)[number], Number(n)));
  }

  private async fullBuild() {
    await this.close(); // the new release brings a new server bundle
    const started = performance.now();
    await buildInChildProcess({ ...process.env, ...envFor(this.config) });
    this.log.info({ seconds: (performance.now() - started) / 1000 }, 'full rebuild done');
  }
}
