// SKU 列表: GET /api/admin/skus (keyword, category_id, brand_id, spu_id, ordering; server pages). The category filter
// lists the third-level categories; each row links to /admin/sku.html?id=…. The ID, 价格, 库存 and 销量
// headers sort the list (`ordering`, in the URL like the filters; by id when it names none).
import { mountList } from './list-kit.ts';
import { count, money } from './format.ts';
import { bootConsole, byId, showPageError } from './shell.ts';
import { all, fillSelect, leafCategories, type Sku } from './catalog-data.ts';

const link = (href: string, text: string) => Object.assign(document.createElement('a'), { href, textContent: text });

async function main() {
  const me = await bootConsole();
  if (!me.can('goods.view_sku')) return;
  // the options exist before the list reads the URL into the form
  const [categories, brands] = await Promise.all([
    me.can('goods.view_category') ? leafCategories() : null,
    me.can('goods.view_brand') ? all<{ id: number; name: string }>('/api/admin/brands') : null,
  ]);
  if (categories) fillSelect(byId<HTMLSelectElement>('sku-category'), categories);
  else byId('sku-category').hidden = true;
  if (brands) fillSelect(byId<HTMLSelectElement>('sku-brand'), brands.map((b) => ({ id: b.id, label: b.name })).sort((a, b) => a.label.localeCompare(b.label, 'zh-CN')));
  else byId('sku-brand').hidden = true;
  mountList<Sku>({
    id: 'skus',
    endpoint: '/api/admin/skus',
    can: me.can,
    empty: '没有符合条件的 SKU',
    defaultOrdering: 'id',
    columns: [
      { label: 'ID', cell: (s) => String(s.id), num: true, sort: 'id' },
      { label: '名称', cell: (s) => link(`/admin/sku.html?id=${s.id}`, s.name) },
      { label: 'SPU', cell: (s) => s.spu },
      { label: '分类', cell: (s) => s.category },
      { label: '价格', cell: (s) => money(s.price), num: true, sort: 'price' },
      { label: '库存', cell: (s) => count(s.stock), num: true, sort: 'stock' },
      { label: '销量', cell: (s) => count(s.sales), num: true, sort: 'sales' },
      { label: '上架', cell: (s) => (s.is_launched ? '是' : '否') },
    ],
  });
  document.body.dataset.ready = 'true';
}

main().catch(showPageError);
