// Worker-thread entry for jobs/search-publish.ts (plain JS: loader hooks are per thread, so it
// registers tsx itself before loading the TypeScript services).
import { parentPort, workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
const { createDb } = await import('../api/db/knex.ts');
const { publishSearchIndex } = await import('../api/services/search/publish.ts');
const db = createDb(workerData.config.database, { pool: 1 });
try {
  const result = await publishSearchIndex(db, workerData.clientDir);
  parentPort.postMessage({ ok: true, result });
} catch (err) {
  parentPort.postMessage({ ok: false, error: String(err?.stack ?? err) });
} finally {
  await db.destroy();
}
