import http from 'node:http';
import { checkAnswer } from './answer-check.ts';
import type { TestApp } from './app.ts';

// JSON calls to a test app, optionally from another loopback address (127.0.0.2 …): the IP
// throttles count per address, so a test can stand for several clients. Every answer is checked
// against what its route declares (answer-check.ts): a mismatch rejects with AnswerMismatch.

export interface Reply<T = any> {
  status: number;
  body: T;
  headers: http.IncomingHttpHeaders;
  /** name → value of the cookies the reply sets */
  cookies: Record<string, string>;
}

export function call<T = any>(
  app: Pick<TestApp, 'url' | 'routes'>,
  method: string,
  path: string,
  opts: { body?: unknown; headers?: Record<string, string>; from?: string; raw?: string } = {},
): Promise<Reply<T>> {
  const headers: Record<string, string> = { ...opts.headers };
  let body: string | undefined;
  if (opts.raw !== undefined) body = opts.raw;
  else if (opts.body !== undefined) {
    body = JSON.stringify(opts.body);
    headers['content-type'] ??= 'application/json';
  }
  // Node sends a DELETE's body unframed unless told its length
  if (body !== undefined) headers['content-length'] ??= String(Buffer.byteLength(body));
  const url = new URL(app.url + path);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: url.hostname, port: url.port, path: url.pathname + url.search, method, headers, localAddress: opts.from }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const raw = Buffer.concat(chunks);
        const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v.join(', ') : v);
        try {
          checkAnswer({ method, url: path, status: res.statusCode ?? 0, header: (n) => one(res.headers[n.toLowerCase()]), body: raw, decoded: false }, app.routes);
        } catch (err) {
          return reject(err);
        }
        const text = raw.toString('utf8');
        let parsed: any = text;
        try {
          parsed = text ? JSON.parse(text) : null;
        } catch {
          /* not JSON */
        }
        const cookies: Record<string, string> = {};
        for (const c of res.headers['set-cookie'] ?? []) {
          const [pair] = c.split(';');
          const eq = pair!.indexOf('=');
          cookies[pair!.slice(0, eq)] = pair!.slice(eq + 1);
        }
        resolve({ status: res.statusCode ?? 0, body: parsed, headers: res.headers, cookies });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}
