// 站点与任务: GET /api/admin/site and /api/admin/jobs?state=failed; 重试 (POST /api/admin/jobs/{id}/retry)
// and 重建全部页面 (POST /api/admin/site/rebuild, then GET …/rebuild/{change_id} until done).
import { adminGet, adminPost, type Page } from './api.ts';
import { count, time } from './format.ts';
import { bootConsole, byId, setText, type Staff } from './shell.ts';

interface Status {
  pending_changes: number;
  release: { id: string; built_at: string | null } | null;
  search: { documents: number; published_at: string | null } | null;
  jobs: Record<string, number>;
}
interface Job { id: string; name: string; fail_count: number; fail_reason: string | null; last_run_at: string | null }
interface Progress { change_id: number; stage: 'pages' | 'search' | 'done'; pending_changes: number }

const STAGES: Record<Progress['stage'], [number, string]> = {
  pages: [1, '正在生成页面…'],
  search: [2, '页面已生成，正在发布搜索索引…'],
  done: [3, '重建完成，新页面与搜索索引已上线。'],
};

async function refresh(me: Staff) {
  const s = await adminGet<Status>('/api/admin/site');
  setText('pending-changes', count(s.pending_changes));
  setText('release-at', s.release ? time(s.release.built_at) : '尚未构建');
  setText('search-at', s.search ? time(s.search.published_at) : '尚未发布');
  setText('search-docs', s.search ? count(s.search.documents) : '—');
  for (const [state, n] of Object.entries(s.jobs)) setText(`jobs-${state}`, count(n));
  const failed = await adminGet<Page<Job>>('/api/admin/jobs?state=failed&page_size=50');
  const body = byId<HTMLTableSectionElement>('failed-body');
  if (failed.results.length === 0) {
    const td = Object.assign(document.createElement('td'), { colSpan: 5, textContent: '没有失败的任务', className: 'a-muted' });
    body.replaceChildren(document.createElement('tr'));
    body.firstElementChild!.append(td);
    return;
  }
  body.replaceChildren(...failed.results.map((j) => {
    const tr = document.createElement('tr');
    for (const [text, cls] of [[j.name, ''], [count(j.fail_count), 'num'], [j.fail_reason ?? '—', ''], [time(j.last_run_at), '']] as const) {
      tr.append(Object.assign(document.createElement('td'), { textContent: text, className: cls }));
    }
    const cell = document.createElement('td');
    if (me.can('site.change_site')) {
      const b = Object.assign(document.createElement('button'), { type: 'button', className: 'a-btn', textContent: '重试' });
      b.setAttribute('aria-label', `重试任务 ${j.name}`);
      b.addEventListener('click', async () => {
        b.disabled = true;
        await adminPost(`/api/admin/jobs/${encodeURIComponent(j.id)}/retry`);
        await refresh(me);
      });
      cell.append(b);
    }
    tr.append(cell);
    return tr;
  }));
}

function showProgress(p: Progress) {
  const [value, label] = STAGES[p.stage];
  (byId('rebuild-bar') as HTMLProgressElement).value = value;
  setText('rebuild-stage', label);
}

async function rebuild(me: Staff, button: HTMLButtonElement) {
  button.disabled = true;
  byId('rebuild-progress').hidden = false;
  try {
    let p = await adminPost<Progress>('/api/admin/site/rebuild', { scope: 'all' });
    showProgress(p);
    while (p.stage !== 'done') {
      await new Promise((r) => setTimeout(r, 1000));
      p = await adminGet<Progress>(`/api/admin/site/rebuild/${p.change_id}`);
      showProgress(p);
    }
    await refresh(me);
  } catch (err) {
    setText('rebuild-stage', `重建失败：${err instanceof Error ? err.message : '未知错误'}`);
  } finally {
    button.disabled = false;
  }
}

async function main() {
  const me = await bootConsole();
  if (!me.can('site.view_site')) return;
  const button = byId<HTMLButtonElement>('rebuild');
  button.addEventListener('click', () => void rebuild(me, button));
  await refresh(me);
  document.body.dataset.ready = 'true';
}

void main();
