// The one way browser scripts talk to the same-origin JSON API. Error bodies look like
// { error: { code, message, fields? } }. The session cookie is HttpOnly; its twin `meiduo_csrf` is
// readable, and every state-changing request echoes it in X-CSRF-Token: a form posted from another
// site carries the cookies but cannot read the value, so the server can tell the two apart.
// `api()` never throws (every outcome is { data, error }); `request()` throws the ApiError, which
// reads better in the account forms' try/catch flows.

export const CSRF_COOKIE = 'meiduo_csrf';

export class ApiError extends Error {
  constructor(
    readonly status: number, // HTTP status; 0 when the request never got a response
    readonly code: string,
    message: string,
    /** Field name → message, for forms. */
    readonly fields: Record<string, string> = {},
    /** Seconds, from a 429's Retry-After. */
    readonly retryAfter: number | null = null,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export interface ApiResult<T> {
  data: T | null;
  error: ApiError | null;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

export function readCookie(name: string): string | null {
  for (const part of document.cookie.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0 || part.slice(0, eq).trim() !== name) continue;
    const raw = part.slice(eq + 1).trim();
    try {
      return decodeURIComponent(raw);
    } catch {
      return raw;
    }
  }
  return null;
}

export function csrfToken(): string | null {
  return readCookie(CSRF_COOKIE) || null;
}

/** Whether this browser holds a session at all (it may still have expired on the server). */
export function hasSession(): boolean {
  return csrfToken() !== null;
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

// Validation errors may name nested paths ('body.mobile'); forms only know the last segment.
function fieldMap(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!isRecord(value)) return out;
  for (const [key, msg] of Object.entries(value)) {
    if (typeof msg !== 'string') continue;
    const name = key.split('.').pop() || key;
    out[name] ??= msg;
  }
  return out;
}

function retryAfterOf(res: Response): number | null {
  const raw = res.headers.get('Retry-After');
  if (!raw) return null;
  const secs = Number(raw);
  if (Number.isFinite(secs)) return Math.max(0, Math.ceil(secs));
  const at = Date.parse(raw);
  return Number.isNaN(at) ? null : Math.max(0, Math.ceil((at - Date.now()) / 1000));
}

export async function api<T>(path: string, init: RequestInit = {}): Promise<ApiResult<T>> {
  const headers = new Headers(init.headers);
  if (!headers.has('Accept')) headers.set('Accept', 'application/json');
  if (typeof init.body === 'string' && !headers.has('Content-Type')) headers.set('Content-Type', 'application/json');
  const method = (init.method ?? 'GET').toUpperCase();
  const csrf = csrfToken();
  if (csrf && method !== 'GET' && method !== 'HEAD' && !headers.has('X-CSRF-Token')) headers.set('X-CSRF-Token', csrf);

  let res: Response;
  try {
    res = await fetch(toUrl(path), { ...init, method, headers, credentials: 'same-origin' });
  } catch {
    return { data: null, error: new ApiError(0, 'network_error', '网络连接失败，请稍后再试') };
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
      error: new ApiError(
        res.status,
        err && typeof err.code === 'string' ? err.code : `http_${res.status}`,
        err && typeof err.message === 'string' && err.message ? err.message : defaultMessage(res.status),
        fieldMap(err?.fields),
        retryAfterOf(res),
      ),
    };
  }
  if (text && !parsed) {
    return { data: null, error: new ApiError(res.status, 'bad_response', '服务器返回了无法识别的数据') };
  }
  return { data: (body as T | null) ?? null, error: null };
}

/** JSON in, JSON out; throws ApiError on any failure (204 resolves to null). */
export async function request<T = unknown>(method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', path: string, body?: unknown): Promise<T> {
  const init: RequestInit = { method };
  if (body !== undefined) init.body = JSON.stringify(body);
  const { data, error } = await api<T>(path, init);
  if (error) throw error;
  return data as T;
}

/** Any thrown value as an ApiError, so a catch block has one shape to read. */
export function asApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  return new ApiError(0, 'client_error', err instanceof Error && err.message ? err.message : '操作失败，请稍后再试');
}
