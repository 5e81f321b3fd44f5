// 规格选项: /api/admin/spec-options (list by spec + form).
import { adminGet } from './api.ts';
import { bootConsole, byId, showPageError } from './shell.ts';
import { mountCrud, num } from './crud.ts';
import type { Spec, SpecOption } from './catalog-data.ts';
import { requireChosen, searchPicker } from './pickers.ts';

const specLabel = (s: { id: number; name: string; spu: string }) => `${s.spu} / ${s.name}（${s.id}）`;

async function main() {
  const me = await bootConsole();
  if (!me.can('goods.view_spec_option')) return;
  // the spec of a new option: searched by its name or its SPU's; the list's spec when it is filtered by one
  const picker = searchPicker<Spec>(byId<HTMLInputElement>('spec_id-search'), byId<HTMLSelectElement>('spec_id'), '/api/admin/specs', specLabel);
  const listed = Number(new URLSearchParams(location.search).get('spec_id')) || null;
  const listedSpec = listed ? await adminGet<Spec>(`/api/admin/specs/${listed}`).catch(() => null) : null;
  mountCrud<SpecOption>(me, {
    id: 'spec-options', endpoint: '/api/admin/spec-options', permission: 'goods.%_spec_option', noun: '选项', createOnly: ['spec_id'],
    columns: [
      { label: 'ID', cell: (o) => String(o.id), num: true },
      { label: '规格', cell: (o) => `${o.spec}（${o.spec_id}）` },
      { label: '选项值', cell: (o) => o.value },
      { label: '排序', cell: (o) => String(o.sequence), num: true },
    ],
    filled: (o) => {
      if (o) picker.set(o.spec_id, `${o.spec}（${o.spec_id}）`);
      else if (listedSpec) picker.set(listedSpec.id, specLabel(listedSpec));
      else picker.set(null);
    },
    body: (v, editing) => {
      if (editing) return { value: v.value, sequence: num(v.sequence) };
      requireChosen(v, { spec_id: '请选择规格' });
      return { spec_id: num(v.spec_id), value: v.value, sequence: num(v.sequence) };
    },
  });
  document.body.dataset.ready = 'true';
}

main().catch(showPageError);
