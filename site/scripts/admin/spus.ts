// SPU: /api/admin/spus (list by brand + form with the descriptions; the server sanitises them,
// api/services/catalog/sanitize.ts). Its specs: /admin/specs.html?spu_id=…; its SKUs: /admin/skus.html?spu_id=….
import { bootConsole, byId, showPageError } from './shell.ts';
import { mountCrud, num } from './crud.ts';
// the shop's own sanitiser (the one rule): the preview shows what the goods page will show
import { sanitizeDescription } from '../../../api/services/catalog/sanitize.ts';

interface Spu { id: number; name: string; brand_id: number; brand: string; category1_id: number; category2_id: number; category3_id: number; desc_detail: string; desc_pack: string; desc_service: string }

const link = (href: string, text: string) => Object.assign(document.createElement('a'), { href, textContent: text });

async function main() {
  const me = await bootConsole();
  if (!me.can('goods.view_spu')) return;
  mountCrud<Spu>(me, {
    id: 'spus', endpoint: '/api/admin/spus', permission: 'goods.%_spu', noun: 'SPU',
    columns: [
      { label: 'ID', cell: (s) => String(s.id), num: true },
      { label: '名称', cell: (s) => s.name },
      { label: '品牌', cell: (s) => s.brand },
      { label: '规格', cell: (s) => link(`/admin/specs.html?spu_id=${s.id}`, '规格') },
      { label: 'SKU', cell: (s) => link(`/admin/skus.html?spu_id=${s.id}`, 'SKU') },
    ],
    body: (v) => ({
      name: v.name, brand_id: num(v.brand_id), category1_id: num(v.category1_id), category2_id: num(v.category2_id), category3_id: num(v.category3_id),
      desc_detail: v.desc_detail, desc_pack: v.desc_pack, desc_service: v.desc_service,
    }),
  });
  const detail = byId<HTMLTextAreaElement>('desc_detail');
  const preview = byId('desc-preview');
  let timer = 0;
  const render = () => {
    // sanitised first: no script, handler, style or foreign picture reaches the console's DOM
    preview.innerHTML = sanitizeDescription(detail.value);
  };
  detail.addEventListener('input', () => {
    clearTimeout(timer);
    timer = window.setTimeout(render, 150);
  });
  // an edit fills the textarea by script (no input event): re-render when the form is filled or reset
  new MutationObserver(render).observe(byId('spus-form-title'), { childList: true, characterData: true, subtree: true });
  render();
  document.body.dataset.ready = 'true';
}

main().catch(showPageError);
