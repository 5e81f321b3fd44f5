// Worker-thread entry (jobs/search-publish.ts starts it through threadEntry('search-publish')): builds
// and publishes one search index, then ends. One publish per thread: the build takes a few hundred
// MB at 100,000 SKUs, and a thread that ends gives all of it back to the system, where a long-lived
// one would keep its grown heap for the life of the web process.
import { parentPort, workerData } from 'node:worker_threads';
import type { DatabaseConfig } from '../api/config.ts';
import { createDb } from '../api/db/knex.ts';
import { publishSearchIndex } from '../api/services/search/publish.ts';

export interface SearchThreadInput {
  database: DatabaseConfig;
  clientDir: string;
}

const { database, clientDir } = workerData as SearchThreadInput;
const db = createDb(database, { pool: 1 });
try {
  parentPort!.postMessage({ ok: true, result: await publishSearchIndex(db, clientDir) });
} catch (err) {
  parentPort!.postMessage({ ok: false, error: String((err as Error)?.stack ?? err) });
} finally {
  await db.destroy();
}
