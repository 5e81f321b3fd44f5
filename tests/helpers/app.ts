import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig, type Config } from '../../api/config.ts';
import { listen, type RunningServer } from '../../api/server.ts';
import { createServices, type ServiceOverrides, type Services } from '../../api/services/index.ts';
import { createJobQueue } from '../../jobs/queue.ts';
import { createLogger } from '../../api/logger.ts';
import type { AnyRoute } from '../../api/routes/define.ts';
import { checkFetched, MOUNTED_ROUTES } from './answer-check.ts';
import type { TestDb } from './db.ts';

// The real app on a loopback port, over a test database, with its own dist/ folder.
export interface TestApp {
  services: Services;
  server: RunningServer;
  url: string;
  distDir: string;
  /** The routes answers are checked against (tests/helpers/answer-check.ts). */
  routes: readonly AnyRoute[];
  /** fetch(url + p); an /api answer that differs from what its route declares throws (AnswerMismatch). */
  get(p: string, init?: RequestInit): Promise<Response>;
  json<T = any>(p: string, init?: RequestInit): Promise<{ status: number; body: T; headers: Headers }>;
  close(): Promise<void>;
}

export interface TestAppOptions {
  distDir?: string;
  redisUrl?: string | null;
  config?: Partial<Config>;
  /** Stand-ins for the clock, providers … (createServices' overrides). */
  overrides?: ServiceOverrides;
  /** Also run a job worker in this process, as `npm start` does (SMS and mails are sent by it). */
  worker?: boolean;
  /** Listen on this port (default: any free one) — for a PUBLIC_URL known before the start. */
  port?: number;
}

export async function startTestApp(t: TestDb, opts: TestAppOptions = {}): Promise<TestApp> {
  const distDir = opts.distDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'meiduo-dist-'));
  const config: Config = {
    ...loadConfig({ DATABASE_URL: t.url, PORT: '8000', LOG_LEVEL: 'silent' }),
    distDir,
    mediaDir: t.mediaDir,
    redisUrl: opts.redisUrl ?? null,
    // fixed, so a second app on the same database (a "restart") reads the first one's cookies
    secretKey: 'meiduo-test-secret-key-0123456789abcdef',
    ...opts.config,
  };
  const services = createServices(config, { log: createLogger('silent'), ...opts.overrides });
  const server = await listen(services, opts.port ?? 0, '127.0.0.1');
  const queue = opts.worker
    ? await createJobQueue({ ...config, jobs: { ...config.jobs, pollMs: 100 } }, services.db, services.log, { services, drainTimeoutMs: 5000 })
    : null;
  await queue?.startWorker();
  const url = `http://127.0.0.1:${server.port}`;
  const { get, json } = checkedClient(url);
  return {
    services,
    server,
    url,
    distDir,
    routes: MOUNTED_ROUTES,
    get,
    json,
    async close() {
      await server.close();
      await queue?.close();
      await services.close();
    },
  };
}

/** get and json for the app at `url`, each answer checked against `routes` (answer-check.ts). */
export function checkedClient(url: string, routes: readonly AnyRoute[] = MOUNTED_ROUTES): Pick<TestApp, 'get' | 'json'> {
  const get = async (p: string, init?: RequestInit) => {
    const res = await fetch(url + p, init);
    await checkFetched(init?.method ?? 'GET', p, res, routes);
    return res;
  };
  return {
    get,
    async json(p, init) {
      const res = await get(p, init);
      const text = await res.text();
      let body: any;
      try {
        body = JSON.parse(text);
      } catch {
        body = text;
      }
      return { status: res.status, body, headers: res.headers };
    },
  };
}
