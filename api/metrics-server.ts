import http from 'node:http';
import type { Services } from './services/index.ts';

// METRICS_PORT: GET /metrics on a listener of its own, bound to METRICS_HOST (127.0.0.1 by default),
// so Prometheus scrapes it on the private network and shoppers never reach it. Web and worker
// processes each open one (docs/metrics.md).

export interface MetricsListener {
  port: number;
  close(): Promise<void>;
}

export async function listenMetrics(services: Services, port = services.config.metrics.port ?? 0, host = services.config.metrics.host): Promise<MetricsListener> {
  services.metrics.collectProcessMetrics();
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const answer = (status: number, code: string, message: string) => {
      res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' });
      res.end(JSON.stringify({ error: { code, message } }));
    };
    if (path !== '/metrics') return answer(404, 'NOT_FOUND', '只有 /metrics');
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      return answer(405, 'METHOD_NOT_ALLOWED', `不支持 ${req.method} 方法`);
    }
    services.metrics.scrape().then(
      ({ contentType, body }) => {
        res.writeHead(200, { 'Content-Type': contentType, 'Cache-Control': 'no-store' });
        res.end(req.method === 'HEAD' ? undefined : body);
      },
      (err: unknown) => {
        services.log.error({ err }, 'metrics scrape failed');
        answer(500, 'INTERNAL_ERROR', '服务器内部错误');
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      }),
  };
}
