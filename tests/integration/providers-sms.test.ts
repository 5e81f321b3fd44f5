import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../api/clock.ts';
import { ConfigError, loadConfig } from '../../api/config.ts';
import { createLogger } from '../../api/logger.ts';
import { SmsError, ronglianSig, ronglianSms, ronglianTimestamp } from '../../api/providers/sms.ts';
import { createServices } from '../../api/services/index.ts';
import { startRonglianStandIn, type RonglianStandIn } from '../helpers/standins/ronglian.ts';

const account = { accountSid: '8aaf0708a1b2c3d4e5f6a7b8c9d0e1f2', authToken: 'f0e1d2c3b4a5968778695a4b3c2d1e0f', appId: '8a216da8a1b2c3d4' };

describe('SMS through 容联云 (against a stand-in that checks the signature)', () => {
  const clock = new ManualClock(Date.UTC(2026, 10, 25, 16, 30, 5)); // 2026-11-26 00:30:05 in Beijing
  let standIn: RonglianStandIn;
  beforeAll(async () => {
    standIn = await startRonglianStandIn({ ...account, clock });
  });
  afterAll(async () => standIn?.close());

  it('signs as the API defines: Beijing-time timestamp, upper-case MD5', () => {
    expect(ronglianTimestamp(clock.now())).toBe('20261126003005');
    expect(ronglianSig('a', 'b', '20261126003005')).toMatch(/^[0-9A-F]{32}$/);
  });

  it('sends the code and its lifetime through the template', async () => {
    const sms = ronglianSms({ ...account, templateId: '1', baseUrl: standIn.baseUrl }, clock);
    await sms.sendCode('13800138000', '123456', 5);
    expect(standIn.sent).toEqual([{ to: '13800138000', appId: account.appId, templateId: '1', datas: ['123456', '5'] }]);
  });

  it('is refused with a wrong token, and says why', async () => {
    const sms = ronglianSms({ ...account, authToken: 'wrong', templateId: '1', baseUrl: standIn.baseUrl }, clock);
    await expect(sms.sendCode('13800138000', '123456', 5)).rejects.toThrow(/111116 sig mismatch/);
  });

  it('turns a provider error code into an SmsError with that code', async () => {
    standIn.answer = { statusCode: '160038', statusMsg: '短信验证码发送过频繁' };
    const sms = ronglianSms({ ...account, templateId: '1', baseUrl: standIn.baseUrl }, clock);
    const err = await sms.sendCode('13800138000', '654321', 5).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SmsError);
    expect((err as SmsError).providerCode).toBe('160038');
    standIn.answer = { statusCode: '000000', statusMsg: '成功' };
  });

  it('reports an unreachable provider as an SmsError', async () => {
    const sms = ronglianSms({ ...account, templateId: '1', baseUrl: 'http://127.0.0.1:9/2013-12-26', timeoutMs: 2000 }, clock);
    await expect(sms.sendCode('13800138000', '123456', 5)).rejects.toBeInstanceOf(SmsError);
  });

  it('is chosen by configuration; a stand-in can be handed in', async () => {
    const env = { SMS_PROVIDER: 'ronglian', SMS_RONGLIAN_ACCOUNT_SID: account.accountSid, SMS_RONGLIAN_AUTH_TOKEN: account.authToken, SMS_RONGLIAN_APP_ID: account.appId, SMS_RONGLIAN_BASE_URL: standIn.baseUrl, DATABASE_URL: 'sqlite::memory:', LOG_LEVEL: 'silent' };
    const services = createServices(loadConfig(env), { log: createLogger('silent'), clock });
    try {
      expect(services.providers.sms.name).toBe('ronglian');
      await services.providers.sms.sendCode('13900139000', '111111', 5);
      expect(standIn.sent.at(-1)).toMatchObject({ to: '13900139000', datas: ['111111', '5'] });
    } finally {
      await services.close();
    }
    const plain = createServices(loadConfig({ DATABASE_URL: 'sqlite::memory:', LOG_LEVEL: 'silent' }), { log: createLogger('silent') });
    expect(plain.providers.sms.name).toBe('log');
    await plain.close();
    expect(() => loadConfig({ SMS_PROVIDER: 'ronglian' })).toThrow(ConfigError);
    expect(() => loadConfig({ SMS_PROVIDER: 'carrier-pigeon' })).toThrow(/SMS_PROVIDER/);
  });
});
