import crypto from 'node:crypto';
import http from 'node:http';
import type { Clock } from '../../../api/clock.ts';

// A stand-in for 容联云通讯's template-SMS endpoint on 127.0.0.1 that checks what the real one
// checks (shared/reference/providers.md): the account in the path, the sig query parameter against
// MD5(sid + token + timestamp) with the timestamp taken from Authorization, the timestamp's
// freshness (24 h, Beijing time), and the JSON body. Tell it to refuse with a status code to test
// failures.

export interface SentSms {
  to: string;
  appId: string;
  templateId: string;
  datas: string[];
}

export interface RonglianStandIn {
  baseUrl: string;
  sent: SentSms[];
  /** The next answers' statusCode ('000000' = success). */
  answer: { statusCode: string; statusMsg: string };
  close(): Promise<void>;
}

function beijingMs(ts: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/.exec(ts);
  if (!m) return NaN;
  return Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!) - 8 * 3600_000;
}

export async function startRonglianStandIn(opts: { accountSid: string; authToken: string; appId: string; clock: Clock }): Promise<RonglianStandIn> {
  const sent: SentSms[] = [];
  const state = { answer: { statusCode: '000000', statusMsg: '成功' } };
  const server = http.createServer(async (req, res) => {
    const reply = (statusCode: string, statusMsg: string, extra: object = {}) => {
      res.setHeader('Content-Type', 'application/json;charset=utf-8');
      res.end(JSON.stringify({ statusCode, statusMsg, ...extra }));
    };
    const url = new URL(req.url ?? '/', 'http://stand-in');
    const m = /^\/2013-12-26\/Accounts\/([^/]+)\/SMS\/TemplateSMS$/.exec(url.pathname);
    if (req.method !== 'POST' || !m) return reply('111111', 'unknown path');
    if (decodeURIComponent(m[1]!) !== opts.accountSid) return reply('111113', 'unknown account');
    const auth = Buffer.from(req.headers.authorization ?? '', 'base64').toString();
    const [sid, timestamp = ''] = auth.split(':');
    if (sid !== opts.accountSid) return reply('111114', 'Authorization account mismatch');
    const age = opts.clock.now().getTime() - beijingMs(timestamp);
    if (!(Math.abs(age) < 24 * 3600_000)) return reply('111115', 'timestamp expired or malformed');
    const sig = crypto.createHash('md5').update(opts.accountSid + opts.authToken + timestamp).digest('hex').toUpperCase();
    if (url.searchParams.get('sig') !== sig) return reply('111116', 'sig mismatch');
    if (!/^application\/json/.test(req.headers['content-type'] ?? '')) return reply('111117', 'content type');
    let body: SentSms;
    try {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as SentSms;
    } catch {
      return reply('111118', 'body is not JSON');
    }
    if (body.appId !== opts.appId || typeof body.to !== 'string' || typeof body.templateId !== 'string' || !Array.isArray(body.datas) || !body.datas.every((d) => typeof d === 'string')) {
      return reply('111119', 'bad body');
    }
    if (state.answer.statusCode !== '000000') return reply(state.answer.statusCode, state.answer.statusMsg);
    sent.push(body);
    reply('000000', '成功', { templateSMS: { smsMessageSid: crypto.randomUUID().replace(/-/g, ''), dateCreated: timestamp } });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  return {
    baseUrl: `http://127.0.0.1:${port}/2013-12-26`,
    sent,
    get answer() {
      return state.answer;
    },
    set answer(a) {
      state.answer = a;
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
