import { Worker } from 'node:worker_threads';
import type { Config } from '../api/config.ts';
import type { PublishedIndex, WarmStats } from '../api/services/search/publish.ts';
import { threadEntry } from './runtime.ts';
import type { SearchThreadInput, SearchThreadRequest } from './search-publish.thread.ts';

// Building the sharded index takes about a second of CPU at 10,000 SKUs and several at 100,000; in a
// worker thread it never blocks the event loop that serves the API (the web process runs the job
// worker in the embedded default).
// One thread per process, kept between publishes: its SearchPublisher caches every SKU's tokenized
// fields (tens of MB at 100,000 SKUs, see docs/search.md), which makes the publish after an edit
// re-tokenize only what changed. Idle for IDLE_MS, the thread ends and gives its heap back; the next
// publish starts a new one and tokenizes everything once more — unless the process warmed it
// (warmSearchThread: a `meiduo worker` does at start, SEARCH_PUBLISHER=warm), which keeps it for
// good, so no edit ever meets a publisher from nothing (~2 s more at 100,000 SKUs).

/**
 * The thread's heap ceiling: a publish at 100,000 SKUs peaks under 400 MB of process RSS (typed
 * arrays of postings, one file's JSON at a time), so this leaves room for a catalog a few times that
 * size; past it the thread dies with ERR_WORKER_OUT_OF_MEMORY and the job is retried (on a new
 * thread), rather than the web process growing without bound.
 */
const HEAP_LIMIT_MB = 1024;

/** Edits come in bursts (an editor working through a range); an hour without one frees the cache. */
export const IDLE_MS = 60 * 60_000;

/** cpuMs: the process's CPU during the publish; rss: the process's after it; heap: the thread's V8 heap kept after the previous publish (collected). */
export type PublishedOffThread = PublishedIndex & { cpuMs: number; rss: number; heap: number };

/** What warming the thread did (SearchPublisher.warm), with the same process figures as a publish. */
export type WarmedThread = WarmStats & { cpuMs: number; rss: number; heap: number };

interface Thread {
  worker: Worker;
  database: string;
  waiting: Map<number, { resolve: (r: any) => void; reject: (e: Error) => void }>;
  idle: NodeJS.Timeout | null;
}

let thread: Thread | null = null;
let nextId = 1;
/** Set by warmSearchThread: the thread is kept however long it idles (a new one, after a crash, too). */
let keep = false;

function startThread(config: Config): Thread {
  const workerData: SearchThreadInput = { database: config.database };
  const worker = new Worker(threadEntry('search-publish'), { workerData, resourceLimits: { maxOldGenerationSizeMb: HEAP_LIMIT_MB } });
  worker.unref(); // an idle publisher never keeps the process alive
  const t: Thread = { worker, database: JSON.stringify(config.database), waiting: new Map(), idle: null };
  let failure: Error | null = null;
  worker.on('message', (m: { id: number; ok: boolean; result?: PublishedOffThread; error?: string }) => {
    const w = t.waiting.get(m.id);
    t.waiting.delete(m.id);
    if (m.ok) w?.resolve(m.result!);
    else w?.reject(new Error(`search index build failed: ${m.error}`));
    if (t.waiting.size === 0) armIdle(t);
  });
  worker.on('error', (err) => (failure = err));
  worker.on('exit', (code) => {
    if (thread === t) thread = null;
    if (t.idle) clearTimeout(t.idle);
    for (const w of t.waiting.values()) w.reject(new Error(`search index build failed: ${failure?.message ?? `thread exited with ${code}`}`));
    t.waiting.clear();
  });
  return t;
}

function armIdle(t: Thread) {
  if (t.idle) clearTimeout(t.idle);
  t.idle = null;
  if (keep) return;
  t.idle = setTimeout(() => void t.worker.terminate(), IDLE_MS);
  t.idle.unref();
}

/** Posts a request to the thread (started if need be); the thread handles them one at a time, in order. */
function request<T>(config: Config, clientDir: string, warm: boolean): Promise<T> {
  if (thread && thread.database !== JSON.stringify(config.database)) void stopThread(thread);
  thread ??= startThread(config);
  const t = thread;
  if (t.idle) clearTimeout(t.idle);
  t.idle = null;
  const id = nextId++;
  return new Promise<T>((resolve, reject) => {
    t.waiting.set(id, { resolve, reject });
    t.worker.ref(); // a publish under way keeps the process alive until it is out
    const message: SearchThreadRequest = warm ? { id, clientDir, warm } : { id, clientDir };
    t.worker.postMessage(message);
  }).finally(() => {
    if (t.waiting.size === 0) t.worker.unref();
  });
}

export function publishSearchIndexOffThread(config: Config, clientDir: string): Promise<PublishedOffThread> {
  return request<PublishedOffThread>(config, clientDir, false);
}

/**
 * Starts the publisher thread now and has it tokenize the catalog and hash the current generation
 * in the background (SearchPublisher.warm), and keeps it from then on: no idle end. The request is
 * posted before this returns, so a publish asked for afterwards runs after it, on the warm cache.
 * The cost is the thread's memory for as long as the process lives (docs/search.md).
 */
export function warmSearchThread(config: Config, clientDir: string): Promise<WarmedThread> {
  keep = true;
  return request<WarmedThread>(config, clientDir, true);
}

/** Whether the publisher thread will idle out (false once warmSearchThread has run in this process). */
export const searchThreadIdles = () => !keep;

function stopThread(t: Thread): Promise<number> {
  if (thread === t) thread = null;
  return t.worker.terminate();
}

/** Stops the publisher thread (a publish in progress swaps its manifest last, so the previous index stays served). */
export async function stopSearchThread(): Promise<void> {
  keep = false;
  const t = thread;
  thread = null;
  if (t) await t.worker.terminate();
}
