import { describe, expect, it } from 'vitest';
import { filtersForNodes, parseNodeList } from './node-list.js';

describe('parseNodeList', () => {
  it('parses every official form, separated by , or ;', () => {
    expect(parseNodeList('10.0.0.1:3000; 10.0.0.2:tls1:4333,[::1]:3000;[fe80::1]:tls2:4000')).toEqual([
      { address: '10.0.0.1', family: 4, tlsName: undefined, port: 3000 },
      { address: '10.0.0.2', family: 4, tlsName: 'tls1', port: 4333 },
      { address: '::1', family: 6, tlsName: undefined, port: 3000 },
      { address: 'fe80::1', family: 6, tlsName: 'tls2', port: 4000 },
    ]);
  });

  it('rejects bad entries with the official messages', () => {
    const cases: [string, string][] = [
      ['', 'Empty node list'],
      ['10.0.0.1', 'Invalid node list 10.0.0.1 (missing ":")'],
      ['[::1:3000', 'Invalid node list [::1:3000 (missing "]")'],
      ['[::1]3000', 'Invalid node list [::1]3000 (missing ":")'],
      [':3000', 'Invalid node list :3000 (invalid IP address)'],
      ['[]:3000', 'Invalid node list []:3000 (invalid IP address)'],
      ['host:3000', 'Invalid node list host:3000 (invalid IP address host)'],
      ['[10.0.0.1]:3000', '(invalid IP address 10.0.0.1)'],
      ['10.0.0.1:0', '(invalid port value 0)'],
      ['10.0.0.1:65536', '(invalid port value 65536)'],
      ['10.0.0.1:tls:x', '(invalid port value x)'],
      ['10.0.0.1:3000,', 'Invalid node list 10.0.0.1:3000, (missing ":")'],
    ];
    for (const [input, message] of cases) {
      expect(() => parseNodeList(input), input).toThrow(message);
    }
  });
});

describe('filtersForNodes', () => {
  it('merges runs of consecutive partitions mastered by the listed nodes', () => {
    const masters: (string | undefined)[] = Array.from({ length: 4096 }, (_, p) => (p % 3 === 0 ? 'A' : 'B'));
    masters[4095] = 'A';
    masters[4094] = 'A';
    masters[10] = undefined;
    const onlyA = filtersForNodes(masters, ['A']);
    expect(onlyA[0]).toEqual({ begin: 0, count: 1 });
    expect(onlyA.at(-1)).toEqual({ begin: 4094, count: 2 });
    const both = filtersForNodes(masters, ['A', 'B']);
    expect(both).toEqual([
      { begin: 0, count: 10 },
      { begin: 11, count: 4085 },
    ]);
    expect(filtersForNodes(masters, ['C'])).toEqual([]);
  });

  it('refuses a partition map of the wrong size', () => {
    expect(() => filtersForNodes(['A'], ['A'])).toThrow(/4096/);
  });
});
