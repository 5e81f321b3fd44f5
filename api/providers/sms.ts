import crypto from 'node:crypto';
import { beijingCompact } from '../beijing-time.ts';
import type { Clock } from '../clock.ts';
import type { Logger } from '../logger.ts';

// Sending SMS verification codes. `log` (the default) writes the code to the server log, so a
// newcomer can register on the embedded default; `ronglian` speaks 容联云通讯's template-SMS REST API
// (shared/reference/providers.md): POST {base}/Accounts/{sid}/SMS/TemplateSMS?sig=…, where sig is
// the upper-case MD5 of sid + token + timestamp and Authorization is base64(sid:timestamp). The
// timestamp is Beijing time (UTC+8, no daylight saving), as the service expects.

export interface SmsSender {
  readonly name: string;
  /** Sends `code`, valid for `ttlMinutes`, to `mobile`; throws SmsError when the provider refuses. */
  sendCode(mobile: string, code: string, ttlMinutes: number): Promise<void>;
}

export class SmsError extends Error {
  constructor(message: string, readonly providerCode?: string) {
    super(message);
    this.name = 'SmsError';
  }
}

export interface RonglianConfig {
  accountSid: string;
  authToken: string;
  appId: string;
  templateId: string;
  baseUrl: string;
  /** Give up on a request after this long (ms). */
  timeoutMs?: number;
}

export function logSms(log: Logger): SmsSender {
  return {
    name: 'log',
    async sendCode(mobile, code, ttlMinutes) {
      log.info({ mobile, code, ttlMinutes }, 'SMS code (SMS_PROVIDER=log: not sent)');
    },
  };
}

/** yyyyMMddHHmmss in Beijing time. */
export function ronglianTimestamp(at: Date): string {
  return beijingCompact(at.getTime());
}

export function ronglianSig(accountSid: string, authToken: string, timestamp: string): string {
  return crypto.createHash('md5').update(accountSid + authToken + timestamp).digest('hex').toUpperCase();
}

export function ronglianSms(cfg: RonglianConfig, clock: Clock): SmsSender {
  return {
    name: 'ronglian',
    async sendCode(mobile, code, ttlMinutes) {
      const timestamp = ronglianTimestamp(clock.now());
      const url = `${cfg.baseUrl.replace(/\/$/, '')}/Accounts/${encodeURIComponent(cfg.accountSid)}/SMS/TemplateSMS?sig=${ronglianSig(cfg.accountSid, cfg.authToken, timestamp)}`;
      let res: Response;
      try {
        res = await fetch(url, {
          method: 'POST',
          headers: {
            Accept: 'application/json',
            'Content-Type': 'application/json;charset=utf-8',
            Authorization: Buffer.from(`${cfg.accountSid}:${timestamp}`).toString('base64'),
          },
          body: JSON.stringify({ to: mobile, appId: cfg.appId, templateId: cfg.templateId, datas: [code, String(ttlMinutes)] }),
          signal: AbortSignal.timeout(cfg.timeoutMs ?? 10_000),
        });
      } catch (err) {
        throw new SmsError(`SMS provider unreachable: ${(err as Error).message}`);
      }
      let reply: { statusCode?: string; statusMsg?: string };
      try {
        reply = (await res.json()) as typeof reply;
      } catch {
        throw new SmsError(`SMS provider answered ${res.status} without JSON`);
      }
      if (reply.statusCode !== '000000') {
        throw new SmsError(`SMS provider refused: ${reply.statusCode ?? res.status} ${reply.statusMsg ?? ''}`.trim(), reply.statusCode);
      }
    },
  };
}
