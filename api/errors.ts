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

  constructor(opts: { message: string; statusCode?: number; code?: string; fields?: FieldErrors; headers?: Record<string, string>; cause?: unknown }) {
    super(opts.message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = new.target.name;
    this.statusCode = opts.statusCode ?? 500;
    this.code = opts.code ?? 'INTERNAL_ERROR';
    this.fields = opts.fields;
    this.headers = opts.headers;
    this.expose = this.statusCode < 500;
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
