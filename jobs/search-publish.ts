import { Worker } from 'node:worker_threads';
import type { Config } from '../api/config.ts';
import type { Published } from '../api/services/search/publish.ts';
import { threadEntry } from './runtime.ts';
import type { SearchThreadInput } from './search-publish.thread.ts';

// Building the sharded index takes about a second of CPU at 10,000 SKUs and several at 100,000; in a
// worker thread it never blocks the event loop that serves the API (the web process runs the job
// worker in the embedded default).
// A thread per publish, with its own database connection: it ends when the index is out, so its
// heap does not stay with the web process (starting one costs well under a second compiled, about
// a second through tsx; index publishes are rare — price edits only republish the display file).

/**
 * The thread's heap ceiling: a publish at 100,000 SKUs peaks under 400 MB of process RSS (typed
 * arrays of postings, one file's JSON at a time), so this leaves room for a catalog a few times that
 * size; past it the thread dies with
 * ERR_WORKER_OUT_OF_MEMORY and the job is retried, rather than the web process growing without bound.
 */
const HEAP_LIMIT_MB = 1024;

const running = new Set<Worker>();

export function publishSearchIndexOffThread(config: Config, clientDir: string): Promise<Published> {
  const workerData: SearchThreadInput = { database: config.database, clientDir };
  const w = new Worker(threadEntry('search-publish'), { workerData, resourceLimits: { maxOldGenerationSizeMb: HEAP_LIMIT_MB } });
  running.add(w);
  return new Promise((resolve, reject) => {
    let reply: { ok: boolean; result?: Published; error?: string } | null = null;
    let failure: Error | null = null;
    w.on('message', (m) => (reply = m));
    w.on('error', (err) => (failure = err));
    // settled on exit, not on the reply: the thread's memory is back by then
    w.on('exit', (code) => {
      running.delete(w);
      if (reply?.ok) resolve(reply.result!);
      else reject(new Error(`search index build failed: ${reply?.error ?? failure?.message ?? `thread exited with ${code}`}`));
    });
  });
}

/** Stops index builds in progress (their manifest is swapped last, so the previous index stays served). */
export async function stopSearchThread(): Promise<void> {
  await Promise.all([...running].map((w) => w.terminate()));
}
