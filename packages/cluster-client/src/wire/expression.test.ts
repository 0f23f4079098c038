import { describe, expect, it } from 'vitest';
import {
  backupFilter,
  ExpOp,
  expCall,
  expInt,
  modifiedBeforeFilter,
  noTtlFilter,
  packInt,
  setNamesFilter,
} from './expression.js';

const hex = (b: Buffer | undefined) => b?.toString('hex');

describe('filter expressions (wire spec §10.2)', () => {
  it('builds the expressions asbackup sends', () => {
    expect(hex(backupFilter({ modifiedAfter: 1577836800000000000n }))).toBe('93049142cf15e59a35b98a0000');
    expect(hex(modifiedBeforeFilter(1577836800000000000n))).toBe('93059142cf15e59a35b98a0000');
    expect(hex(noTtlFilter())).toBe('93019145ff');
    expect(hex(setNamesFilter(['bench', 'nope']))).toBe(
      '9311' + '93019146a60362656e6368' + '93019146a5036e6f7065',
    );
  });

  it('combines set OR, modified-before, modified-after and no-ttl with AND in that order', () => {
    const all = backupFilter({ sets: ['a', 'b'], modifiedBefore: 2n, modifiedAfter: 1n, noTtlOnly: true })!;
    expect(all.subarray(0, 2).toString('hex')).toBe('9510');
    const parts = [
      setNamesFilter(['a', 'b']),
      modifiedBeforeFilter(2n),
      backupFilter({ modifiedAfter: 1n })!,
      noTtlFilter(),
    ];
    expect(hex(all)).toBe('9510' + parts.map(hex).join(''));
  });

  it('leaves a single set to the SET field and gives undefined when nothing is active', () => {
    expect(backupFilter({ sets: ['only'] })).toBeUndefined();
    expect(backupFilter({})).toBeUndefined();
    expect(() => setNamesFilter([])).toThrow(/at least one set/);
  });

  it('packs integers in their smallest msgpack form', () => {
    const cases: [number | bigint, string][] = [
      [0, '00'],
      [127, '7f'],
      [128, 'cc80'],
      [256, 'cd0100'],
      [65536, 'ce00010000'],
      [2 ** 32, 'cf0000000100000000'],
      [-1, 'ff'],
      [-32, 'e0'],
      [-33, 'd0df'],
      [-129, 'd1ff7f'],
      [-32769, 'd2ffff7fff'],
      [-(2n ** 31n) - 1n, 'd3ffffffff7fffffff'],
    ];
    for (const [v, h] of cases) expect(hex(packInt(v)), String(v)).toBe(h);
    expect(hex(expCall(ExpOp.TTL))).toBe('9145');
    expect(hex(expInt(5))).toBe('05');
  });
});
