import type { Logger } from '../logger.ts';

// Sending mail (the email verification link; later order notices). SMTP_URL unset: mails are written
// to the log, so the embedded default works without a mail server; set, nodemailer sends through it
// (smtp://user:pass@host:587 with STARTTLS, smtps:// for 465). nodemailer is loaded only then.

export interface Mail {
  to: string;
  subject: string;
  text: string;
  html?: string;
}

export interface Mailer {
  readonly name: string;
  send(mail: Mail): Promise<void>;
}

export function logMailer(log: Logger): Mailer {
  return {
    name: 'log',
    async send(mail) {
      log.info({ to: mail.to, subject: mail.subject, text: mail.text }, 'mail (SMTP_URL unset: not sent)');
    },
  };
}

export function smtpMailer(smtpUrl: string, from: string): Mailer {
  let transport: Promise<import('nodemailer').Transporter> | null = null;
  return {
    name: 'smtp',
    async send(mail) {
      transport ??= import('nodemailer').then((m) => m.default.createTransport(smtpUrl));
      await (await transport).sendMail({ from, to: mail.to, subject: mail.subject, text: mail.text, html: mail.html });
    },
  };
}
