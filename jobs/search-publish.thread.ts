// Worker-thread entry (jobs/search-publish.ts starts it through threadEntry('search-publish')): one
// long-lived search publisher per process. It keeps every launched SKU's tokenized fields and the
// hashes of the generation it wrote last (SearchPublisher), so a publish after an edit re-tokenizes
// the edited SKUs only and hard-links the files that did not change. Publishes come as messages, one
// at a time; the parent ends the thread when it has been idle a while, giving its memory back.
import v8 from 'node:v8';
import vm from 'node:vm';
import { parentPort, workerData } from 'node:worker_threads';
import type { DatabaseConfig } from '../api/config.ts';
import { createDb } from '../api/db/knex.ts';
import { SearchPublisher, type WarmStats } from '../api/services/search/publish.ts';

export interface SearchThreadInput {
  database: DatabaseConfig;
}

export interface SearchThreadRequest {
  id: number;
  clientDir: string;
  /** Only get ready (SearchPublisher.warm): tokenize the catalog and hash the current generation, publish nothing. */
  warm?: boolean;
}

const { database } = workerData as SearchThreadInput;
const db = createDb(database, { pool: 1 });
const publisher = new SearchPublisher();
// A publish leaves hundreds of MB of garbage (postings, JSON, file bodies) that an idle thread would
// otherwise keep until some later allocation: collected right after each publish, so what the thread
// holds between publishes is its cache (docs/search.md). V8 lets a running isolate turn on gc().
v8.setFlagsFromString('--expose-gc');
const collect = vm.runInNewContext('gc') as () => void;
/** The heap in use after the previous publish's collection: what the thread keeps between publishes. */
let heapKept = 0;

/** One publish at a time: the publisher's cache is the previous publish's outcome. */
let queue: Promise<void> = Promise.resolve();
parentPort!.on('message', (request: SearchThreadRequest) => void (queue = queue.then(() => handle(request))));

async function handle({ id, clientDir, warm }: SearchThreadRequest) {
  try {
    const cpu = process.cpuUsage();
    if (warm) {
      const stats: WarmStats = await publisher.warm(db, clientDir);
      const used = process.cpuUsage(cpu);
      collect();
      heapKept = v8.getHeapStatistics().used_heap_size;
      parentPort!.postMessage({ id, ok: true, result: { ...stats, cpuMs: Math.round((used.user + used.system) / 1000), rss: process.memoryUsage.rss(), heap: heapKept } });
      return;
    }
    const result = await publisher.publish(db, clientDir);
    const used = process.cpuUsage(cpu); // the process's: this thread's work and whatever else runs meanwhile
    parentPort!.postMessage({ id, ok: true, result: { ...result, cpuMs: Math.round((used.user + used.system) / 1000), rss: process.memoryUsage.rss(), heap: heapKept } });
    collect(); // after the reply: the manifest is out, the job need not wait for this
    heapKept = v8.getHeapStatistics().used_heap_size;
  } catch (err) {
    parentPort!.postMessage({ id, ok: false, error: String((err as Error)?.stack ?? err) });
  }
}
