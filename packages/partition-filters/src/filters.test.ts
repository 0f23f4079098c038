import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { partitionIdOf } from './digest.js';
import { PartitionFilterError } from './errors.js';
import {
  checkSelectionExclusions,
  decodeDigest,
  describeFilter,
  parseAfterDigest,
  parsePartitionList,
} from './filters.js';

const DIGEST = '7JEZLUt/jONdXXjTS8ply6qqyWA='; // partition 0x1ec = 492

function errorOf(fn: () => unknown): PartitionFilterError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(PartitionFilterError);
    return e as PartitionFilterError;
  }
  throw new Error('expected an error');
}

describe('parsePartitionList', () => {
  it('parses ranges as begin-count, single partitions and digests, sorted by begin', () => {
    expect(parsePartitionList(`2222, 0-400 ,1000-1000,${DIGEST}`)).toEqual([
      { begin: 0, count: 400 },
      { begin: 492, count: 1, digest: Buffer.from(DIGEST, 'base64') },
      { begin: 1000, count: 1000 },
      { begin: 2222, count: 1 },
    ]);
  });

  it('accepts the full range and the last partition', () => {
    expect(parsePartitionList('0-4096')).toEqual([{ begin: 0, count: 4096 }]);
    expect(parsePartitionList('4095-1')).toEqual([{ begin: 4095, count: 1 }]);
  });

  it('rejects out-of-range begin, overflow past 4096 and garbage with the official text', () => {
    for (const bad of ['4096', '-1', '4095-2', '0-4097', 'abc', '12x', '1-', '']) {
      const e = errorOf(() => parsePartitionList(`0,${bad}`));
      expect(e.code).toBe('INVALID_PARTITION_FILTER');
      expect(e.message).toContain(`Invalid partition filter '${bad}'`);
      expect(e.message).toContain('begin partition: 0-4095');
      expect(e.option).toBe('--partition-list');
      expect(e.text.split('\n')[0]).toBe(`Invalid partition filter '${bad}'`);
    }
  });

  it('rejects a count of 0', () => {
    expect(errorOf(() => parsePartitionList('10-0')).code).toBe('INVALID_PARTITION_COUNT');
  });

  it('rejects an empty list', () => {
    expect(errorOf(() => parsePartitionList('')).message).toMatch(/^Empty partition list/);
  });

  it('rejects overlaps and duplicates, including a digest inside a range', () => {
    for (const bad of ['0-10,5', '3,3', `0-1000,${DIGEST}`, '100-10,95-6']) {
      const e = errorOf(() => parsePartitionList(bad));
      expect(e.code).toBe('RANGE_OVERLAP');
      expect(e.message).toContain(`Range overlap in partition list '${bad}'`);
    }
    expect(parsePartitionList('100-10,95-5')).toHaveLength(2);
  });

  it('rejects a digest of the wrong length or bad base64', () => {
    const short = Buffer.alloc(19, 1).toString('base64');
    for (const bad of [short, 'AAAA', '7JEZLUt/jONdXXjTS8ply6qqyWA', '7JEZLUt/jONdXXjTS8ply6qqyW*=']) {
      expect(errorOf(() => parsePartitionList(bad)).code).toBe('INVALID_PARTITION_FILTER');
    }
  });
});

describe('parseAfterDigest', () => {
  it('gives the digest partition plus all later partitions', () => {
    expect(parseAfterDigest(DIGEST)).toEqual([
      { begin: 492, count: 1, digest: Buffer.from(DIGEST, 'base64') },
      { begin: 493, count: 4096 - 493 },
    ]);
  });

  it('gives only the digest filter for partition 4095', () => {
    const d = Buffer.alloc(20);
    d.writeUInt16LE(4095);
    expect(parseAfterDigest(d.toString('base64'))).toEqual([{ begin: 4095, count: 1, digest: d }]);
  });

  it('names the problem with a bad digest', () => {
    expect(errorOf(() => parseAfterDigest('AAAA')).message).toContain('digest must be 20 bytes, got 3');
    expect(errorOf(() => parseAfterDigest('A*AA')).message).toContain('invalid base64');
    expect(errorOf(() => parseAfterDigest('')).message).toContain("Error while parsing after-digest ''");
  });
});

describe('decodeDigest', () => {
  it('accepts exactly 20 bytes of padded base64', () => {
    expect(decodeDigest(DIGEST)).toHaveLength(20);
    expect(decodeDigest(Buffer.alloc(21).toString('base64'))).toBeUndefined();
  });
});

describe('checkSelectionExclusions', () => {
  it('applies the official exclusions with the official messages', () => {
    expect(() => checkSelectionExclusions({ partitionList: '0', afterDigest: DIGEST })).toThrow(
      'after-digest and partition-list arguments are mutually exclusive',
    );
    expect(() => checkSelectionExclusions({ nodeList: '1.2.3.4:3000', partitionList: '0' })).toThrow(
      'node-list is mutually exclusive with after-digest and partition-list',
    );
    expect(() => checkSelectionExclusions({ nodeList: '1.2.3.4:3000', afterDigest: DIGEST })).toThrow(
      'node-list is mutually exclusive',
    );
    expect(() => checkSelectionExclusions({ nodeList: '1.2.3.4:3000', maxRecords: 5 })).not.toThrow();
  });

  it('checks --max-records only in strict mode (asbackup does not enforce it)', () => {
    expect(() => checkSelectionExclusions({ partitionList: '0', maxRecords: 5 })).not.toThrow();
    expect(() => checkSelectionExclusions({ partitionList: '0', maxRecords: 5 }, true)).toThrow(
      'max-records is mutually exclusive',
    );
    expect(() => checkSelectionExclusions({ partitionList: '0', maxRecords: 0 }, true)).not.toThrow();
  });
});

describe('describeFilter', () => {
  it('uses the official job descriptions', () => {
    expect(describeFilter({ begin: 7, count: 1 })).toBe('partition 7');
    expect(describeFilter({ begin: 0, count: 1365 })).toBe('1365 partitions from 0 to 1364');
    expect(describeFilter({ begin: 492, count: 1, digest: Buffer.from(DIGEST, 'base64') })).toBe(
      `partition 492 after ${DIGEST}`,
    );
  });
});

describe('against the official -X 0-1000,2222 backup', () => {
  it('selects exactly the partitions of every record asbackup wrote', () => {
    const file = new URL(
      '../../../../shared/fixtures/official-backups/plist/test_00000.asb',
      import.meta.url,
    );
    const digests = [...readFileSync(file, 'latin1').matchAll(/^\+ d ([A-Za-z0-9+/]{27}=)$/gm)].map((m) =>
      Buffer.from(m[1], 'base64'),
    );
    const filters = parsePartitionList('0-1000,2222');
    const inside = (p: number) => filters.some((f) => p >= f.begin && p < f.begin + f.count);
    expect(digests.length).toBeGreaterThan(10);
    expect(digests.filter((d) => !inside(partitionIdOf(d)))).toEqual([]);
  });
});
