// SPU: /api/admin/spus (list by brand + form with the descriptions; the server sanitises them,
// api/services/catalog/sanitize.ts). Its specs: /admin/specs.html?spu_id=…; its SKUs: /admin/skus.html?spu_id=….
import { bootConsole, byId, showPageError } from './shell.ts';
import { mountCrud } from './crud.ts';
import { all, fillSelect, type Category } from './catalog-data.ts';
import { categoryCascade, requireChosen } from './pickers.ts';
// the shop's own sanitiser (the one rule): the preview shows what the goods page will show
import { sanitizeDescription } from '../../../api/services/catalog/sanitize.ts';

interface Spu { id: number; name: string; brand_id: number; brand: string; category1_id: number; category2_id: number; category3_id: number; desc_detail: string; desc_pack: string; desc_service: string }

const chosen = (v: string | undefined) => (v ? Number(v) : null);
const link = (href: string, text: string) => Object.assign(document.createElement('a'), { href, textContent: text });

async function main() {
  const me = await bootConsole();
  if (!me.can('goods.view_spu')) return;
  // the brand and category pickers (and the brand filter) are filled before the list reads the URL
  const [brands, categories] = await Promise.all([
    me.can('goods.view_brand') ? all<{ id: number; name: string }>('/api/admin/brands') : null,
    me.can('goods.view_category') ? all<Category>('/api/admin/categories') : null,
  ]);
  const brandItems = (brands ?? []).map((b) => ({ id: b.id, label: b.name })).sort((a, b) => a.label.localeCompare(b.label, 'zh-CN'));
  if (brands) fillSelect(byId<HTMLSelectElement>('spu-brand'), brandItems);
  else byId('spu-brand').hidden = true;
  fillSelect(byId<HTMLSelectElement>('brand_id'), brandItems);
  const categorySelects = ['category1_id', 'category2_id', 'category3_id'].map((id) => byId<HTMLSelectElement>(id));
  const cascade = categoryCascade(categorySelects, categories ?? []);
  const brandSelect = byId<HTMLSelectElement>('brand_id');
  mountCrud<Spu>(me, {
    id: 'spus', endpoint: '/api/admin/spus', permission: 'goods.%_spu', noun: 'SPU',
    columns: [
      { label: 'ID', cell: (s) => String(s.id), num: true },
      { label: '名称', cell: (s) => s.name },
      { label: '品牌', cell: (s) => s.brand },
      { label: '规格', cell: (s) => link(`/admin/specs.html?spu_id=${s.id}`, '规格') },
      { label: 'SKU', cell: (s) => link(`/admin/skus.html?spu_id=${s.id}`, 'SKU') },
    ],
    filled: (s) => {
      const line = s ? [s.category1_id, s.category2_id, s.category3_id] : [];
      cascade.set(line);
      // staff who may not list categories keep the SPU's own (by id)
      line.forEach((id, i) => {
        const select = categorySelects[i]!;
        if (select.value !== String(id)) select.append(new Option(`#${id}`, String(id), true, true));
      });
      // staff who may not list brands still see the SPU's own
      if (s && ![...brandSelect.options].some((o) => o.value === String(s.brand_id))) brandSelect.append(new Option(s.brand, String(s.brand_id)));
      if (s) brandSelect.value = String(s.brand_id);
    },
    body: (v) => {
      requireChosen(v, { brand_id: '请选择品牌', category1_id: '请选择一级分类', category2_id: '请选择二级分类', category3_id: '请选择三级分类' });
      return {
      // a picker left empty is sent as null (an edit too), so the API names it under its select rather than keeping the old value
      name: v.name, brand_id: chosen(v.brand_id), category1_id: chosen(v.category1_id), category2_id: chosen(v.category2_id), category3_id: chosen(v.category3_id),
      desc_detail: v.desc_detail, desc_pack: v.desc_pack, desc_service: v.desc_service,
      };
    },
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
