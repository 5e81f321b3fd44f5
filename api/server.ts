import http from 'node:http';
import { createApp } from './app.ts';
import { listenMetrics, type MetricsListener } from './metrics-server.ts';
import type { Services } from './services/index.ts';

export interface RunningServer {
  server: http.Server;
  port: number;
  /** The METRICS_PORT listener (null when METRICS_PORT is unset). */
  metrics: MetricsListener | null;
  close(): Promise<void>;
}

export async function listen(services: Services, port = services.config.port, host = services.config.host): Promise<RunningServer> {
  const app = createApp(services);
  const server = http.createServer(app.callback());
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address();
  const actualPort = typeof address === 'object' && address ? address.port : port;
  const metrics = services.config.metrics.port !== null ? await listenMetrics(services) : null;
  return {
    server,
    port: actualPort,
    metrics,
    close: async () => {
      await Promise.all([
        new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeIdleConnections();
        }),
        metrics?.close(),
      ]);
    },
  };
}
