import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UsageError } from './errors.js';
import {
  parseBackupNice,
  parseBackupSetList,
  parseCInteger,
  parseDateTime,
  parseRestoreNice,
  parseTrimmedList,
} from './values.js';

const message = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    return (e as UsageError).message;
  }
  return 'no error';
};
/** The error `f` throws; fails the test when it throws nothing. */
const thrown = (f: () => unknown): UsageError => {
  try {
    f();
  } catch (e) {
    return e as UsageError;
  }
  throw new Error('expected an error');
};

describe('integers like strtol', () => {
  it('accepts whole decimal strings only', () => {
    expect(parseCInteger('42')).toBe(42n);
    expect(parseCInteger(' -7')).toBe(-7n);
    expect(parseCInteger('+3')).toBe(3n);
    expect(parseCInteger('')).toBeUndefined();
    expect(parseCInteger('3005abc')).toBeUndefined();
    expect(parseCInteger('1.5')).toBeUndefined();
  });
});

describe('-a/-b times in local time', () => {
  let tz: string | undefined;
  beforeAll(() => {
    tz = process.env.TZ;
    process.env.TZ = 'America/New_York';
  });
  afterAll(() => {
    process.env.TZ = tz;
    if (tz === undefined) delete process.env.TZ;
  });
  it('parses the three forms to ns since the epoch', () => {
    expect(parseDateTime('2016-05-12_08:10:30')).toBe(1463055030n * 1_000_000_000n);
    expect(parseDateTime('2016-01-12')).toBe(1452574800n * 1_000_000_000n);
    const now = new Date(Date.UTC(2020, 6, 1, 16, 0, 0)); // 12:00 EDT
    expect(parseDateTime('01:02:03', now)).toBe(
      BigInt(Date.UTC(2020, 6, 1, 5, 2, 3) / 1000) * 1_000_000_000n,
    );
  });
  it('rejects bad forms with the official lines', () => {
    expect(message(() => parseDateTime('2016-05-12 08:10:30'))).toBe(
      'Invalid date and time string 2016-05-12 08:10:30',
    );
    expect(thrown(() => parseDateTime('1800-01-01')).detailLines).toEqual([
      'Date format error in 1800-01-01',
    ]);
    expect(message(() => parseDateTime('yesterday'))).toBe('Invalid date and time string yesterday');
  });
});

describe('comma lists', () => {
  it('asbackup -s honours quotes and keeps spaces', () => {
    expect(parseBackupSetList('a,b')).toEqual(['a', 'b']);
    expect(parseBackupSetList(`"a,b",'c',d `)).toEqual(['a,b', 'c', 'd ']);
    expect(message(() => parseBackupSetList('"a'))).toBe('Missing terminating " in set name');
    expect(message(() => parseBackupSetList('"a"b'))).toBe("Require ',' to delineate set names");
    expect(message(() => parseBackupSetList('x'.repeat(64)))).toBe(
      'Set name must be no longer than 63 characters',
    );
    expect(parseBackupSetList('x'.repeat(63))).toHaveLength(1);
  });
  it('restore lists are trimmed and limited', () => {
    expect(parseTrimmedList('bin', 16, ' a , b')).toEqual(['a', 'b']);
    expect(message(() => parseTrimmedList('bin', 16, ''))).toBe('Error while parsing bin list');
    expect(thrown(() => parseTrimmedList('bin', 16, 'a,,b')).detailLines).toEqual([
      'Item with invalid length in bin list a,,b',
    ]);
    expect(message(() => parseTrimmedList('bin', 16, 'x'.repeat(16)))).toBe('Error while parsing bin list');
  });
});

describe('-N bandwidth forms', () => {
  it('asbackup MiB/s', () => {
    expect(parseBackupNice('2')).toBe(2 * 1048576);
    expect(message(() => parseBackupNice('0'))).toBe('Invalid bandwidth value 0');
  });
  it('asrestore MiB/s,TPS', () => {
    expect(parseRestoreNice('10, 500')).toEqual({ bandwidth: 10 * 1048576, tps: 500 });
    expect(message(() => parseRestoreNice('10'))).toBe('Invalid nice option');
    expect(message(() => parseRestoreNice('x,5'))).toBe('Invalid bandwidth value x');
    expect(message(() => parseRestoreNice('5,0'))).toBe('Invalid TPS value 0');
    expect(message(() => parseRestoreNice('5,'))).toBe('Error while parsing nice list');
  });
});
