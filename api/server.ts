import http from 'node:http';
import { createApp } from './app.ts';
import { listenMetrics, type MetricsListener } from './metrics-server.ts';
import type { Services } from './services/index.ts';

export interface RunningServer {
  server: http.Server;
  port: number;
  /** The METRICS_PORT listener (null when METRICS_PORT is unset). */
  metrics: MetricsListener | null;
  /**
   * Stops taking connections and answers every request already received: a response still being
   * made is sent with `Connection: close`, a kept-alive connection is closed as soon as it is idle
   * (a client that keeps sending on it would otherwise hold the process up for ever). After
   * `graceMs` whatever is left is cut.
   */
  close(graceMs?: number): Promise<void>;
}

/** How long a stopping web process waits for the requests it has (SIGTERM → exit). */
export const SHUTDOWN_GRACE_MS = 25_000;

export async function listen(services: Services, port = services.config.port, host = services.config.host): Promise<RunningServer> {
  const app = createApp(services);
  const server = http.createServer(app.callback());
  server.keepAliveTimeout = 65_000;
  let closing = false;
  server.on('request', (_req: http.IncomingMessage, res: http.ServerResponse) => {
    if (closing) res.shouldKeepAlive = false;
    // the connection is idle once this answer is out: close it then if the server is stopping
    res.once('finish', () => {
      if (closing) setImmediate(() => server.closeIdleConnections());
    });
  });
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
    close: async (graceMs = SHUTDOWN_GRACE_MS) => {
      await Promise.all([
        new Promise<void>((resolve) => {
          closing = true;
          const cut = setTimeout(() => server.closeAllConnections(), graceMs);
          cut.unref();
          server.close(() => {
            clearTimeout(cut);
            resolve();
          });
          server.closeIdleConnections();
        }),
        metrics?.close(),
      ]);
    },
  };
}
