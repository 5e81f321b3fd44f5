import { describe, expect, it } from 'vitest';
import { hashPassword, needsRehash, SCRYPT, verifyPassword } from '../../api/services/accounts/passwords.ts';

describe('password hashing', () => {
  it('writes its scrypt parameters into a salted hash and verifies only the right password', async () => {
    const [a, b] = [await hashPassword('correct horse 1'), await hashPassword('correct horse 1')];
    expect(a).toMatch(new RegExp(`^scrypt\\$${SCRYPT.logN}\\$${SCRYPT.r}\\$${SCRYPT.p}\\$[A-Za-z0-9_-]{22}\\$[A-Za-z0-9_-]{43}$`));
    expect(a).not.toBe(b); // salted
    expect(await verifyPassword('correct horse 1', a)).toBe(true);
    expect(await verifyPassword('correct horse 2', a)).toBe(false);
    expect(await verifyPassword('', a)).toBe(false);
    expect(needsRehash(a)).toBe(false);
  });

  it('refuses, without throwing, hashes it cannot read or whose cost is out of bounds', async () => {
    const good = await hashPassword('pw-12345678');
    const parts = good.split('$');
    for (const bad of ['', 'x', 'pbkdf2$1$2', good.replace('scrypt', 'bcrypt'), [parts[0], '30', ...parts.slice(2)].join('$'), [parts[0], parts[1], '99', ...parts.slice(3)].join('$')]) {
      expect(await verifyPassword('pw-12345678', bad), bad).toBe(false);
    }
    for (const unreadable of ['', 'x', 'pbkdf2$1$2']) expect(needsRehash(unreadable)).toBe(true);
    // a weaker hash still verifies, and asks to be replaced
    const weak = [parts[0], '12', ...parts.slice(2)].join('$');
    expect(needsRehash(weak)).toBe(true);
  });
});
