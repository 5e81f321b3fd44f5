import type { SearchDisplayRow, SearchDoc } from '../../api/services/search/search-index.ts';
import { demoCatalog } from '../../api/services/seed/demo-catalog.ts';

/** The demo catalog's launched SKUs as search documents (and display rows), without a database. */
export function demoDocs(): SearchDoc[] {
  const leaves = demoCatalog().groups.flatMap((g) => g.channels.flatMap((c) => c.subs.flatMap((s) => s.subs)));
  const aliases = new Map(demoCatalog().brands.map((b) => [b.name, b.aliases ?? []]));
  const docs: SearchDoc[] = [];
  for (const spu of demoCatalog().spus) {
    for (const sku of spu.skus) {
      if (sku.launched === false) continue;
      const leaf = spu.category[2];
      docs.push({
        id: docs.length + 1, name: sku.name, caption: sku.caption, categoryId: leaves.indexOf(leaf) + 1, category: leaf,
        parentCategories: spu.category.slice(0, 2), brand: spu.brand, brandAliases: aliases.get(spu.brand) ?? [],
      });
    }
  }
  return docs;
}

export const displayOf = (d: SearchDoc): SearchDisplayRow => [d.id, d.name, '1.00', '', 0];
