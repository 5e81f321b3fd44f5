// 广告内容: /api/admin/contents (list by slot + form). Beside the form, a preview of the chosen slot
// (广告位) drawn as the homepage draws it (templates/home/HomePage.astro: carousel, 快讯, the strip of
// ads, a floor's logo, channels, tags and goods), with the form's values in place of the row being
// edited (or added), redrawn as the form changes, before saving. A save re-renders the homepage;
// once the outbox says it is live, the form links it.
import { adminGet } from './api.ts';
import { bootConsole, byId, showPageError } from './shell.ts';
import { all, fillSelect, waitLive, type Sku } from './catalog-data.ts';
import { formValues } from './form-kit.ts';
import { mountCrud, num, pagesText } from './crud.ts';

interface Content { id: number; category_id: number; category: string; title: string; url: string; image: string; text: string; sequence: number; status: boolean; sku_id: number | null }
interface Slot { id: number; name: string; key: string }
/** One item as the homepage shows it (api/services/catalog/pages.ts: homePage). */
interface Shown { id: number; title: string; url: string; image: string; price: string | null; current: boolean }

const el = <K extends keyof HTMLElementTagNameMap>(tag: K, className = '', text = ''): HTMLElementTagNameMap[K] => {
  const e = document.createElement(tag);
  if (className) e.className = className;
  if (text) e.textContent = text;
  return e;
};

/** A site path (not //host) or an http(s) address: the homepage's rule (api/services/catalog/links.ts). */
const safeLink = (url: string) => (url.startsWith('/') ? !url.startsWith('//') : /^https?:\/\/[^/\s]+/i.test(url));

/** The picture, when the page may load it (the console's CSP: pictures from this site); else its address as text. */
function picture(item: Shown, className = ''): HTMLElement {
  if (item.image.startsWith('/') && !item.image.startsWith('//')) {
    const img = el('img', className);
    img.src = item.image;
    img.alt = item.title;
    return img;
  }
  return el('span', `img-placeholder ${className}`, item.image ? `图片：${item.image}` : item.title);
}

/** A link of the preview: where it leads in its title, never followed (the form stays). */
function link(item: Shown, ...children: (Node | string)[]): HTMLElement {
  const a = el('a');
  a.title = `${item.title} → ${item.url}`;
  if (item.current) a.classList.add('cp-current');
  a.append(...children);
  return a;
}

const FLOOR = /^index_(\d)f_(.+)$/;

/** The slot's items drawn in the homepage's shape for its key. */
function draw(slot: Slot, items: Shown[]): HTMLElement {
  const box = el('div', 'cp-home');
  if (items.length === 0) {
    box.append(el('p', 'cp-none', '这个广告位在首页上没有要显示的内容'));
    return box;
  }
  const floor = FLOOR.exec(slot.key);
  if (slot.key === 'index_lbt') {
    const carousel = el('div', 'carousel');
    const slides = el('ul', 'slides');
    const active = Math.max(0, items.findIndex((i) => i.current));
    items.forEach((item, n) => {
      const li = el('li', n === active ? 'slide active' : 'slide');
      li.append(link(item, picture(item)));
      slides.append(li);
    });
    carousel.append(slides);
    if (items.length > 1) {
      const dots = el('div', 'dots');
      items.forEach((item, n) => {
        const dot = el('span', n === active ? 'dot active' : 'dot');
        dot.title = item.title;
        dots.append(dot);
      });
      carousel.append(dots);
    }
    box.append(carousel);
  } else if (slot.key === 'index_kx') {
    const news = el('div', 'news');
    const h = el('h3', '', '快讯 ');
    h.append(el('small', '', '美多资讯'));
    const ul = el('ul');
    for (const item of items) {
      const li = el('li');
      li.append(link(item, item.title));
      ul.append(li);
    }
    news.append(h, ul);
    box.append(news);
  } else if (slot.key === 'index_ytgg') {
    const ads = el('div', 'top-ads');
    for (const item of items) ads.append(link(item, item.image ? picture(item) : el('p', 'ad-text', item.title)));
    box.append(ads);
  } else if (floor && floor[2] === 'logo') {
    const side = el('div', 'floor-side');
    const shown = items.filter((i) => i.image);
    for (const item of shown) side.append(link(item, picture(item)));
    box.append(el('p', 'cp-floor-title', `${floor[1]}F ${items[0]!.title}（楼层标题）`), shown.length ? side : el('p', 'cp-none', '没有图片的标志不显示'));
  } else if (floor && floor[2] === 'pd') {
    const head = el('div', 'floor-head');
    const h2 = el('h2');
    h2.append(el('span', 'floor-no', `${floor[1]}F`));
    const channels = el('div', 'floor-channels');
    for (const item of items) channels.append(link(item, item.title));
    head.append(h2, channels);
    box.append(head);
  } else if (floor && floor[2] === 'bq') {
    const tags = el('div', 'floor-tags');
    for (const item of items) tags.append(link(item, item.title));
    const side = el('div', 'floor-side');
    side.append(tags);
    box.append(side);
  } else if (floor) {
    const grid = el('ul', 'goods-grid');
    for (const item of items) {
      const li = el('li');
      li.append(link(item, ...(item.image ? [picture(item)] : []), el('p', 'goods-title', item.title)));
      if (item.price !== null) li.append(el('p', 'goods-price', `¥${item.price}`));
      grid.append(li);
    }
    box.append(grid);
  } else {
    box.append(el('p', 'cp-none', `广告位 ${slot.key} 不在首页上；内容按排序：`));
    const ul = el('ul', 'cp-plain');
    for (const item of items) ul.append(Object.assign(el('li'), { textContent: `${item.title}（${item.url}）` }));
    box.append(ul);
  }
  return box;
}

async function main() {
  const me = await bootConsole();
  if (!me.can('contents.view_content')) return;
  // the slots are read with their own permission (contents.view_content_category); without it none is offered
  const slotRows = me.can('contents.view_content_category') ? await all<Slot>('/api/admin/content-categories') : [];
  const slots = slotRows.map((s) => ({ id: s.id, label: `${s.name}（${s.key}）` }));
  fillSelect(byId<HTMLSelectElement>('ct-filter'), slots);
  fillSelect(byId<HTMLSelectElement>('category_id'), slots);
  const form = byId<HTMLFormElement>('contents-form');
  const host = byId('contents-preview-body');
  const note = byId('contents-preview-note');

  // the slot's saved rows (read once per slot, again after a save) and the SKUs they show
  const rows = new Map<number, Promise<Content[]>>();
  const skus = new Map<number, Promise<Sku | null>>();
  const rowsOf = (slotId: number) => {
    if (!rows.has(slotId)) rows.set(slotId, all<Content>('/api/admin/contents', { category_id: String(slotId) }));
    return rows.get(slotId)!;
  };
  const skuOf = (id: number) => {
    if (!skus.has(id)) skus.set(id, me.can('goods.view_sku') ? adminGet<Sku>(`/api/admin/skus/${id}`).catch(() => null) : Promise.resolve(null));
    return skus.get(id)!;
  };
  let editing: Content | null = null;
  let drawn = 0;

  /** The form's values as the row they would save. */
  const fromForm = (): Content => {
    const v = formValues(form);
    return {
      id: editing?.id ?? 0, category_id: Number(v.category_id), category: '', title: v.title ?? '', url: v.url ?? '', image: v.image ?? '', text: v.text ?? '',
      sequence: Number(v.sequence) || 0, status: byId<HTMLInputElement>('status').checked, sku_id: v.sku_id ? Number(v.sku_id) : null,
    };
  };

  const redraw = async () => {
    const turn = ++drawn;
    const draft = fromForm();
    const slot = slotRows.find((s) => s.id === draft.category_id);
    if (!slot) {
      host.replaceChildren(el('p', 'cp-none', '选择广告位后，这里按首页的样子显示它的内容'));
      note.textContent = '';
      return;
    }
    const saved = await rowsOf(slot.id);
    const list = saved.filter((r) => r.id !== draft.id);
    list.push({ ...draft, id: draft.id || Number.MAX_SAFE_INTEGER });
    const visible = list.filter((r) => r.status).sort((a, b) => a.sequence - b.sequence || a.id - b.id);
    // as homePage: a SKU's item shows its live name, picture and price, and only while it is on sale
    const shown: Shown[] = [];
    for (const r of visible) {
      const current = r.id === (draft.id || Number.MAX_SAFE_INTEGER);
      const base = { id: r.id, title: r.title, url: r.url && safeLink(r.url) ? r.url : '/', image: r.image, price: null, current };
      if (r.sku_id === null) {
        shown.push(base);
        continue;
      }
      const sku = await skuOf(r.sku_id);
      if (sku && !sku.is_launched) continue;
      shown.push({ ...base, title: r.title || sku?.name || `SKU ${r.sku_id}`, url: r.url && safeLink(r.url) ? r.url : `/goods/${r.sku_id}.html`, image: r.image || sku?.default_image || '', price: sku ? sku.price : null });
    }
    if (turn !== drawn) return; // a later edit drew meanwhile
    host.replaceChildren(draw(slot, shown));
    const place = shown.findIndex((s) => s.current);
    note.textContent = !draft.status
      ? '这一条未勾选“显示”，首页上不会出现。'
      : place < 0
        ? '这一条展示的商品未上架，首页上不会出现。'
        : `这一条在「${slot.name}」中排第 ${place + 1} 位（共 ${shown.length} 条），链接到 ${shown[place]!.url}${draft.url && !safeLink(draft.url) ? '（链接无效，将被拒绝）' : ''}。`;
  };
  let timer: ReturnType<typeof setTimeout> | undefined;
  const soon = () => {
    clearTimeout(timer);
    timer = setTimeout(() => void redraw().catch(showPageError), 150);
  };
  form.addEventListener('input', soon);
  form.addEventListener('change', soon);

  mountCrud<Content>(me, {
    id: 'contents', endpoint: '/api/admin/contents', permission: 'contents.%_content', noun: '广告',
    columns: [
      { label: 'ID', cell: (c) => String(c.id), num: true },
      { label: '广告位', cell: (c) => c.category },
      { label: '标题', cell: (c) => c.title },
      { label: '商品', cell: (c) => (c.sku_id ? String(c.sku_id) : '—') },
      { label: '排序', cell: (c) => String(c.sequence), num: true },
      { label: '显示', cell: (c) => (c.status ? '是' : '否') },
    ],
    body: (v, row) => ({
      category_id: num(v.category_id), title: v.title, url: v.url, text: v.text, sequence: num(v.sequence),
      status: byId<HTMLInputElement>('status').checked, sku_id: v.sku_id ? Number(v.sku_id) : null,
      // the picture only when changed: a row written before the console (an address the form would refuse) stays editable
      ...(row && (v.image ?? '') === row.image ? {} : { image: v.image ?? '' }),
    }),
    filled: (row) => {
      editing = row;
      if (row) rows.delete(row.category_id); // to edit: the slot as it is now
      soon();
    },
    saved: (answer) => {
      editing = answer;
      rows.clear(); // after a save: every slot as it is now
      soon();
      if (answer.pages.length && me.can('site.view_site')) {
        void waitLive(answer.change_id).then((live) => {
          if (!live) return;
          const msg = form.querySelector('.form-msg')!;
          msg.textContent = '已上线：';
          msg.append(Object.assign(document.createElement('a'), { href: '/', target: '_blank', textContent: '查看首页' }));
        });
      }
      return pagesText(answer.pages);
    },
  });
  await redraw();
  document.body.dataset.ready = 'true';
}

main().catch(showPageError);
