// A backup by asbkit of the official data set equals the official backups of it, record for
// record (order inside a scan is not defined, so records are compared by digest).
import { join } from 'node:path';
import { compareRecords, useEmulator } from '@asbkit/aerospike-emulator/test';
import type { AsbEntry } from '@asbkit/asb-format';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectedRecords, seedOfficialData } from './test-helpers/fixture-data.js';
import { OFFICIAL, readDirRecords, readEntries, runMain, tempDir } from './test-helpers/testing.js';

const emu = useEmulator({ namespaces: ['test'] });
let work: Awaited<ReturnType<typeof tempDir>>;

beforeAll(async () => {
  await seedOfficialData(emu.current);
  work = await tempDir();
});
afterAll(() => work.remove());

const hostArgs = () => ['-h', emu.current.hosts, '-n', 'test'];
const globalsOf = (entries: AsbEntry[]) => entries.filter((e) => e.kind !== 'record');

describe('backup of the official data set', () => {
  it('-d full: same records, same header, indexes and UDFs as the official file', async () => {
    const dir = join(work.path, 'full');
    const run = await runMain([...hostArgs(), '-d', dir]);
    expect(run.stderr).toMatch(
      /Backed up 163 record\(s\), 3 secondary index\(es\), 1 UDF file\(s\), \d+ byte\(s\) in total/,
    );
    expect(run.code).toBe(0);
    const official = await readEntries(join(OFFICIAL, 'full', 'test_00000.asb'));
    const ours = await readEntries(join(dir, 'test_00000.asb'));
    expect(globalsOf(ours)).toEqual(globalsOf(official));
    expect(compareRecords(await expectedRecords(), await readDirRecords(dir))).toEqual([]);
  });

  it('-X 0-1000,2222 equals plist/', async () => {
    const dir = join(work.path, 'plist');
    const run = await runMain([...hostArgs(), '-d', dir, '-X', '0-1000,2222']);
    expect(run.code).toBe(0);
    expect(run.stderr).toContain('Completed backup for 1000 partitions from 0 to 999');
    expect(run.stderr).toContain('Completed backup for partition 2222');
    const want = await expectedRecords(join(OFFICIAL, 'plist', 'test_00000.asb'));
    expect(want.length).toBeGreaterThan(0);
    expect(compareRecords(want, await readDirRecords(dir))).toEqual([]);
  });

  it('-s types -B s,i equals binlist/ (index of another set skipped)', async () => {
    const dir = join(work.path, 'binlist');
    const run = await runMain([...hostArgs(), '-d', dir, '-s', 'types', '-B', 's,i']);
    expect(run.code).toBe(0);
    expect(run.stderr).toContain('Skipped 1 index(es) with unwanted set(s)');
    const officialFile = join(OFFICIAL, 'binlist', 'test_00000.asb');
    expect(globalsOf(await readEntries(join(dir, 'test_00000.asb')))).toEqual(
      globalsOf(await readEntries(officialFile)),
    );
    expect(compareRecords(await expectedRecords(officialFile), await readDirRecords(dir))).toEqual([]);
  });

  it('-s ttl --no-bins equals nobins/', async () => {
    const dir = join(work.path, 'nobins');
    const run = await runMain([...hostArgs(), '-d', dir, '-s', 'ttl', '--no-bins']);
    expect(run.code).toBe(0);
    const want = await expectedRecords(join(OFFICIAL, 'nobins', 'test_00000.asb'));
    expect(want).toHaveLength(50);
    expect(compareRecords(want, await readDirRecords(dir))).toEqual([]);
  });

  it('--filter-exp matching nothing equals fexp/ (header and globals only)', async () => {
    const dir = join(work.path, 'fexp');
    const run = await runMain([...hostArgs(), '-d', dir, '--filter-exp', 'kwGTUQOkbmFtZaQDYm9i']);
    expect(run.code).toBe(0);
    expect(await readDirRecords(dir)).toEqual([]);
    expect(run.stderr).toContain('Backed up 0 record(s)');
  });

  it('--parallel 4 -C -o file: the same records in one compact file', async () => {
    const file = join(work.path, 'par4.asb');
    const run = await runMain([...hostArgs(), '-o', file, '--parallel', '4', '--compact']);
    expect(run.code).toBe(0);
    const entries = await readEntries(file);
    expect(entries.filter((e) => e.kind === 'header')).toHaveLength(1);
    const records = entries.filter((e) => e.kind === 'record');
    expect(compareRecords(await expectedRecords(), records)).toEqual([]);
  });
});
