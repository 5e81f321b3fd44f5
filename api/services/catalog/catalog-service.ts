import type { Knex } from 'knex';
import { NotFoundError } from '../../errors.ts';
import { formatCents } from '../../money.ts';
import { ancestry, buildBreadcrumb, buildNav } from './nav.ts';
import type { Crumb, Nav } from './page-models.ts';
import { HOT_SKU_COUNT, goodsUrl } from './paths.ts';
import { SKU_COLUMNS, toCategory, toChannel, toGroup, toSku } from './rows.ts';
import { orderByFor } from './sorting.ts';
import type { Category, ListSort, Sku, SkuSummary } from './types.ts';

// Catalog reads for the API: plain functions over knex, no Koa. Lists and hot sellers use the same
// ordering rules as the prebuilt pages (sorting.ts).

export const skuSummary = (s: Sku): SkuSummary => ({
  id: s.id,
  name: s.name,
  price: formatCents(s.priceCents),
  default_image_url: s.defaultImage,
  comments: s.comments,
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
  constructor(private readonly db: Knex) {}

  private async categoryTables() {
    const [cats, channels, groups] = await Promise.all([
      this.db('goods_categories').select('id', 'name', 'parent_id', 'sequence'),
      this.db('goods_channels').select('id', 'group_id', 'category_id', 'url', 'sequence'),
      this.db('channel_groups').select('id', 'name'),
    ]);
    return { categories: cats.map(toCategory), channels: channels.map(toChannel), groups: groups.map(toGroup) };
  }

  async menu(): Promise<Nav> {
    const t = await this.categoryTables();
    return buildNav(t.categories, t.channels, t.groups);
  }

  async category(id: number): Promise<CategoryInfo> {
    const t = await this.categoryTables();
    const byId = new Map<number, Category>(t.categories.map((c) => [c.id, c]));
    const c = byId.get(id);
    if (!c) throw new NotFoundError('类别不存在', 'CATEGORY_NOT_FOUND');
    const chain = ancestry(id, byId);
    const breadcrumb = buildBreadcrumb(id, byId, t.channels);
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

  private async requireCategory(id: number) {
    const row = await this.db('goods_categories').where('id', id).first('id');
    if (!row) throw new NotFoundError('类别不存在', 'CATEGORY_NOT_FOUND');
  }

  async listSkus(categoryId: number, sort: ListSort, page: number, pageSize: number): Promise<{ count: number; results: SkuSummary[] }> {
    await this.requireCategory(categoryId);
    const base = () => this.db('skus').where({ category_id: categoryId, is_launched: true });
    const countRow = await base().count<{ n: number | string }[]>({ n: '*' });
    const count = Number(countRow[0]?.n ?? 0);
    const pages = Math.max(1, Math.ceil(count / pageSize));
    if (page > pages) throw new NotFoundError(`第 ${page} 页不存在，共 ${pages} 页`, 'PAGE_NOT_FOUND');
    const rows = await base()
      .select(SKU_COLUMNS)
      .orderBy(orderByFor(sort))
      .limit(pageSize)
      .offset((page - 1) * pageSize);
    return { count, results: rows.map((r) => skuSummary(toSku(r))) };
  }

  async hotSkus(categoryId: number): Promise<SkuSummary[]> {
    await this.requireCategory(categoryId);
    const rows = await this.db('skus')
      .select(SKU_COLUMNS)
      .where({ category_id: categoryId, is_launched: true })
      .orderBy(orderByFor('hot'))
      .limit(HOT_SKU_COUNT);
    return rows.map((r) => skuSummary(toSku(r)));
  }

  async sku(id: number): Promise<SkuDetail> {
    const row = await this.db('skus').select(SKU_COLUMNS).where('id', id).first();
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
  async summaries(ids: number[]): Promise<SkuSummary[]> {
    if (ids.length === 0) return [];
    const rows = await this.db('skus').select(SKU_COLUMNS).whereIn('id', ids).andWhere('is_launched', true);
    const byId = new Map(rows.map((r) => [r.id as number, skuSummary(toSku(r))]));
    return ids.flatMap((id) => byId.get(id) ?? []);
  }
}
