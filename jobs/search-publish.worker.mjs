// Worker-thread entry for jobs/search-publish.ts (plain JS: loader hooks are per thread, so it
// registers tsx itself before loading the TypeScript services). Serves publish requests one at a time.
import { parentPort, workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
const { createDb } = await import('../api/db/knex.ts');
const { publishSearchIndex } = await import('../api/services/search/publish.ts');
const db = createDb(workerData.database, { pool: 1 });

let queue = Promise.resolve();
parentPort.on('message', ({ id, clientDir }) => {
  queue = queue.then(async () => {
    try {
      parentPort.postMessage({ id, ok: true, result: await publishSearchIndex(db, clientDir) });
    } catch (err) {
      parentPort.postMessage({ id, ok: false, error: String(err?.stack ?? err) });
    }
  });
});
