import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call } from '../helpers/api-client.ts';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { createTestDb, type TestDb } from '../helpers/db.ts';

// CORS: only the origins in CORS_ORIGINS, with credentials, preflights answered; others get no
// CORS headers at all (their browsers then keep our answers from their scripts).

describe('CORS', () => {
  let t: TestDb;
  let app: TestApp;
  let plain: TestApp;
  beforeAll(async () => {
    t = await createTestDb('sqlite');
    app = await startTestApp(t, { config: { corsOrigins: ['https://m.meiduo.example', 'http://localhost:5173'] } });
    plain = await startTestApp(t);
  });
  afterAll(async () => {
    await app?.close();
    await plain?.close();
    await t?.drop();
  });

  it('answers a listed origin’s preflight, with credentials and the CSRF header allowed', async () => {
    const r = await call(app, 'OPTIONS', '/api/sessions', {
      headers: { origin: 'https://m.meiduo.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type, x-csrf-token' },
    });
    expect(r.status).toBe(204);
    expect(r.headers['access-control-allow-origin']).toBe('https://m.meiduo.example');
    expect(r.headers['access-control-allow-credentials']).toBe('true');
    expect(r.headers['access-control-allow-headers']).toMatch(/X-CSRF-Token/i);
    expect(r.headers['access-control-allow-methods']).toMatch(/DELETE/);
    const get = await call(app, 'GET', '/api/health', { headers: { origin: 'http://localhost:5173' } });
    expect(get.headers['access-control-allow-origin']).toBe('http://localhost:5173');
    expect(get.headers['vary']).toMatch(/Origin/i);
  });

  it('gives any other origin nothing, and changes nothing without CORS_ORIGINS', async () => {
    for (const origin of ['https://evil.example', 'https://m.meiduo.example.evil.example', 'null']) {
      const r = await call(app, 'OPTIONS', '/api/sessions', { headers: { origin, 'access-control-request-method': 'POST' } });
      expect(r.headers['access-control-allow-origin'], origin).toBeUndefined();
      expect(r.headers['access-control-allow-credentials'], origin).toBeUndefined();
    }
    const r = await call(plain, 'GET', '/api/health', { headers: { origin: 'https://m.meiduo.example' } });
    expect(r.headers['access-control-allow-origin']).toBeUndefined();
  });
});
