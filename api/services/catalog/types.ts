// Catalog rows as the services see them: booleans are booleans, money is integer cents,
// whatever the database driver returned (SQLite gives 0/1 and numbers, MySQL strings for DECIMAL).

export interface Category {
  id: number;
  name: string;
  parentId: number | null;
  sequence: number;
}

export interface ChannelGroup {
  id: number;
  name: string;
}

export interface Channel {
  id: number;
  groupId: number;
  categoryId: number; // a first-level category
  url: string;
  sequence: number;
}

export interface Brand {
  id: number;
  name: string;
  logo: string;
  firstLetter: string;
}

export interface Spu {
  id: number;
  name: string;
  brandId: number;
  category1Id: number;
  category2Id: number;
  category3Id: number;
  descDetail: string;
  descPack: string;
  descService: string;
}

export interface Spec {
  id: number;
  spuId: number;
  name: string;
  sequence: number;
}

export interface SpecOption {
  id: number;
  specId: number;
  value: string;
  sequence: number;
}

export interface Sku {
  id: number;
  spuId: number;
  categoryId: number; // third-level category
  name: string;
  caption: string;
  priceCents: number;
  costPriceCents: number;
  marketPriceCents: number;
  stock: number;
  sales: number;
  comments: number;
  isLaunched: boolean;
  defaultImage: string;
  createTime: string; // 'YYYY-MM-DD HH:MM:SS', UTC
}

export interface ContentCategory {
  id: number;
  name: string;
  key: string;
}

export interface Content {
  id: number;
  categoryId: number;
  title: string;
  url: string;
  image: string;
  text: string;
  sequence: number;
  status: boolean;
  skuId: number | null; // a slot that shows a product renders the SKU's live name, price and image
}

/** SKU as lists, hot sellers and search results show it (the original's SKUSerializer). */
export interface SkuSummary {
  id: number;
  name: string;
  price: string; // decimal string, e.g. "6688.00"
  default_image_url: string;
  comments: number;
}

export type ListSort = 'default' | 'price' | 'hot';
