import type { Config } from '../../api/config.ts';
import type { JobQueue } from '../queue.ts';
import { args } from './arguments.ts';
import { untilSignal } from './terminal.ts';

/** `meiduo serve`: pages and API on PORT, and a job worker when JOBS_IN_PROCESS is on. Runs until a signal. */
export async function run(config: Config, argv: string[]) {
  args(argv, {});
  await serve(config);
}

export const longRunning = true;

export async function serve(config: Config) {
  const { createServices } = await import('../../api/services/index.ts');
  const { listen } = await import('../../api/server.ts');
  const services = createServices(config);
  const running = await listen(services);
  let queue: JobQueue | null = null;
  if (config.jobs.inProcessWorker) {
    const { createJobQueue } = await import('../queue.ts');
    // in the web process, whose memory is the shop's budget: the publisher starts at the first edit and idles out, unless SEARCH_PUBLISHER=warm
    queue = await createJobQueue(config, services.db, services.log, { services, warmSearch: config.jobs.searchPublisher === 'warm' });
    queue.onRebuilt((s) => {
      if (s.changes > 0) services.catalog.invalidate(); // this process's micro-cache sees edits at once
    });
    await queue.startWorker();
  }
  console.log(
    `美多商城 is open at http://localhost:${running.port}/  (database: ${config.database.client}, cache: ${services.cache.kind}, jobs: ${config.jobs.backend}${queue ? ', worker in this process' : ''})`,
  );
  if (running.metrics) console.log(`metrics: http://${config.metrics.host}:${running.metrics.port}/metrics`);
  untilSignal(async () => {
    await running.close();
    await queue?.close();
    await services.close();
  });
}
