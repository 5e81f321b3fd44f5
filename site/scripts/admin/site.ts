// 站点与任务: GET /api/admin/site and /api/admin/jobs?state=failed; 重试 (POST /api/admin/jobs/{id}/retry)
// and 重建全部页面 (POST /api/admin/site/rebuild, then GET …/rebuild/{change_id} until done).
import { adminGet, adminPost } from './api.ts';
import { mountList } from './list-kit.ts';
import { count, time } from './format.ts';
import { bootConsole, byId, setText, showPageError } from './shell.ts';

interface Status {
  pending_changes: number;
  release: { id: string; built_at: string | null } | null;
  search: { documents: number; published_at: string | null } | null;
  jobs: Record<string, number>;
}
interface Job { id: string; name: string; state: string; fail_count: number; fail_reason: string | null; last_run_at: string | null; next_run_at: string | null }
interface Progress { change_id: number; stage: 'pages' | 'search' | 'done'; pending_changes: number }

const STAGES: Record<Progress['stage'], [number, string]> = {
  pages: [1, '正在生成页面…'],
  search: [2, '页面已生成，正在发布搜索索引…'],
  done: [3, '重建完成，新页面与搜索索引已上线。'],
};

async function refresh() {
  const s = await adminGet<Status>('/api/admin/site');
  setText('pending-changes', count(s.pending_changes));
  setText('release-at', s.release ? time(s.release.built_at) : '尚未构建');
  setText('search-at', s.search ? time(s.search.published_at) : '尚未发布');
  setText('search-docs', s.search ? count(s.search.documents) : '—');
  for (const [state, n] of Object.entries(s.jobs)) setText(`jobs-${state}`, count(n));
}

function showProgress(p: Progress) {
  const [value, label] = STAGES[p.stage];
  (byId('rebuild-bar') as HTMLProgressElement).value = value;
  setText('rebuild-stage', label);
}

async function rebuild(button: HTMLButtonElement) {
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
    await refresh();
  } catch (err) {
    setText('rebuild-stage', `重建失败：${err instanceof Error ? err.message : '未知错误'}`);
  } finally {
    button.disabled = false;
  }
}

const STATE_NAMES: Record<string, string> = { queued: '排队中', running: '运行中', scheduled: '已计划', repeating: '定时任务', failed: '失败', completed: '已完成', paused: '已暂停' };

let jobs: { reload(): Promise<void> } | null = null;

function retryButton(j: Job): HTMLElement {
  const b = Object.assign(document.createElement('button'), { type: 'button', className: 'a-btn', textContent: '重试' });
  b.setAttribute('aria-label', `重试任务 ${j.name}`);
  b.addEventListener('click', async () => {
    b.disabled = true;
    await adminPost(`/api/admin/jobs/${encodeURIComponent(j.id)}/retry`);
    await Promise.all([refresh(), jobs?.reload()]);
  });
  return b;
}

async function main() {
  const me = await bootConsole();
  if (!me.can('site.view_site')) return;
  const button = byId<HTMLButtonElement>('rebuild');
  button.addEventListener('click', () => void rebuild(button));
  jobs = mountList<Job>({
    id: 'jobs',
    endpoint: '/api/admin/jobs',
    can: me.can,
    empty: '没有符合条件的任务',
    columns: [
      { label: '任务', cell: (j) => j.name },
      { label: '状态', cell: (j) => STATE_NAMES[j.state] ?? j.state },
      { label: '失败次数', cell: (j) => count(j.fail_count), num: true },
      { label: '原因', cell: (j) => j.fail_reason ?? '—' },
      { label: '上次运行', cell: (j) => time(j.last_run_at) },
      { label: '操作', cell: (j) => (j.state === 'failed' ? retryButton(j) : ''), permission: 'site.change_site' },
    ],
  });
  await refresh();
  document.body.dataset.ready = 'true';
}

main().catch(showPageError);
