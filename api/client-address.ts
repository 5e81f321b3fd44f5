import type { IncomingMessage } from 'node:http';
import { createRequire } from 'node:module';

// loaded when a proxy list is parsed or the app starts, not by every process that reads the
// configuration: `meiduo --help` loads no package (tests/unit/job-admin-imports.test.ts)
const requireCjs = createRequire(import.meta.url);
const proxyAddrModule = () => requireCjs('proxy-addr') as typeof import('proxy-addr');

// The client's address, which the per-IP limits count (login and password-reset throttles, SMS codes
// a day). X-Forwarded-For says whatever the sender wants, so it is read only when the connecting
// peer is one of the shop's own proxies (TRUST_PROXY): walking the header from the right, each hop
// that is a trusted proxy hands over to the address it received the request from, and the first
// address that is not a trusted proxy is the client. A client that reaches the web port directly,
// or sends its own X-Forwarded-For through the proxy, changes nothing: the proxy's own entry, or the
// socket, decides. The walk and the address ranges are proxy-addr's (Express's), IPv4 and IPv6,
// IPv4-mapped addresses included.

/**
 * TRUST_PROXY's value: `off`, or the trusted proxies as a comma-separated list of addresses, CIDR
 * ranges and the names loopback / linklocal / uniquelocal. Returns the list ([] for off); throws an
 * Error saying what is wrong. `on` — which trusted X-Forwarded-For from whoever connected — is
 * refused rather than reinterpreted: behind a proxy on another host, any guess at its meaning would
 * either keep the hole or put every customer in the proxy's one per-IP budget.
 */
export function parseTrustProxy(raw: string): string[] {
  const value = raw.trim();
  if (value === 'off') return [];
  if (value === 'on') {
    throw new Error('no longer accepts on (it let anyone who reaches the web port choose their address): name the proxies instead, e.g. TRUST_PROXY=127.0.0.1 for a proxy on this machine, or 10.0.0.0/8');
  }
  const entries = value.split(',').map((e) => e.trim());
  if (entries.some((e) => e === '')) throw new Error(`must be off or a comma-separated list of the proxies' addresses or ranges, without empty entries (got '${raw}')`);
  for (const entry of entries) {
    try {
      proxyAddrModule().compile(entry);
    } catch {
      throw new Error(`must be off or a comma-separated list of the proxies' addresses or CIDR ranges such as 127.0.0.1,10.0.0.0/8,::1 (or loopback, linklocal, uniquelocal); '${entry}' is not one`);
    }
  }
  return entries;
}

/** The client's address of a request, given the trusted proxies ([] trusts none: the socket's address). */
export function clientAddressResolver(trusted: readonly string[]): (req: IncomingMessage) => string {
  // no proxy trusted: the socket's address, as proxy-addr would answer after parsing X-Forwarded-For for nothing
  if (trusted.length === 0) return (req) => req.socket.remoteAddress ?? '';
  const proxyAddr = proxyAddrModule();
  const trust = proxyAddr.compile([...trusted]);
  // a socket already closed has no remote address: '' (counted as one unknown client)
  return (req) => proxyAddr(req, trust) ?? '';
}
