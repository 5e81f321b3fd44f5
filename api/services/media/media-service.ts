import type { Knex } from 'knex';
import type { RequestContext } from '../../context.ts';
import { forShare, forUpdate, isDeadlock } from '../../db/dialect.ts';
import { sqlNow } from '../../db/knex.ts';
import { db, withTransaction, type TxContext } from '../../db/transaction.ts';
import { NotFoundError, ValidationError } from '../../errors.ts';
import type { Logger } from '../../logger.ts';
import { recordAudit } from '../admin/audit.ts';
import { affectedPages, type AffectedPages } from '../catalog/affected-pages.ts';
import type { CatalogService } from '../catalog/catalog-service.ts';
import type { CatalogChange } from '../catalog/dependencies.ts';
import { recordChanges } from '../catalog/outbox.ts';
import { SKU_COLUMNS, toSku } from '../catalog/rows.ts';
import { encodePicture, pictureBaseOf, pictureVariant, SIZES, type EncodedPicture } from './pictures.ts';
import type { MediaStorage } from './storage.ts';

// SKU pictures and brand logos (docs/admin-media.md). An upload is checked and re-encoded before
// any transaction opens (sharp takes tens of milliseconds; SQLite's write lock must not wait on
// it); then, in one transaction, the picture's media_files row is locked, its files written, the
// row that uses it inserted, the audit entry and the page changes recorded. A picture no row uses
// any more (an image deleted, a logo replaced) is removed from storage after the transaction that
// dropped the last use has committed — never before, so a rolled-back delete keeps its files — by
// sweep(), which asks the database again under the same lock, so an upload of the same bytes
// running meanwhile keeps them.

export interface SkuImage {
  id: number;
  sku_id: number;
  /** The detail-page size: what sku_images.image and skus.default_image hold. */
  url: string;
  sequence: number;
  /** This picture is the SKU's default (lists, cards, the detail page's main picture). */
  is_default: boolean;
  /** Every size of the picture (for an older picture not uploaded here, its one URL each time). */
  sizes: { detail: string; card: string; thumb: string };
}

export interface SkuImages {
  sku_id: number;
  default_image: string;
  count: number;
  results: SkuImage[];
}

export interface BrandLogo {
  id: number;
  name: string;
  logo: string;
}

/** Every place a picture's URL may be named: while one of them does, its files stay. */
const USES: [table: string, column: string][] = [
  ['sku_images', 'image'],
  ['skus', 'default_image'],
  ['brands', 'logo'],
  ['contents', 'image'],
];

const toImage = (r: { id: number; sku_id: number; image: string; sequence: number }, defaultImage: string): SkuImage => ({
  id: Number(r.id),
  sku_id: Number(r.sku_id),
  url: r.image,
  sequence: Number(r.sequence),
  is_default: r.image === defaultImage,
  sizes: { detail: r.image, card: pictureVariant(r.image, 'card'), thumb: pictureVariant(r.image, 'thumb') },
});

export class MediaService {
  constructor(
    readonly storage: MediaStorage,
    private readonly catalog: CatalogService,
    private readonly log: Logger,
  ) {}

  // ---------- SKU pictures ----------

  async listSkuImages(context: RequestContext, skuId: number): Promise<SkuImages> {
    const q = db(context);
    const sku = await q('skus').where('id', skuId).first('id', 'default_image');
    if (!sku) throw new NotFoundError('商品不存在', 'SKU_NOT_FOUND');
    const rows = await q('sku_images').where('sku_id', skuId).orderBy([{ column: 'sequence' }, { column: 'id' }]).select('id', 'sku_id', 'image', 'sequence');
    return { sku_id: skuId, default_image: sku.default_image, count: rows.length, results: rows.map((r) => toImage(r, sku.default_image)) };
  }

  /** Adds a picture after the SKU's others; the first picture of a SKU without one becomes its default. */
  async addSkuImage(context: RequestContext, skuId: number, bytes: Buffer): Promise<SkuImage & { rebuild: AffectedPages }> {
    // refused before the work of re-encoding: an unknown SKU is a 404 whatever is sent
    if (!(await db(context)('skus').where('id', skuId).first('id'))) throw new NotFoundError('商品不存在', 'SKU_NOT_FOUND');
    const picture = await encodePicture(bytes, 'sku');
    const url = this.storage.url(picture.files[0]!.key);
    return this.writeThenSweep(context, [url], async (tx) => {
      const { trx } = tx;
      const row = await forUpdate(trx, trx('skus').select(SKU_COLUMNS).where('id', skuId)).first();
      if (!row) throw new NotFoundError('商品不存在', 'SKU_NOT_FOUND');
      const before = toSku(row);
      await this.store(tx, picture);
      const now = sqlNow(tx.clock.now());
      const last = await trx('sku_images').where('sku_id', skuId).max({ s: 'sequence' }).first();
      const sequence = last?.s === null || last?.s === undefined ? 0 : Number(last.s) + 1;
      const [id] = await trx('sku_images').insert({ sku_id: skuId, image: url, sequence, create_time: now, update_time: now });
      const imageId = Number(id ?? (await trx('sku_images').where({ sku_id: skuId, image: url, sequence }).max({ id: 'id' }).first())?.id);
      await recordAudit(tx, { action: 'create', resource: 'goods.sku_image', resourceId: imageId, changes: { sku_id: [null, skuId], image: [null, url], sequence: [null, sequence] } });
      let defaultImage = before.defaultImage;
      if (!defaultImage) {
        defaultImage = url;
        await trx('skus').where('id', skuId).update({ default_image: url, update_time: now });
        await recordAudit(tx, { action: 'update', resource: 'goods.sku', resourceId: skuId, changes: { default_image: [before.defaultImage, url] } });
      }
      const rebuild = await this.recordSkuPictures(tx, before);
      return { ...toImage({ id: imageId, sku_id: skuId, image: url, sequence }, defaultImage), rebuild };
    });
  }

  /**
   * Sets the pictures' order (`order`: every picture id of the SKU, first shown first) and/or the
   * default picture (one of the SKU's pictures).
   */
  async arrangeSkuImages(context: RequestContext, skuId: number, change: { order?: number[]; defaultImageId?: number }): Promise<SkuImages & { rebuild: AffectedPages }> {
    return withTransaction(context, async (tx) => {
      const { trx } = tx;
      const row = await forUpdate(trx, trx('skus').select(SKU_COLUMNS).where('id', skuId)).first();
      if (!row) throw new NotFoundError('商品不存在', 'SKU_NOT_FOUND');
      const before = toSku(row);
      const images: { id: number; image: string; sequence: number }[] = await trx('sku_images').where('sku_id', skuId).orderBy([{ column: 'sequence' }, { column: 'id' }]).select('id', 'image', 'sequence');
      const byId = new Map(images.map((i) => [Number(i.id), i]));
      const now = sqlNow(tx.clock.now());
      if (change.order) {
        const ids = change.order;
        if (new Set(ids).size !== ids.length || ids.length !== images.length || ids.some((id) => !byId.has(id))) {
          throw new ValidationError('图片顺序有误', { order: '必须恰好列出该商品的每张图片一次' });
        }
        for (const [sequence, id] of ids.entries()) {
          const old = Number(byId.get(id)!.sequence);
          if (old === sequence) continue;
          await trx('sku_images').where('id', id).update({ sequence, update_time: now });
          await recordAudit(tx, { action: 'update', resource: 'goods.sku_image', resourceId: id, changes: { sequence: [old, sequence] } });
        }
      }
      if (change.defaultImageId !== undefined) {
        const image = byId.get(change.defaultImageId);
        if (!image) throw new ValidationError('默认图片有误', { default_image_id: '不是该商品的图片' });
        if (image.image !== before.defaultImage) {
          await trx('skus').where('id', skuId).update({ default_image: image.image, update_time: now });
          await recordAudit(tx, { action: 'update', resource: 'goods.sku', resourceId: skuId, changes: { default_image: [before.defaultImage, image.image] } });
        }
      }
      const rebuild = await this.recordSkuPictures(tx, before);
      return { ...(await this.listSkuImages(tx, skuId)), rebuild };
    });
  }

  /**
   * Deletes one picture; when it was the default, the next picture in order becomes the default (none
   * left: no default). Its files go once nothing uses them.
   */
  async deleteSkuImage(context: RequestContext, skuId: number, imageId: number): Promise<{ id: number; default_image: string; rebuild: AffectedPages }> {
    const image = await db(context)('sku_images').where({ id: imageId, sku_id: skuId }).first('image');
    if (!image) throw new NotFoundError('图片不存在', 'SKU_IMAGE_NOT_FOUND');
    return this.writeThenSweep(context, [image.image], async (tx) => {
      const { trx } = tx;
      const row = await forUpdate(trx, trx('skus').select(SKU_COLUMNS).where('id', skuId)).first();
      if (!row) throw new NotFoundError('商品不存在', 'SKU_NOT_FOUND');
      const before = toSku(row);
      const gone = await trx('sku_images').where({ id: imageId, sku_id: skuId }).first('image', 'sequence');
      if (!gone) throw new NotFoundError('图片不存在', 'SKU_IMAGE_NOT_FOUND');
      await trx('sku_images').where('id', imageId).del();
      await recordAudit(tx, { action: 'delete', resource: 'goods.sku_image', resourceId: imageId, changes: { image: [gone.image, null], sequence: [Number(gone.sequence), null] } });
      let defaultImage = before.defaultImage;
      // another row of the SKU may hold the same picture (the same bytes uploaded twice): it stays default
      if (defaultImage === gone.image && !(await trx('sku_images').where({ sku_id: skuId, image: gone.image }).first('id'))) {
        const next = await trx('sku_images').where('sku_id', skuId).orderBy([{ column: 'sequence' }, { column: 'id' }]).first('image');
        defaultImage = next?.image ?? '';
        await trx('skus').where('id', skuId).update({ default_image: defaultImage, update_time: sqlNow(tx.clock.now()) });
        await recordAudit(tx, { action: 'update', resource: 'goods.sku', resourceId: skuId, changes: { default_image: [before.defaultImage, defaultImage] } });
      }
      const rebuild = await this.recordSkuPictures(tx, before);
      return { id: imageId, default_image: defaultImage, rebuild };
    });
  }

  /**
   * The page changes of an edit of a SKU's pictures: the SKU as a change (its default picture shows
   * on cards — lists, hot boxes, the homepage, search results — and the dependency map finds those
   * pages), and its own detail page by name, since its gallery shows every picture and the map's
   * SKU fields do not include them.
   */
  private async recordSkuPictures(tx: TxContext, before: ReturnType<typeof toSku>): Promise<AffectedPages> {
    const after = toSku(await tx.trx('skus').select(SKU_COLUMNS).where('id', before.id).first());
    const changes: CatalogChange[] = [{ kind: 'sku', before, after }, { kind: 'pages', skuIds: [before.id] }];
    const changeId = await recordChanges(tx, changes);
    return affectedPages(tx, changes, changeId);
  }

  // ---------- brand logos ----------

  /** Replaces a brand's logo; the old one's files go once nothing uses them. */
  async setBrandLogo(context: RequestContext, brandId: number, bytes: Buffer): Promise<BrandLogo & { rebuild: AffectedPages }> {
    const found = await db(context)('brands').where('id', brandId).first('logo');
    if (!found) throw new NotFoundError('品牌不存在', 'BRAND_NOT_FOUND');
    const picture = await encodePicture(bytes, 'logo');
    const url = this.storage.url(picture.files[0]!.key);
    return this.writeThenSweep(context, [url, found.logo], async (tx) => {
      const { trx } = tx;
      const brand = await forUpdate(trx, trx('brands').where('id', brandId).select('id', 'name', 'logo')).first();
      if (!brand) throw new NotFoundError('品牌不存在', 'BRAND_NOT_FOUND');
      await this.store(tx, picture);
      if (brand.logo !== url) {
        await trx('brands').where('id', brandId).update({ logo: url, update_time: sqlNow(tx.clock.now()) });
        await recordAudit(tx, { action: 'update', resource: 'goods.brand', resourceId: brandId, changes: { logo: [brand.logo, url] } });
      }
      // No page shows a brand's logo today (the detail page names the brand; templates/): nothing
      // to re-render. Recorded all the same, so the answer and the outbox say so alike.
      const changeId = await recordChanges(tx, []);
      return { id: Number(brand.id), name: brand.name, logo: url, rebuild: { change_id: changeId, full: false, pages: [], search: null } };
    });
  }

  // ---------- storage and clean-up ----------

  /** Locks the picture's media_files row (inserting it), then makes sure its files are stored. */
  private async store(tx: TxContext, picture: EncodedPicture): Promise<void> {
    const { trx } = tx;
    // The row first, then a shared lock on it. Locking a missing row FOR UPDATE takes a gap lock on
    // MariaDB, and two first uploads of the same bytes holding that gap each waited for the other's
    // insert: a deadlock, with four at once some ran out of tries (a 500). An insert of a key another
    // transaction is inserting waits for it instead, then finds the row; uploads of the same bytes
    // share its lock (an exclusive one after the insert's shared lock deadlocked among them too),
    // and a sweep, which locks it FOR UPDATE, waits until they have committed their rows.
    await trx('media_files').insert({ key: picture.base, created_at: tx.clock.now().getTime() }).onConflict('key').ignore();
    await forShare(trx, trx('media_files').where('key', picture.base).select('key')).first();
    // with the row locked no sweep removes these files under us; content-named, so a file there is this one
    for (const f of picture.files) {
      if (!(await this.storage.exists(f.key))) await this.storage.put(f.key, f.data, f.contentType);
    }
  }

  /**
   * Runs `work` in the request's transaction (or one of its own), then sweeps `urls` once that
   * transaction has ended — committed (a picture it stopped using) or rolled back (files an upload
   * wrote for a row that never came). Inside a caller's transaction the sweep waits for its end.
   */
  private async writeThenSweep<T>(context: RequestContext, urls: string[], work: (tx: TxContext) => Promise<T>): Promise<T> {
    const outside: RequestContext = { ...context, trx: undefined };
    if (context.trx) {
      const r = await work(context as TxContext);
      this.sweepAfter(context.trx, outside, urls);
      return r;
    }
    try {
      for (let attempt = 1; ; attempt++) {
        try {
          return await withTransaction(outside, work);
        } catch (err) {
          // a deadlock's victim was rolled back whole and may run again (store() avoids the one two
          // uploads of the same bytes made); said, so that a test can tell it never happens there
          if (!isDeadlock(err) || attempt >= 3) throw err;
          this.log.warn({ err, attempt }, 'media write retried after a deadlock');
        }
      }
    } finally {
      await this.sweep(outside, urls);
    }
  }

  /** Sweeps `urls` when `trx` (a caller's) has ended; a failed sweep leaves the files and is logged. */
  sweepAfter(trx: Knex.Transaction, context: RequestContext, urls: string[]): void {
    const run = () => this.sweep({ ...context, trx: undefined }, urls).catch((err: unknown) => this.log.warn({ err, urls }, 'media sweep failed'));
    void trx.executionPromise.then(run, run);
  }

  /** The URLs of a SKU's pictures: what a caller deleting the SKU passes to sweepAfter. */
  async skuPictureUrls(context: RequestContext, skuId: number): Promise<string[]> {
    const q = db(context);
    const rows: string[] = await q('sku_images').where('sku_id', skuId).pluck('image');
    const sku = await q('skus').where('id', skuId).first('default_image');
    return [...new Set([...rows, ...(sku?.default_image ? [sku.default_image] : [])])];
  }

  /**
   * Removes from storage every picture of `urls` that no row names any more. Each one in its own
   * short transaction holding its media_files row, so an upload of the same bytes (which takes that
   * lock before writing its files and its row) either comes first and is seen here, or comes after
   * and writes the files again. URLs this storage does not serve (the demo's SVGs) are left alone.
   */
  async sweep(context: RequestContext, urls: string[]): Promise<string[]> {
    const removed: string[] = [];
    for (const url of new Set(urls)) {
      const key = url ? this.storage.keyOf(url) : null;
      if (!key) continue;
      const base = pictureBaseOf(key);
      const gone = await withTransaction({ ...context, trx: undefined }, async ({ trx }) => {
        const row = await forUpdate(trx, trx('media_files').where('key', base).select('key')).first();
        const variants = variantKeysOf(base);
        for (const variant of variants) {
          const variantUrl = this.storage.url(variant);
          for (const [table, column] of USES) if (await trx(table).where(column, variantUrl).first(trx.raw('1 as used'))) return false;
        }
        if (row) await trx('media_files').where('key', base).del();
        for (const variant of variants) await this.storage.remove(variant);
        return true;
      });
      if (gone) removed.push(url);
    }
    return removed;
  }
}

/** Every stored file of a picture, from its media_files key ('images/…' or 'logos/…'). */
function variantKeysOf(base: string): string[] {
  if (base.startsWith('images/')) return SIZES.sku.map((s) => `${base}-${s.width}.jpg`);
  if (base.startsWith('logos/')) return SIZES.logo.map((s) => `${base}-${s.width}.png`);
  return [];
}
