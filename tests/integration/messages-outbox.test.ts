import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../api/logger.ts';
import { enqueueMessage, purgeOldMessages, sendDueMessages } from '../../api/services/messages/outbox.ts';
import { TokenStore } from '../../api/services/accounts/tokens.ts';
import type { Mail } from '../../api/providers/mail.ts';
import { createTestDb, type TestDb } from '../helpers/db.ts';
import { DB_KINDS } from '../helpers/env.ts';

// The outbox of SMS and mails: each due message is sent once even by workers running at once, a
// failed send is retried later with its payload kept, and a sent one keeps no payload (codes).

describe.each(DB_KINDS)('message outbox on %s', (kind) => {
  let t: TestDb;
  const log = createLogger('silent');
  beforeAll(async () => {
    t = await createTestDb(kind);
  });
  afterAll(() => t.drop());

  it('sends each message once when several workers drain at once', async () => {
    const sent: string[] = [];
    const providers = { sms: { name: 's', sendCode: async (m: string, c: string) => void sent.push(`${m}:${c}`) }, mail: { name: 'm', send: async (m: Mail) => void sent.push(m.to) } };
    const now = 1_000_000;
    for (let i = 0; i < 20; i++) await enqueueMessage(t.db, { channel: 'sms', recipient: `1380000${String(i).padStart(4, '0')}`, payload: { code: String(100000 + i), ttlMinutes: 5 } }, now);
    await enqueueMessage(t.db, { channel: 'mail', recipient: 'a@example.com', payload: { subject: 's', text: 't' } }, now);
    const counts = await Promise.all([1, 2, 3, 4].map(() => sendDueMessages(t.db, providers, log, now)));
    expect(counts.reduce((a, b) => a + b, 0)).toBe(21);
    expect(new Set(sent).size).toBe(21);
    expect(sent).toHaveLength(21);
    expect(await t.db('outgoing_messages').whereNotNull('payload').count({ n: '*' }).first()).toEqual({ n: 0 });
    expect(await sendDueMessages(t.db, providers, log, now + 1)).toBe(0);
  });

  it('retries a failed send later, and gives up after 5 tries', async () => {
    await t.db('outgoing_messages').del();
    let fail = true;
    const tried: string[] = [];
    const providers = {
      sms: { name: 's', sendCode: async (m: string) => { tried.push(m); if (fail) throw new Error('provider down'); } },
      mail: { name: 'm', send: async () => {} },
    };
    await enqueueMessage(t.db, { channel: 'sms', recipient: '13900000000', payload: { code: '123456', ttlMinutes: 5 } }, 0);
    expect(await sendDueMessages(t.db, providers, log, 0)).toBe(0);
    const row = await t.db('outgoing_messages').first();
    expect(row).toMatchObject({ status: 'pending', attempts: 1, last_error: 'provider down' });
    expect(await sendDueMessages(t.db, providers, log, 1000)).toBe(0); // not due yet
    expect(tried).toHaveLength(1);
    fail = false;
    expect(await sendDueMessages(t.db, providers, log, Number(row.next_attempt_at))).toBe(1);
    fail = true;
    await enqueueMessage(t.db, { channel: 'sms', recipient: '13900000001', payload: { code: '123456', ttlMinutes: 5 } }, 0);
    for (let i = 0; i < 6; i++) await sendDueMessages(t.db, providers, log, 10_000_000 * (i + 1));
    expect(await t.db('outgoing_messages').where({ recipient: '13900000001' }).first()).toMatchObject({ status: 'failed', attempts: 5, payload: null });
  });

  it('purges expired tokens and week-old message traces, and nothing else', async () => {
    await t.db('outgoing_messages').del();
    const day = 86_400_000;
    await enqueueMessage(t.db, { channel: 'sms', recipient: '13900000002', payload: { code: '1', ttlMinutes: 5 } }, 0); // pending: kept
    await enqueueMessage(t.db, { channel: 'mail', recipient: 'old@example.com', payload: { subject: 's', text: 't' } }, 0);
    await enqueueMessage(t.db, { channel: 'mail', recipient: 'new@example.com', payload: { subject: 's', text: 't' } }, 7 * day);
    await t.db('outgoing_messages').whereIn('recipient', ['old@example.com', 'new@example.com']).update({ status: 'sent', payload: null });
    expect(await purgeOldMessages(t.db, 8 * day - 1)).toBe(1);
    expect((await t.db('outgoing_messages').orderBy('id').pluck('recipient')).sort()).toEqual(['13900000002', 'new@example.com']);

    const tokens = new TokenStore();
    const [old, live] = [await tokens.issue(t.db, 'qqBind', { userId: null, subject: 'o', ttlMs: 1000, now: 0 }), await tokens.issue(t.db, 'qqBind', { userId: null, subject: 'o', ttlMs: day, now: 0 })];
    expect(await tokens.purgeExpired(t.db, 1000)).toBe(1);
    expect(await tokens.find(t.db, 'qqBind', live.token, 1000)).not.toBeNull();
    expect(await t.db('auth_tokens').where({ id: old.id }).first()).toBeUndefined();
  });
});
