import type { Config } from '../../api/config.ts';
import { args } from './arguments.ts';
import { untilSignal } from './terminal.ts';

/** `meiduo worker`: a job worker (production: as many as you like, beside the web processes). Runs until a signal. */
export async function run(config: Config, argv: string[]) {
  args(argv, {});
  const { createServices } = await import('../../api/services/index.ts');
  const { createJobQueue } = await import('../queue.ts');
  const services = createServices(config);
  // a worker has no memory cap of its own: its search publisher is warmed at start and kept, unless SEARCH_PUBLISHER=lazy
  const queue = await createJobQueue(config, services.db, services.log, { services, warmSearch: config.jobs.searchPublisher !== 'lazy' });
  const { listenMetrics } = await import('../../api/metrics-server.ts');
  const metrics = config.metrics.port !== null ? await listenMetrics(services) : null;
  await queue.startWorker();
  console.log(`worker running (jobs: ${config.jobs.backend}, polling every ${config.jobs.pollMs} ms)`);
  if (metrics) console.log(`metrics: http://${config.metrics.host}:${metrics.port}/metrics`);
  untilSignal(async () => {
    await metrics?.close();
    await queue.close();
    await services.close();
  });
}

export const longRunning = true;
