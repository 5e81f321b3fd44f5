// Tiny typed fetch wrapper for the same-origin JSON API. Never throws: every outcome is
// { data, error }. Error bodies look like { error: { code, message } }.

export interface ApiError {
  code: string;
  message: string;
  status: number; // HTTP status; 0 when the request never got a response
}

export interface ApiResult<T> {
  data: T | null;
  error: ApiError | null;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function defaultMessage(status: number): string {
  if (status === 400) return '请求参数有误';
  if (status === 401) return '请先登录';
  if (status === 403) return '没有权限执行此操作';
  if (status === 404) return '请求的服务暂不可用（404）';
  if (status === 429) return '操作太频繁，请稍后再试';
  if (status >= 500) return '服务器繁忙，请稍后再试';
  return `请求失败（${status}）`;
}

/** '/skus/1', 'skus/1' and '/api/skus/1' all mean /api/skus/1. */
function toUrl(path: string): string {
  if (path === '/api' || path.startsWith('/api/') || path.startsWith('/api?')) return path;
  return `/api${path.startsWith('/') ? '' : '/'}${path}`;
}

export async function api<T>(path: string, init: RequestInit = {}): Promise<ApiResult<T>> {
  const headers = new Headers(init.headers);
  if (!headers.has('Accept')) headers.set('Accept', 'application/json');
  if (typeof init.body === 'string' && !headers.has('Content-Type')) headers.set('Content-Type', 'application/json');

  let res: Response;
  try {
    res = await fetch(toUrl(path), { ...init, headers, credentials: 'same-origin' });
  } catch {
    return { data: null, error: { code: 'network_error', message: '网络连接失败，请稍后再试', status: 0 } };
  }

  let text = '';
  try {
    text = await res.text();
  } catch {
    text = '';
  }
  let body: unknown = null;
  let parsed = false;
  if (text) {
    try {
      body = JSON.parse(text);
      parsed = true;
    } catch {
      body = null;
    }
  }

  if (!res.ok) {
    const err = isRecord(body) && isRecord(body.error) ? body.error : null;
    return {
      data: null,
      error: {
        code: err && typeof err.code === 'string' ? err.code : `http_${res.status}`,
        message: err && typeof err.message === 'string' && err.message ? err.message : defaultMessage(res.status),
        status: res.status,
      },
    };
  }
  if (text && !parsed) {
    return { data: null, error: { code: 'bad_response', message: '服务器返回了无法识别的数据', status: res.status } };
  }
  return { data: (body as T | null) ?? null, error: null };
}
