import { z } from 'zod';

// Shape of the demo catalog (demo-catalog/*.json). seed.ts turns it into rows. The JSON is checked
// against these schemas when it is loaded, so a hand edit that breaks the shape is named at once
// (file, path, what is wrong) instead of surfacing as an odd row.

const money = z.string().regex(/^\d+\.\d{2}$/, "a price like '6688.00'");
const count = z.number().int().nonnegative();

export const demoGroupSchema = z.strictObject({
  channels: z.array(z.strictObject({
    /** first-level category, e.g. '手机' */
    name: z.string().min(1),
    subs: z.array(z.strictObject({
      name: z.string().min(1),
      /** third-level category names */
      subs: z.array(z.string().min(1)),
    })),
  })),
});

export const demoBrandSchema = z.strictObject({
  name: z.string().min(1),
  firstLetter: z.string().regex(/^[A-Z]$/),
  /** other names shoppers search the brand by ('苹果' for Apple); no commas (brands.aliases is a comma list) */
  aliases: z.array(z.string().min(1).regex(/^[^,，、;；\n]+$/, 'an alias without separators')).optional(),
});

export const demoSkuSchema = z.strictObject({
  /** one value per spec of the SPU, in spec order */
  options: z.array(z.string()),
  name: z.string().min(1),
  caption: z.string(),
  price: money,
  marketPrice: money,
  costPrice: money,
  stock: count,
  sales: count,
  comments: count,
  /** default true */
  launched: z.boolean().optional(),
});

export const demoSpuSchema = z.strictObject({
  name: z.string().min(1),
  /** a brand's name */
  brand: z.string(),
  /** channel name, second-level name, third-level name */
  category: z.tuple([z.string(), z.string(), z.string()]),
  /** '#rrggbb' base colour for the generated product images */
  color: z.string().regex(/^#[0-9a-f]{6}$/i),
  /** HTML, sanitised when pages are built */
  descDetail: z.string(),
  descPack: z.string(),
  descService: z.string(),
  specs: z.array(z.strictObject({ name: z.string().min(1), options: z.array(z.string()) })),
  skus: z.array(demoSkuSchema),
});

export const demoContentSlotSchema = z.strictObject({
  /** e.g. 'index_lbt' */
  key: z.string().min(1),
  /** e.g. '轮播图' */
  name: z.string(),
  items: z.array(z.strictObject({
    title: z.string(),
    /** defaults to the SKU page when sku is set, else to the list of the category named by text, else '/' */
    url: z.string().optional(),
    text: z.string().optional(),
    /** an exact SKU name: the slot then shows that SKU's live price and image */
    sku: z.string().optional(),
    /** generate a banner picture for this item */
    image: z.boolean().optional(),
  })),
});

export type DemoGroup = z.infer<typeof demoGroupSchema>;
export type DemoBrand = z.infer<typeof demoBrandSchema>;
export type DemoSku = z.infer<typeof demoSkuSchema>;
export type DemoSpu = z.infer<typeof demoSpuSchema>;
export type DemoContentSlot = z.infer<typeof demoContentSlotSchema>;

export interface DemoCatalog {
  groups: DemoGroup[];
  brands: DemoBrand[];
  spus: DemoSpu[];
  contents: DemoContentSlot[];
}
