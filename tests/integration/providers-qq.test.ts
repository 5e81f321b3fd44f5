import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../api/config.ts';
import { createLogger } from '../../api/logger.ts';
import { QqError, parseQqReply, qqOAuth } from '../../api/providers/qq.ts';
import { createServices } from '../../api/services/index.ts';
import { startQqStandIn, type QqStandIn } from '../helpers/standins/qq.ts';

const app = { clientId: '101474184', clientSecret: 'c6ce949e04e12ecc909ae6a8b09b637c', redirectUri: 'http://www.meiduo.site:8080/oauth_callback.html' };

describe('QQ login adapter (against a stand-in speaking QQ’s text formats)', () => {
  let qq: QqStandIn;
  beforeAll(async () => {
    qq = await startQqStandIn(app);
  });
  afterAll(async () => qq?.close());

  it('reads JSON, JSONP and query-string answers', () => {
    expect(parseQqReply('callback( {"client_id":"1","openid":"ABC"} );\n')).toEqual({ client_id: '1', openid: 'ABC' });
    expect(parseQqReply('access_token=T&expires_in=7776000&refresh_token=R')).toMatchObject({ access_token: 'T' });
    expect(parseQqReply('{"error":100019,"error_description":"x"}')).toMatchObject({ error: '100019' });
    expect(() => parseQqReply('callback( {"a": );')).toThrow(QqError);
  });

  it('builds the authorize URL with our client, redirect and state', () => {
    const u = new URL(qqOAuth({ ...app, apiBase: qq.apiBase }).authorizeUrl('s-123'));
    expect(u.pathname).toBe('/oauth2.0/authorize');
    expect(Object.fromEntries(u.searchParams)).toEqual({ response_type: 'code', client_id: app.clientId, redirect_uri: app.redirectUri, state: 's-123', scope: 'get_user_info' });
  });

  it('turns a code into the openid, once', async () => {
    const oauth = qqOAuth({ ...app, apiBase: qq.apiBase });
    const code = qq.issueCode('B7E6E3C1A2');
    expect(await oauth.openIdFor(code)).toBe('B7E6E3C1A2');
    await expect(oauth.openIdFor(code)).rejects.toThrow(/100019/); // a used code
  });

  it('refuses a wrong secret or redirect, and a token issued to another application', async () => {
    const code = qq.issueCode('X');
    await expect(qqOAuth({ ...app, clientSecret: 'wrong', apiBase: qq.apiBase }).openIdFor(code)).rejects.toThrow(/100016/);
    await expect(qqOAuth({ ...app, redirectUri: 'http://evil.example/cb', apiBase: qq.apiBase }).openIdFor(code)).rejects.toThrow(/100010/);
    const other = await startQqStandIn({ ...app, tokenClientId: '999' });
    try {
      await expect(qqOAuth({ ...app, apiBase: other.apiBase }).openIdFor(other.issueCode('Y'))).rejects.toThrow(/another application/);
    } finally {
      await other.close();
    }
  });

  it('is configured by QQ_* variables, and absent without a client id', async () => {
    const env = { QQ_CLIENT_ID: app.clientId, QQ_CLIENT_SECRET: app.clientSecret, QQ_REDIRECT_URI: app.redirectUri, QQ_API_BASE: qq.apiBase, DATABASE_URL: 'sqlite::memory:', LOG_LEVEL: 'silent' };
    const services = createServices(loadConfig(env), { log: createLogger('silent') });
    try {
      expect(await services.providers.qq!.openIdFor(qq.issueCode('CFG'))).toBe('CFG');
    } finally {
      await services.close();
    }
    const none = createServices(loadConfig({ DATABASE_URL: 'sqlite::memory:', LOG_LEVEL: 'silent' }), { log: createLogger('silent') });
    expect(none.providers.qq).toBeNull();
    await none.close();
    expect(() => loadConfig({ QQ_CLIENT_ID: '1' })).toThrow(ConfigError);
    expect(() => loadConfig({ QQ_CLIENT_ID: '1', QQ_CLIENT_SECRET: 's', QQ_API_BASE: 'graph.qq.com' })).toThrow(/QQ_API_BASE/);
  });
});
