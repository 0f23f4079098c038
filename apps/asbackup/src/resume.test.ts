// Interrupted and failed backups save a state; `--continue` finishes them with every record
// exactly once in the union of the files.
import { existsSync } from 'node:fs';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { compareRecords } from '@asbkit/aerospike-emulator/test';
import type { AsbRecord } from '@asbkit/asb-format';
import { afterEach, describe, expect, it } from 'vitest';
import { loadState } from './state.js';
import {
  duplicateDigests,
  KEY_FILE,
  readDirRecords,
  readEntries,
  runMain,
  sortByDigest,
  useBackupFixture,
} from './test-helpers/testing.js';

const COUNT = 3000;
const { emu, data, fresh } = useBackupFixture(COUNT, { namespaces: ['test'], nodes: 2 });
afterEach(() => emu.current.clearFaults());

const base = () => ['-h', emu.current.hosts, '-n', 'test'];

/** Runs main and aborts it (as SIGINT would) as soon as the first job has started. */
async function interruptedRun(argv: string[], cwd?: string) {
  const controller = new AbortController();
  return runMain(argv, {
    signal: controller.signal,
    cwd,
    stderr: {
      write: (s: string) => {
        captured += s;
        if (s.includes('Starting backup for')) controller.abort();
      },
    },
  }).then((r) => ({ ...r, stderr: captured }));
}
let captured = '';

const records = (entries: Awaited<ReturnType<typeof readEntries>>) =>
  entries.filter((e): e is AsbRecord => e.kind === 'record');

describe('resume after an interrupt', () => {
  it('directory mode, --parallel 4: state saved, --continue completes exactly once', async () => {
    captured = '';
    const dir = fresh();
    const args = [...base(), '-d', dir, '--parallel', '4', '-z', 'zstd'];
    const first = await interruptedRun(args);
    expect(first.code).toBe(1);
    expect(first.stderr).toContain('### Backup interrupted ###');
    const statePath = join(dir, 'test.asb.state');
    expect(first.stderr).toContain(`run backup with \`--continue ${statePath}\``);
    const state = await loadState(statePath);
    const partial = await readDirRecords(dir, { compress: true });
    expect(partial.length).toBeGreaterThan(0);
    expect(partial.length).toBeLessThan(COUNT);
    expect(state.records).toBe(partial.length);
    expect((await readdir(dir)).filter((f) => f.endsWith('.part'))).toEqual([]);

    const second = await runMain([...args, '--continue', statePath]);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stderr).toMatch(new RegExp(`Backed up ${COUNT} record\\(s\\)`));
    const all = await readDirRecords(dir, { compress: true });
    expect(duplicateDigests(all)).toEqual([]);
    expect(compareRecords(data, all)).toEqual([]);
  });

  it('single file with zstd + aes256: the resumed file is one valid stream', async () => {
    captured = '';
    const file = `${fresh()}.asb`;
    const args = [
      ...base(),
      '-o',
      file,
      '-z',
      'zstd',
      '-y',
      'aes256',
      '--encryption-key-file',
      KEY_FILE,
      '--parallel',
      '2',
    ];
    const first = await interruptedRun(args);
    expect(first.code).toBe(1);
    const state = await loadState(`${file}.state`);
    expect(state.singleFile?.ctr).toBeDefined();
    const second = await runMain([...args, '--continue', `${file}.state`]);
    expect(second.code, second.stderr).toBe(0);
    const entries = await readEntries(file, { compress: true, encrypt: 'aes256' });
    expect(entries.filter((e) => e.kind === 'header')).toHaveLength(1);
    const all = sortByDigest(records(entries));
    expect(duplicateDigests(all)).toEqual([]);
    expect(compareRecords(data, all)).toEqual([]);
  });

  it('stdout with aes128: the two runs appended are one valid backup', async () => {
    captured = '';
    const cwd = fresh();
    await import('node:fs/promises').then((fs) => fs.mkdir(cwd));
    const args = [...base(), '-o', '-', '-y', 'aes128', '--encryption-key-file', KEY_FILE];
    const first = await interruptedRun(args, cwd);
    expect(first.code).toBe(1);
    expect(existsSync(join(cwd, 'test.asb.state'))).toBe(true);
    const second = await runMain([...args, '--continue', join(cwd, 'test.asb.state')], { cwd });
    expect(second.code, second.stderr).toBe(0);
    const joined = Buffer.concat([first.stdout, second.stdout]);
    const all = sortByDigest(records(await readEntries(joined, { encrypt: 'aes128' })));
    expect(duplicateDigests(all)).toEqual([]);
    expect(compareRecords(data, all)).toEqual([]);
  });

  it('--state-file-dst puts the state where asked; a state of another namespace is refused', async () => {
    captured = '';
    const dir = fresh();
    const dst = `${fresh()}.state`;
    const first = await interruptedRun([...base(), '-d', dir, '--state-file-dst', dst]);
    expect(first.code).toBe(1);
    expect(existsSync(dst)).toBe(true);
    const wrong = await runMain(['-h', emu.current.hosts, '-n', 'other', '-d', dir, '--continue', dst]);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain('is for namespace test');
  });
  it('--continue into a directory that does not match the state touches nothing', async () => {
    captured = '';
    const dir = fresh();
    const first = await interruptedRun([...base(), '-d', dir]);
    expect(first.code).toBe(1);
    const other = fresh();
    await mkdir(other);
    await writeFile(join(other, 'test_00007.asb'), 'Version 3.1\n');
    const run = await runMain([...base(), '-d', other, '--continue', join(dir, 'test.asb.state')]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/\[ERR\] .*Backup file .*test_00000\.asb of the saved state is missing/);
    expect(await readdir(other)).toEqual(['test_00007.asb']);
  });
});

describe('multi-node cluster faults', () => {
  it('connections dropped mid-scan and partitions moving are retried without loss or duplicates', async () => {
    const dir = fresh();
    emu.current.setFaults({
      closeQueryAfterRecords: { records: 10, times: 3 },
      movePartitionsMidQuery: {
        afterRecords: 5,
        partitions: emu.current.masterPartitions(0).slice(0, 500),
        toNode: 1,
      },
    });
    const run = await runMain([...base(), '-d', dir, '--parallel', '2']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr.match(/Retrying/g)?.length ?? 0).toBeGreaterThanOrEqual(2);
    const all = await readDirRecords(dir);
    expect(duplicateDigests(all)).toEqual([]);
    expect(compareRecords(data, all)).toEqual([]);
  });

  it('partitions that stay unavailable fail the run with a state; --continue finishes it', async () => {
    const dir = fresh();
    emu.current.setFaults({ unavailablePartitions: [7, 8, 2000] });
    const args = [...base(), '-d', dir, '--max-retries', '1'];
    const first = await runMain(args);
    expect(first.code).toBe(1);
    expect(first.stderr).toMatch(/\[ERR\] .*scan of test failed for \d+ partitions after 1 retries/);
    expect(first.stderr).toContain('--continue');
    emu.current.clearFaults();
    const second = await runMain([...args, '--continue', join(dir, 'test.asb.state')]);
    expect(second.code, second.stderr).toBe(0);
    const all = await readDirRecords(dir);
    expect(duplicateDigests(all)).toEqual([]);
    expect(compareRecords(data, all)).toEqual([]);
  });

  it('--node-list backs up the partitions mastered by the listed node only', async () => {
    const node = emu.current.nodes[1]!;
    const dir = fresh();
    const run = await runMain(['-n', 'test', '-d', dir, '-l', `${node.host}:${node.port}`]);
    expect(run.code, run.stderr).toBe(0);
    const owned = new Set(emu.current.masterPartitions(1));
    const want = data.filter((r) => owned.has(r.digest.readUInt16LE(0) & 0xfff));
    expect(want.length).toBeGreaterThan(0);
    expect(want.length).toBeLessThan(COUNT);
    expect(compareRecords(want, await readDirRecords(dir))).toEqual([]);
  });

  it('--node-list resumes the saved partitions even after they moved to another node', async () => {
    captured = '';
    const node = emu.current.nodes[0]!;
    const owned = emu.current.masterPartitions(0);
    const want = data.filter((r) => new Set(owned).has(r.digest.readUInt16LE(0) & 0xfff));
    const dir = fresh();
    const args = ['-n', 'test', '-d', dir, '-l', `${node.host}:${node.port}`, '--parallel', '2'];
    const first = await interruptedRun(args);
    expect(first.code).toBe(1);
    emu.current.movePartitions(owned.slice(0, 100), 1);
    try {
      const second = await runMain([...args, '--continue', join(dir, 'test.asb.state')]);
      expect(second.code, second.stderr).toBe(0);
    } finally {
      emu.current.movePartitions(owned.slice(0, 100), 0);
    }
    const all = await readDirRecords(dir);
    expect(duplicateDigests(all)).toEqual([]);
    expect(compareRecords(want, all)).toEqual([]);
  });
});
