import crypto from 'node:crypto';
import type { Knex } from 'knex';
import { beijingDay } from '../../beijing-time.ts';
import type { Cache } from '../../cache/index.ts';
import type { RequestContext } from '../../context.ts';
import { TooManyRequestsError, ValidationError } from '../../errors.ts';
import { enqueueMessage } from '../messages/outbox.ts';
import { captchaPng, captchaText } from './captcha-image.ts';

// One-time codes kept in the cache (Redis when REDIS_URL is set): the image captcha under
// image_code:{uuid} and the SMS code under sms_code:{mobile}. Each value carries its own expiry, read
// against the services' clock, so tests move time instead of waiting; the cache TTL only clears
// what nobody asked for again. The send limits follow the original shop (one SMS per mobile per
// 60 s) and add what it lacked: 10 per mobile and 20 per IP a Beijing day, and an SMS code dies
// after 5 wrong tries. A captcha costs the server a few milliseconds and a cache entry, so one
// address may ask for 30 a minute.
//
// The cache keeps two kinds of entries (api/cache/cache.ts): captchas, which anyone can make, are
// `evictable`; the send flags, daily counts and wrong-try counts are not, so a flood of captchas can
// never push a limit out of an in-process cache.

export const IMAGE_CODE_TTL_MS = 300_000;
export const SMS_CODE_TTL_MS = 300_000;
export const SMS_RESEND_MS = 60_000;
export const SMS_PER_MOBILE_PER_DAY = 10;
export const SMS_PER_IP_PER_DAY = 20;
export const SMS_MAX_TRIES = 5;
export const IMAGE_CODES_PER_IP_PER_MINUTE = 30;

interface Stored {
  code: string;
  exp: number;
}

const ttlSeconds = (ms: number) => Math.ceil(ms / 1000);

export class VerificationCodes {
  constructor(
    private readonly cache: Cache,
    private readonly db: Knex,
  ) {}

  /**
   * A new captcha for this uuid (replacing any earlier one): the PNG to show. 429 with Retry-After
   * once the caller's address asked for IMAGE_CODES_PER_IP_PER_MINUTE in this clock minute.
   */
  async imageCode(context: RequestContext, uuid: string): Promise<Buffer> {
    const now = context.clock.now().getTime();
    if (context.ip) {
      const minute = Math.floor(now / 60_000);
      const made = await this.cache.incr(`image_code_ip:${minute}:${context.ip}`, 120);
      if (made > IMAGE_CODES_PER_IP_PER_MINUTE) throw new TooManyRequestsError((minute + 1) * 60_000 - now, '获取图形验证码过于频繁，请稍后再试', 'IMAGE_CODE_TOO_FREQUENT');
    }
    const text = captchaText();
    await this.storeImageCode(uuid, text, now);
    return captchaPng(text);
  }

  /** Remembers the text of captcha `uuid` — evictable: anyone can make captchas, by the thousand. */
  async storeImageCode(uuid: string, text: string, now: number): Promise<void> {
    const value: Stored = { code: text.toLowerCase(), exp: now + IMAGE_CODE_TTL_MS };
    await this.cache.set(`image_code:${uuid}`, JSON.stringify(value), ttlSeconds(IMAGE_CODE_TTL_MS), { evictable: true });
  }

  /** For tests and the browser test only: the text of a captcha, without using it up. */
  async peekImageCode(uuid: string): Promise<string | null> {
    const raw = await this.cache.get(`image_code:${uuid}`);
    return raw ? (JSON.parse(raw) as Stored).code : null;
  }

  /** Uses up the captcha (right or wrong: one try per image), or a 400 naming `image_code`. */
  async checkImageCode(uuid: string, text: string, now: number): Promise<void> {
    const raw = await this.cache.take(`image_code:${uuid}`);
    const stored = raw ? (JSON.parse(raw) as Stored) : null;
    if (!stored || stored.exp <= now) throw new ValidationError('图形验证码已过期，请点击图片换一张', { image_code: '图形验证码已过期' });
    if (stored.code !== text.trim().toLowerCase()) throw new ValidationError('图形验证码错误', { image_code: '图形验证码错误' });
  }

  /**
   * Makes a code for `mobile` and queues its SMS (the message job sends it through the SMS adapter).
   * 429 with Retry-After when the mobile had one in the last 60 s, or a daily limit is reached.
   */
  async sendSmsCode(mobile: string, ip: string, now: number): Promise<void> {
    const flagKey = `sms_flag:${mobile}`;
    if (!(await this.cache.setIfAbsent(flagKey, String(now + SMS_RESEND_MS), ttlSeconds(SMS_RESEND_MS)))) {
      const until = Number(await this.cache.get(flagKey));
      if (until > now) throw new TooManyRequestsError(until - now, '短信发送过于频繁，请稍后再试', 'SMS_TOO_FREQUENT');
      await this.cache.set(flagKey, String(now + SMS_RESEND_MS), ttlSeconds(SMS_RESEND_MS));
    }
    const { day, msLeft } = beijingDay(now);
    const perMobile = await this.cache.incr(`sms_day:${day}:m:${mobile}`, 2 * 86_400);
    if (perMobile > SMS_PER_MOBILE_PER_DAY) throw new TooManyRequestsError(msLeft, '该手机号今日短信次数已用完', 'SMS_DAILY_LIMIT');
    if (ip) {
      const perIp = await this.cache.incr(`sms_day:${day}:ip:${ip}`, 2 * 86_400);
      if (perIp > SMS_PER_IP_PER_DAY) throw new TooManyRequestsError(msLeft, '今日短信次数已用完', 'SMS_DAILY_LIMIT');
    }
    const code = String(crypto.randomInt(0, 1_000_000)).padStart(6, '0');
    await this.cache.del(`sms_tries:${mobile}`);
    await this.cache.set(`sms_code:${mobile}`, JSON.stringify({ code, exp: now + SMS_CODE_TTL_MS } satisfies Stored), ttlSeconds(SMS_CODE_TTL_MS));
    await enqueueMessage(this.db, { channel: 'sms', recipient: mobile, payload: { code, ttlMinutes: SMS_CODE_TTL_MS / 60_000 } }, now);
  }

  /**
   * Uses the SMS code of `mobile`: right → deleted (of two concurrent uses, one wins); wrong → a try
   * counted, and the fifth wrong try deletes it. A 400 naming `field` otherwise.
   */
  async useSmsCode(mobile: string, code: string, now: number, field = 'sms_code'): Promise<void> {
    const key = `sms_code:${mobile}`;
    const raw = await this.cache.get(key);
    const stored = raw ? (JSON.parse(raw) as Stored) : null;
    if (!stored || stored.exp <= now) throw new ValidationError('短信验证码已过期，请重新获取', { [field]: '短信验证码已过期' });
    const right = stored.code.length === code.length && crypto.timingSafeEqual(Buffer.from(stored.code), Buffer.from(code));
    if (!right) {
      const tries = await this.cache.incr(`sms_tries:${mobile}`, ttlSeconds(SMS_CODE_TTL_MS));
      if (tries >= SMS_MAX_TRIES) await this.cache.del(key);
      throw new ValidationError('短信验证码错误', { [field]: '短信验证码错误' });
    }
    if ((await this.cache.del(key)) !== 1) throw new ValidationError('短信验证码已使用，请重新获取', { [field]: '短信验证码已过期' });
    await this.cache.del(`sms_tries:${mobile}`);
  }
}
