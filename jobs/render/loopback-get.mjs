// GET over a keep-alive agent, retried once on a fresh socket when a reused one was reset.
// A kept-alive socket can be closed by the server at the very moment a request is written to it
// (Node's own docs describe the race, see `request.reusedSocket`); the request never reached the
// handler, so sending it again is safe for a GET. A reset on a fresh socket is a real failure.
import http from 'node:http';

/** @returns {Promise<{status: number, body: Buffer}>} */
export function loopbackGet(options, retried = false) {
  return new Promise((resolve, reject) => {
    const req = http.get(options, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', (err) => {
      if (!retried && req.reusedSocket && err?.code === 'ECONNRESET') {
        resolve(loopbackGet(options, true)); // the agent dropped the reset socket: this takes a new one
      } else reject(err);
    });
  });
}
