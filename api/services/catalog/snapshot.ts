import type { Knex } from 'knex';
import {
  toBrand, toCategory, toChannel, toContent, toContentCategory, toGroup, toOption, toSku, toSpec, toSpu, SKU_COLUMNS,
} from './rows.ts';
import type { Brand, Category, Channel, ChannelGroup, Content, ContentCategory, Sku, Spec, SpecOption, Spu } from './types.ts';

// Everything the page templates read, in memory. The full build loads it whole, once; incremental
// re-renders (jobs) load the same shape restricted to the SPUs and categories a change touches, and
// the same pure page builders (pages.ts) run on either.

export interface CatalogSnapshot {
  categories: Map<number, Category>;
  groups: ChannelGroup[];
  channels: Channel[];
  brands: Map<number, Brand>;
  spus: Map<number, Spu>;
  specs: Map<number, Spec[]>; // by spu id
  options: Map<number, SpecOption[]>; // by spec id
  skus: Map<number, Sku>;
  skuOptions: Map<number, Map<number, number>>; // sku id → spec id → option id
  images: Map<number, string[]>; // by sku id, in order
  contentCategories: ContentCategory[];
  contents: Content[];
  /**
   * Third-level categories with a launched SKU, of the whole catalog even in a scoped snapshot: the
   * menu and the homepage on every page link only these (nav.ts), so a re-render must know them all.
   */
  filledCategories: Set<number>;
  /** Hosts besides the shop that description pictures may come from (config.imageHosts). */
  imageHosts: string[];
  /**
   * The storefront origin (config.siteUrl) canonical URLs, Open Graph tags and JSON-LD are made on;
   * '' in snapshots made only to compute page logic (URLs then stay site paths).
   */
  siteUrl: string;
  /** Comments of the SKUs whose detail data is loaded: how many gave a score, and their sum. */
  ratings: Map<number, { count: number; scoreSum: number }>;
}

export interface SnapshotOptions {
  /** config.imageHosts: the full build and the re-render jobs must pass the same, or pages differ. */
  imageHosts?: string[];
  /** config.siteUrl: likewise the same for the build and the re-render jobs (CatalogService passes it). */
  siteUrl?: string;
}

export interface SnapshotScope {
  /** Load only these third-level categories' SKUs (for list pages and hot sellers). */
  categoryIds?: number[];
  /** Load only these SPUs and all their SKUs (for detail pages). */
  spuIds?: number[];
  /** Load the homepage content. */
  home?: boolean;
}

const group = <T, K>(items: T[], key: (t: T) => K): Map<K, T[]> => {
  const m = new Map<K, T[]>();
  for (const it of items) {
    const list = m.get(key(it));
    if (list) list.push(it);
    else m.set(key(it), [it]);
  }
  return m;
};

const chunked = async <T>(ids: number[], fn: (chunk: number[]) => Promise<T[]>): Promise<T[]> => {
  const out: T[] = [];
  for (let i = 0; i < ids.length; i += 500) out.push(...(await fn(ids.slice(i, i + 500))));
  return out;
};

/** scope omitted: the whole catalog. */
export async function loadSnapshot(db: Knex, scope?: SnapshotScope, opts: SnapshotOptions = {}): Promise<CatalogSnapshot> {
  const whole = scope === undefined;
  const [categories, groups, channels, brands, filled] = await Promise.all([
    db('goods_categories').select('id', 'name', 'parent_id', 'sequence'),
    db('channel_groups').select('id', 'name').orderBy('id'),
    db('goods_channels').select('id', 'group_id', 'category_id', 'url', 'sequence'),
    db('brands').select('id', 'name', 'logo', 'first_letter'),
    db('skus').where('is_launched', true).distinct('category_id').pluck('category_id'),
  ]);

  let contentCategories: Record<string, any>[] = [];
  let contents: Record<string, any>[] = [];
  if (whole || scope.home) {
    contentCategories = await db('content_categories').select('id', 'name', 'key');
    contents = await db('contents')
      .select('id', 'category_id', 'title', 'url', 'image', 'text', 'sequence', 'status', 'sku_id')
      .where('status', true)
      .orderBy([{ column: 'category_id' }, { column: 'sequence' }, { column: 'id' }]);
  }

  // SKUs: whole catalog, or those of the scoped categories and SPUs, plus the SKUs content slots show.
  let skuRows: Record<string, any>[];
  if (whole) {
    skuRows = await db('skus').select(SKU_COLUMNS);
  } else {
    const byId = new Map<number, Record<string, any>>();
    const add = (rows: Record<string, any>[]) => rows.forEach((r) => byId.set(r.id, r));
    add(await chunked(scope.categoryIds ?? [], (c) => db('skus').select(SKU_COLUMNS).whereIn('category_id', c)));
    add(await chunked(scope.spuIds ?? [], (c) => db('skus').select(SKU_COLUMNS).whereIn('spu_id', c)));
    const contentSkuIds = [...new Set(contents.map((c) => c.sku_id).filter((id): id is number => id != null))];
    add(await chunked(contentSkuIds.filter((id) => !byId.has(id)), (c) => db('skus').select(SKU_COLUMNS).whereIn('id', c)));
    skuRows = [...byId.values()];
  }
  const skus = skuRows.map(toSku);

  // Detail data (SPUs, specs, options, images) only for SKUs whose pages are rendered.
  const detailSpuIds = whole ? null : scope.spuIds ?? [];
  const spuRows = whole
    ? await db('spus').select('*')
    : await chunked(detailSpuIds!, (c) => db('spus').select('*').whereIn('id', c));
  const specRows = whole
    ? await db('spu_specs').select('id', 'spu_id', 'name', 'sequence')
    : await chunked(detailSpuIds!, (c) => db('spu_specs').select('id', 'spu_id', 'name', 'sequence').whereIn('spu_id', c));
  const specIds = specRows.map((s) => s.id as number);
  const optionRows = whole
    ? await db('spec_options').select('id', 'spec_id', 'value', 'sequence')
    : await chunked(specIds, (c) => db('spec_options').select('id', 'spec_id', 'value', 'sequence').whereIn('spec_id', c));
  const detailSkuIds = whole ? null : skus.filter((s) => detailSpuIds!.includes(s.spuId)).map((s) => s.id);
  const skuOptionRows = whole
    ? await db('sku_options').select('sku_id', 'spec_id', 'option_id')
    : await chunked(detailSkuIds!, (c) => db('sku_options').select('sku_id', 'spec_id', 'option_id').whereIn('sku_id', c));
  const imageRows = whole
    ? await db('sku_images').select('sku_id', 'image').orderBy([{ column: 'sku_id' }, { column: 'sequence' }, { column: 'id' }])
    : await chunked(detailSkuIds!, (c) =>
        db('sku_images').select('sku_id', 'image').whereIn('sku_id', c).orderBy([{ column: 'sku_id' }, { column: 'sequence' }, { column: 'id' }]),
      );

  // Comments' scores (order lines, api/services/orders/comments.ts) for the detail pages' rating.
  const ratingQuery = (q: Knex.QueryBuilder) =>
    q.where('is_commented', true).whereNotNull('score').groupBy('sku_id').select('sku_id').count({ n: '*' }).sum({ total: 'score' });
  const ratingRows: Record<string, any>[] = whole
    ? await ratingQuery(db('order_lines'))
    : await chunked(detailSkuIds!, (c) => ratingQuery(db('order_lines').whereIn('sku_id', c)));
  const ratings = new Map<number, { count: number; scoreSum: number }>();
  for (const r of ratingRows) ratings.set(Number(r.sku_id), { count: Number(r.n), scoreSum: Number(r.total) });

  const skuOptions = new Map<number, Map<number, number>>();
  for (const r of skuOptionRows) {
    let m = skuOptions.get(r.sku_id);
    if (!m) skuOptions.set(r.sku_id, (m = new Map()));
    m.set(r.spec_id, r.option_id);
  }
  const images = new Map<number, string[]>();
  for (const r of imageRows) {
    const list = images.get(r.sku_id);
    if (list) list.push(r.image);
    else images.set(r.sku_id, [r.image]);
  }

  return {
    categories: new Map(categories.map((r) => [r.id, toCategory(r)])),
    groups: groups.map(toGroup),
    channels: channels.map(toChannel),
    brands: new Map(brands.map((r) => [r.id, toBrand(r)])),
    spus: new Map(spuRows.map((r) => [r.id, toSpu(r)])),
    specs: group(specRows.map(toSpec), (s) => s.spuId),
    options: group(optionRows.map(toOption), (o) => o.specId),
    skus: new Map(skus.map((s) => [s.id, s])),
    skuOptions,
    images,
    contentCategories: contentCategories.map(toContentCategory),
    contents: contents.map(toContent),
    filledCategories: new Set(filled.map(Number)),
    imageHosts: opts.imageHosts ?? [],
    siteUrl: opts.siteUrl ?? '',
    ratings,
  };
}
