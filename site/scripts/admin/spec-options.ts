// 规格选项: /api/admin/spec-options (list by spec + form).
import { bootConsole, showPageError } from './shell.ts';
import { mountCrud, num } from './crud.ts';
import type { SpecOption } from './catalog-data.ts';

async function main() {
  const me = await bootConsole();
  if (!me.can('goods.view_spec')) return;
  mountCrud<SpecOption>(me, {
    id: 'spec-options', endpoint: '/api/admin/spec-options', permission: 'goods.%_spec', noun: '选项', createOnly: ['spec_id'],
    columns: [
      { label: 'ID', cell: (o) => String(o.id), num: true },
      { label: '规格', cell: (o) => `${o.spec}（${o.spec_id}）` },
      { label: '选项值', cell: (o) => o.value },
      { label: '排序', cell: (o) => String(o.sequence), num: true },
    ],
    body: (v, editing) => ({ ...(editing ? {} : { spec_id: num(v.spec_id) }), value: v.value, sequence: num(v.sequence) }),
  });
  document.body.dataset.ready = 'true';
}

main().catch(showPageError);
