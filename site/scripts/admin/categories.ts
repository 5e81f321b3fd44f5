// 商品分类: GET/POST/PATCH/DELETE /api/admin/categories; the list filtered by parent (parent_id),
// each row's 下级 shows its children. A change re-renders every page (menu, breadcrumbs).
import { bootConsole, byId, showPageError } from './shell.ts';
import { all, fillSelect, type Category } from './catalog-data.ts';
import { mountCrud, num } from './crud.ts';

const LEVELS = ['', '一级', '二级', '三级'];

async function main() {
  const me = await bootConsole();
  if (!me.can('goods.view_category')) return;
  const cats = await all<Category>('/api/admin/categories');
  const byIdMap = new Map(cats.map((c) => [c.id, c]));
  const name = (c: Category): string => (c.parent_id && byIdMap.get(c.parent_id) ? `${name(byIdMap.get(c.parent_id)!)} / ${c.name}` : c.name);
  const parents = cats.filter((c) => c.level < 3).map((c) => ({ id: c.id, label: name(c) })).sort((a, b) => a.label.localeCompare(b.label, 'zh-CN'));
  fillSelect(byId<HTMLSelectElement>('cat-parent'), parents);
  fillSelect(byId<HTMLSelectElement>('parent_id'), parents);
  const children = (c: Category) => (c.level < 3 ? Object.assign(document.createElement('a'), { href: `/admin/categories.html?parent_id=${c.id}`, textContent: '下级' }) : '—');
  mountCrud<Category>(me, {
    id: 'categories',
    endpoint: '/api/admin/categories',
    permission: 'goods.%_category',
    noun: '分类',
    columns: [
      { label: 'ID', cell: (c) => String(c.id), num: true },
      { label: '名称', cell: (c) => c.name },
      { label: '级别', cell: (c) => LEVELS[c.level] ?? String(c.level) },
      { label: '上级', cell: (c) => (c.parent_id ? (byIdMap.get(c.parent_id)?.name ?? String(c.parent_id)) : '—') },
      { label: '排序', cell: (c) => String(c.sequence), num: true },
      { label: '下级', cell: children },
    ],
    body: (v) => ({ name: v.name, parent_id: v.parent_id ? Number(v.parent_id) : null, sequence: num(v.sequence) }),
  });
  document.body.dataset.ready = 'true';
}

main().catch(showPageError);
