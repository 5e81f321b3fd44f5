// 广告内容: /api/admin/contents (list by slot + form). A change re-renders the homepage; once the
// outbox says it is live, the form links it (the preview is the homepage itself).
import { bootConsole, byId, showPageError } from './shell.ts';
import { all, fillSelect, waitLive } from './catalog-data.ts';
import { mountCrud, num, pagesText } from './crud.ts';

interface Content { id: number; category_id: number; category: string; title: string; url: string; image: string; text: string; sequence: number; status: boolean; sku_id: number | null }

async function main() {
  const me = await bootConsole();
  if (!me.can('contents.view_content')) return;
  const slots = (await all<{ id: number; name: string; key: string }>('/api/admin/content-categories')).map((s) => ({ id: s.id, label: `${s.name}（${s.key}）` }));
  fillSelect(byId<HTMLSelectElement>('ct-filter'), slots);
  fillSelect(byId<HTMLSelectElement>('category_id'), slots);
  const form = byId<HTMLFormElement>('contents-form');
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
    body: (v) => ({
      category_id: num(v.category_id), title: v.title, url: v.url, text: v.text, sequence: num(v.sequence),
      status: byId<HTMLInputElement>('status').checked, sku_id: v.sku_id ? Number(v.sku_id) : null,
    }),
    saved: (answer) => {
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
  document.body.dataset.ready = 'true';
}

main().catch(showPageError);
