import crypto from 'node:crypto';
import http from 'node:http';

// A stand-in for QQ 互联's OAuth endpoints on 127.0.0.1, in QQ's own text forms: /oauth2.0/token
// answers JSON with fmt=json and a query string without, errors as JSONP `callback( {...} );`;
// /oauth2.0/me answers JSONP, or JSON with fmt=json. It checks client id, secret, redirect URI and
// that a code is used once. `issueCode(openid)` stands for a user approving our app on QQ's page.

export interface QqStandIn {
  apiBase: string;
  issueCode(openid: string): string;
  close(): Promise<void>;
}

export async function startQqStandIn(opts: { clientId: string; clientSecret: string; redirectUri: string; tokenClientId?: string }): Promise<QqStandIn> {
  const codes = new Map<string, string>(); // code → openid
  const tokens = new Map<string, string>(); // access token → openid
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://stand-in');
    const q = url.searchParams;
    const json = q.get('fmt') === 'json';
    const error = (code: number, description: string) => res.end(`callback( {"error":${code},"error_description":"${description}"} );\n`);
    if (url.pathname === '/oauth2.0/token') {
      if (q.get('grant_type') !== 'authorization_code' || q.get('client_id') !== opts.clientId || q.get('client_secret') !== opts.clientSecret) return error(100016, 'access token check failed');
      if (q.get('redirect_uri') !== opts.redirectUri) return error(100010, 'redirect uri is illegal');
      const openid = codes.get(q.get('code') ?? '');
      if (!openid) return error(100019, 'code to access token error');
      codes.delete(q.get('code')!); // single use
      const token = crypto.randomBytes(16).toString('hex').toUpperCase();
      tokens.set(token, openid);
      const reply = { access_token: token, expires_in: '7776000', refresh_token: crypto.randomBytes(16).toString('hex') };
      return res.end(json ? JSON.stringify(reply) : new URLSearchParams(reply).toString());
    }
    if (url.pathname === '/oauth2.0/me') {
      const openid = tokens.get(q.get('access_token') ?? '');
      if (!openid) return error(100016, 'access token check failed');
      const reply = JSON.stringify({ client_id: opts.tokenClientId ?? opts.clientId, openid });
      return res.end(json ? reply : `callback( ${reply} );\n`);
    }
    res.statusCode = 404;
    res.end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  return {
    apiBase: `http://127.0.0.1:${port}`,
    issueCode(openid) {
      const code = crypto.randomBytes(10).toString('hex').toUpperCase();
      codes.set(code, openid);
      return code;
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
