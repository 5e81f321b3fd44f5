import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../api/config.ts';
import { loginAs } from '../helpers/accounts.ts';
import { call } from '../helpers/api-client.ts';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { createTestDb, type TestDb } from '../helpers/db.ts';
import { DB_KINDS, emptyRedis, redisDbUrl } from '../helpers/env.ts';
import { startAlipayStandIn, type AlipayStandIn } from '../helpers/standins/alipay.ts';

// GET /metrics (api/metrics.ts, docs/metrics.md): on its own port, or on the main port behind
// METRICS_TOKEN, off otherwise; the series a scrape shows after requests, a job, an order and a
// notify, with label values from closed sets (route templates, never URLs).

const TOKEN = 'metrics-test-token-0123456789abcdef';
const metricsConfig = (m: { port?: number | null; token?: string | null }) => ({ metrics: { port: m.port ?? null, host: '127.0.0.1', token: m.token ?? null } });

/** Every sample of a scrape: [name, labels, value]. */
function samples(text: string): { name: string; labels: Record<string, string>; value: number }[] {
  const out = [];
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) throw new Error(`not a sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]!] = l[2]!;
    out.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return out;
}

const find = (s: ReturnType<typeof samples>, name: string, labels: Record<string, string> = {}) =>
  s.filter((x) => x.name === name && Object.entries(labels).every(([k, v]) => x.labels[k] === v));
const total = (s: ReturnType<typeof samples>, name: string, labels: Record<string, string> = {}) => find(s, name, labels).reduce((n, x) => n + x.value, 0);

describe.each(DB_KINDS)('metrics on %s', (kind) => {
  let t: TestDb;
  let app: TestApp;
  let standIn: AlipayStandIn;
  const redisUrl = kind === 'mysql' ? (redisDbUrl(2) ?? null) : null;

  beforeAll(async () => {
    t = await createTestDb(kind, { seed: true });
    await emptyRedis(redisUrl);
    standIn = await startAlipayStandIn({ appId: '2021000122600001' });
    app = await startTestApp(t, { redisUrl, worker: true, config: { ...metricsConfig({ port: 0 }), alipay: standIn.config() } });
    fs.mkdirSync(path.join(app.distDir, 'client'), { recursive: true });
    fs.writeFileSync(path.join(app.distDir, 'client', 'index.html'), '<!doctype html><title>首页</title>');
  });
  afterAll(async () => {
    await app?.close();
    await standIn?.close();
    await t?.drop();
  });

  const scrape = async () => {
    const res = await fetch(`http://127.0.0.1:${app.server.metrics!.port}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    return samples(await res.text());
  };

  it('serves /metrics on its own port only: the main port answers 404, other paths on the metrics port too', async () => {
    expect(app.server.metrics).not.toBeNull();
    expect((await fetch(`${app.url}/metrics`)).status).toBe(404);
    const other = await fetch(`http://127.0.0.1:${app.server.metrics!.port}/api/health`);
    expect(other.status).toBe(404);
    expect((await other.json()).error.code).toBe('NOT_FOUND');
    const s = await scrape();
    // Node's process metrics (collectDefaultMetrics) on this app's own registry
    expect(find(s, 'process_cpu_user_seconds_total')).toHaveLength(1);
    expect(find(s, 'nodejs_heap_size_used_bytes')).toHaveLength(1);
  });

  it('counts requests by route template, method and status; static files and unknown paths apart', async () => {
    const sku = Number((await t.db('skus').where('is_launched', true).orderBy('id').first('id')).id);
    const before = await scrape();
    for (let i = 0; i < 3; i++) expect((await app.get(`/api/skus/${sku}`)).status).toBe(200);
    expect((await app.get('/api/skus/999999999')).status).toBe(404);
    expect((await fetch(`${app.url}/api/no/such/route`)).status).toBe(404);
    expect((await fetch(`${app.url}/`)).status).toBe(200);
    expect((await fetch(`${app.url}/no-such-page.html`)).status).toBe(404);
    const s = await scrape();
    expect(total(s, 'meiduo_http_requests_total', { route: '/api/skus/:id', method: 'GET', status: '200' })).toBe(3);
    expect(total(s, 'meiduo_http_requests_total', { route: '/api/skus/:id', method: 'GET', status: '404' })).toBe(1);
    expect(total(s, 'meiduo_http_requests_total', { route: 'unmatched', method: 'GET', status: '404' }) - total(before, 'meiduo_http_requests_total', { route: 'unmatched', method: 'GET', status: '404' })).toBe(2);
    expect(total(s, 'meiduo_http_requests_total', { route: 'static', method: 'GET', status: '200' })).toBe(1);
    expect(find(s, 'meiduo_http_request_duration_seconds_count', { route: '/api/skus/:id', method: 'GET', status: '200' })[0]!.value).toBe(3);
    expect(find(s, 'meiduo_http_request_duration_seconds_bucket', { route: '/api/skus/:id', status: '200', le: '+Inf' })[0]!.value).toBe(3);
    // the static file cache: the second read of the same file is a hit
    await fetch(`${app.url}/`);
    const after = await scrape();
    expect(total(after, 'meiduo_cache_lookups_total', { cache: 'static_files', result: 'hit' })).toBeGreaterThanOrEqual(1);
    expect(total(after, 'meiduo_cache_lookups_total', { cache: 'static_files', result: 'miss' })).toBeGreaterThanOrEqual(1);
  });

  it('keeps label cardinality bounded: 100 distinct SKU ids are one route', async () => {
    const ids = (await t.db('skus').orderBy('id').limit(100).select('id')).map((r) => Number(r.id));
    for (let i = ids.length; i < 100; i++) ids.push(1_000_000 + i); // unknown ids: 404s of the same route
    const before = new Set((await scrape()).filter((x) => x.name === 'meiduo_http_requests_total').map((x) => JSON.stringify(x.labels)));
    await Promise.all(ids.map((id) => fetch(`${app.url}/api/skus/${id}`)));
    await Promise.all(ids.map((id) => fetch(`${app.url}/goods/${id}-nope.html?x=${id}`)));
    const s = await scrape();
    const series = s.filter((x) => x.name === 'meiduo_http_requests_total');
    const added = series.filter((x) => !before.has(JSON.stringify(x.labels)));
    expect(added.length).toBeLessThanOrEqual(2); // at most a new status of /api/skus/:id and of unmatched
    expect(series.every((x) => !/\d{3,}/.test(x.labels.route!) && !x.labels.route!.includes('?'))).toBe(true);
    expect(series.map((x) => x.labels.route).filter((r) => r!.startsWith('/api/skus/'))).toEqual(expect.arrayContaining(['/api/skus/:id']));
  });

  it('counts an order by payment method, an Alipay notify by outcome, cache lookups and job runs; shows the backlogs', async () => {
    const buyer = await loginAs(app);
    const address = await call(app, 'POST', '/api/addresses', {
      headers: buyer.headers,
      body: { title: '家', receiver: '王五', province_id: 440000, city_id: 440300, district_id: 440305, place: '科技园2号', mobile: '13700001111', tel: '', email: '' },
    });
    expect(address.status).toBe(201);
    const sku = await t.db('skus').where('is_launched', true).orderBy('id').first('id');
    await t.db('skus').where({ id: sku.id }).update({ stock: 50 });
    const order = async (payMethod: number) => {
      expect((await call(app, 'POST', '/api/cart', { headers: buyer.headers, body: { sku_id: Number(sku.id), count: 1 } })).status).toBe(201);
      const placed = await call(app, 'POST', '/api/orders', { headers: buyer.headers, body: { address_id: address.body.id, pay_method: payMethod } });
      expect(placed.status, JSON.stringify(placed.body)).toBe(201);
      return placed.body.order_id as string;
    };
    await order(1);
    const alipayOrder = await order(2);
    const row = await t.db('orders').where({ order_id: alipayOrder }).first('payment_amount');
    standIn.pay(alipayOrder, String(row.payment_amount));
    const notify = (params: Record<string, string>) =>
      call(app, 'POST', '/api/payment/alipay/notify', { headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' }, raw: new URLSearchParams(params).toString() });
    expect((await notify(standIn.notifyFor(alipayOrder))).status).toBe(200);
    expect((await notify(standIn.notifyFor(alipayOrder))).status).toBe(200); // Alipay retries: a replay
    expect((await notify({ ...standIn.notifyFor(alipayOrder), total_amount: '0.01' })).status).toBe(400); // a forged amount

    let s = await scrape();
    expect(total(s, 'meiduo_order_commits_total', { pay_method: 'cash' })).toBe(1);
    expect(total(s, 'meiduo_order_commits_total', { pay_method: 'alipay' })).toBe(1);
    expect(total(s, 'meiduo_payment_outcomes_total', { source: 'notify', outcome: 'settled' })).toBe(1);
    expect(total(s, 'meiduo_payment_outcomes_total', { source: 'notify', outcome: 'replay' })).toBe(1);
    expect(total(s, 'meiduo_payment_outcomes_total', { source: 'notify', outcome: 'refused' })).toBe(1);
    // the customer's session was read from the cache on later requests
    expect(total(s, 'meiduo_cache_lookups_total', { cache: 'session', result: 'hit' })).toBeGreaterThanOrEqual(1);
    expect(find(s, 'meiduo_page_changes_pending')).toHaveLength(1);
    expect(find(s, 'meiduo_search_requests_pending')).toHaveLength(1);
    const pending = Number((await t.db('page_changes').count({ n: '*' }).first())?.n ?? 0);
    expect(Math.abs(find(s, 'meiduo_page_changes_pending')[0]!.value - pending)).toBeLessThanOrEqual(1); // the worker may apply one meanwhile

    // the in-process worker runs its recurring jobs: each run counted and timed by name and outcome
    for (let i = 0; i < 100 && total(s, 'meiduo_job_runs_total', { job: 'messages.send', outcome: 'ok' }) === 0; i++) {
      await sleep(100);
      s = await scrape();
    }
    expect(total(s, 'meiduo_job_runs_total', { job: 'messages.send', outcome: 'ok' })).toBeGreaterThanOrEqual(1);
    expect(find(s, 'meiduo_job_duration_seconds_count', { job: 'messages.send', outcome: 'ok' })[0]!.value).toBeGreaterThanOrEqual(1);
    const jobs = new Set(find(s, 'meiduo_job_runs_total').map((x) => x.labels.job));
    expect([...jobs].every((j) => /^[a-z]+\.[a-z-]+$/.test(j!))).toBe(true);
  });
});

describe.each(DB_KINDS)('metrics behind METRICS_TOKEN on %s', (kind) => {
  let t: TestDb;
  let token: TestApp;
  let off: TestApp;
  beforeAll(async () => {
    t = await createTestDb(kind);
    token = await startTestApp(t, { config: metricsConfig({ token: TOKEN }) });
    off = await startTestApp(t);
  });
  afterAll(async () => {
    await token?.close();
    await off?.close();
    await t?.drop();
  });

  it('answers 401 JSON without the token or with a wrong one, 200 with it; no port of its own', async () => {
    expect(token.server.metrics).toBeNull();
    for (const headers of <Record<string, string>[]>[{}, { authorization: 'Bearer wrong-token-0123456789abcdef' }, { authorization: `Basic ${TOKEN}` }, { authorization: `Bearer ${TOKEN}x` }]) {
      const res = await fetch(`${token.url}/metrics`, { headers });
      expect(res.status, JSON.stringify(headers)).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Bearer');
      expect((await res.json()).error.code).toBe('METRICS_TOKEN_REQUIRED');
    }
    const res = await fetch(`${token.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const s = samples(await res.text());
    // the failed tries above are counted under their own route, never under a URL
    expect(total(s, 'meiduo_http_requests_total', { route: '/metrics', status: '401' })).toBe(4);
    expect(find(s, 'process_resident_memory_bytes').length + find(s, 'nodejs_heap_size_total_bytes').length).toBeGreaterThanOrEqual(1);
    expect((await fetch(`${token.url}/metrics`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(405);
  });

  it('is off when neither METRICS_PORT nor METRICS_TOKEN is set: 404 on the main port', async () => {
    expect(loadConfig({}).metrics).toEqual({ port: null, host: '127.0.0.1', token: null });
    expect(off.server.metrics).toBeNull();
    const res = await fetch(`${off.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(res.status).toBe(404);
  });

  it('gives every app its own registry: two apps in one process count apart', async () => {
    await fetch(`${off.url}/api/health/live`);
    const a = samples(await token.services.metrics.registry.metrics());
    const b = samples(await off.services.metrics.registry.metrics());
    expect(total(b, 'meiduo_http_requests_total', { route: '/api/health/live' })).toBe(1);
    expect(total(a, 'meiduo_http_requests_total', { route: '/api/health/live' })).toBe(0);
  });
});
