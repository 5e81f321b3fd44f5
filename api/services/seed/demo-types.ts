// Shape of the hand-written demo catalog (demo-data.ts). seed.ts turns it into rows.

export interface DemoCat2 {
  name: string;
  subs: string[]; // third-level category names
}

export interface DemoChannel {
  name: string; // first-level category, e.g. '手机'
  subs: DemoCat2[];
}

export interface DemoGroup {
  channels: DemoChannel[];
}

export interface DemoBrand {
  name: string;
  firstLetter: string; // 'A'..'Z'
}

export interface DemoSku {
  options: string[]; // one value per spec of the SPU, in spec order
  name: string;
  caption: string;
  price: string; // '6688.00'
  marketPrice: string;
  costPrice: string;
  stock: number;
  sales: number;
  comments: number;
  launched?: boolean; // default true
}

export interface DemoSpu {
  name: string;
  brand: string; // a DemoBrand name
  category: [string, string, string]; // channel name, second-level name, third-level name
  color: string; // '#rrggbb' base colour for the generated product images
  descDetail: string; // HTML
  descPack: string; // HTML
  descService: string; // HTML
  specs: { name: string; options: string[] }[];
  skus: DemoSku[];
}

export interface DemoContentItem {
  title: string;
  url?: string; // defaults to the SKU page when sku is set, else '/'
  text?: string;
  sku?: string; // exact DemoSku name: the slot then shows that SKU's live price and image
  image?: boolean; // generate a banner image for this item
}

export interface DemoContentSlot {
  key: string; // e.g. 'index_lbt'
  name: string; // e.g. '轮播图'
  items: DemoContentItem[];
}

export interface DemoCatalog {
  groups: DemoGroup[];
  brands: DemoBrand[];
  spus: DemoSpu[];
  contents: DemoContentSlot[];
}
