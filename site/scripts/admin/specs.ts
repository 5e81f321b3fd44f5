// 规格: /api/admin/specs (list by SPU + form). Options are on /admin/spec-options.html?spec_id=….
import { adminGet } from './api.ts';
import { bootConsole, byId, showPageError } from './shell.ts';
import { mountCrud, num } from './crud.ts';
import type { Spec } from './catalog-data.ts';
import { requireChosen, searchPicker } from './pickers.ts';

interface Spu { id: number; name: string }
const spuLabel = (s: { id: number; name: string }) => `${s.name}（${s.id}）`;

async function main() {
  const me = await bootConsole();
  if (!me.can('goods.view_spec')) return;
  // the SPU of a new spec: searched by name or id (there are thousands); the list's SPU when it is filtered by one
  const picker = searchPicker<Spu>(byId<HTMLInputElement>('spu_id-search'), byId<HTMLSelectElement>('spu_id'), '/api/admin/spus', spuLabel, me.can('goods.view_spu') ? undefined : '没有查看 SPU 的权限，不能选择 SPU');
  const listed = Number(new URLSearchParams(location.search).get('spu_id')) || null;
  const listedSpu = listed && me.can('goods.view_spu') ? await adminGet<Spu>(`/api/admin/spus/${listed}`).catch(() => null) : null;
  mountCrud<Spec>(me, {
    id: 'specs', endpoint: '/api/admin/specs', permission: 'goods.%_spec', noun: '规格', createOnly: ['spu_id'],
    columns: [
      { label: 'ID', cell: (s) => String(s.id), num: true },
      { label: 'SPU', cell: (s) => `${s.spu}（${s.spu_id}）` },
      { label: '名称', cell: (s) => s.name },
      { label: '排序', cell: (s) => String(s.sequence), num: true },
      { label: '选项', cell: (s) => Object.assign(document.createElement('a'), { href: `/admin/spec-options.html?spec_id=${s.id}`, textContent: '选项' }) },
    ],
    filled: (s) => (s ? picker.set(s.spu_id, spuLabel({ id: s.spu_id, name: s.spu })) : listedSpu ? picker.set(listedSpu.id, spuLabel(listedSpu)) : picker.set(null)),
    body: (v, editing) => {
      if (editing) return { name: v.name, sequence: num(v.sequence) };
      requireChosen(v, { spu_id: '请选择 SPU' });
      return { spu_id: num(v.spu_id), name: v.name, sequence: num(v.sequence) };
    },
  });
  document.body.dataset.ready = 'true';
}

main().catch(showPageError);
