import crypto from 'node:crypto';
import { promisify } from 'node:util';

// Passwords are hashed with scrypt (memory-hard, in node:crypto: no native add-on to build).
// Parameters: N = 2^14, r = 8, p = 1 — 16 MiB and about 75 ms per hash on the 2-core benchmark
// machine (docs/benchmarks.md), which keeps POST /sessions under its 150 ms p50 goal. They are
// written into every hash ("scrypt$14$8$1$salt$key"), so raising them later only needs new hashes:
// `needsRehash` tells the login to store a stronger one.

const scrypt = promisify(crypto.scrypt) as (pw: string, salt: Buffer, keylen: number, opts: crypto.ScryptOptions) => Promise<Buffer>;

export const SCRYPT = { logN: 14, r: 8, p: 1, keyLength: 32, saltLength: 16 } as const;

const b64 = (b: Buffer) => b.toString('base64url');

function options(logN: number, r: number, p: number): crypto.ScryptOptions {
  return { N: 2 ** logN, r, p, maxmem: 256 * 2 ** logN * r + 1024 * 1024 };
}

export async function hashPassword(password: string): Promise<string> {
  const salt = crypto.randomBytes(SCRYPT.saltLength);
  const key = await scrypt(password, salt, SCRYPT.keyLength, options(SCRYPT.logN, SCRYPT.r, SCRYPT.p));
  return `scrypt$${SCRYPT.logN}$${SCRYPT.r}$${SCRYPT.p}$${b64(salt)}$${b64(key)}`;
}

const FORMAT = /^scrypt\$(\d{1,2})\$(\d{1,2})\$(\d{1,2})\$([A-Za-z0-9_-]{16,64})\$([A-Za-z0-9_-]{32,128})$/;

/** False for a wrong password and for a hash this code cannot read; never throws. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const m = FORMAT.exec(stored);
  if (!m) return false;
  const [logN, r, p] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (logN < 10 || logN > 20 || r < 1 || r > 32 || p < 1 || p > 16) return false;
  const expected = Buffer.from(m[5]!, 'base64url');
  const key = await scrypt(password, Buffer.from(m[4]!, 'base64url'), expected.length, options(logN, r, p));
  return crypto.timingSafeEqual(key, expected);
}

export function needsRehash(stored: string): boolean {
  const m = FORMAT.exec(stored);
  return !m || Number(m[1]) < SCRYPT.logN || Number(m[2]) < SCRYPT.r || Number(m[3]) < SCRYPT.p;
}

/**
 * A hash of nothing, verified when the account does not exist, so a login for an unknown account
 * takes as long as one with a wrong password (no enumeration by timing).
 */
let dummy: Promise<string> | null = null;
export async function burnPasswordCheck(password: string): Promise<void> {
  dummy ??= hashPassword(crypto.randomBytes(12).toString('hex'));
  await verifyPassword(password, await dummy);
}

/** The password functions as one value, so a service can be handed them (and a test can count the checks). */
export const passwords = { hash: hashPassword, verify: verifyPassword, needsRehash, burn: burnPasswordCheck };
export type Passwords = typeof passwords;
