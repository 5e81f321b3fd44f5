import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { clientAddressResolver } from '../../api/client-address.ts';

// Which address the per-IP limits count: X-Forwarded-For only from the proxies TRUST_PROXY names,
// walked from the right past each trusted hop. (Over real sockets: tests/integration/client-address.test.ts.)

/** What the resolver reads of a request: the peer's address and the header. */
const request = (peer: string, forwardedFor?: string) =>
  ({ socket: { remoteAddress: peer }, headers: forwardedFor === undefined ? {} : { 'x-forwarded-for': forwardedFor } }) as unknown as IncomingMessage;

describe('the client address', () => {
  it('is the peer when no proxy is trusted, whatever X-Forwarded-For says', () => {
    const off = clientAddressResolver([]);
    expect(off(request('203.0.113.7', '1.2.3.4'))).toBe('203.0.113.7');
    expect(off(request('127.0.0.1', '1.2.3.4'))).toBe('127.0.0.1');
  });

  it('is the peer when the peer is not a trusted proxy: a client reaching the web port directly chooses nothing', () => {
    const ip = clientAddressResolver(['127.0.0.1', '10.0.0.0/8', '::1']);
    for (const spoof of ['1.2.3.4', '10.0.0.9', '5.5.5.5, 10.0.0.2', 'garbage']) expect(ip(request('203.0.113.7', spoof))).toBe('203.0.113.7');
    expect(ip(request('2001:db8::7', '1.2.3.4'))).toBe('2001:db8::7');
  });

  it('from a trusted proxy is the entry it appended; what the client sent before it changes nothing', () => {
    const ip = clientAddressResolver(['127.0.0.1', '10.0.0.0/8', '::1']);
    expect(ip(request('127.0.0.1', '198.51.100.4'))).toBe('198.51.100.4');
    expect(ip(request('10.1.2.3', '6.6.6.6, 198.51.100.4'))).toBe('198.51.100.4');
    expect(ip(request('::1', '2001:db8::42'))).toBe('2001:db8::42');
    // an IPv4 proxy seen by a dual-stack socket as an IPv4-mapped IPv6 address is the same proxy
    expect(ip(request('::ffff:10.0.0.5', '198.51.100.4'))).toBe('198.51.100.4');
    // a trusted proxy that sent no header: the proxy itself (its own requests)
    expect(ip(request('10.0.0.5'))).toBe('10.0.0.5');
  });

  it('walks past every trusted hop (a load balancer, then nginx) to the first address that is not one', () => {
    const ip = clientAddressResolver(['127.0.0.1', '10.0.0.0/8']);
    expect(ip(request('127.0.0.1', '6.6.6.6, 198.51.100.4, 10.0.0.8'))).toBe('198.51.100.4');
    expect(ip(request('127.0.0.1', '10.0.0.9, 10.0.0.8'))).toBe('10.0.0.9'); // only proxies: the furthest one
    const v6 = clientAddressResolver(['fd00::/8', 'loopback']);
    expect(v6(request('::1', '2001:db8::1, fd12::3'))).toBe('2001:db8::1');
  });
});
