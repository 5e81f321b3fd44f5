import type { RequestContext } from '../../context.ts';
import { db } from '../../db/transaction.ts';
import { preparedRows } from '../../db/prepared.ts';
import { NotFoundError } from '../../errors.ts';
import { centsFromDb, formatCents } from '../../money.ts';
import { ancestry, buildBreadcrumb, buildNav, channelUrls } from './nav.ts';
import type { Crumb, Nav } from './page-models.ts';
import { HOT_SKU_COUNT, goodsUrl } from './paths.ts';
import { SKU_COLUMNS, toCategory, toChannel, toGroup, toSku } from './rows.ts';
import { orderByFor } from './sorting.ts';
import type { Category, ListSort, Sku, SkuSummary } from './types.ts';
import { MicroCache } from './micro-cache.ts';
import { homeSkuIds, skusWhere } from './plan-pages.ts';
import { loadSnapshot, type CatalogSnapshot, type SnapshotOptions, type SnapshotScope } from './snapshot.ts';

// Catalog reads, no Koa: for the API (menu, lists and hot sellers through a micro-cache, with the
// same ordering rules as the prebuilt pages: sorting.ts), and for the build and the rebuild jobs
// (snapshots, the SKUs a change touches), which always read fresh. Each takes the request context
// and queries through it (api/db/transaction.ts), so a read made inside a request's transaction joins it.

export const skuSummary = (s: Sku): SkuSummary => ({
  id: s.id,
  name: s.name,
  price: formatCents(s.priceCents),
  default_image_url: s.defaultImage,
  comments: s.comments,
});

const SKU_BY_ID = `select ${SKU_COLUMNS.join(', ')} from skus where id = ? limit 1`;

// Lists select only what a summary shows.
const SUMMARY_COLUMNS = ['id', 'name', 'price', 'default_image', 'comments'] as const;
const summaryFromRow = (r: Record<string, any>): SkuSummary => ({
  id: r.id,
  name: r.name,
  price: formatCents(centsFromDb(r.price)),
  default_image_url: r.default_image ?? '',
  comments: Number(r.comments),
});

export interface SkuDetail extends SkuSummary {
  caption: string;
  market_price: string;
  stock: number;
  sales: number;
  is_launched: boolean;
  spu_id: number;
  category_id: number;
  url: string | null;
}

export interface CategoryInfo {
  id: number;
  name: string;
  level: number;
  breadcrumb: Crumb[];
  cat1: { id: number; name: string; url: string } | null;
  cat2: { id: number; name: string } | null;
  cat3: { id: number; name: string } | null;
}

export class CatalogService {
  private readonly shared: MicroCache;
  private readonly siteUrl: string;

  /**
   * cacheMs: how long shared reads (menu, lists, hot sellers) may be reused; 0 turns that off.
   * siteUrl: config.siteUrl, which every snapshot carries unless its caller names another, so the
   * build and the rebuild jobs make the same absolute URLs (docs/seo.md).
   */
  constructor(cacheMs = 0, opts: { siteUrl?: string; onCacheLookup?: (hit: boolean) => void } = {}) {
    this.shared = new MicroCache(cacheMs, undefined, undefined, opts.onCacheLookup);
    this.siteUrl = opts.siteUrl ?? '';
  }

  /**
   * A shared read, reused for a moment across requests — except inside a transaction, whose reads
   * may see its own uncommitted writes: those must never be handed to another request.
   */
  private reuse<T>(context: RequestContext, key: string, load: () => Promise<T>): Promise<T> {
    return context.trx ? load() : this.shared.get(key, load);
  }

  /** Call after changing the catalog in this process. */
  invalidate(): void {
    this.shared.clear();
  }

  private async categoryTables(context: RequestContext) {
    const [cats, channels, groups, filled] = await Promise.all([
      db(context)('goods_categories').select('id', 'name', 'parent_id', 'sequence'),
      db(context)('goods_channels').select('id', 'group_id', 'category_id', 'url', 'sequence'),
      db(context)('channel_groups').select('id', 'name'),
      // the third-level categories with something to show: the only ones the menu links (nav.ts)
      db(context)('skus').where('is_launched', true).distinct('category_id').pluck('category_id'),
    ]);
    return {
      categories: cats.map(toCategory),
      channels: channels.map(toChannel),
      groups: groups.map(toGroup),
      filled: new Set<number>(filled.map(Number)),
    };
  }

  menu(context: RequestContext): Promise<Nav> {
    return this.reuse(context, 'menu', async () => {
      const t = await this.categoryTables(context);
      return buildNav(t.categories, t.channels, t.groups, t.filled);
    });
  }

  category(context: RequestContext, id: number): Promise<CategoryInfo> {
    return this.reuse(context, `category:${id}`, () => this.loadCategory(context, id));
  }

  private async loadCategory(context: RequestContext, id: number): Promise<CategoryInfo> {
    const t = await this.categoryTables(context);
    const byId = new Map<number, Category>(t.categories.map((c) => [c.id, c]));
    const c = byId.get(id);
    if (!c) throw new NotFoundError('类别不存在', 'CATEGORY_NOT_FOUND');
    const chain = ancestry(id, byId);
    const breadcrumb = buildBreadcrumb(id, byId, channelUrls(t.categories, t.channels, t.filled), t.filled);
    return {
      id: c.id,
      name: c.name,
      level: chain.length,
      breadcrumb,
      cat1: breadcrumb[0] ?? null,
      cat2: chain[1] ? { id: chain[1].id, name: chain[1].name } : null,
      cat3: chain[2] ? { id: chain[2].id, name: chain[2].name } : null,
    };
  }

  private async requireCategory(context: RequestContext, id: number) {
    const row = await db(context)('goods_categories').where('id', id).first('id');
    if (!row) throw new NotFoundError('类别不存在', 'CATEGORY_NOT_FOUND');
  }

  listSkus(context: RequestContext, categoryId: number, sort: ListSort, page: number, pageSize: number): Promise<{ count: number; results: SkuSummary[] }> {
    return this.reuse(context, `list:${categoryId}:${sort}:${page}:${pageSize}`, () => this.loadList(context, categoryId, sort, page, pageSize));
  }

  private async loadList(context: RequestContext, categoryId: number, sort: ListSort, page: number, pageSize: number): Promise<{ count: number; results: SkuSummary[] }> {
    const where = { category_id: categoryId, is_launched: true };
    const [rows, countRows] = await Promise.all([
      db(context)('skus').select(SUMMARY_COLUMNS).where(where).orderBy(orderByFor(sort)).limit(pageSize).offset((page - 1) * pageSize),
      db(context)('skus').where(where).count<{ n: number | string }[]>({ n: '*' }),
    ]);
    const count = Number(countRows[0]?.n ?? 0);
    if (count === 0) await this.requireCategory(context, categoryId); // unknown, or known and empty
    const pages = Math.max(1, Math.ceil(count / pageSize));
    if (page > pages) throw new NotFoundError(`第 ${page} 页不存在，共 ${pages} 页`, 'PAGE_NOT_FOUND');
    return { count, results: rows.map(summaryFromRow) };
  }

  hotSkus(context: RequestContext, categoryId: number): Promise<SkuSummary[]> {
    return this.reuse(context, `hot:${categoryId}`, () => this.loadHot(context, categoryId));
  }

  private async loadHot(context: RequestContext, categoryId: number): Promise<SkuSummary[]> {
    const rows = await db(context)('skus')
      .select(SUMMARY_COLUMNS)
      .where({ category_id: categoryId, is_launched: true })
      .orderBy(orderByFor('hot'))
      .limit(HOT_SKU_COUNT);
    if (rows.length === 0) await this.requireCategory(context, categoryId);
    return rows.map(summaryFromRow);
  }

  async sku(context: RequestContext, id: number): Promise<SkuDetail> {
    // every SKU page asks for its stock: outside a transaction, one prepared statement (api/db/prepared.ts)
    const row = context.trx ? await db(context)('skus').select(SKU_COLUMNS).where('id', id).first() : (await preparedRows(context.db, SKU_BY_ID, [id]))[0];
    if (!row) throw new NotFoundError('商品不存在', 'SKU_NOT_FOUND');
    const s = toSku(row);
    return {
      ...skuSummary(s),
      caption: s.caption,
      market_price: formatCents(s.marketPriceCents),
      stock: s.stock,
      sales: s.sales,
      is_launched: s.isLaunched,
      spu_id: s.spuId,
      category_id: s.categoryId,
      url: s.isLaunched ? goodsUrl(s.id) : null,
    };
  }

  /** Launched SKUs by id, in the order given; unknown or unlaunched ids are dropped. */
  async summaries(context: RequestContext, ids: number[]): Promise<SkuSummary[]> {
    if (ids.length === 0) return [];
    const rows = await db(context)('skus').select(SUMMARY_COLUMNS).whereIn('id', ids).andWhere('is_launched', true);
    const byId = new Map(rows.map((r) => [r.id as number, summaryFromRow(r)]));
    return ids.flatMap((id) => byId.get(id) ?? []);
  }

  // ---- for the build and the rebuild jobs: never cached ----------------------------------------

  /** The catalog in memory for the page builders (pages.ts): whole, or only what `scope` names. */
  snapshot(context: RequestContext, scope?: SnapshotScope, opts?: SnapshotOptions): Promise<CatalogSnapshot> {
    return loadSnapshot(db(context), scope, { siteUrl: this.siteUrl, ...opts });
  }

  /** Every SKU, launched or not, that has one of these ids, is in one of these categories or belongs to one of these SPUs. */
  skusWhere(context: RequestContext, by: { ids?: number[]; categoryIds?: number[]; spuIds?: number[] }): Promise<Sku[]> {
    return skusWhere(context, by);
  }

  /** The SKUs the homepage's live content slots show. */
  homeSkuIds(context: RequestContext): Promise<Set<number>> {
    return homeSkuIds(context);
  }
}
