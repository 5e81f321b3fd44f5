import fs from 'node:fs/promises';
import path from 'node:path';
import type { Knex } from 'knex';
import { parseMoney } from '../../money.ts';
import { sqlNow } from '../../db/knex.ts';
import { listUrl } from '../catalog/paths.ts';
import { formatAliases } from '../search/brand-aliases.ts';
import { demoCatalog } from './demo-catalog.ts';
import type { DemoCatalog } from './demo-types.ts';
import { demoCommentRows } from './demo-comments.ts';
import { bannerSvg, colorFor, productSvg } from './images.ts';
import { synthesize } from './synthetic.ts';

// Seeds an empty database with the demo catalog (and, with `skus`, a synthetic catalog of that
// size for benchmarks). Ids are assigned here rather than by the database so both dialects produce
// the same catalog, and the whole seed is one transaction: a failed seed leaves nothing behind.

export interface SeedOptions {
  mediaDir: string;
  /** Total SKUs wanted; extra synthetic SKUs are generated beyond the demo catalog. */
  skus?: number;
  catalog?: DemoCatalog;
  onProgress?: (done: number, total: number) => void;
}

export interface SeedResult {
  categories: number;
  channels: number;
  brands: number;
  spus: number;
  skus: number;
  contents: number;
  comments: number;
}

export async function isCatalogEmpty(db: Knex): Promise<boolean> {
  const row = await db('goods_categories').first('id');
  return !row;
}

type Row = Record<string, unknown>;

class Tables {
  readonly rows = new Map<string, Row[]>();
  add(table: string, row: Row) {
    const list = this.rows.get(table);
    if (list) list.push(row);
    else this.rows.set(table, [row]);
  }
  count(table: string) {
    return this.rows.get(table)?.length ?? 0;
  }
}

const INSERT_ORDER = [
  'goods_categories', 'channel_groups', 'goods_channels', 'brands', 'spus', 'spu_specs', 'spec_options',
  'skus', 'sku_options', 'sku_images', 'content_categories', 'contents', 'users', 'orders', 'order_lines',
];

function money(value: string, what: string): string {
  const cents = parseMoney(value);
  if (cents === null || cents < 0) throw new Error(`demo catalog: bad money ${what}: ${value}`);
  return value;
}

export function planCatalog(catalog: DemoCatalog, opts: { skus?: number } = {}) {
  const t = new Tables();
  const files = new Map<string, string>(); // media path → SVG
  const base = Date.UTC(2026, 0, 1);
  let clock = 0;
  const stamp = () => sqlNow(new Date(base + clock++ * 60_000));

  // categories and channels
  let catId = 0;
  const catPath = new Map<string, number>(); // 'c1/c2/c3' → id
  const leafByName = new Map<string, number>();
  catalog.groups.forEach((g, gi) => {
    const groupId = gi + 1;
    t.add('channel_groups', { id: groupId, name: g.channels.map((c) => c.name).join(' '), sequence: gi });
    g.channels.forEach((ch, ci) => {
      const c1 = ++catId;
      t.add('goods_categories', { id: c1, name: ch.name, parent_id: null, sequence: ci });
      catPath.set(ch.name, c1);
      let firstLeaf: number | null = null;
      ch.subs.forEach((c2, i2) => {
        const id2 = ++catId;
        t.add('goods_categories', { id: id2, name: c2.name, parent_id: c1, sequence: i2 });
        catPath.set(`${ch.name}/${c2.name}`, id2);
        c2.subs.forEach((c3, i3) => {
          const id3 = ++catId;
          t.add('goods_categories', { id: id3, name: c3, parent_id: id2, sequence: i3 });
          catPath.set(`${ch.name}/${c2.name}/${c3}`, id3);
          if (!leafByName.has(c3)) leafByName.set(c3, id3);
          firstLeaf ??= id3;
        });
      });
      t.add('goods_channels', {
        id: t.count('goods_channels') + 1,
        group_id: groupId,
        category_id: c1,
        url: firstLeaf ? listUrl(firstLeaf) : '/',
        sequence: ci,
      });
    });
  });

  const brandId = new Map<string, number>();
  catalog.brands.forEach((b, i) => {
    brandId.set(b.name, i + 1);
    t.add('brands', { id: i + 1, name: b.name, logo: '', first_letter: b.firstLetter, aliases: formatAliases(b.aliases ?? []) });
  });

  const skuIdByName = new Map<string, number>();
  const addSpu = (spu: DemoCatalog['spus'][number], imageFor: (skuId: number, skuName: string, options: string[]) => string[]) => {
    const [n1, n2, n3] = spu.category;
    const c1 = catPath.get(n1);
    const c2 = catPath.get(`${n1}/${n2}`);
    const c3 = catPath.get(`${n1}/${n2}/${n3}`);
    const b = brandId.get(spu.brand);
    if (!c1 || !c2 || !c3) throw new Error(`demo catalog: unknown category ${spu.category.join('/')} for ${spu.name}`);
    if (!b) throw new Error(`demo catalog: unknown brand ${spu.brand} for ${spu.name}`);
    const spuId = t.count('spus') + 1;
    t.add('spus', {
      id: spuId, name: spu.name, brand_id: b, category1_id: c1, category2_id: c2, category3_id: c3,
      sales: spu.skus.reduce((n, s) => n + s.sales, 0), comments: spu.skus.reduce((n, s) => n + s.comments, 0),
      desc_detail: spu.descDetail, desc_pack: spu.descPack, desc_service: spu.descService,
    });
    const optionIds = spu.specs.map((spec, si) => {
      const specId = t.count('spu_specs') + 1;
      t.add('spu_specs', { id: specId, spu_id: spuId, name: spec.name, sequence: si });
      return {
        specId,
        options: new Map(spec.options.map((value, oi) => {
          const id = t.count('spec_options') + 1;
          t.add('spec_options', { id, spec_id: specId, value, sequence: oi });
          return [value, id] as const;
        })),
      };
    });
    for (const sku of spu.skus) {
      if (sku.options.length !== spu.specs.length) throw new Error(`demo catalog: ${sku.name} needs ${spu.specs.length} options`);
      const skuId = t.count('skus') + 1;
      const images = imageFor(skuId, sku.name, sku.options);
      const created = stamp();
      t.add('skus', {
        id: skuId, spu_id: spuId, category_id: c3, name: sku.name, caption: sku.caption,
        price: money(sku.price, sku.name), cost_price: money(sku.costPrice, sku.name), market_price: money(sku.marketPrice, sku.name),
        stock: sku.stock, sales: sku.sales, comments: sku.comments, is_launched: sku.launched ?? true,
        default_image: images[0] ?? '', create_time: created, update_time: created,
      });
      if (skuIdByName.has(sku.name)) throw new Error(`demo catalog: duplicate SKU name ${sku.name}`);
      skuIdByName.set(sku.name, skuId);
      sku.options.forEach((value, i) => {
        const o = optionIds[i]!;
        const optionId = o.options.get(value);
        if (!optionId) throw new Error(`demo catalog: ${sku.name}: '${value}' is not an option of spec ${i + 1}`);
        t.add('sku_options', { id: t.count('sku_options') + 1, sku_id: skuId, spec_id: o.specId, option_id: optionId });
      });
      images.forEach((image, i) => t.add('sku_images', { id: t.count('sku_images') + 1, sku_id: skuId, image, sequence: i }));
    }
  };

  for (const spu of catalog.spus) {
    addSpu(spu, (skuId, skuName, options) => {
      const color = colorFor(options.join(' '), spu.color);
      return [0, 1, 2].map((view) => {
        const file = `/media/goods/sku-${skuId}-${view}.svg`;
        files.set(file, productSvg(spu.name, color, view));
        return file;
      });
    });
  }

  // synthetic catalog for benchmarks: shared pictures, so 10,000 SKUs do not mean 30,000 files
  if (opts.skus && opts.skus > t.count('skus')) {
    const leaves = [...catPath.entries()].filter(([k]) => k.split('/').length === 3);
    const pool: string[] = [];
    for (let i = 0; i < 24; i++) {
      const file = `/media/goods/synthetic-${i}.svg`;
      files.set(file, productSvg('美多优选', `hsl(${(i * 37) % 360} 55% 50%)`, i % 3));
      pool.push(file);
    }
    for (const spu of synthesize(catalog, leaves.map(([k]) => k.split('/') as [string, string, string]), opts.skus - t.count('skus'))) {
      addSpu(spu, (skuId) => [pool[skuId % pool.length]!, pool[(skuId + 7) % pool.length]!]);
    }
  }

  // the comments behind every SKU's count (demo-comments.ts)
  const commented = (t.rows.get('skus') ?? []).map((r) => ({
    id: r.id as number, name: r.name as string, price: r.price as string, image: r.default_image as string, comments: r.comments as number,
  }));
  const people = demoCommentRows(commented, base);
  people.users.forEach((r) => t.add('users', r));
  people.orders.forEach((r) => t.add('orders', r));
  people.lines.forEach((r) => t.add('order_lines', r));

  // homepage content
  const palette = ['#e4393c', '#2f6fd6', '#7b53c1', '#f08a24', '#3aa66a', '#c81623'];
  catalog.contents.forEach((slot, si) => {
    const slotId = si + 1;
    t.add('content_categories', { id: slotId, name: slot.name, key: slot.key });
    slot.items.forEach((item, i) => {
      let skuId: number | null = null;
      if (item.sku !== undefined) {
        skuId = skuIdByName.get(item.sku) ?? null;
        if (skuId === null) throw new Error(`demo catalog: content ${slot.key} names unknown SKU ${item.sku}`);
      }
      let url = item.url ?? '';
      if (!url && skuId === null && item.text) {
        const leaf = leafByName.get(item.text);
        url = leaf ? listUrl(leaf) : '/';
      }
      let image = '';
      if (item.image) {
        image = `/media/contents/${slot.key}-${i}.svg`;
        const wide = slot.key === 'index_ytgg';
        // the sizes of the slots on a desktop (templates/styles/main.css: .carousel, .top-ads), so nothing is cropped there
        files.set(image, bannerSvg(item.title, palette[(si + i) % palette.length]!, wide ? 1200 : 720, wide ? 80 : 420));
      }
      t.add('contents', {
        id: t.count('contents') + 1, category_id: slotId, title: item.title, url, image,
        text: item.text ?? '', sequence: i, status: true, sku_id: skuId,
      });
    });
  });

  return { tables: t, files };
}

export async function seedCatalog(db: Knex, opts: SeedOptions): Promise<SeedResult> {
  const { tables, files } = planCatalog(opts.catalog ?? demoCatalog(), { skus: opts.skus });
  const total = INSERT_ORDER.reduce((n, name) => n + tables.count(name), 0);
  let done = 0;

  for (const [file, svg] of files) {
    const target = path.join(opts.mediaDir, file.replace(/^\/media\//, ''));
    await fs.mkdir(path.dirname(target), { recursive: true });
    await fs.writeFile(target, svg);
  }

  await db.transaction(async (trx) => {
    // The catalog is empty, but accounts or orders may exist (registered before a seed): the demo
    // shoppers and their comment lines take ids after theirs.
    const maxId = async (table: string) => Number((await trx(table).max({ n: 'id' }).first())?.n ?? 0);
    const [userBase, lineBase] = [await maxId('users'), await maxId('order_lines')];
    const users = new Map<unknown, number>();
    for (const u of tables.rows.get('users') ?? []) users.set(u.id, (u.id = (u.id as number) + userBase));
    for (const o of tables.rows.get('orders') ?? []) o.user_id = users.get(o.user_id);
    for (const l of tables.rows.get('order_lines') ?? []) l.id = (l.id as number) + lineBase;
    for (const table of INSERT_ORDER) {
      const rows = tables.rows.get(table) ?? [];
      for (let i = 0; i < rows.length; i += 500) {
        await trx(table).insert(rows.slice(i, i + 500));
        done += Math.min(500, rows.length - i);
        opts.onProgress?.(done, total);
      }
    }
  });

  return {
    categories: tables.count('goods_categories'),
    channels: tables.count('goods_channels'),
    brands: tables.count('brands'),
    spus: tables.count('spus'),
    skus: tables.count('skus'),
    contents: tables.count('contents'),
    comments: tables.count('order_lines'),
  };
}
