import type { IncomingMessage } from 'node:http';
import { PayloadTooLargeError, UnsupportedMediaTypeError, ValidationError } from '../errors.ts';

// Request bodies for routes that declare one (api/routes/define.ts): JSON, or a form where an
// outside provider posts forms (Alipay's notify). Read here with a byte limit — announced lengths
// over it are refused before reading, and a body that keeps coming stops being read at the limit —
// so no request can make the process buffer more than a route allows.

export const DEFAULT_BODY_LIMIT = 16 * 1024;

export type BodyKind = 'json' | 'form';

const TYPES: Record<BodyKind, string> = { json: 'application/json', form: 'application/x-www-form-urlencoded' };

function mediaType(req: IncomingMessage): string {
  return (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
}

function tooLarge(limit: number) {
  const err = new PayloadTooLargeError(limit);
  // the rest of the body is never read: the connection cannot carry another request after it
  err.headers!.Connection = 'close';
  return err;
}

function readRaw(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = req.headers['content-length'];
  if (declared !== undefined && Number(declared) > limit) return Promise.reject(tooLarge(limit));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const stop = (err?: Error) => {
      req.off('data', onData).off('end', onEnd).off('error', stop);
      if (err) reject(err);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.pause(); // not destroyed: the 413 must still reach the client
        return stop(tooLarge(limit));
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      stop();
      resolve(Buffer.concat(chunks));
    };
    req.on('data', onData).on('end', onEnd).on('error', stop);
  });
}

/**
 * A form's fields. A key given twice is refused (400 naming it): keeping one of the values — the last,
 * as Object.fromEntries did — would let a signed parameter and the one acted on differ.
 */
function formFields(text: string): Record<string, string> {
  const fields = new Map<string, string>();
  for (const [key, value] of new URLSearchParams(text)) {
    if (fields.has(key)) throw new ValidationError('请求参数重复', { [key]: '参数重复' });
    fields.set(key, value);
  }
  return Object.fromEntries(fields);
}

/** The parsed body (undefined when there is none), or a 400/413/415 AppError. */
export async function readBody(req: IncomingMessage, kinds: readonly BodyKind[], limit = DEFAULT_BODY_LIMIT): Promise<unknown> {
  const hasBody = req.headers['content-length'] !== undefined ? req.headers['content-length'] !== '0' : req.headers['transfer-encoding'] !== undefined;
  if (!hasBody) return undefined;
  const type = mediaType(req);
  const kind = kinds.find((k) => TYPES[k] === type);
  if (!kind) throw new UnsupportedMediaTypeError(kinds.map((k) => TYPES[k]));
  const raw = await readRaw(req, limit);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(raw);
  } catch {
    throw new ValidationError('请求体不是有效的 UTF-8');
  }
  if (kind === 'form') return formFields(text);
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new ValidationError('请求体不是有效的 JSON');
  }
}
