import { Worker } from 'node:worker_threads';
import type { Config } from '../api/config.ts';
import type { SearchManifest } from '../api/services/search/publish.ts';

// Building the Lunr index takes seconds of CPU for 10,000 SKUs; in a worker thread it never blocks
// the event loop that serves the API (the web process runs the job worker in the embedded default).
// The thread opens its own database connection and publishes through the manifest swap.
export function publishSearchIndexOffThread(config: Config, clientDir: string): Promise<SearchManifest & { bytes: number; gzipBytes: number }> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./search-publish.worker.mjs', import.meta.url), {
      workerData: { config, clientDir },
    });
    worker.once('message', (m: { ok: boolean; result?: SearchManifest & { bytes: number; gzipBytes: number }; error?: string }) => {
      if (m.ok) resolve(m.result!);
      else reject(new Error(`search index build failed: ${m.error}`));
    });
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (code !== 0) reject(new Error(`search index worker exited with ${code}`));
    });
  });
}
