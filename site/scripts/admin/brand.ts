// 品牌编辑 / 新增: GET/PATCH /api/admin/brands/{id}, POST /api/admin/brands; the logo through
// POST /api/admin/brands/{id}/logo (docs/admin-media.md) with upload progress, drop or file input.
import { adminGet, adminRequest } from './api.ts';
import { bindForm, fillForm } from './form-kit.ts';
import { bootConsole, byId, setText, showPageError } from './shell.ts';
import { uploadError, uploadPicture, type Written } from './catalog-data.ts';

interface Brand { id: number; name: string; first_letter: string; aliases: string[]; logo: string }

const form = byId<HTMLFormElement>('brand-form');
let brandId = Number(new URLSearchParams(location.search).get('id')) || null;

function showLogo(logo: string) {
  const img = byId<HTMLImageElement>('logo-img');
  img.hidden = !logo;
  if (logo) img.src = logo;
  byId('logo-none').hidden = Boolean(logo);
}

async function sendLogo(file: File) {
  const bar = byId<HTMLProgressElement>('logo-bar');
  bar.hidden = false;
  bar.value = 0;
  setText('logo-msg', `正在上传 ${file.name}…`);
  const r = await uploadPicture(`/api/admin/brands/${brandId}/logo`, file, (p) => (bar.value = p));
  bar.hidden = true;
  if (r.status === 200 || r.status === 201) {
    showLogo((r.body as Brand).logo);
    setText('logo-msg', 'Logo 已更新');
  } else setText('logo-msg', uploadError(r));
}

function wireLogo(brand: Brand) {
  byId('logo-box').hidden = false;
  showLogo(brand.logo);
  const input = byId<HTMLInputElement>('logo-file');
  input.addEventListener('change', () => {
    const f = input.files?.[0];
    if (f) void sendLogo(f).then(() => (input.value = ''));
  });
  const drop = byId('logo-drop');
  drop.addEventListener('dragover', (e) => {
    e.preventDefault();
    drop.classList.add('over');
  });
  drop.addEventListener('dragleave', () => drop.classList.remove('over'));
  drop.addEventListener('drop', (e) => {
    e.preventDefault();
    drop.classList.remove('over');
    const f = e.dataTransfer?.files[0];
    if (f) void sendLogo(f);
  });
}

function body(v: Record<string, string>) {
  return {
    name: v.name,
    first_letter: (v.first_letter ?? '').toUpperCase(),
    aliases: (v.aliases ?? '').split(/[,，、]/).map((a) => a.trim()).filter(Boolean),
  };
}

async function main() {
  const me = await bootConsole();
  if (!me.can('goods.view_brand')) return;
  const save = byId('brand-save');
  const setSave = () => {
    save.dataset.permission = brandId ? 'goods.change_brand' : 'goods.add_brand';
    save.toggleAttribute('data-granted', me.can(save.dataset.permission));
  };
  setSave();
  if (brandId) {
    const brand = await adminGet<Brand>(`/api/admin/brands/${brandId}`);
    byId('brand-heading').textContent = `编辑品牌 #${brand.id}`;
    fillForm(form, { ...brand, aliases: brand.aliases.join(', ') });
    wireLogo(brand);
  }
  bindForm(
    form,
    (v) => (brandId ? adminRequest<Brand & Written>('PATCH', `/api/admin/brands/${brandId}`, body(v)) : adminRequest<Brand & Written>('POST', '/api/admin/brands', body(v))),
    (answer) => {
      const box = byId('brand-result');
      box.hidden = false;
      box.textContent = answer.pages.length ? `已保存，正在重新生成 ${answer.pages.includes('*') ? '全部' : answer.pages.length} 个页面` : '已保存';
      if (!brandId) {
        brandId = answer.id;
        history.replaceState(null, '', `/admin/brand.html?id=${answer.id}`);
        byId('brand-heading').textContent = `编辑品牌 #${answer.id}`;
        setSave();
        wireLogo(answer);
      }
    },
  );
  document.body.dataset.ready = 'true';
}

main().catch(showPageError);
