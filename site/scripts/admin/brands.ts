// 品牌列表: GET /api/admin/brands (keyword; server pages); rows link to /admin/brand.html?id=….
import { mountList } from './list-kit.ts';
import { bootConsole, showPageError } from './shell.ts';

interface Brand { id: number; name: string; first_letter: string; aliases: string[]; logo: string }

async function main() {
  const me = await bootConsole();
  if (!me.can('goods.view_brand')) return;
  mountList<Brand>({
    id: 'brands',
    endpoint: '/api/admin/brands',
    can: me.can,
    empty: '没有符合条件的品牌',
    columns: [
      { label: 'ID', cell: (b) => String(b.id), num: true },
      { label: '名称', cell: (b) => Object.assign(document.createElement('a'), { href: `/admin/brand.html?id=${b.id}`, textContent: b.name }) },
      { label: '首字母', cell: (b) => b.first_letter },
      { label: '别名', cell: (b) => b.aliases.join('、') || '—' },
      { label: 'Logo', cell: (b) => (b.logo ? Object.assign(document.createElement('img'), { src: b.logo, alt: `${b.name} logo`, className: 'a-logo-sm' }) : '—') },
    ],
  });
  document.body.dataset.ready = 'true';
}

main().catch(showPageError);
