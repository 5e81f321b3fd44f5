import crypto from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { AlipaySdk } from 'alipay-sdk';
import { beijingDateTime } from '../beijing-time.ts';
import { systemClock, type Clock } from '../clock.ts';
import { formatCents, parseMoney } from '../money.ts';
import { localAlipayKeys } from './alipay-local/keys.ts';

// Alipay page pay (电脑网站支付) through alipay-sdk 4, public-key mode, RSA2 (shared/reference/
// providers.md): the signed gateway URL the browser is sent to (alipay.trade.page.pay), the check
// of what Alipay signs for us (the async notify and the browser's return), alipay.trade.query, and
// alipay.trade.refund for a payment that found its order no longer unpaid.
// Requests are signed with the app's private key; what Alipay sends is verified with ALIPAY's
// public key, never the app's. The SDK is loaded only when Alipay is configured (as nodemailer is),
// and synchronously, because verifying a notify is synchronous.

export type TradeStatus = 'TRADE_SUCCESS' | 'TRADE_FINISHED' | 'WAIT_BUYER_PAY' | 'TRADE_CLOSED' | 'NOT_FOUND';
const TRADE_STATUSES: readonly string[] = ['TRADE_SUCCESS', 'TRADE_FINISHED', 'WAIT_BUYER_PAY', 'TRADE_CLOSED'];

/** The money arrived: the only two statuses a merchant may act on. */
export const isPaidStatus = (s: string | undefined): boolean => s === 'TRADE_SUCCESS' || s === 'TRADE_FINISHED';

export interface AlipayConfig {
  appId: string;
  /** The app's RSA private key, PKCS#8 PEM (alipayConfigFrom normalises whatever it was given). */
  privateKey: string;
  /** Alipay's RSA public key (SPKI PEM), from the open platform's 接口加签方式 page. */
  alipayPublicKey: string;
  /** gateway.do URL: production, the sandbox, or a stand-in in tests. */
  gateway: string;
  /** Where the browser comes back after paying (it calls PUT /api/payment/status with the query). */
  returnUrl: string;
  /** Where Alipay posts the async notify. */
  notifyUrl: string;
  /** Give up on a gateway call after this long (ms; default 5000). */
  timeoutMs?: number;
  /**
   * ALIPAY_GATEWAY=local: the gateway is the shop's own development stand-in (api/providers/alipay-local/,
   * mounted by the app), with key pairs generated in DATA_DIR. Never in production mode.
   */
  local?: boolean;
}

export interface PagePayOrder {
  orderId: string;
  amountCents: number;
  subject: string;
  /** Alipay closes the trade at this moment (time_expire), so nobody pays an order we cancel. */
  expiresAt?: Date | null;
}

export interface AlipayTrade {
  /** null when Alipay knows no trade for the order. */
  tradeNo: string | null;
  status: TradeStatus;
  amountCents: number | null;
}

export interface RefundRequest {
  orderId: string;
  tradeNo: string;
  amountCents: number;
  /** out_request_no: the same for every try of one refund, so a retry never refunds twice. */
  requestNo: string;
  reason: string;
}

export interface RefundResult {
  /** fund_change: 'Y' money moved now; 'N' this refund had been made before (a retry). */
  fundChanged: boolean;
  /** refund_fee: everything refunded on the trade so far. */
  refundedCents: number;
}

export interface AlipayGateway {
  /** The signed gateway URL to send the browser to. */
  pagePayUrl(order: PagePayOrder): Promise<string> | string;
  /** Whether Alipay signed these parameters (a notify's form, or the return's query). */
  verifyNotify(params: Record<string, string>): boolean;
  /** What Alipay knows of the order's trade; throws AlipayError when it cannot tell. */
  queryTrade(orderId: string): Promise<AlipayTrade>;
  /** Gives a trade's money back in full; throws AlipayError (with Alipay's sub_code when it refused). */
  refundTrade(refund: RefundRequest): Promise<RefundResult>;
}

export class AlipayError extends Error {
  constructor(message: string, readonly providerCode?: string) {
    super(message);
    this.name = 'AlipayError';
  }
}

/** Alipay reads its timestamps as Beijing time (UTC+8), whatever zone the server runs in. */
export function beijingTime(at: Date): string {
  return beijingDateTime(at.getTime());
}

export const ALIPAY_SANDBOX_GATEWAY = 'https://openapi-sandbox.dl.alipaydev.com/gateway.do';
/** Where the local development gateway lives on the shop (api/providers/alipay-local/), and its gateway.do. */
export const LOCAL_GATEWAY_BASE = '/dev/alipay';
export const LOCAL_GATEWAY_PATH = `${LOCAL_GATEWAY_BASE}/gateway.do`;
/** The app id the local gateway uses when ALIPAY_APP_ID is unset. */
export const LOCAL_APP_ID = '2021000000000000';

/** Production mode: NODE_ENV=production. It refuses what is only for development (ALIPAY_GATEWAY=local). */
export const isProductionMode = (env: NodeJS.ProcessEnv): boolean => env.NODE_ENV?.trim() === 'production';

type Fail = (variable: string, message: string) => never;
const defaultFail: Fail = (variable, message) => {
  throw new Error(`Invalid configuration: ${variable} ${message}`);
};

/**
 * A key variable's text. Accepted forms: PEM (with real newlines, or `\n` escapes as env files
 * often carry them), the bare base64 the Alipay key tool shows (DER starts with "MII"), or a path
 * to a file holding either (relative to `root`). The value is never echoed: it may be a secret.
 */
function keyText(name: string, raw: string, root: string, fail: Fail): string {
  const inline = (v: string) => (v.includes('-----BEGIN') ? v.replace(/\\n/g, '\n') : /^MII[A-Za-z0-9+/=\s]+$/.test(v) ? v : null);
  const v = raw.trim();
  const direct = inline(v);
  if (direct !== null) return direct;
  let file: string;
  try {
    file = fs.readFileSync(path.resolve(root, v), 'utf8').trim();
  } catch {
    return fail(name, 'must be a PEM key, the bare base64 key, or the path of a file holding one (no such file)');
  }
  return inline(file) ?? fail(name, `names a file that holds no key (${v})`);
}

function rsaKey(name: string, text: string, kind: 'private' | 'public', fail: Fail): crypto.KeyObject {
  const attempt = (make: () => crypto.KeyObject) => {
    try {
      return make();
    } catch {
      return null;
    }
  };
  let key: crypto.KeyObject | null = null;
  // createPublicKey would also derive a public key from a private one: refuse that mix-up instead
  if (kind === 'public' && text.includes('PRIVATE KEY')) return fail(name, 'holds a private key; it must be a public key');
  if (text.includes('-----BEGIN')) {
    key = attempt(() => (kind === 'private' ? crypto.createPrivateKey(text) : crypto.createPublicKey(text)));
  } else {
    const der = Buffer.from(text.replace(/\s+/g, ''), 'base64');
    // the key tool's default is PKCS#8 / SPKI; its "格式转换" gives PKCS#1
    key =
      kind === 'private'
        ? (attempt(() => crypto.createPrivateKey({ key: der, format: 'der', type: 'pkcs8' })) ?? attempt(() => crypto.createPrivateKey({ key: der, format: 'der', type: 'pkcs1' })))
        : (attempt(() => crypto.createPublicKey({ key: der, format: 'der', type: 'spki' })) ?? attempt(() => crypto.createPublicKey({ key: der, format: 'der', type: 'pkcs1' })));
  }
  if (!key || key.asymmetricKeyType !== 'rsa') return fail(name, `is not an RSA ${kind} key`);
  if ((key.asymmetricKeyDetails?.modulusLength ?? 0) < 2048) return fail(name, 'must be a 2048-bit (or longer) RSA key: RSA2 signing');
  return key;
}

/**
 * Alipay's settings from the environment; null when ALIPAY_APP_ID and both keys are unset (no
 * Alipay: the payment endpoints answer 404 ALIPAY_DISABLED). Half a configuration is an error.
 * config.ts passes its ConfigError through `fail`.
 *
 * ALIPAY_APP_ID, ALIPAY_PRIVATE_KEY (the app's), ALIPAY_PUBLIC_KEY (Alipay's) — keys as PEM, bare
 * base64 or a file path; ALIPAY_GATEWAY (default: the sandbox), ALIPAY_RETURN_URL (default
 * $PUBLIC_URL/pay_success.html), ALIPAY_NOTIFY_URL (default $PUBLIC_URL/api/payment/alipay/notify;
 * must be reachable from the internet for Alipay to post to it).
 *
 * ALIPAY_GATEWAY=local: the shop's own development gateway instead (localAlipayConfig).
 */
export function alipayConfigFrom(env: NodeJS.ProcessEnv, publicUrl: string, fail: Fail = defaultFail, root = process.cwd(), dataDir = path.resolve(root, 'data')): AlipayConfig | null {
  const get = (name: string) => {
    const v = env[name]?.trim();
    return v === undefined || v === '' ? undefined : v;
  };
  const appId = get('ALIPAY_APP_ID');
  const privateRaw = get('ALIPAY_PRIVATE_KEY');
  const publicRaw = get('ALIPAY_PUBLIC_KEY');
  if (get('ALIPAY_GATEWAY') === 'local') return localAlipayConfig(env, get, publicUrl, fail, dataDir);
  if (!appId && !privateRaw && !publicRaw) return null;
  if (!appId) return fail('ALIPAY_APP_ID', 'is required when an Alipay key is set');
  if (!/^[0-9]{6,32}$/.test(appId)) return fail('ALIPAY_APP_ID', `must be the app's numeric id (got '${appId}')`);
  if (!privateRaw) return fail('ALIPAY_PRIVATE_KEY', 'is required when ALIPAY_APP_ID is set');
  if (!publicRaw) return fail('ALIPAY_PUBLIC_KEY', "is required when ALIPAY_APP_ID is set (Alipay's public key)");
  const privateKey = rsaKey('ALIPAY_PRIVATE_KEY', keyText('ALIPAY_PRIVATE_KEY', privateRaw, root, fail), 'private', fail);
  const alipayPublicKey = rsaKey('ALIPAY_PUBLIC_KEY', keyText('ALIPAY_PUBLIC_KEY', publicRaw, root, fail), 'public', fail);
  const spki = (k: crypto.KeyObject) => k.export({ type: 'spki', format: 'der' });
  // the usual mix-up: the app's own public key where Alipay's belongs — no notify would ever verify
  if (spki(crypto.createPublicKey(privateKey)).equals(spki(alipayPublicKey))) {
    return fail('ALIPAY_PUBLIC_KEY', "is the app's own public key; it must be Alipay's public key (支付宝公钥)");
  }
  const base = publicUrl.replace(/\/$/, '');
  const urls = {
    ALIPAY_GATEWAY: get('ALIPAY_GATEWAY') ?? ALIPAY_SANDBOX_GATEWAY,
    ALIPAY_RETURN_URL: get('ALIPAY_RETURN_URL') ?? `${base}/pay_success.html`,
    ALIPAY_NOTIFY_URL: get('ALIPAY_NOTIFY_URL') ?? `${base}/api/payment/alipay/notify`,
  };
  for (const [name, value] of Object.entries(urls)) {
    if (!/^https?:\/\/[^/]/.test(value)) fail(name, `must be an http(s) URL (got '${value}')`);
  }
  return {
    appId,
    privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
    alipayPublicKey: alipayPublicKey.export({ type: 'spki', format: 'pem' }) as string,
    gateway: urls.ALIPAY_GATEWAY,
    returnUrl: urls.ALIPAY_RETURN_URL,
    notifyUrl: urls.ALIPAY_NOTIFY_URL,
  };
}

/**
 * ALIPAY_GATEWAY=local: page pay, the notify, the return, query and refund all go through the shop's
 * own development gateway at $PUBLIC_URL/dev/alipay/gateway.do, which plays Alipay with a key pair
 * made on first use in DATA_DIR (the app's pair too): no Alipay account needed, and every answer is
 * verified by the same code as the real gateway's. ALIPAY_APP_ID is optional; keys are not taken
 * (they would not be the ones the local gateway checks). Refused in production mode.
 */
function localAlipayConfig(env: NodeJS.ProcessEnv, get: (name: string) => string | undefined, publicUrl: string, fail: Fail, dataDir: string): AlipayConfig {
  if (isProductionMode(env)) {
    return fail('ALIPAY_GATEWAY', 'must not be local in production mode (NODE_ENV=production): the local gateway is a development stand-in for Alipay, no real payment');
  }
  for (const name of ['ALIPAY_PRIVATE_KEY', 'ALIPAY_PUBLIC_KEY']) {
    if (get(name)) fail(name, 'must be unset with ALIPAY_GATEWAY=local: the local gateway makes its own key pairs in DATA_DIR');
  }
  const appId = get('ALIPAY_APP_ID') ?? LOCAL_APP_ID;
  if (!/^[0-9]{6,32}$/.test(appId)) return fail('ALIPAY_APP_ID', `must be the app's numeric id (got '${appId}')`);
  const base = publicUrl.replace(/\/$/, '');
  const urls = {
    ALIPAY_RETURN_URL: get('ALIPAY_RETURN_URL') ?? `${base}/pay_success.html`,
    ALIPAY_NOTIFY_URL: get('ALIPAY_NOTIFY_URL') ?? `${base}/api/payment/alipay/notify`,
  };
  for (const [name, value] of Object.entries(urls)) {
    if (!/^https?:\/\/[^/]/.test(value)) fail(name, `must be an http(s) URL (got '${value}')`);
  }
  const keys = localAlipayKeys(dataDir);
  return {
    appId,
    privateKey: keys.appPrivateKey,
    alipayPublicKey: keys.alipayPublicKey,
    gateway: `${base}${LOCAL_GATEWAY_PATH}`,
    returnUrl: urls.ALIPAY_RETURN_URL,
    notifyUrl: urls.ALIPAY_NOTIFY_URL,
    local: true,
  };
}

const requireCjs = createRequire(import.meta.url);

/** `clock` stamps each request (Alipay refuses one whose timestamp is off by more than a few minutes). */
export function alipayGateway(cfg: AlipayConfig, clock: Clock = systemClock): AlipayGateway {
  const { AlipaySdk: Sdk } = requireCjs('alipay-sdk') as typeof import('alipay-sdk');
  const sdk: AlipaySdk = new Sdk({
    appId: cfg.appId,
    // trimmed: the SDK re-wraps PEM by dropping its first and last line, and a trailing newline
    // would leave the END line inside the key
    privateKey: cfg.privateKey.trim(),
    keyType: 'PKCS8',
    alipayPublicKey: cfg.alipayPublicKey.trim(),
    gateway: cfg.gateway,
    signType: 'RSA2',
    // keep Alipay's snake_case field names in answers
    camelcase: false,
    timeout: cfg.timeoutMs ?? 5000,
  });
  return {
    pagePayUrl(order) {
      const bizContent: Record<string, string> = {
        out_trade_no: order.orderId,
        product_code: 'FAST_INSTANT_TRADE_PAY',
        total_amount: formatCents(order.amountCents),
        subject: order.subject,
      };
      if (order.expiresAt) bizContent.time_expire = beijingTime(order.expiresAt);
      return sdk.pageExecute('alipay.trade.page.pay', 'GET', {
        bizContent,
        returnUrl: cfg.returnUrl,
        notifyUrl: cfg.notifyUrl,
        timestamp: beijingTime(clock.now()),
      });
    },

    verifyNotify(params) {
      if (!params.sign) return false;
      // RSA2 only: a notify naming RSA (SHA-1) is not ours to accept
      if (params.sign_type !== undefined && params.sign_type !== 'RSA2') return false;
      // Alipay leaves empty values out of what it signs; the SDK would sign them as `key=`
      const signed = Object.fromEntries(Object.entries(params).filter(([, v]) => typeof v === 'string' && v !== ''));
      try {
        // V2: values as received (a form body is decoded once already; decoding again breaks '%')
        return sdk.checkNotifySignV2(signed);
      } catch {
        return false; // a malformed signature
      }
    },

    async queryTrade(orderId) {
      let reply: Record<string, unknown>;
      try {
        reply = await sdk.exec('alipay.trade.query', { bizContent: { out_trade_no: orderId }, timestamp: beijingTime(clock.now()) }, { validateSign: true });
      } catch (err) {
        throw new AlipayError(`alipay.trade.query failed: ${(err as Error).message}`);
      }
      const str = (k: string) => (typeof reply[k] === 'string' ? (reply[k] as string) : undefined);
      if (str('code') !== '10000') {
        if (str('sub_code') === 'ACQ.TRADE_NOT_EXIST') return { tradeNo: null, status: 'NOT_FOUND', amountCents: null };
        throw new AlipayError(`Alipay refused alipay.trade.query: ${str('code')} ${str('sub_code') ?? ''} ${str('sub_msg') ?? str('msg') ?? ''}`.trim(), str('sub_code') ?? str('code'));
      }
      const status = str('trade_status');
      const tradeNo = str('trade_no');
      const amountCents = parseMoney(str('total_amount') ?? '');
      if (str('out_trade_no') !== orderId) throw new AlipayError(`Alipay answered about another order (${str('out_trade_no')})`);
      if (!status || !TRADE_STATUSES.includes(status) || !tradeNo || amountCents === null) {
        throw new AlipayError(`Alipay answered an unreadable trade (${status}, ${tradeNo}, ${str('total_amount')})`);
      }
      return { tradeNo, status: status as TradeStatus, amountCents };
    },

    async refundTrade(refund) {
      let reply: Record<string, unknown>;
      try {
        reply = await sdk.exec(
          'alipay.trade.refund',
          {
            bizContent: {
              out_trade_no: refund.orderId,
              trade_no: refund.tradeNo,
              refund_amount: formatCents(refund.amountCents),
              out_request_no: refund.requestNo,
              refund_reason: refund.reason,
            },
            timestamp: beijingTime(clock.now()),
          },
          { validateSign: true },
        );
      } catch (err) {
        throw new AlipayError(`alipay.trade.refund failed: ${(err as Error).message}`);
      }
      const str = (k: string) => (typeof reply[k] === 'string' ? (reply[k] as string) : undefined);
      if (str('code') !== '10000') {
        throw new AlipayError(`Alipay refused alipay.trade.refund: ${str('code')} ${str('sub_code') ?? ''} ${str('sub_msg') ?? str('msg') ?? ''}`.trim(), str('sub_code') ?? str('code'));
      }
      const refundedCents = parseMoney(str('refund_fee') ?? '');
      if (str('trade_no') !== refund.tradeNo || refundedCents === null || (str('fund_change') !== 'Y' && str('fund_change') !== 'N')) {
        throw new AlipayError(`Alipay answered an unreadable refund (${str('trade_no')}, ${str('refund_fee')}, ${str('fund_change')})`);
      }
      return { fundChanged: str('fund_change') === 'Y', refundedCents };
    },
  };
}
