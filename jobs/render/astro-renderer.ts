import fs from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { CatalogSnapshot } from '../../api/services/catalog/snapshot.ts';
import { linkPackages } from '../dist-packages.ts';
import { ROOT } from '../runtime.ts';

// Renders pages through a release's built Astro server (releases/<id>/server/entry.mjs, node adapter
// in middleware mode): the same components and CSS as the full build, a few ms a page. It runs in a
// worker thread (render-thread.mjs) bound to one release, because
// - a full build — in this process or any other — swaps dist/server to a new release and deletes
//   the one before the previous: a long-lived process must render with the release it points at now,
//   not with the one Node's module cache resolved the symlink to at first import;
// - ESM modules cannot be unloaded: importing each release's bundle into this process would keep
//   every old module graph for the life of the process. Ending the thread frees its graph.

const THREAD = path.join(ROOT, 'jobs/render/render-thread.mjs');

/**
 * The thread's heap ceiling: its module graph plus one batch's catalog snapshot (the whole 10,000-SKU
 * catalog when every category is re-rendered) need well under this; a runaway render fails its job
 * (retried later) instead of growing the web process.
 */
const HEAP_LIMIT_MB = 512;

export interface RenderResult {
  status: number;
  html: string;
}

export interface Renderer {
  /** The release whose server bundle renders: the real path of dist/server when it was created. */
  readonly release: string;
  /** False once its thread has ended (closed, crashed, out of memory): make a new one. */
  readonly alive: boolean;
  /** publicUrl: '/goods/1.html' → rendered through its twin '/render-internal/goods/1'. */
  render(publicUrl: string, snapshot: CatalogSnapshot): Promise<RenderResult>;
  close(): Promise<void>;
}

/** The release dist/server points at now. */
export function serverRelease(distDir: string): Promise<string> {
  return fs.realpath(path.join(distDir, 'server'));
}

type Reply = { id: number; status: number; html: string } | { id: number; error: string };

export async function createRenderer(distDir: string): Promise<Renderer> {
  const release = await serverRelease(distDir);
  await linkPackages(distDir); // a release outside the project imports its packages through the link
  const worker = new Worker(THREAD, {
    workerData: { entry: pathToFileURL(path.join(release, 'entry.mjs')).href },
    resourceLimits: { maxOldGenerationSizeMb: HEAP_LIMIT_MB },
  });
  const waiting = new Map<number, { resolve(r: RenderResult): void; reject(e: Error): void }>();
  let alive = true;
  let nextId = 0;
  // a WeakRef: the renderer must not keep a finished batch's snapshot alive
  let sent: WeakRef<CatalogSnapshot> | null = null;

  const ready = new Promise<void>((resolve, reject) => {
    const end = (err: Error) => {
      alive = false;
      reject(err);
      for (const w of waiting.values()) w.reject(err);
      waiting.clear();
    };
    worker.on('error', end);
    worker.on('exit', (code) => end(new Error(`render thread for ${release} exited (${code})`)));
    worker.on('message', (m: Reply | { type: 'ready' }) => {
      if ('type' in m) return resolve();
      const w = waiting.get(m.id);
      waiting.delete(m.id);
      if ('error' in m) w?.reject(new Error(m.error));
      else w?.resolve({ status: m.status, html: m.html });
    });
  });
  try {
    await ready;
  } catch (err) {
    await worker.terminate();
    throw err;
  }

  return {
    release,
    get alive() {
      return alive;
    },
    render(publicUrl, snapshot) {
      if (!alive) return Promise.reject(new Error(`render thread for ${release} has ended`));
      if (sent?.deref() !== snapshot) {
        worker.postMessage({ type: 'snapshot', snapshot });
        sent = new WeakRef(snapshot);
      }
      const id = nextId++;
      return new Promise((resolve, reject) => {
        waiting.set(id, { resolve, reject });
        worker.postMessage({ type: 'render', id, url: publicUrl });
      });
    },
    async close() {
      alive = false;
      await worker.terminate();
    },
  };
}
