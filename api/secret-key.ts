import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Config } from './config.ts';

// The key that signs what clients keep for us (the guest cart cookie): SECRET_KEY, or on the
// embedded default a random one made on first start and kept in DATA_DIR/secret.key, so cookies
// signed before a restart stay valid after it.
export function resolveSecretKey(config: Pick<Config, 'secretKey' | 'dataDir'>): string {
  if (config.secretKey) return config.secretKey;
  const file = path.join(config.dataDir, 'secret.key');
  try {
    const existing = fs.readFileSync(file, 'utf8').trim();
    if (existing.length >= 32) return existing;
  } catch {
    /* not made yet */
  }
  fs.mkdirSync(config.dataDir, { recursive: true });
  const key = crypto.randomBytes(32).toString('hex');
  try {
    // 'wx': of two processes starting at once, one writes it and the other reads that one
    fs.writeFileSync(file, key + '\n', { flag: 'wx', mode: 0o600 });
    return key;
  } catch {
    return fs.readFileSync(file, 'utf8').trim();
  }
}
