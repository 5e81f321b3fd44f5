import { Worker } from 'node:worker_threads';
import type { Config } from '../api/config.ts';
import type { SearchManifest } from '../api/services/search/publish.ts';

// Building the Lunr index takes seconds of CPU for 10,000 SKUs; in a worker thread it never blocks
// the event loop that serves the API (the web process runs the job worker in the embedded default).
// One long-lived thread per process, with its own database connection: starting a thread (and its
// TypeScript loader) costs more than a second, so it is paid once, not per rebuild.

type Result = SearchManifest & { bytes: number };
type Reply = { id: number; ok: boolean; result?: Result; error?: string };

let worker: Worker | null = null;
let nextId = 0;
const waiting = new Map<number, { resolve(r: Result): void; reject(e: Error): void }>();

function thread(config: Config): Worker {
  if (worker) return worker;
  const w = new Worker(new URL('./search-publish.worker.mjs', import.meta.url), { workerData: { database: config.database } });
  w.unref(); // an idle index thread must not keep a process alive
  w.on('message', (m: Reply) => {
    const p = waiting.get(m.id);
    waiting.delete(m.id);
    if (m.ok) p?.resolve(m.result!);
    else p?.reject(new Error(`search index build failed: ${m.error}`));
  });
  const fail = (err: Error) => {
    worker = null;
    for (const p of waiting.values()) p.reject(err);
    waiting.clear();
  };
  w.on('error', fail);
  w.on('exit', (code) => fail(new Error(`search index thread exited with ${code}`)));
  worker = w;
  return w;
}

export function publishSearchIndexOffThread(config: Config, clientDir: string): Promise<Result> {
  const id = nextId++;
  const w = thread(config);
  return new Promise((resolve, reject) => {
    waiting.set(id, { resolve, reject });
    w.postMessage({ id, clientDir });
  });
}

export async function stopSearchThread(): Promise<void> {
  const w = worker;
  worker = null;
  if (w) await w.terminate();
}
