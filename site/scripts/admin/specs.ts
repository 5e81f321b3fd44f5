// 规格: /api/admin/specs (list by SPU + form). Options are on /admin/spec-options.html?spec_id=….
import { bootConsole, showPageError } from './shell.ts';
import { mountCrud, num } from './crud.ts';
import type { Spec } from './catalog-data.ts';

async function main() {
  const me = await bootConsole();
  if (!me.can('goods.view_spec')) return;
  mountCrud<Spec>(me, {
    id: 'specs', endpoint: '/api/admin/specs', permission: 'goods.%_spec', noun: '规格', createOnly: ['spu_id'],
    columns: [
      { label: 'ID', cell: (s) => String(s.id), num: true },
      { label: 'SPU', cell: (s) => `${s.spu}（${s.spu_id}）` },
      { label: '名称', cell: (s) => s.name },
      { label: '排序', cell: (s) => String(s.sequence), num: true },
      { label: '选项', cell: (s) => Object.assign(document.createElement('a'), { href: `/admin/spec-options.html?spec_id=${s.id}`, textContent: '选项' }) },
    ],
    body: (v, editing) => ({ ...(editing ? {} : { spu_id: num(v.spu_id) }), name: v.name, sequence: num(v.sequence) }),
  });
  document.body.dataset.ready = 'true';
}

main().catch(showPageError);
