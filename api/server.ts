import http from 'node:http';
import { createApp } from './app.ts';
import type { Services } from './services/index.ts';

export interface RunningServer {
  server: http.Server;
  port: number;
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
  return {
    server,
    port: actualPort,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      }),
  };
}
