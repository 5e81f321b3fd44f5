// 广告位: /api/admin/content-categories (list + form): a homepage slot's name and key.
import { bootConsole, showPageError } from './shell.ts';
import { mountCrud } from './crud.ts';

interface Slot { id: number; name: string; key: string }

async function main() {
  const me = await bootConsole();
  if (!me.can('contents.view_content_category')) return;
  mountCrud<Slot>(me, {
    id: 'content-categories', endpoint: '/api/admin/content-categories', permission: 'contents.%_content_category', noun: '广告位',
    columns: [
      { label: 'ID', cell: (c) => String(c.id), num: true },
      { label: '名称', cell: (c) => c.name },
      { label: '标识', cell: (c) => c.key },
    ],
    body: (v) => ({ name: v.name, key: v.key }),
  });
  document.body.dataset.ready = 'true';
}

main().catch(showPageError);
