import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../api/config.ts';
import { createLogger } from '../../api/logger.ts';
import { createServices } from '../../api/services/index.ts';

// Mail through a real SMTP server on 127.0.0.1 (smtp-server), parsed as a mail client would.

describe('mail over SMTP', () => {
  const received: { from: string; to: string[]; subject: string; text: string; html: string }[] = [];
  const logins: string[] = [];
  let server: SMTPServer;
  let port: number;
  beforeAll(async () => {
    server = new SMTPServer({
      secure: false,
      disabledCommands: ['STARTTLS'],
      onAuth(auth, _session, cb) {
        logins.push(`${auth.username}:${auth.password}`);
        if (auth.username === 'shop' && auth.password === 'p@ss') return cb(null, { user: 'shop' });
        cb(new Error('535 bad credentials'));
      },
      onData(stream, _session, cb) {
        simpleParser(stream).then((m) => {
          const to = Array.isArray(m.to) ? m.to : m.to ? [m.to] : [];
          received.push({ from: m.from?.text ?? '', to: to.flatMap((a) => a.value.map((v) => v.address ?? '')), subject: m.subject ?? '', text: m.text ?? '', html: typeof m.html === 'string' ? m.html : '' });
          cb();
        }, cb);
      },
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.server.address() as { port: number }).port;
  });
  afterAll(async () => new Promise<void>((r) => server?.close(() => r())));

  it('sends through SMTP_URL with its credentials, from MAIL_FROM', async () => {
    const config = loadConfig({ SMTP_URL: `smtp://shop:p%40ss@127.0.0.1:${port}`, MAIL_FROM: '美多商城 <shop@meiduo.test>', DATABASE_URL: 'sqlite::memory:', LOG_LEVEL: 'silent' });
    const services = createServices(config, { log: createLogger('silent') });
    try {
      expect(services.providers.mail.name).toBe('smtp');
      await services.providers.mail.send({ to: 'buyer@example.com', subject: '验证邮箱', text: '请打开 http://localhost:8000/success_verify_email.html?token=abc', html: '<p>请打开 <a href="http://localhost:8000/success_verify_email.html?token=abc">链接</a></p>' });
    } finally {
      await services.close();
    }
    expect(logins).toContain('shop:p@ss');
    const [mail] = received;
    expect(mail).toMatchObject({ to: ['buyer@example.com'], subject: '验证邮箱' });
    expect(mail!.from).toContain('shop@meiduo.test');
    expect(mail!.text).toMatch(/token=abc/);
    expect(mail!.html).toContain('href="http://localhost:8000/success_verify_email.html?token=abc"');
  });

  it('fails loudly with wrong credentials', async () => {
    const services = createServices(loadConfig({ SMTP_URL: `smtp://shop:wrong@127.0.0.1:${port}`, DATABASE_URL: 'sqlite::memory:', LOG_LEVEL: 'silent' }), { log: createLogger('silent') });
    try {
      await expect(services.providers.mail.send({ to: 'a@b.c', subject: 's', text: 't' })).rejects.toThrow(/535|Invalid login|bad credentials/i);
    } finally {
      await services.close();
    }
  });

  it('logs instead of sending without SMTP_URL, and checks the URL', async () => {
    const services = createServices(loadConfig({ DATABASE_URL: 'sqlite::memory:', LOG_LEVEL: 'silent' }), { log: createLogger('silent') });
    expect(services.providers.mail.name).toBe('log');
    await services.close();
    expect(() => loadConfig({ SMTP_URL: 'mail.example.com:25' })).toThrow(ConfigError);
  });
});
