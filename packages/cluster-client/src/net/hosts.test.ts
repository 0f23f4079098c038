import { describe, expect, it } from 'vitest';
import { parseHost, parseHosts } from './hosts.js';

describe('seed hosts', () => {
  it('parses host, host:port, host:tlsname, host:tlsname:port and IPv6', () => {
    expect(parseHosts('a,b:3100,c:tls1,d:tls2:4000,[::1],[fe80::1]:3200,[::2]:t3:3300', 3001)).toEqual([
      { host: 'a', port: 3001 },
      { host: 'b', port: 3100 },
      { host: 'c', port: 3001, tlsName: 'tls1' },
      { host: 'd', port: 4000, tlsName: 'tls2' },
      { host: '::1', port: 3001 },
      { host: 'fe80::1', port: 3200 },
      { host: '::2', port: 3300, tlsName: 't3' },
    ]);
    expect(parseHost('127.0.0.1')).toEqual({ host: '127.0.0.1', port: 3000 });
  });

  it('names the bad item', () => {
    expect(() => parseHosts('a,b:99999')).toThrow(/bad host "b:99999": port 99999 out of range/);
    expect(() => parseHosts('a:b:c:d')).toThrow(/too many ":"/);
    expect(() => parseHosts('[::1')).toThrow(/missing "]"/);
    expect(() => parseHosts(' , ')).toThrow(/no seed host/);
    expect(() => parseHosts('a:t:x')).toThrow(/port "x" is not a number/);
  });
});
