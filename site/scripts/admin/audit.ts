// 操作日志: GET /api/admin/audit (actor, resource, resource_id, date_from, date_to); each entry's
// changes as a small table, field: old → new.
import { mountList } from './list-kit.ts';
import { time } from './format.ts';
import { bootConsole, showPageError } from './shell.ts';

interface Entry { id: number; actor: string; at: string; ip: string; action: string; resource: string; resource_id: string | null; changes: Record<string, [unknown, unknown]> | null }

const ACTIONS: Record<string, string> = { create: '新增', update: '修改', delete: '删除', ship: '发货', cancel: '取消', retry: '重试', settle: '标记已处理', rebuild: '重建' };

// times are stored as epoch ms (shipped_at, refunded_at …): written on the shop's clock like the rest
const shown = (field: string, v: unknown) =>
  v === null || v === undefined ? '（空）' : typeof v === 'number' && field.endsWith('_at') ? time(new Date(v).toISOString()) : typeof v === 'string' ? v : JSON.stringify(v);

function changes(e: Entry): Node | string {
  const fields = Object.entries(e.changes ?? {});
  if (!fields.length) return '—';
  const table = document.createElement('table');
  table.className = 'a-changes';
  table.append(Object.assign(document.createElement('caption'), { className: 'visually-hidden', textContent: `第 ${e.id} 条的变更` }));
  const head = document.createElement('tr');
  for (const h of ['字段', '原值', '新值']) head.append(Object.assign(document.createElement('th'), { scope: 'col', textContent: h }));
  table.createTHead().append(head);
  const body = table.createTBody();
  for (const [field, [before, after]] of fields) {
    const tr = document.createElement('tr');
    tr.append(Object.assign(document.createElement('th'), { scope: 'row', textContent: field }));
    tr.append(Object.assign(document.createElement('td'), { className: 'a-old', textContent: shown(field, before) }));
    tr.append(Object.assign(document.createElement('td'), { className: 'a-new', textContent: `→ ${shown(field, after)}` }));
    body.append(tr);
  }
  return table;
}

async function main() {
  const me = await bootConsole();
  if (!me.can('audit.view_audit')) return;
  mountList<Entry>({
    id: 'audit',
    endpoint: '/api/admin/audit',
    can: me.can,
    empty: '没有符合条件的操作记录',
    columns: [
      { label: '时间', cell: (e) => time(e.at) },
      { label: '操作人', cell: (e) => e.actor },
      { label: '操作', cell: (e) => ACTIONS[e.action] ?? e.action },
      { label: '对象', cell: (e) => e.resource },
      { label: '对象 ID', cell: (e) => e.resource_id ?? '—' },
      { label: '变更（原值 → 新值）', cell: changes },
      { label: 'IP', cell: (e) => e.ip },
    ],
  });
  document.body.dataset.ready = 'true';
}

main().catch(showPageError);
