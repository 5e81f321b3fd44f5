import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

// The two RSA key pairs of the local development gateway (ALIPAY_GATEWAY=local): the app's, which
// signs the shop's requests, and the one standing in for Alipay's, which signs the cashier's notify,
// return and gateway answers. Made on first use and kept in DATA_DIR/alipay-local-keys.json, so a
// restart keeps them (a return URL signed before it still verifies) and the web process and a
// separate worker read the same pair. Development keys only: production mode refuses the gateway.

export interface LocalAlipayKeys {
  /** The app's private key (PKCS#8 PEM): what ALIPAY_PRIVATE_KEY holds for the real gateway. */
  appPrivateKey: string;
  appPublicKey: string;
  /** The stand-in "Alipay" key pair: its public key is what ALIPAY_PUBLIC_KEY holds for the real gateway. */
  alipayPrivateKey: string;
  alipayPublicKey: string;
}

export const LOCAL_KEYS_FILE = 'alipay-local-keys.json';

const newPrivateKey = () => crypto.generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
const publicOf = (privatePem: string) => crypto.createPublicKey(privatePem).export({ type: 'spki', format: 'pem' }) as string;

function parse(text: string): LocalAlipayKeys | null {
  try {
    const stored = JSON.parse(text) as { app?: unknown; alipay?: unknown };
    if (typeof stored.app !== 'string' || typeof stored.alipay !== 'string') return null;
    return { appPrivateKey: stored.app, appPublicKey: publicOf(stored.app), alipayPrivateKey: stored.alipay, alipayPublicKey: publicOf(stored.alipay) };
  } catch {
    return null;
  }
}

/** The local gateway's keys from DATA_DIR, made there on first use. */
export function localAlipayKeys(dataDir: string): LocalAlipayKeys {
  const file = path.join(dataDir, LOCAL_KEYS_FILE);
  const read = () => {
    try {
      return parse(fs.readFileSync(file, 'utf8'));
    } catch {
      return null; // not made yet
    }
  };
  const existing = read();
  if (existing) return existing;
  fs.mkdirSync(dataDir, { recursive: true });
  const text = JSON.stringify({ app: newPrivateKey(), alipay: newPrivateKey() }) + '\n';
  try {
    // 'wx': of two processes starting at once, one writes the file and the other reads that one
    fs.writeFileSync(file, text, { flag: 'wx', mode: 0o600 });
    return parse(text)!;
  } catch {
    const other = read();
    if (!other) throw new Error(`${file} holds no key pairs of the local Alipay gateway: delete it to have new ones made`);
    return other;
  }
}
