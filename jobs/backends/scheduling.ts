import crypto from 'node:crypto';
import type { AgendaBackend } from 'agenda';
import type { RedisJobRepository } from '@agendajs/redis-backend';
import { REDIS_KEY_PREFIX } from './index.ts';

// Creating the repeating jobs, one document per name, when several workers start at once.
// agenda.every() upserts a 'single' job by name. The SQL store settles a race with a unique index
// (single_key) and Mongo with an atomic upsert, but the Redis store reads, then inserts: two workers
// starting together each created a pages.rebuild document, and each then ran its own, in parallel,
// which is what the one document is there to prevent. On Redis the workers take turns.

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const TURN_MS = 10_000;

// releases the key only if it still holds this holder's token (it may have expired and passed on)
const RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0";

/** Runs `work` while no other process sharing the job store runs its own scheduling. */
export async function schedulingTurn<T>(backend: AgendaBackend, work: () => Promise<T>): Promise<T> {
  const repo = backend.repository as Partial<RedisJobRepository>;
  if (typeof repo.getRedis !== 'function') return work();
  const redis = repo.getRedis();
  const key = `${REDIS_KEY_PREFIX}scheduling`;
  const token = crypto.randomUUID();
  // a holder that died leaves the key to expire; past that, go ahead regardless
  for (const end = Date.now() + TURN_MS; Date.now() < end; await sleep(20)) {
    if (await redis.set(key, token, 'PX', TURN_MS, 'NX')) break;
  }
  try {
    return await work();
  } finally {
    await redis.eval(RELEASE, 1, key, token);
  }
}
