import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { loopbackGet } from '../../jobs/render/loopback-get.mjs';

// The render thread's loopback requests: a kept-alive socket the server resets just as it is reused
// (the race that failed a MariaDB CI run with "read ECONNRESET") must not fail the render.
describe('loopbackGet', () => {
  let server: http.Server | undefined;
  afterEach(() => new Promise<void>((r) => (server ? server.close(() => r()) : r())));

  /** A server that resets the connection of every request arriving on a reused socket when `resetReused`. */
  async function start(resetReused: () => boolean) {
    const seen = new WeakSet<object>();
    let served = 0;
    server = http.createServer((req, res) => {
      if (seen.has(req.socket) && resetReused()) return req.socket.resetAndDestroy();
      seen.add(req.socket);
      served++;
      res.end(`ok ${served}`);
    });
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
    return { port: (server.address() as AddressInfo).port, served: () => served };
  }

  it('retries once on a fresh socket when a reused one is reset', async () => {
    const { port, served } = await start(() => true);
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const first = await loopbackGet({ host: '127.0.0.1', port, path: '/', agent });
    expect(first.body.toString()).toBe('ok 1');
    const second = await loopbackGet({ host: '127.0.0.1', port, path: '/', agent });
    expect(second.body.toString()).toBe('ok 2');
    expect(served()).toBe(2);
    agent.destroy();
  });

  it('fails on a reset of a fresh socket, and does not retry twice', async () => {
    server = http.createServer((req) => req.socket.resetAndDestroy());
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    const agent = new http.Agent({ keepAlive: true });
    await expect(loopbackGet({ host: '127.0.0.1', port, path: '/', agent })).rejects.toMatchObject({ code: 'ECONNRESET' });
    agent.destroy();
  });
});
