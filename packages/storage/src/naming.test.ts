import { describe, expect, it } from 'vitest';
import {
  backupFileName,
  compareBackupNames,
  isBackupFileName,
  isPartialBackupFileName,
  isS3Url,
} from './naming.js';

describe('backup file names', () => {
  it('pads to five digits and grows past 99999 keeping the .asb extension', () => {
    expect(backupFileName('test', 0)).toBe('test_00000.asb');
    expect(backupFileName('test', 42)).toBe('test_00042.asb');
    expect(backupFileName('test', 99999)).toBe('test_99999.asb');
    expect(backupFileName('test', 100000)).toBe('test_100000.asb');
    expect(backupFileName('a', 12345678)).toBe('a_12345678.asb');
  });

  it('rejects bad indexes', () => {
    expect(() => backupFileName('t', -1)).toThrow(RangeError);
    expect(() => backupFileName('t', 1.5)).toThrow(RangeError);
  });

  it('recognises backup and partial names like the official tool', () => {
    expect(isBackupFileName('x.asb')).toBe(true);
    expect(isBackupFileName('.asb')).toBe(false);
    expect(isBackupFileName('x.asb.part')).toBe(false);
    expect(isBackupFileName('x.ASB')).toBe(false);
    expect(isPartialBackupFileName('x_00001.asb.part')).toBe(true);
    expect(isS3Url('S3://bucket/key')).toBe(true);
    expect(isS3Url('s3:/bucket')).toBe(false);
  });

  it('orders numbered names by value, then by text', () => {
    const names = ['test_100000.asb', 'test_99999.asb', 'b.asb', 'test_00002.asb', 'test_00010.asb', 'a.asb'];
    expect([...names].sort(compareBackupNames)).toEqual([
      'a.asb',
      'b.asb',
      'test_00002.asb',
      'test_00010.asb',
      'test_99999.asb',
      'test_100000.asb',
    ]);
    expect(compareBackupNames('x_1.asb', 'x_01.asb')).not.toBe(0);
    expect(compareBackupNames('x_1.asb', 'x_1.asb')).toBe(0);
  });
});
