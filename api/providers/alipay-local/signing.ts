import crypto from 'node:crypto';

// Alipay's RSA2 signing as its gateway does it (shared/reference/providers.md): the string to sign
// is every parameter but `sign` — and, for what Alipay sends (notify, return), `sign_type` — with
// empty values left out, sorted by key, as `k=v&…`; SHA256withRSA, base64. The shop's own check of
// these (api/providers/alipay.ts, through alipay-sdk) is NOT this code: the local gateway signs, the
// adapter verifies, as with the real Alipay.

export function signContent(params: Record<string, string>, opts: { withSignType: boolean }): string {
  return Object.keys(params)
    .filter((k) => k !== 'sign' && (opts.withSignType || k !== 'sign_type') && params[k] !== '' && params[k] !== undefined)
    .sort()
    .map((k) => `${k}=${params[k]}`)
    .join('&');
}

export const rsa2Sign = (content: string, privateKey: string): string => crypto.createSign('RSA-SHA256').update(content, 'utf8').sign(privateKey, 'base64');

export function rsa2Verify(content: string, sign: string, publicKey: string): boolean {
  try {
    return crypto.createVerify('RSA-SHA256').update(content, 'utf8').verify(publicKey, sign, 'base64');
  } catch {
    return false;
  }
}

/** Parameters signed as Alipay signs what it sends: sign_type RSA2 added, sign over the rest. */
export function signAsAlipay(params: Record<string, string>, privateKey: string): Record<string, string> {
  const out = { ...params };
  delete out.sign;
  delete out.sign_type;
  return { ...out, sign_type: 'RSA2', sign: rsa2Sign(signContent(out, { withSignType: false }), privateKey) };
}
