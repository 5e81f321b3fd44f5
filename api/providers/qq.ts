// QQ 互联 OAuth 2.0 for web login (shared/reference/providers.md): the authorize URL the browser
// is sent to, then two server-side calls — code → access token (/oauth2.0/token), token → openid
// (/oauth2.0/me). QQ answers in three text forms depending on age and outcome: JSON (fmt=json), a
// query string (access_token=…&expires_in=…), or JSONP `callback( {...} );` for errors and /me; all
// are read here. An openid is accepted only when /me says it was issued to our client id.

export interface QqConfig {
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  apiBase: string;
  timeoutMs?: number;
}

export class QqError extends Error {
  constructor(message: string, readonly providerCode?: string) {
    super(message);
    this.name = 'QqError';
  }
}

export interface QqOAuth {
  /** Where to send the browser; `state` must be unguessable and checked on return (login CSRF). */
  authorizeUrl(state: string): string;
  /** The QQ user behind an authorization code. */
  openIdFor(code: string): Promise<string>;
}

/** JSON, JSONP `callback( … );` or a query string, as QQ's endpoints answer. */
export function parseQqReply(text: string): Record<string, string> {
  const t = text.trim();
  const jsonp = /^callback\(\s*([\s\S]*?)\s*\);?$/.exec(t);
  const json = jsonp ? jsonp[1]! : t;
  if (json.startsWith('{')) {
    try {
      const o = JSON.parse(json) as Record<string, unknown>;
      return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, String(v)]));
    } catch {
      throw new QqError('QQ answered malformed JSON');
    }
  }
  return Object.fromEntries(new URLSearchParams(t));
}

export function qqOAuth(cfg: QqConfig): QqOAuth {
  const base = cfg.apiBase.replace(/\/$/, '');
  const get = async (path: string, params: Record<string, string>) => {
    const url = `${base}${path}?${new URLSearchParams(params)}`;
    let text: string;
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(cfg.timeoutMs ?? 10_000) });
      text = await res.text();
    } catch (err) {
      throw new QqError(`QQ unreachable: ${(err as Error).message}`);
    }
    const reply = parseQqReply(text);
    if (reply.error !== undefined && reply.error !== '0') throw new QqError(`QQ refused: ${reply.error} ${reply.error_description ?? ''}`.trim(), reply.error);
    return reply;
  };
  return {
    authorizeUrl(state) {
      const q = new URLSearchParams({ response_type: 'code', client_id: cfg.clientId, redirect_uri: cfg.redirectUri, state, scope: 'get_user_info' });
      return `${base}/oauth2.0/authorize?${q}`;
    },
    async openIdFor(code) {
      const token = await get('/oauth2.0/token', {
        grant_type: 'authorization_code', client_id: cfg.clientId, client_secret: cfg.clientSecret, code, redirect_uri: cfg.redirectUri, fmt: 'json',
      });
      if (!token.access_token) throw new QqError('QQ gave no access token');
      const me = await get('/oauth2.0/me', { access_token: token.access_token, fmt: 'json' });
      if (me.client_id !== cfg.clientId) throw new QqError('QQ issued that token to another application');
      if (!me.openid) throw new QqError('QQ gave no openid');
      return me.openid;
    },
  };
}
