// Typed errors: each carries its HTTP status and a stable UPPER_SNAKE code. Services throw them
// without knowing about HTTP; the error middleware turns them into {"error": {...}} bodies.

export interface FieldErrors {
  [field: string]: string;
}

export class AppError extends Error {
  readonly statusCode: number;
  readonly code: string;
  readonly fields?: FieldErrors;
  readonly expose: boolean;
  /** Response headers that belong to this error, such as `Allow` on a 405. */
  readonly headers?: Record<string, string>;

  constructor(opts: {
    message: string;
    statusCode?: number;
    code?: string;
    fields?: FieldErrors;
    headers?: Record<string, string>;
    cause?: unknown;
    /** A 5xx whose message the client must see (a 503 saying the order was not placed); default: only 4xx. */
    expose?: boolean;
  }) {
    super(opts.message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = new.target.name;
    this.statusCode = opts.statusCode ?? 500;
    this.code = opts.code ?? 'INTERNAL_ERROR';
    this.fields = opts.fields;
    this.headers = opts.headers;
    this.expose = opts.expose ?? this.statusCode < 500;
  }
}

export class ValidationError extends AppError {
  constructor(message: string, fields?: FieldErrors) {
    super({ message, fields, statusCode: 400, code: 'VALIDATION_ERROR' });
  }
}

export class NotFoundError extends AppError {
  constructor(message = '资源不存在', code = 'NOT_FOUND') {
    super({ message, statusCode: 404, code });
  }
}

export class MethodNotAllowedError extends AppError {
  constructor(method: string, allowed: readonly string[]) {
    super({ message: `不支持 ${method} 方法`, statusCode: 405, code: 'METHOD_NOT_ALLOWED', headers: { Allow: allowed.join(', ') } });
  }
}

export class UnauthorizedError extends AppError {
  constructor(message = '请先登录', code = 'UNAUTHORIZED') {
    super({ message, statusCode: 401, code });
  }
}

export class ForbiddenError extends AppError {
  constructor(message = '没有权限执行此操作', code = 'FORBIDDEN') {
    super({ message, statusCode: 403, code });
  }
}

export class ConflictError extends AppError {
  constructor(message: string, code = 'CONFLICT', fields?: FieldErrors) {
    super({ message, statusCode: 409, code, fields });
  }
}

export class PayloadTooLargeError extends AppError {
  constructor(limitBytes: number) {
    super({ message: `请求体不能超过 ${limitBytes} 字节`, statusCode: 413, code: 'PAYLOAD_TOO_LARGE', headers: {} });
  }
}

export class UnsupportedMediaTypeError extends AppError {
  constructor(accepted: readonly string[]) {
    super({ message: `请求体必须是 ${accepted.join(' 或 ')}`, statusCode: 415, code: 'UNSUPPORTED_MEDIA_TYPE' });
  }
}

/** 429 with `Retry-After` (whole seconds, at least 1), so a client knows when to try again. */
export class TooManyRequestsError extends AppError {
  readonly retryAfterSeconds: number;
  constructor(retryAfterMs: number, message = '操作太频繁，请稍后再试', code = 'TOO_MANY_REQUESTS') {
    const seconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
    super({ message, statusCode: 429, code, headers: { 'Retry-After': String(seconds) } });
    this.retryAfterSeconds = seconds;
  }
}
