// What the 商品管理 pages share: the admin catalog's shapes (api/routes/answers/admin-catalog.ts),
// whole small lists read page by page (categories, specs of one SPU), and the wait for a write's
// pages to be live (GET /api/admin/site/rebuild/{change_id}, the outbox's view: docs/admin-console.md).
import { adminGet, ADMIN_CSRF_COOKIE, type Page } from './api.ts';
import { readCookie } from '../api-client.ts';

export interface Sku {
  id: number; spu_id: number; spu: string; category_id: number; category: string; name: string; caption: string;
  price: string; market_price: string; cost_price: string; stock: number; sales: number; comments: number;
  is_launched: boolean; default_image: string; specs: { spec_id: number; option_id: number }[];
}
export interface Category { id: number; name: string; parent_id: number | null; sequence: number; level: number }
export interface Spec { id: number; spu_id: number; spu: string; name: string; sequence: number }
export interface SpecOption { id: number; spec_id: number; spec: string; value: string; sequence: number }
export interface Written { pages: string[]; change_id: number }

/** Every row of an admin list (100 a request; for the short lists: categories, a SPU's specs). */
export async function all<T>(endpoint: string, params: Record<string, string> = {}): Promise<T[]> {
  const out: T[] = [];
  for (let page = 1; ; page++) {
    const q = new URLSearchParams({ ...params, page: String(page), page_size: '100' });
    const data = await adminGet<Page<T>>(`${endpoint}?${q}`);
    out.push(...data.results);
    if (out.length >= data.count || data.results.length === 0) return out;
  }
}

/** Third-level categories (the ones a SKU can be in), named with their parents: 手机通讯 / 手机 / 游戏手机. */
export async function leafCategories(): Promise<{ id: number; label: string }[]> {
  const cats = await all<Category>('/api/admin/categories');
  const byId = new Map(cats.map((c) => [c.id, c]));
  const path = (c: Category): string => (c.parent_id && byId.get(c.parent_id) ? `${path(byId.get(c.parent_id)!)} / ${c.name}` : c.name);
  return cats.filter((c) => c.level === 3).map((c) => ({ id: c.id, label: path(c) })).sort((a, b) => a.label.localeCompare(b.label, 'zh-CN'));
}

export function fillSelect(select: HTMLSelectElement, items: { id: number; label: string }[]): void {
  for (const i of items) select.append(new Option(i.label, String(i.id)));
}

interface Progress { stage: 'pages' | 'search' | 'done' }

/** Resolves once a write's pages and search index are live; false when it cannot tell (no site.view_site) or it takes over `limitMs`. */
export async function waitLive(changeId: number, limitMs = 120_000): Promise<boolean> {
  const until = Date.now() + limitMs;
  while (Date.now() < until) {
    let p: Progress;
    try {
      p = await adminGet<Progress>(`/api/admin/site/rebuild/${changeId}`);
    } catch {
      return false;
    }
    if (p.stage === 'done') return true;
    await new Promise((r) => setTimeout(r, 1000));
  }
  return false;
}

/**
 * One picture sent as multipart field `image` (docs/admin-media.md) by XMLHttpRequest, whose upload
 * progress events fetch lacks; `progress` gets 0–100. Resolves with the status and the JSON answer
 * (a network failure: status 0).
 */
export function uploadPicture(url: string, file: File, progress: (percent: number) => void): Promise<{ status: number; body: any }> {
  return new Promise((resolve) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', url);
    xhr.setRequestHeader('X-CSRF-Token', readCookie(ADMIN_CSRF_COOKIE) ?? '');
    xhr.responseType = 'json';
    xhr.upload.addEventListener('progress', (e) => {
      if (e.lengthComputable) progress(Math.round((e.loaded / e.total) * 100));
    });
    xhr.addEventListener('load', () => resolve({ status: xhr.status, body: xhr.response }));
    xhr.addEventListener('error', () => resolve({ status: 0, body: null }));
    const data = new FormData();
    data.append('image', file);
    xhr.send(data);
  });
}

/** The Chinese message of a refused upload. */
export const uploadError = (r: { status: number; body: any }) =>
  r.status === 0 ? '网络错误，上传失败' : (r.body?.error?.message as string | undefined) ?? `上传失败（${r.status}）`;
