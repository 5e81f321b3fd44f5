import { z } from 'zod';
import { count, id, sitePath } from './common.ts';

// Answers of the picture routes (api/routes/admin/media.ts; api/services/media).

/** What an edit's answer says will be re-rendered (api/services/catalog/affected-pages.ts). */
export const rebuild = z.strictObject({
  change_id: z.int().min(0),
  full: z.boolean().meta({ description: 'every page is rebuilt' }),
  pages: z.array(z.string()).meta({ description: 'site paths the pages.rebuild job re-renders' }),
  search: z.enum(['index', 'display']).nullable(),
});

export const skuImage = z.strictObject({
  id,
  sku_id: id,
  url: sitePath,
  sequence: z.int().min(0),
  is_default: z.boolean(),
  sizes: z.strictObject({ detail: sitePath, card: sitePath, thumb: sitePath }),
});

export const skuImageCreated = skuImage.extend({ rebuild });

export const skuImages = z.strictObject({
  sku_id: id,
  default_image: sitePath,
  count,
  results: z.array(skuImage),
});

export const skuImagesArranged = skuImages.extend({ rebuild });

export const skuImageDeleted = z.strictObject({ id, default_image: sitePath, rebuild });

export const brandLogo = z.strictObject({ id, name: z.string(), logo: sitePath, rebuild });
