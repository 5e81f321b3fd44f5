import fs from 'node:fs/promises';
import path from 'node:path';
import type { Knex } from 'knex';
import { systemClock } from '../api/clock.ts';
import type { Config } from '../api/config.ts';
import { systemContext, type RequestContext } from '../api/context.ts';
import type { Logger } from '../api/logger.ts';
import { publishFile, removePublished } from '../api/published-files.ts';
import { isEmptyPlan, type CatalogChange, type RebuildPlan, type SearchScope } from '../api/services/catalog/dependencies.ts';
import { planFor } from '../api/services/catalog/plan-pages.ts';
import { markApplied, markPublished, readChanges, readSearchRequests, requestSearch } from '../api/services/catalog/outbox.ts';
import { goodsPage, listPage, pageCountOf } from '../api/services/catalog/pages.ts';
import { LIST_SORTS, goodsUrl, homeUrl, listUrl, urlToFile } from '../api/services/catalog/paths.ts';
import type { CatalogService } from '../api/services/catalog/catalog-service.ts';
import { publishSearchDisplay } from '../api/services/search/publish.ts';
import { updateSitemaps } from '../api/services/seo/sitemap.ts';
import { buildInChildProcess, currentStamp, writeStamp } from './build.ts';
import { createRenderer, serverRelease, type Renderer } from './render/astro-renderer.ts';
import { publishSearchIndexOffThread, stopSearchThread, warmSearchThread, type WarmedThread } from './search-publish.ts';

// Applies the outbox (api/services/catalog/outbox.ts): works out the affected pages with the
// dependency map, renders them through the Astro twins and swaps them in one by one; a full rebuild
// when a change needs one. Runs inside the `pages.rebuild` job, one run at a time across all
// workers; drainSearch() inside `search.rebuild`.

export interface RebuildSummary {
  changes: number;
  full: boolean;
  rendered: string[];
  removed: string[];
  /** Sitemap files (and robots.txt) this run rewrote or removed, as URL paths: those holding what it re-rendered (docs/sitemaps.md). */
  sitemaps: string[];
  /** The search publish this run asked for. */
  search: SearchScope | null;
}

/** What a search.rebuild run published (for its log line): the index's figures when it built one. */
export interface SearchDrained {
  scope: 'display' | 'index';
  ms: number;
  cpuMs?: number;
  tokenized?: number;
  linked?: number;
  written?: number;
  readMs?: number;
  buildMs?: number;
  writeMs?: number;
}

const BATCH = 10_000;
const RENDER_CONCURRENCY = 4;
/** A render thread unused this long ends: the next edit pays its start (~0.3 s) instead of the process keeping its heap. */
const RENDER_IDLE_MS = 60_000;

/** The variables that make a child `meiduo build` see this process's configuration. */
function envFor(config: Config): Record<string, string> {
  const url = config.database.client === 'sqlite' ? `sqlite:${config.database.filename}` : config.database.url;
  return {
    DATABASE_URL: url, DIST_DIR: config.distDir, MEDIA_DIR: config.mediaDir, IMAGE_HOSTS: config.imageHosts.join(','), LOG_LEVEL: 'warn',
    // the pages' absolute URLs (docs/seo.md); a defaulted one is left for the child to default, and to say so
    ...(config.siteUrlDefaulted ? {} : { SITE_URL: config.siteUrl }),
  };
}

async function pool<T>(items: T[], n: number, fn: (t: T) => Promise<void>) {
  let i = 0;
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, async () => {
    while (i < items.length) await fn(items[i++]!);
  }));
}

export class PageRebuilder {
  private renderer: Renderer | null = null;
  private idleTimer: NodeJS.Timeout | null = null;
  /** Aborts the full build this process is running in a child, if any (see close()). */
  private building: AbortController | null = null;

  /** The catalog's reads (the SKUs a change touches, snapshots) go through `catalog`; the outbox's through `db`. */
  constructor(
    private readonly db: Knex,
    private readonly catalog: CatalogService,
    private readonly config: Config,
    private readonly log: Logger,
  ) {}

  /** A run acts as the system, with a request id of its own for its log lines. */
  private context(name: string): RequestContext {
    return systemContext(`job:${name}`, { db: this.db, clock: systemClock });
  }

  /** The release dist/client points at now; a run writes into it even if a build swaps the link meanwhile. */
  private clientDir(): Promise<string> {
    const link = path.join(this.config.distDir, 'client');
    return fs.realpath(link).catch(() => link);
  }

  /**
   * A renderer for the release dist/server points at now. Checked at every run, not only after this
   * process's own full builds: another process (`meiduo rebuild --all`, another worker) may have
   * swapped releases since, and two swaps later the old one is deleted.
   */
  private async rendererForRun(): Promise<Renderer> {
    const release = await serverRelease(this.config.distDir);
    if (this.renderer && (!this.renderer.alive || this.renderer.release !== release)) await this.closeRenderer();
    this.renderer ??= await createRenderer(this.config.distDir);
    return this.renderer;
  }

  private async closeRenderer() {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
    const r = this.renderer;
    this.renderer = null;
    await r?.close();
  }

  async close(): Promise<void> {
    // A queue that gives up a running pages.rebuild (jobs/queue.ts close) hands the job to another
    // worker at once; a build child left running here would then race that worker's own build.
    this.building?.abort();
    await this.closeRenderer();
    await stopSearchThread();
  }

  /** Applies every pending change; returns what it did. */
  async drain(): Promise<RebuildSummary> {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
    try {
      return await this.drainOnce();
    } finally {
      if (this.renderer) {
        this.idleTimer = setTimeout(() => void this.closeRenderer().catch(() => {}), RENDER_IDLE_MS);
        this.idleTimer.unref();
      }
    }
  }

  private async drainOnce(): Promise<RebuildSummary> {
    const context = this.context('pages.rebuild');
    const pending = await readChanges(context, BATCH);
    const summary: RebuildSummary = { changes: pending?.changes.length ?? 0, full: false, rendered: [], removed: [], sitemaps: [], search: null };
    if (!pending) return summary;

    const plan = await this.plan(pending.changes);
    if (plan.full) {
      const searchBefore = await readSearchRequests(context);
      await this.fullBuild(); // the build publishes a fresh index too
      await markApplied(context, pending.ids, null);
      if (searchBefore) await markPublished(context, searchBefore.ids);
      summary.full = true;
      summary.search = 'index';
    } else {
      // Search first: the publish reads the catalog, not the pages, so the search.rebuild job (polling
      // on its own) need not wait for the render — an edit is searchable a render sooner (0.4–1.3 s).
      // Should the render fail, the changes stay pending and the next run asks again: one publish too many.
      if (plan.search) await requestSearch(context, plan.search);
      if (!isEmptyPlan(plan)) await this.apply(plan, summary);
      summary.search = plan.search;
      await markApplied(context, pending.ids, null);
    }
    // `npm start` compares this stamp with the catalog: after an applied change, dist/ is current
    await writeStamp(this.config.distDir, await currentStamp(this.config, this.db));
    return summary;
  }

  /** The same plan an admin write listed to its caller (api/services/catalog/plan-pages.ts). */
  async plan(changes: CatalogChange[]): Promise<RebuildPlan> {
    // the same planning an edit's answer shows its editor (plan-pages.ts)
    return planFor(this.context('pages.rebuild'), changes);
  }

  private async apply(plan: RebuildPlan, summary: RebuildSummary) {
    const clientDir = await this.clientDir();
    // The pages to render need: their SPUs (detail data), their categories' SKUs (lists, hot boxes).
    const context = this.context('pages.rebuild');
    const goods = await this.catalog.skusWhere(context, { ids: [...plan.goods] });
    const snapshot = await this.catalog.snapshot(context, {
      spuIds: [...new Set(goods.map((s) => s.spuId))],
      categoryIds: [...new Set([...plan.listCategories, ...goods.map((s) => s.categoryId)])],
      home: plan.home,
    }, { imageHosts: this.config.imageHosts });

    const render: string[] = [];
    const remove: string[] = [];
    for (const id of plan.goods) (goodsPage(snapshot, id) ? render : remove).push(goodsUrl(id));
    for (const categoryId of plan.listCategories) {
      const first = listPage(snapshot, categoryId, 'default', 1);
      if (!first) continue; // not a leaf category: it has no list pages
      const pages = pageCountOf(first.total);
      for (const sort of LIST_SORTS) {
        for (let p = 1; p <= pages; p++) render.push(listUrl(categoryId, sort, p));
        remove.push(...(await this.pagesBeyond(clientDir, categoryId, sort, pages)));
      }
    }
    if (plan.home) render.push(homeUrl());

    const renderer = render.length > 0 ? await this.rendererForRun() : null;
    await pool(render, RENDER_CONCURRENCY, async (url) => {
      const r = await renderer!.render(url, snapshot);
      if (r.status !== 200) throw new Error(`re-render of ${url} answered ${r.status}`);
      await publishFile(path.join(clientDir, urlToFile(url)), r.html);
    });
    for (const url of remove) if (await removePublished(path.join(clientDir, urlToFile(url)))) summary.removed.push(url);
    summary.rendered = render;
    // in the same run, once the pages are in place: the sitemaps naming them, then the index
    const sitemaps = await updateSitemaps(context, clientDir, this.config.siteUrl, { skuIds: plan.goods, categoryIds: plan.listCategories, home: plan.home });
    summary.sitemaps = [...sitemaps.written, ...sitemaps.removed];
  }

  /**
   * Publishes what the pending search requests need, if any: only the display file when no searchable
   * text changed (in this thread: no index build), else the whole index in a thread.
   */
  async drainSearch(): Promise<SearchDrained | false> {
    const context = this.context('search.rebuild');
    const pending = await readSearchRequests(context);
    if (!pending) return false;
    const clientDir = await this.clientDir();
    const started = performance.now();
    const displayOnly = pending.scope === 'display' && (await publishSearchDisplay(this.db, clientDir)) !== null;
    const published = displayOnly ? null : await publishSearchIndexOffThread(this.config, clientDir);
    await markPublished(context, pending.ids);
    return {
      scope: displayOnly ? 'display' : 'index',
      ms: Math.round(performance.now() - started),
      ...(published ? { cpuMs: published.cpuMs, ...published.stats } : {}),
    };
  }

  /**
   * Starts the search publisher thread and has it tokenize the catalog in the background (and keep
   * it), so the next publish re-tokenizes only what changed. The thread finds the release itself
   * (dist/client is resolved when it runs): the request is posted before this returns, ahead of any
   * publish asked for later.
   */
  warmSearch(): Promise<WarmedThread> {
    return warmSearchThread(this.config, path.join(this.config.distDir, 'client'));
  }

  /** List pages left from when the category had more SKUs. */
  private async pagesBeyond(clientDir: string, categoryId: number, sort: string, pages: number): Promise<string[]> {
    const dir = path.join(clientDir, 'list', String(categoryId), sort);
    const names = await fs.readdir(dir).catch(() => [] as string[]);
    return names
      .map((n) => /^(\d+)\.html$/.exec(n)?.[1])
      .filter((n): n is string => n !== undefined && Number(n) > pages)
      .map((n) => listUrl(categoryId, sort as (typeof LIST_SORTS)[number], Number(n)));
  }

  private async fullBuild() {
    await this.closeRenderer(); // the new release brings a new server bundle, and the build needs the memory
    const started = performance.now();
    this.building = new AbortController();
    try {
      await buildInChildProcess({ ...process.env, ...envFor(this.config) }, this.building.signal);
    } finally {
      this.building = null;
    }
    this.log.info({ seconds: (performance.now() - started) / 1000 }, 'full rebuild done');
  }
}
