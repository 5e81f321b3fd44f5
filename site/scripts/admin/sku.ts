// SKU 编辑 / 新增: GET/PATCH /api/admin/skus/{id}, POST /api/admin/skus; the SPU's specs and their
// options (one select per spec, only that spec's options); the pictures through
// /api/admin/skus/{id}/images (docs/admin-media.md): uploads by XMLHttpRequest for its upload
// progress (field `image`), order, default, delete. After every write: the pages being re-rendered
// (the answer's `pages`) and, once the outbox says they are live, the link to /goods/{id}.html.
import { adminGet, adminRequest, ApiError } from './api.ts';
import { bindForm, fillForm } from './form-kit.ts';
import { requireChosen, searchPicker } from './pickers.ts';
import { bootConsole, byId, showPageError, type Staff } from './shell.ts';
import { all, fillSelect, leafCategories, uploadError, uploadPicture, waitLive, type Sku, type Spec, type SpecOption, type Written } from './catalog-data.ts';

interface Spu { id: number; name: string; desc_detail: string }
interface Image { id: number; url: string; sequence: number; is_default: boolean; sizes: { detail: string; card: string; thumb: string } }
interface Images { sku_id: number; default_image: string; count: number; results: Image[] }
interface Rebuild { change_id: number; full: boolean; pages: string[] }

const form = byId<HTMLFormElement>('sku-form');
let skuId = Number(new URLSearchParams(location.search).get('id')) || null;
let sku: Sku | null = null;
let specs: Spec[] = [];
let me: Staff;

function el<K extends keyof HTMLElementTagNameMap>(tag: K, props: Record<string, unknown> = {}): HTMLElementTagNameMap[K] {
  return Object.assign(document.createElement(tag), props);
}

function liveLink(href: string, text: string): HTMLAnchorElement {
  const a = el('a', { href, textContent: text, className: 'a-live' });
  a.target = '_blank';
  return a;
}

/** "正在重新生成 3 个页面：…", then the live link once the worker is done. */
async function report(box: HTMLElement, w: { pages: string[]; change_id: number }, liveHref: string | null) {
  box.hidden = false;
  const pages = w.pages.includes('*') ? '全部页面' : w.pages.length > 8 ? `${w.pages.slice(0, 8).join('、')} 等 ${w.pages.length} 个页面` : w.pages.join('、');
  if (w.pages.length === 0) {
    box.replaceChildren(el('p', { textContent: '已保存。没有需要重新生成的页面。' }));
    if (liveHref) box.append(liveLink(liveHref, '查看商品页'));
    return;
  }
  const status = el('p', { textContent: `已保存，正在重新生成：${pages}` });
  box.replaceChildren(status);
  const live = me.can('site.view_site') ? await waitLive(w.change_id) : false;
  status.textContent = live ? `已上线：${pages}` : `已保存，页面稍后更新：${pages}`;
  if (liveHref) box.append(liveLink(liveHref, live ? '查看已更新的商品页' : '查看商品页'));
}

async function showSpecs(spuId: number, chosen: Sku['specs']) {
  const box = byId('spec-selects');
  box.replaceChildren();
  specs = (await all<Spec>('/api/admin/specs', { spu_id: String(spuId) })).sort((a, b) => a.sequence - b.sequence || a.id - b.id);
  byId('specs-box').hidden = specs.length === 0;
  const options = await Promise.all(specs.map((s) => all<SpecOption>('/api/admin/spec-options', { spec_id: String(s.id) })));
  specs.forEach((s, i) => {
    const name = `spec-${s.id}`;
    const select = el('select', { id: name, name });
    select.append(new Option('请选择', ''));
    for (const o of options[i]!.sort((a, b) => a.sequence - b.sequence || a.id - b.id)) select.append(new Option(o.value, String(o.id)));
    select.value = String(chosen.find((c) => c.spec_id === s.id)?.option_id ?? '');
    select.setAttribute('aria-describedby', `${name}-error`);
    const field = el('div', { className: 'a-field' });
    const error = el('p', { className: 'a-error', id: `${name}-error`, hidden: true });
    error.dataset.errorFor = name;
    field.append(el('label', { htmlFor: name, textContent: s.name }), select, error);
    box.append(field);
  });
}

let shownSpu = 0;

async function showSpu(spuId: number, chosen: Sku['specs']) {
  // a change event without a new SPU (a blur) keeps the selects and what was chosen in them
  if (spuId === shownSpu) return;
  shownSpu = spuId;
  const note = byId('spu-name');
  try {
    // the SPU's name and its specs need their own permissions: without them the SKU's answer names the SPU,
    // and the options are left as they are (a PATCH without specs keeps them)
    const spu = me.can('goods.view_spu') ? await adminGet<Spu>(`/api/admin/spus/${spuId}`) : { name: sku?.spu_id === spuId ? sku.spu : `#${spuId}` };
    note.textContent = `SPU：${spu.name}`;
    byId('spu-desc-note').textContent = '商品详情、包装与售后说明属于 SPU，所有 SKU 共用（在 SPU 页编辑）。';
    if (me.can('goods.view_spec') && me.can('goods.view_spec_option')) await showSpecs(spuId, chosen);
  } catch (err) {
    note.textContent = err instanceof ApiError && err.status === 404 ? '没有这个 SPU' : '读取 SPU 失败';
    byId('specs-box').hidden = true;
    specs = [];
    shownSpu = 0;
  }
}

/** The API names a spec's option `specs.N.option_id`; on the page it is that spec's select. */
function toSpecFields(err: unknown): never {
  if (err instanceof ApiError && err.fields) {
    for (const key of Object.keys(err.fields)) {
      const m = /^specs\.(\d+)\.(?:option_id|spec_id)$/.exec(key);
      const spec = m ? specs[Number(m[1])] : undefined;
      if (spec) {
        err.fields[`spec-${spec.id}`] = err.fields[key]!;
        delete err.fields[key];
      }
    }
  }
  throw err;
}

function body(v: Record<string, string>): Record<string, unknown> {
  const out: Record<string, unknown> = { name: v.name, caption: v.caption ?? '', price: v.price, is_launched: byId<HTMLInputElement>('is_launched').checked };
  if (v.category_id) out.category_id = Number(v.category_id);
  else if (!skuId) out.category_id = null;
  if (v.market_price) out.market_price = v.market_price;
  if (v.stock) out.stock = Number(v.stock);
  if (specs.length) out.specs = specs.map((s) => ({ spec_id: s.id, option_id: Number(v[`spec-${s.id}`]) || null }));
  if (!skuId) {
    requireChosen(v, { spu_id: '请选择 SPU' });
    out.spu_id = Number(v.spu_id);
  }
  return out;
}

// ---- pictures

let images: Image[] = [];

function picButton(text: string, label: string, onClick: () => Promise<void>) {
  const b = el('button', { type: 'button', className: 'a-btn', textContent: text });
  b.setAttribute('aria-label', label);
  b.addEventListener('click', () => {
    b.disabled = true;
    onClick().catch((err) => picMessage(err instanceof Error ? err.message : '操作失败')).finally(() => (b.disabled = false));
  });
  return b;
}

function picMessage(text: string) {
  const box = byId('pic-result');
  box.hidden = false;
  box.replaceChildren(el('p', { textContent: text, className: 'a-error' }));
}

function renderImages(focus?: { id: number; action: string }) {
  const list = byId('pic-list');
  byId('pic-empty').hidden = images.length > 0;
  list.replaceChildren(...images.map((img, i) => {
    const li = el('li', { className: img.is_default ? 'a-pic default' : 'a-pic' });
    li.dataset.imageId = String(img.id);
    li.append(el('img', { src: img.sizes.thumb, alt: `第 ${i + 1} 张图片${img.is_default ? '（默认）' : ''}`, width: 60, height: 60 }));
    if (img.is_default) li.append(el('span', { className: 'a-badge', textContent: '默认' }));
    const n = i + 1;
    const tools = el('span', { className: 'a-pic-tools' });
    if (me.can('goods.change_sku_image')) {
      const up = picButton('上移', `第 ${n} 张上移`, () => move(i, -1));
      up.dataset.action = 'up';
      up.disabled = i === 0;
      const down = picButton('下移', `第 ${n} 张下移`, () => move(i, 1));
      down.dataset.action = 'down';
      down.disabled = i === images.length - 1;
      tools.append(up, down);
      if (!img.is_default) {
        const def = picButton('设为默认', `第 ${n} 张设为默认图片`, () => patchImages({ default_image_id: img.id }));
        def.dataset.action = 'default';
        tools.append(def);
      }
    }
    if (me.can('goods.delete_sku_image')) {
      const del = picButton('删除', `删除第 ${n} 张图片`, () => removeImage(img));
      del.dataset.action = 'delete';
      tools.append(del);
    }
    li.append(tools);
    return li;
  }));
  // a moved picture keeps the keyboard's focus on its button, so pressing again moves it on
  if (focus) {
    const b = list.querySelector<HTMLButtonElement>(`li[data-image-id="${focus.id}"] button[data-action="${focus.action}"]`);
    if (b && !b.disabled) b.focus();
    else list.querySelector<HTMLButtonElement>(`li[data-image-id="${focus.id}"] button:not(:disabled)`)?.focus();
  }
}

const liveHref = () => (sku?.is_launched ? `/goods/${skuId}.html` : null);

async function loadImages() {
  images = (await adminGet<Images>(`/api/admin/skus/${skuId}/images`)).results;
  renderImages();
}

async function patchImages(change: { order?: number[]; default_image_id?: number }, focus?: { id: number; action: string }) {
  const answer = await adminRequest<Images & { rebuild: Rebuild }>('PATCH', `/api/admin/skus/${skuId}/images`, change);
  images = answer.results;
  renderImages(focus);
  void report(byId('pic-result'), answer.rebuild, liveHref());
}

async function move(i: number, by: -1 | 1) {
  const ids = images.map((m) => m.id);
  const [moved] = ids.splice(i, 1);
  ids.splice(i + by, 0, moved!);
  await patchImages({ order: ids }, { id: moved!, action: by < 0 ? 'up' : 'down' });
}

async function removeImage(img: Image) {
  if (!confirm('确定删除这张图片吗？')) return;
  const answer = await adminRequest<{ rebuild: Rebuild }>('DELETE', `/api/admin/skus/${skuId}/images/${img.id}`);
  await loadImages();
  void report(byId('pic-result'), answer.rebuild, liveHref());
}

/** One file up, with its own progress bar. */
function upload(file: File): Promise<void> {
  const row = el('div', { className: 'a-upload' });
  const label = el('span', { textContent: file.name });
  const bar = el('progress', { max: 100, value: 0 });
  bar.setAttribute('aria-label', `上传 ${file.name}`);
  row.append(label, bar);
  byId('uploads').append(row);
  return uploadPicture(`/api/admin/skus/${skuId}/images`, file, (p) => (bar.value = p)).then((r) => {
    if (r.status === 201) {
      row.remove();
      const answer = r.body as Image & { rebuild: Rebuild };
      void loadImages().then(() => report(byId('pic-result'), answer.rebuild, liveHref()));
    } else {
      row.replaceChildren(el('span', { className: 'a-error', textContent: `${file.name}：${uploadError(r)}` }));
    }
  });
}

async function uploadAll(files: FileList | File[]) {
  // one at a time: the server re-encodes each (CPU), and the order of the files is their order
  for (const f of [...files]) await upload(f);
}

function wirePictures() {
  const section = byId('pictures');
  section.hidden = false;
  const drop = byId('drop');
  const file = byId<HTMLInputElement>('image-file');
  file.addEventListener('change', () => {
    if (file.files?.length) void uploadAll(file.files).then(() => (file.value = ''));
  });
  drop.addEventListener('dragover', (e) => {
    e.preventDefault();
    drop.classList.add('over');
  });
  drop.addEventListener('dragleave', () => drop.classList.remove('over'));
  drop.addEventListener('drop', (e) => {
    e.preventDefault();
    drop.classList.remove('over');
    if (e.dataTransfer?.files.length) void uploadAll(e.dataTransfer.files);
  });
}

// ----

async function main() {
  me = await bootConsole();
  if (!me.can('goods.view_sku')) return;
  const save = byId('sku-save');
  save.dataset.permission = skuId ? 'goods.change_sku' : 'goods.add_sku';
  save.toggleAttribute('data-granted', me.can(save.dataset.permission));
  const categories = me.can('goods.view_category') ? await leafCategories() : [];
  fillSelect(byId<HTMLSelectElement>('category_id'), categories);
  const spuSelect = byId<HTMLSelectElement>('spu_id');
  const spuSearch = byId<HTMLInputElement>('spu_id-search');
  const spuLabel = (s: { id: number; name: string }) => `${s.name}（${s.id}）`;
  const spuPicker = searchPicker<{ id: number; name: string }>(spuSearch, spuSelect, '/api/admin/spus', spuLabel, me.can('goods.view_spu') ? undefined : '没有查看 SPU 的权限，不能选择 SPU');
  // the SPU is set at creation only
  const fixSpu = () => {
    spuSelect.disabled = true;
    spuSearch.disabled = true;
  };
  if (skuId) {
    sku = await adminGet<Sku>(`/api/admin/skus/${skuId}`);
    document.title = `${sku.name} - SKU 编辑`;
    byId('sku-heading').textContent = `编辑 SKU #${sku.id}`;
    if (!categories.some((c) => c.id === sku!.category_id)) fillSelect(byId<HTMLSelectElement>('category_id'), [{ id: sku.category_id, label: sku.category }]);
    fillForm(form, { ...sku });
    spuPicker.set(sku.spu_id, spuLabel({ id: sku.spu_id, name: sku.spu }));
    fixSpu();
    await showSpu(sku.spu_id, sku.specs);
    if (me.can('goods.view_sku_image')) {
      wirePictures();
      await loadImages();
    }
  } else {
    spuPicker.set(null);
    spuSelect.addEventListener('change', () => {
      const id = Number(spuSelect.value);
      if (id > 0) void showSpu(id, []);
    });
  }
  const send = (v: Record<string, string>) =>
    (skuId ? adminRequest<Sku & Written>('PATCH', `/api/admin/skus/${skuId}`, body(v)) : adminRequest<Sku & Written>('POST', '/api/admin/skus', body(v))).catch(toSpecFields);
  bindForm(form, send, (answer) => {
    const created = !skuId;
    sku = answer;
    skuId = answer.id;
    if (created) {
      history.replaceState(null, '', `/admin/sku.html?id=${answer.id}`);
      byId('sku-heading').textContent = `编辑 SKU #${answer.id}`;
      fixSpu();
      save.dataset.permission = 'goods.change_sku';
      save.toggleAttribute('data-granted', me.can('goods.change_sku'));
      if (me.can('goods.view_sku_image')) {
        wirePictures();
        void loadImages();
      }
    }
    void report(byId('sku-result'), answer, liveHref());
  });
  document.body.dataset.ready = 'true';
}

main().catch(showPageError);
