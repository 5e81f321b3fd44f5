import crypto from 'node:crypto';
import type { Knex } from 'knex';
import { beijingDay } from '../../beijing-time.ts';
import type { Cache } from '../../cache/index.ts';
import type { RequestContext } from '../../context.ts';
import { TooManyRequestsError, ValidationError } from '../../errors.ts';
import { enqueueMessage } from '../messages/outbox.ts';
import { captchaPng, captchaText } from './captcha-image.ts';

// One-time codes kept in the cache (Redis when REDIS_URL is set): the image captcha under
// image_code:{uuid} and the SMS code under sms_code:{purpose}:{mobile}. Each value carries its own expiry, read
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

/** What an SMS code was sent for: it completes that and nothing else (a registration code resets no password). */
export type SmsPurpose = 'register' | 'bind' | 'reset';
const codeKey = (purpose: SmsPurpose, mobile: string) => `sms_code:${purpose}:${mobile}`;
const triesKey = (purpose: SmsPurpose, mobile: string) => `sms_tries:${purpose}:${mobile}`;

interface Stored {
  code: string;
  exp: number;
}

const ttlSeconds = (ms: number) => Math.ceil(ms / 1000);

export class VerificationCodes {
  constructor(private readonly cache: Cache) {}

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
   * Makes a code for `purpose` and `mobile` and queues its SMS (the message job sends it through the
   * SMS adapter). 429 with Retry-After when a send limit is reached (takeSendSlot).
   */
  /** `q`: where the SMS joins the outbox — the request's transaction or the pool. */
  async sendSmsCode(q: Knex, purpose: SmsPurpose, mobile: string, ip: string, now: number): Promise<void> {
    await this.takeSendSlot(mobile, ip, now);
    const code = String(crypto.randomInt(0, 1_000_000)).padStart(6, '0');
    await this.cache.del(triesKey(purpose, mobile));
    await this.cache.set(codeKey(purpose, mobile), JSON.stringify({ code, exp: now + SMS_CODE_TTL_MS } satisfies Stored), ttlSeconds(SMS_CODE_TTL_MS));
    await enqueueMessage(q, { channel: 'sms', recipient: mobile, payload: { code, ttlMinutes: SMS_CODE_TTL_MS / 60_000 } }, now);
  }

  /**
   * The limits of a send that is not made (a password reset of an account that does not exist):
   * the same answers, 60 s apart and per day, as a real send to `standIn` would get, so the answer
   * does not tell known accounts from unknown ones.
   */
  async pretendSmsSend(standIn: string, ip: string, now: number): Promise<void> {
    await this.takeSendSlot(`none:${standIn}`, ip, now);
  }

  /**
   * One send's share of the limits, or 429: the IP's daily count first — an IP at its limit must not
   * set a mobile's 60 s flag nor spend its daily quota —, then the mobile's 60 s flag, then its daily
   * count. Every request an IP makes counts against its own day, refused or not.
   */
  private async takeSendSlot(recipient: string, ip: string, now: number): Promise<void> {
    const { day, msLeft } = beijingDay(now);
    if (ip) {
      const perIp = await this.cache.incr(`sms_day:${day}:ip:${ip}`, 2 * 86_400);
      if (perIp > SMS_PER_IP_PER_DAY) throw new TooManyRequestsError(msLeft, '今日短信次数已用完', 'SMS_DAILY_LIMIT');
    }
    const flagKey = `sms_flag:${recipient}`;
    if (!(await this.cache.setIfAbsent(flagKey, String(now + SMS_RESEND_MS), ttlSeconds(SMS_RESEND_MS)))) {
      const until = Number(await this.cache.get(flagKey));
      if (until > now) throw new TooManyRequestsError(until - now, '短信发送过于频繁，请稍后再试', 'SMS_TOO_FREQUENT');
      await this.cache.set(flagKey, String(now + SMS_RESEND_MS), ttlSeconds(SMS_RESEND_MS));
    }
    const perMobile = await this.cache.incr(`sms_day:${day}:m:${recipient}`, 2 * 86_400);
    if (perMobile > SMS_PER_MOBILE_PER_DAY) throw new TooManyRequestsError(msLeft, '该手机号今日短信次数已用完', 'SMS_DAILY_LIMIT');
  }

  /**
   * Uses the `purpose` code of `mobile`: right → deleted (of two concurrent uses, one wins); wrong →
   * the try stays counted, and the fifth wrong try deletes it. A 400 naming `field` otherwise.
   * The try is counted (atomic INCR) before the code is compared: of any number of parallel guesses,
   * exactly SMS_MAX_TRIES are compared.
   */
  async useSmsCode(purpose: SmsPurpose, mobile: string, code: string, now: number, field = 'sms_code'): Promise<void> {
    const key = codeKey(purpose, mobile);
    const expired = () => new ValidationError('短信验证码已过期，请重新获取', { [field]: '短信验证码已过期' });
    const tries = await this.cache.incr(triesKey(purpose, mobile), ttlSeconds(SMS_CODE_TTL_MS));
    if (tries > SMS_MAX_TRIES) {
      await this.cache.del(key);
      throw expired();
    }
    const raw = await this.cache.get(key);
    const stored = raw ? (JSON.parse(raw) as Stored) : null;
    if (!stored || stored.exp <= now) throw expired();
    const right = stored.code.length === code.length && crypto.timingSafeEqual(Buffer.from(stored.code), Buffer.from(code));
    if (!right) {
      if (tries >= SMS_MAX_TRIES) await this.cache.del(key);
      throw new ValidationError('短信验证码错误', { [field]: '短信验证码错误' });
    }
    if ((await this.cache.del(key)) !== 1) throw new ValidationError('短信验证码已使用，请重新获取', { [field]: '短信验证码已过期' });
    await this.cache.del(triesKey(purpose, mobile));
  }
}
