import type { IncomingMessage } from 'node:http';
import busboy from 'busboy';
import { PayloadTooLargeError, UnsupportedMediaTypeError, ValidationError } from '../errors.ts';

// Request bodies for routes that declare one (api/routes/define.ts): JSON, or a form where an
// outside provider posts forms (Alipay's notify). Read here with a byte limit — announced lengths
// over it are refused before reading, and a body that keeps coming stops being read at the limit —
// so no request can make the process buffer more than a route allows. A multipart form (picture
// uploads) is parsed as it streams (busboy): each file is held in memory up to the route's limit and
// the request stops being read the moment a file or the whole body goes over it.

export const DEFAULT_BODY_LIMIT = 16 * 1024;

export type BodyKind = 'json' | 'form' | 'multipart';

export const BODY_TYPES: Record<BodyKind, string> = { json: 'application/json', form: 'application/x-www-form-urlencoded', multipart: 'multipart/form-data' };
const TYPES = BODY_TYPES;

/** A file of a multipart body, as sent: its name and type are the client's claims, not checked. */
export class UploadedFile {
  constructor(
    readonly filename: string,
    readonly mimeType: string,
    readonly data: Buffer,
  ) {}
}

/** Room for a multipart body's boundaries, part headers and small fields beyond its files. */
export const MULTIPART_OVERHEAD = 64 * 1024;
const MULTIPART_LIMITS = { fields: 20, fieldSize: 1024, files: 1, parts: 21, headerPairs: 20 };

function mediaType(req: IncomingMessage): string {
  return (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
}

/**
 * A body refused before its end: its rest is read and dropped for a while, nginx's "lingering
 * close", and only then is the connection cut. Cutting it at once — or pausing the request, so the
 * socket closes with bytes unread — sends a reset, and on Linux a reset throws away what the client
 * has received but not read yet: the 413 itself, so the client saw only `write EPIPE`. The answer
 * tells the client to stop; one that goes on sending is cut after LINGER_MS. A client that sends
 * its whole body in that time keeps its connection.
 */
const LINGER_MS = 2_000;
function dropRest(req: IncomingMessage): void {
  if (req.complete) return;
  req.resume(); // flowing with no 'data' listener: each chunk is dropped as it comes
  const timer = setTimeout(() => {
    if (!req.complete) req.socket.destroy();
  }, LINGER_MS);
  timer.unref();
  req.once('end', () => clearTimeout(timer));
}

/** A body announced larger than `limit`: refused before a byte of it is read. */
function refuseAnnounced(req: IncomingMessage, limit: number, answerLimit = limit): Promise<never> | undefined {
  const declared = req.headers['content-length'];
  if (declared === undefined || Number(declared) <= limit) return undefined;
  dropRest(req);
  return Promise.reject(new PayloadTooLargeError(answerLimit));
}

function readRaw(req: IncomingMessage, limit: number): Promise<Buffer> {
  const refused = refuseAnnounced(req, limit);
  if (refused) return refused;
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
        stop(new PayloadTooLargeError(limit));
        return dropRest(req); // not destroyed: the 413 must still reach the client
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

/**
 * A multipart form's fields and files (one file; text fields of at most 1 KiB). `fileLimit` bounds
 * the file, `fileLimit + MULTIPART_OVERHEAD` the whole body; over either, a 413 at once, the rest
 * unread. A field given twice is refused as in a form; a malformed body is a 400.
 */
function readMultipart(req: IncomingMessage, fileLimit: number): Promise<Record<string, string | UploadedFile>> {
  const limit = fileLimit + MULTIPART_OVERHEAD;
  const refused = refuseAnnounced(req, limit, fileLimit);
  if (refused) return refused;
  let bb: busboy.Busboy;
  try {
    bb = busboy({ headers: req.headers, limits: { ...MULTIPART_LIMITS, fileSize: fileLimit } });
  } catch {
    return Promise.reject(new ValidationError('multipart 请求体缺少 boundary'));
  }
  return new Promise((resolve, reject) => {
    const fields = new Map<string, string | UploadedFile>();
    let received = 0;
    let pendingFiles = 0;
    let finished = false;
    let done = false;
    const stop = (err: Error | null) => {
      if (done) return;
      done = true;
      req.off('data', count).off('close', aborted);
      req.unpipe(bb);
      if (err) {
        dropRest(req); // not destroyed: the error answer must still reach the client
        bb.removeAllListeners();
        bb.on('error', () => {}); // what busboy still says about the unread rest
        reject(err);
      } else resolve(Object.fromEntries(fields));
    };
    const add = (name: string, value: string | UploadedFile) => {
      if (fields.has(name)) return stop(new ValidationError('请求参数重复', { [name]: '参数重复' }));
      fields.set(name, value);
    };
    const count = (chunk: Buffer) => {
      received += chunk.length;
      if (received > limit) stop(new PayloadTooLargeError(fileLimit));
    };
    const settle = () => {
      if (finished && pendingFiles === 0) stop(null);
    };
    bb.on('file', (name, stream, info) => {
      pendingFiles++;
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('limit', () => stop(new PayloadTooLargeError(fileLimit)));
      stream.on('error', (err: Error) => stop(new ValidationError(`multipart 请求体有误：${err.message}`)));
      stream.on('end', () => {
        pendingFiles--;
        if (!done && !(stream as { truncated?: boolean }).truncated) add(name, new UploadedFile(info.filename ?? '', info.mimeType, Buffer.concat(chunks)));
        settle();
      });
    });
    bb.on('field', (name, value, info) => {
      if (info.nameTruncated || info.valueTruncated) return stop(new ValidationError('请求参数过长', { [name.slice(0, 50)]: '过长' }));
      add(name, value);
    });
    bb.on('filesLimit', () => stop(new ValidationError('一次只能上传一个文件')));
    bb.on('fieldsLimit', () => stop(new ValidationError('请求参数过多')));
    bb.on('partsLimit', () => stop(new ValidationError('请求参数过多')));
    bb.on('error', (err: Error) => stop(new ValidationError(`multipart 请求体有误：${err.message}`)));
    bb.on('close', () => {
      finished = true;
      settle();
    });
    // a client gone mid-body: busboy would wait for the rest for ever
    const aborted = () => {
      if (!req.complete) stop(new ValidationError('请求体不完整'));
    };
    req.on('data', count);
    req.on('error', (err) => stop(err));
    req.on('close', aborted);
    req.pipe(bb);
  });
}

/** The parsed body (undefined when there is none), or a 400/413/415 AppError. */
export async function readBody(req: IncomingMessage, kinds: readonly BodyKind[], limit = DEFAULT_BODY_LIMIT): Promise<unknown> {
  const hasBody = req.headers['content-length'] !== undefined ? req.headers['content-length'] !== '0' : req.headers['transfer-encoding'] !== undefined;
  if (!hasBody) return undefined;
  const type = mediaType(req);
  const kind = kinds.find((k) => TYPES[k] === type);
  if (!kind) throw new UnsupportedMediaTypeError(kinds.map((k) => TYPES[k]));
  if (kind === 'multipart') return readMultipart(req, limit);
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
