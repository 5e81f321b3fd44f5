import fs from 'node:fs/promises';
import path from 'node:path';
import { db } from '../db/transaction.ts';
import { AppError } from '../errors.ts';
import { defineRoute } from './define.ts';
import * as answer from './answers/catalog.ts';

/** How long a readiness check may take before it counts as failed: a hung dependency answers 503 quickly. */
export const READY_TIMEOUT_MS = 2000;

/** 'ok', or why not: the check's error, or that it took longer than `ms`. */
async function within(ms: number, check: () => Promise<unknown>): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve(`no answer within ${ms} ms`), ms);
  });
  try {
    return await Promise.race([
      check().then(
        () => 'ok',
        // only the error's code (ECONNREFUSED, ENOENT …): the answer is public, a message may name hosts
        (err: unknown) => {
          const code = (err as { code?: unknown } | null)?.code;
          return typeof code === 'string' && /^[A-Z0-9_]{1,40}$/.test(code) ? `failed (${code})` : 'failed';
        },
      ),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

export const healthRoutes = [
  defineRoute({
    method: 'get',
    path: '/api/health',
    summary: 'Whether the shop is up: database, cache and the published search index',
    response: answer.health,
    auth: 'public',
    cacheControl: 'no-store',
    handler: async ({ context, services }) => {
      const [, , searchIndex] = await Promise.all([db(context).raw('select 1'), services.cache.get('health'), services.search.publishedIndex(context)]);
      return {
        status: 'ok',
        database: services.config.database.client,
        cache: services.cache.kind,
        search_index: searchIndex,
      };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/api/health/live',
    summary: 'Liveness: the process answers (no dependency asked); a load balancer restarts a process that stops answering',
    response: answer.healthLive,
    auth: 'public',
    cacheControl: 'no-store',
    handler: async () => ({ status: 'live' }),
  }),
  defineRoute({
    method: 'get',
    path: '/api/health/ready',
    summary: `Readiness: the database answers a query, the cache (Redis when configured) a read, and the published site is there (dist/client/index.html); each within ${READY_TIMEOUT_MS} ms, else 503 HEALTH_NOT_READY naming the failed checks`,
    response: answer.healthReady,
    errors: [503],
    auth: 'public',
    cacheControl: 'no-store',
    handler: async ({ context, services }) => {
      const checks = {
        database: () => db(context).raw('select 1'),
        cache: () => services.cache.get('health'),
        site: () => fs.access(path.join(services.config.distDir, 'client', 'index.html')),
      };
      const names = Object.keys(checks) as (keyof typeof checks)[];
      const results = await Promise.all(names.map((n) => within(READY_TIMEOUT_MS, checks[n])));
      const failed = Object.fromEntries(names.flatMap((n, i) => (results[i] === 'ok' ? [] : [[n, results[i]!]])));
      // logged once, by the error handler (a warning with the failed checks as fields)
      if (Object.keys(failed).length > 0) {
        throw new AppError({ statusCode: 503, code: 'HEALTH_NOT_READY', message: `未就绪: ${Object.keys(failed).join(', ')}`, fields: failed, expose: true });
      }
      return { status: 'ready', checks: { database: 'ok', cache: 'ok', site: 'ok' } };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/api/capabilities',
    response: answer.capabilities,
    auth: 'public',
    summary: 'Which optional features this shop has configured (the pages hide what is missing)',
    handler: async ({ services }) => ({ qq_login: services.providers.qq !== null, alipay: services.providers.alipay !== null }),
  }),
];
