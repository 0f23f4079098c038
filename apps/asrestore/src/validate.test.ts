import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { FIXTURES, run, summaryOf, tempDir } from './testing.test-helper.js';

// No cluster listens on port 1: --validate must not try to connect.
const NO_CLUSTER = ['-h', '127.0.0.1:1'];

describe('--validate', () => {
  it('passes a good file and prints a summary', async () => {
    const r = await run([...NO_CLUSTER, '--validate', '-i', `${FIXTURES}test_backup_file.asb`]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.lines[0]).toBe(`INF Starting validation of ${FIXTURES}test_backup_file.asb`);
    const size = readFileSync(`${FIXTURES}test_backup_file.asb`).length;
    expect(r.lines).toContain(
      `INF Validated 1 backup file(s): 1 record(s), 0 secondary index(es), 0 UDF file(s), ${size} byte(s)`,
    );
    expect(summaryOf(r.lines).inserted).toBe(0);
  });

  it('fails a bad file with file, line and column', async () => {
    const bad = `${FIXTURES}test_bad_backup_file.asb`;
    const r = await run([...NO_CLUSTER, '--validate', '-i', bad]);
    expect(r.code).toBe(1);
    expect(r.lines).toContain(`ERR Invalid bytes label "x" (file ${bad}, line 13, col 3)`);
    expect(r.lines).toContain(`ERR Error while parsing backup file ${bad} (line 13)`);
  });

  it('counts records, indexes and UDFs of a directory and stops at the first bad file', async () => {
    const good = await run([...NO_CLUSTER, '--validate', '-d', `${FIXTURES}official-backups/par4`]);
    expect(good.code).toBe(0);
    expect(good.lines).toContain(`INF Found 4 backup file(s) in ${FIXTURES}official-backups/par4`);
    expect(good.stderr).toMatch(
      /Validated 4 backup file\(s\): 163 record\(s\), 3 secondary index\(es\), 1 UDF file\(s\)/,
    );

    const dir = tempDir();
    copyFileSync(`${FIXTURES}test_bad_backup_file.asb`, join(dir, 'a_bad.asb'));
    copyFileSync(`${FIXTURES}official-backups/full/test_00000.asb`, join(dir, 'b_good.asb'));
    const r = await run([...NO_CLUSTER, '--validate', '-d', dir]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('a_bad.asb, line 13, col 3');
    expect(r.stderr).not.toContain(`Validating ${join(dir, 'b_good.asb')}`);
    expect(r.stderr).toContain(`Validating ${join(dir, 'a_bad.asb')}`);
  });

  it('reads compressed and encrypted files with the key', async () => {
    const key = `${FIXTURES}test_key.pem`;
    const r = await run([
      ...NO_CLUSTER,
      '--validate',
      '-i',
      `${FIXTURES}generated/example_plain.zstd-aes256-multiframe.asb`,
      '--compress',
      'zstd',
      '--encrypt',
      'aes256',
      '--encryption-key-file',
      key,
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(
      /Validated 1 backup file\(s\): 2 record\(s\), 3 secondary index\(es\), 1 UDF file\(s\), 513 byte\(s\)/,
    );
    // Short flags as in the C source: -z compress, -y encrypt.
    const short = await run([
      ...NO_CLUSTER,
      '--validate',
      '-i',
      `${FIXTURES}generated/example_plain.zstd-aes256-multiframe.asb`,
      '-z',
      'zstd',
      '-y',
      'aes256',
      '--encryption-key-file',
      key,
    ]);
    expect(short.code, short.stderr).toBe(0);
    const zstd = await run([
      ...NO_CLUSTER,
      '--validate',
      '-i',
      `${FIXTURES}generated/test_backup_file.zstd.asb`,
      '--compress',
      'zstd',
    ]);
    expect(zstd.code, zstd.stderr).toBe(0);
  });

  it('fails with a clear message for a wrong key, a bad key file, or a missing -y', async () => {
    const file = `${FIXTURES}generated/test_backup_file.aes128.asb`;
    const wrong = await run([
      ...NO_CLUSTER,
      '--validate',
      '-i',
      file,
      '--encrypt',
      'aes128',
      '--encryption-key-file',
      `${FIXTURES}test_key2.pem`,
    ]);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/\[ERR\].*(key|decrypt)/i);
    const badPem = await run([
      ...NO_CLUSTER,
      '--validate',
      '-i',
      file,
      '--encrypt',
      'aes128',
      '--encryption-key-file',
      `${FIXTURES}bad_test_key.pem`,
    ]);
    expect(badPem.code).toBe(1);
    expect(badPem.stderr).toMatch(/\[ERR\]/);
    // Without decryption the bytes are not an .asb file.
    const plain = await run([...NO_CLUSTER, '--validate', '-i', file]);
    expect(plain.code).toBe(1);
    expect(plain.stderr).toMatch(/\[ERR\]/);
  });

  it('validates stdin', async () => {
    const bytes = readFileSync(`${FIXTURES}official-backups/full-compact.asb`);
    const r = await run([...NO_CLUSTER, '--validate', '-i', '-'], { stdin: Readable.from([bytes]) });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(
      `Validated 1 backup file(s): 163 record(s), 3 secondary index(es), 1 UDF file(s), ${bytes.length} byte(s)`,
    );
  });

  it('reports a truncated file', async () => {
    const dir = tempDir();
    const bytes = readFileSync(`${FIXTURES}test_backup_file.asb`);
    const file = join(dir, 'cut.asb');
    writeFileSync(file, bytes.subarray(0, bytes.length - 5));
    const r = await run([...NO_CLUSTER, '--validate', '-i', file]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/cut\.asb, line \d+, col \d+\)/);
  });
});
