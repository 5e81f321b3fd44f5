// 频道: /api/admin/channels (list + form): a first-level category in a group, with its link. Every
// channel write re-renders every page (the menu).
import { bootConsole, byId, showPageError } from './shell.ts';
import { all, fillSelect, type Category } from './catalog-data.ts';
import { mountCrud, num } from './crud.ts';

interface Channel { id: number; group_id: number; group: string; category_id: number; category: string; url: string; sequence: number }

async function main() {
  const me = await bootConsole();
  if (!me.can('goods.view_channel')) return;
  const [groups, firsts] = await Promise.all([
    // the groups are read with their own permission (goods.view_channel_group); without it the form offers none
    me.can('goods.view_channel_group') ? all<{ id: number; name: string }>('/api/admin/channel-groups') : Promise.resolve([]),
    me.can('goods.view_category') ? all<Category>('/api/admin/categories').then((cs) => cs.filter((c) => c.level === 1)) : Promise.resolve([]),
  ]);
  fillSelect(byId<HTMLSelectElement>('group_id'), groups.map((g) => ({ id: g.id, label: g.name })));
  fillSelect(byId<HTMLSelectElement>('category_id'), firsts.map((c) => ({ id: c.id, label: c.name })));
  mountCrud<Channel>(me, {
    id: 'channels', endpoint: '/api/admin/channels', permission: 'goods.%_channel', noun: '频道',
    columns: [
      { label: 'ID', cell: (c) => String(c.id), num: true },
      { label: '频道组', cell: (c) => c.group },
      { label: '分类', cell: (c) => c.category },
      { label: '链接', cell: (c) => c.url },
      { label: '排序', cell: (c) => String(c.sequence), num: true },
    ],
    body: (v) => ({ group_id: num(v.group_id), category_id: num(v.category_id), url: v.url, sequence: num(v.sequence) }),
  });
  document.body.dataset.ready = 'true';
}

main().catch(showPageError);
