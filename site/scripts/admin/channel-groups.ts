// 频道组: /api/admin/channel-groups (list + form). A change to a group with channels re-renders every page (the menu).
import { bootConsole, showPageError } from './shell.ts';
import { mountCrud, num } from './crud.ts';

interface Group { id: number; name: string; sequence: number }

async function main() {
  const me = await bootConsole();
  if (!me.can('goods.view_channel_group')) return;
  mountCrud<Group>(me, {
    id: 'channel-groups', endpoint: '/api/admin/channel-groups', permission: 'goods.%_channel_group', noun: '频道组',
    columns: [
      { label: 'ID', cell: (g) => String(g.id), num: true },
      { label: '名称', cell: (g) => g.name },
      { label: '排序', cell: (g) => String(g.sequence), num: true },
    ],
    body: (v) => ({ name: v.name, sequence: num(v.sequence) }),
  });
  document.body.dataset.ready = 'true';
}

main().catch(showPageError);
