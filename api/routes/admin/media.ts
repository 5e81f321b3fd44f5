import { z } from 'zod';
import { UploadedFile } from '../../middleware/body.ts';
import { MAX_UPLOAD_BYTES } from '../../services/media/pictures.ts';
import { idSchema } from '../../validation.ts';
import { defineRoute } from '../define.ts';
import * as answer from '../answers/media.ts';

// SKU pictures and brand logos (docs/admin-media.md). Uploads are multipart with the picture in the
// field `image`, at most MAX_UPLOAD_BYTES (the reader stops at it: 413); type, pixel count and
// re-encoding are the service's (api/services/media/pictures.ts). The routes that store or remove
// files are `transaction: 'service'`: the service re-encodes before opening its one transaction (sharp's
// work must not hold SQLite's write lock) and removes unused files after it has committed.

const picture = z
  .custom<UploadedFile>((v) => v instanceof UploadedFile, { message: '必须是一个文件' })
  .meta({ type: 'string', format: 'binary', description: 'a JPEG, PNG or WebP picture, at most 5 MiB and 40 megapixels' });
const upload = z.object({ image: picture }, { message: '请求体必须是 multipart/form-data，图片放在 image 字段' });
const skuId = z.object({ id: idSchema });

const MAIN_SIZES = { detail: '/media/images/3f/3fa94c0d8e1b2a7c5d6e9f0a1b2c3d4e-800.jpg', card: '/media/images/3f/3fa94c0d8e1b2a7c5d6e9f0a1b2c3d4e-440.jpg', thumb: '/media/images/3f/3fa94c0d8e1b2a7c5d6e9f0a1b2c3d4e-120.jpg' };

export const adminMediaRoutes = [
  defineRoute({
    method: 'get',
    path: '/api/admin/skus/:id/images',
    summary: 'A SKU’s pictures in the order the detail page shows them, and which is its default',
    auth: { permission: 'goods.view_sku_image' },
    params: skuId,
    response: answer.skuImages,
    errors: [404],
    handler: async ({ params, context, services }) => services.media.listSkuImages(context, params.id),
  }),
  defineRoute({
    method: 'post',
    path: '/api/admin/skus/:id/images',
    summary: 'Uploads a picture (multipart field `image`: JPEG, PNG or WebP, ≤ 5 MiB, ≤ 40 megapixels) after the SKU’s others; the first becomes the default',
    transaction: 'service',
    auth: { permission: 'goods.add_sku_image' },
    params: skuId,
    body: upload,
    bodyKinds: ['multipart'],
    bodyLimit: MAX_UPLOAD_BYTES,
    statusCode: 201,
    response: answer.skuImageCreated,
    errors: [404],
    examples: {
      response: { id: 31, sku_id: 1, url: MAIN_SIZES.detail, sequence: 3, is_default: false, sizes: MAIN_SIZES, rebuild: { change_id: 52, full: false, pages: ['/goods/1.html'], search: null } },
    },
    handler: async ({ params, body, context, services }) => services.media.addSkuImage(context, params.id, body.image.data),
  }),
  defineRoute({
    method: 'patch',
    path: '/api/admin/skus/:id/images',
    summary: 'Sets the order of a SKU’s pictures (every id once, first shown first) and/or its default picture',
    auth: { permission: 'goods.change_sku_image' },
    params: skuId,
    body: z
      .strictObject({
        order: z.array(z.int().positive()).max(100, '最多 100 张图片').optional(),
        default_image_id: z.int().positive().optional(),
      })
      .refine((b) => b.order !== undefined || b.default_image_id !== undefined, '没有要修改的内容'),
    transaction: true,
    response: answer.skuImagesArranged,
    errors: [404],
    examples: { body: { order: [31, 12, 13], default_image_id: 31 } },
    handler: async ({ params, body, context, services }) =>
      services.media.arrangeSkuImages(context, params.id, { order: body.order, defaultImageId: body.default_image_id }),
  }),
  defineRoute({
    method: 'delete',
    path: '/api/admin/skus/:id/images/:image_id',
    summary: 'Deletes one of a SKU’s pictures (the next becomes the default if it was); its files go once nothing uses them',
    transaction: 'service',
    auth: { permission: 'goods.delete_sku_image' },
    params: z.object({ id: idSchema, image_id: idSchema }),
    response: answer.skuImageDeleted,
    errors: [404],
    handler: async ({ params, context, services }) => services.media.deleteSkuImage(context, params.id, params.image_id),
  }),
  defineRoute({
    method: 'post',
    path: '/api/admin/brands/:id/logo',
    summary: 'Replaces a brand’s logo (multipart field `image`: JPEG, PNG or WebP, ≤ 5 MiB, ≤ 40 megapixels); the old one’s files go once nothing uses them',
    transaction: 'service',
    auth: { permission: 'goods.change_brand' },
    params: z.object({ id: idSchema }),
    body: upload,
    bodyKinds: ['multipart'],
    bodyLimit: MAX_UPLOAD_BYTES,
    response: answer.brandLogo,
    errors: [404],
    handler: async ({ params, body, context, services }) => services.media.setBrandLogo(context, params.id, body.image.data),
  }),
];
