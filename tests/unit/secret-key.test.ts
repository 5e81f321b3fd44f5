import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveSecretKey } from '../../api/secret-key.ts';

describe('the signing key', () => {
  it('is SECRET_KEY when set, else one random key made once in DATA_DIR and kept across restarts', () => {
    const dataDir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'meiduo-key-')), 'data');
    expect(resolveSecretKey({ secretKey: 's'.repeat(40), dataDir })).toBe('s'.repeat(40));
    expect(fs.existsSync(dataDir)).toBe(false);
    const made = resolveSecretKey({ secretKey: null, dataDir });
    expect(made).toMatch(/^[0-9a-f]{64}$/);
    expect(resolveSecretKey({ secretKey: null, dataDir })).toBe(made);
    expect((fs.statSync(path.join(dataDir, 'secret.key')).mode & 0o777).toString(8)).toBe('600');
    const other = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'meiduo-key-')), 'data');
    expect(resolveSecretKey({ secretKey: null, dataDir: other })).not.toBe(made);
  });
});
