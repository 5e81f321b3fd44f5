import type { Knex } from 'knex';
import type { Logger } from '../../logger.ts';
import type { Mail, Mailer } from '../../providers/mail.ts';
import type { SmsSender } from '../../providers/sms.ts';

// SMS and mails go out through an outbox: the request that needs one writes a row (in its own
// transaction, so a mail for an email change that rolled back is never sent), and the messages
// job (jobs/queue.ts) sends due rows through the provider adapters. A send that fails is retried
// with a growing delay, MAX_ATTEMPTS times. Two workers never send one row twice: a row is claimed
// by moving it from 'pending' to 'sending' in one UPDATE, and only the worker whose UPDATE changed
// it sends. A sent row keeps no payload (it held a code).

export type Message =
  | { channel: 'sms'; recipient: string; payload: { code: string; ttlMinutes: number } }
  | { channel: 'mail'; recipient: string; payload: Omit<Mail, 'to'> };

const MAX_ATTEMPTS = 5;
/** A row left 'sending' this long (its worker died mid-send) is pending again. */
const STUCK_MS = 120_000;

export async function enqueueMessage(db: Knex, m: Message, now: number): Promise<void> {
  await db('outgoing_messages').insert({
    channel: m.channel,
    recipient: m.recipient,
    payload: JSON.stringify(m.payload),
    status: 'pending',
    attempts: 0,
    next_attempt_at: now,
    created_at: now,
  });
}

export interface MessageProviders {
  sms: SmsSender;
  mail: Mailer;
}

/** Sends every due message; returns how many were sent. */
export async function sendDueMessages(db: Knex, providers: MessageProviders, log: Logger, now: number): Promise<number> {
  await db('outgoing_messages').where('status', 'sending').where('next_attempt_at', '<=', now - STUCK_MS).update({ status: 'pending' });
  const due = await db('outgoing_messages').where('status', 'pending').where('next_attempt_at', '<=', now).orderBy('id').limit(50);
  let sent = 0;
  for (const row of due) {
    const claimed = await db('outgoing_messages').where({ id: row.id, status: 'pending' }).update({ status: 'sending', next_attempt_at: now });
    if (claimed !== 1) continue;
    try {
      const payload = JSON.parse(row.payload);
      if (row.channel === 'sms') await providers.sms.sendCode(row.recipient, payload.code, payload.ttlMinutes);
      else await providers.mail.send({ to: row.recipient, ...payload });
      await db('outgoing_messages').where({ id: row.id }).update({ status: 'sent', payload: null, sent_at: now, attempts: Number(row.attempts) + 1 });
      sent++;
    } catch (err) {
      const attempts = Number(row.attempts) + 1;
      const failed = attempts >= MAX_ATTEMPTS;
      log.error({ err, messageId: row.id, channel: row.channel, attempts }, failed ? 'message failed for good' : 'message send failed; will retry');
      await db('outgoing_messages')
        .where({ id: row.id })
        .update({
          status: failed ? 'failed' : 'pending',
          attempts,
          next_attempt_at: now + 2 ** attempts * 1000,
          last_error: String((err as Error)?.message ?? err).slice(0, 2000),
          ...(failed ? { payload: null } : {}),
        });
    }
  }
  return sent;
}

/** Sent and failed messages older than this are deleted (they hold no payload, only a trace). */
const KEEP_MS = 7 * 86_400_000;

export async function purgeOldMessages(db: Knex, now: number): Promise<number> {
  return db('outgoing_messages').whereIn('status', ['sent', 'failed']).where('created_at', '<', now - KEEP_MS).del();
}
