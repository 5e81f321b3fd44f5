import crypto from 'node:crypto';
import type { SmsSender } from '../../api/providers/sms.ts';
import { hashPassword } from '../../api/services/accounts/passwords.ts';
import type { Services } from '../../api/services/index.ts';
import type { TestApp } from './app.ts';

// Customers for tests that are not about registering: a user row and a session made through the
// services (no captcha, no SMS), and the headers an API client would send.

let serial = 0;

/** A fresh mobile number for this test process (never one another test file uses). */
export function uniqueMobile(): string {
  serial++;
  return `13${String(process.pid % 1000).padStart(3, '0')}${String((serial * 7919 + crypto.randomInt(0, 1000)) % 1_000_000).padStart(6, '0')}`;
}

export async function createUser(
  services: Services,
  opts: { username?: string; mobile?: string; password?: string } = {},
): Promise<{ id: number; username: string; mobile: string; password: string }> {
  serial++;
  const username = opts.username ?? `user_${process.pid}_${serial}_${crypto.randomBytes(2).toString('hex')}`.slice(0, 20);
  const mobile = opts.mobile ?? uniqueMobile();
  const password = opts.password ?? 'password123';
  const now = services.clock.now().getTime();
  const [id] = await services.db('users').insert({ username, password_hash: await hashPassword(password), mobile, email_active: false, is_active: true, created_at: now, updated_at: now });
  return { id: Number(id), username, mobile, password };
}

export async function loginAs(
  app: TestApp,
  opts: { username?: string; mobile?: string; password?: string } = {},
): Promise<{ userId: number; username: string; mobile: string; password: string; token: string; headers: Record<string, string> }> {
  const user = await createUser(app.services, opts);
  const grant = await app.services.accounts.grant(app.services.systemContext('test'), user);
  return { userId: user.id, username: user.username, mobile: user.mobile, password: user.password, token: grant.token, headers: { authorization: `Bearer ${grant.token}` } };
}

/** An SMS provider that remembers what it was asked to send. */
export function recordingSms(): SmsSender & { sent: { mobile: string; code: string; ttlMinutes: number }[]; codeFor(mobile: string, timeoutMs?: number): Promise<string> } {
  const sent: { mobile: string; code: string; ttlMinutes: number }[] = [];
  return {
    name: 'recording',
    sent,
    async sendCode(mobile, code, ttlMinutes) {
      sent.push({ mobile, code, ttlMinutes });
    },
    async codeFor(mobile, timeoutMs = 5000) {
      const until = Date.now() + timeoutMs;
      for (;;) {
        const last = [...sent].reverse().find((s) => s.mobile === mobile);
        if (last) return last.code;
        if (Date.now() > until) throw new Error(`no SMS sent to ${mobile} within ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
  };
}
