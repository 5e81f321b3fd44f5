import type { AgendaBackend } from 'agenda';
import type { Knex } from 'knex';
import type { Config } from '../../api/config.ts';
import { KnexBackend } from './sql-backend.ts';

// The job store JOBS_BACKEND names. The SQL store is loaded with this module: it is the embedded
// default, and it loads no Agenda code, so `meiduo jobs` starts fast. Redis and Mongo are loaded
// only when named (both import Agenda themselves).

/** Where the Redis store keeps the shop's jobs. */
export const REDIS_KEY_PREFIX = 'meiduo:agenda:';

export async function createBackend(config: Config, db: Knex): Promise<AgendaBackend> {
  switch (config.jobs.backend) {
    case 'sql':
      return new KnexBackend({ db, lockLifetime: config.jobs.lockMs });
    case 'redis': {
      const { RedisBackend } = await import('@agendajs/redis-backend');
      return new RedisBackend({ connectionString: config.redisUrl!, keyPrefix: REDIS_KEY_PREFIX });
    }
    case 'mongo': {
      const { MongoBackend } = await import('@agendajs/mongo-backend');
      return new MongoBackend({ address: config.jobs.mongoUrl!, collection: 'agendaJobs' });
    }
  }
}
