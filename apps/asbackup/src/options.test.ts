// Option families of asbackup against an emulator holding generated records.
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { compareRecords } from '@asbkit/aerospike-emulator/test';
import type { AsbRecord } from '@asbkit/asb-format';
import { describe, expect, it } from 'vitest';
import { seedOfficialData } from './test-helpers/fixture-data.js';
import {
  type ReadOptions,
  readDirRecords,
  readEntries,
  runMain,
  sortByDigest,
  useBackupFixture,
} from './test-helpers/testing.js';

const COUNT = 6000;
const { emu, data, fresh } = useBackupFixture(COUNT, { namespaces: ['test', 'other'] }, seedOfficialData);

const base = () => ['-h', emu.current.hosts, '-n', 'test', '-s', 'gen'];
const recordsOf = (entries: Awaited<ReturnType<typeof readEntries>>) =>
  sortByDigest(entries.filter((e): e is AsbRecord => e.kind === 'record'));

const layers: [string, string[], ReadOptions][] = [
  ['plain', [], {}],
  ['zstd', ['-z', 'zstd', '--compression-level', '5'], { compress: true }],
  ['aes128', ['-y', 'aes128', '--encryption-key-file', 'KEY'], { encrypt: 'aes128' }],
  [
    'zstd+aes256',
    ['-z', 'zstd', '-y', 'aes256', '--encryption-key-file', 'KEY'],
    { compress: true, encrypt: 'aes256' },
  ],
];
const withKey = (args: string[]) =>
  args.map((a) =>
    a === 'KEY' ? new URL('../../../../shared/fixtures/test_key.pem', import.meta.url).pathname : a,
  );

describe('output modes × compression × encryption', () => {
  for (const [name, args, read] of layers) {
    it(`directory, ${name}, --parallel 3, -F 1 rotation`, async () => {
      const dir = fresh();
      const run = await runMain([...base(), '-d', dir, '--parallel', '3', '-F', '1', ...withKey(args)]);
      expect(run.code, run.stderr).toBe(0);
      const names = (await readdir(dir)).sort();
      expect(names.every((f) => /^test_\d{5}\.asb$/.test(f))).toBe(true);
      expect(names.length).toBeGreaterThanOrEqual(3);
      expect(compareRecords(data, await readDirRecords(dir, read))).toEqual([]);
      // Every file starts with a header; exactly one has the first-file marker.
      let firstFiles = 0;
      for (const f of names) {
        const entries = await readEntries(join(dir, f), read);
        expect(entries[0]?.kind).toBe('header');
        if (entries[0]?.kind === 'header' && entries[0].firstFile) firstFiles++;
      }
      expect(firstFiles).toBe(1);
    });

    it(`single file, ${name}`, async () => {
      const file = `${fresh()}.asb`;
      const run = await runMain([...base(), '-o', file, '--parallel', '2', ...withKey(args)]);
      expect(run.code, run.stderr).toBe(0);
      expect(compareRecords(data, recordsOf(await readEntries(file, read)))).toEqual([]);
    });
  }

  it('-o - writes the backup to stdout and nothing else', async () => {
    const run = await runMain([...base(), '-o', '-', '-z', 'zstd']);
    expect(run.code, run.stderr).toBe(0);
    expect(compareRecords(data, recordsOf(await readEntries(run.stdout, { compress: true })))).toEqual([]);
    expect(run.stderr).toContain('to [stdout]');
  });
});

describe('files and naming', () => {
  it('-q sets the file prefix; an existing backup is refused without -r and replaced with it', async () => {
    const dir = fresh();
    expect((await runMain([...base(), '-d', dir, '-q', 'night'])).code).toBe(0);
    expect(await readdir(dir)).toEqual(['night_00000.asb']);
    const again = await runMain([...base(), '-d', dir, '-q', 'night']);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/\[ERR\] .*seems to contain an existing backup; use -r to clear directory/);
    expect(await readdir(dir)).toEqual(['night_00000.asb']);
    expect((await runMain([...base(), '-d', dir, '-q', 'night', '-r'])).code).toBe(0);
    expect(compareRecords(data, await readDirRecords(dir))).toEqual([]);
  });

  it('-F 1 rotates a single job into several files, each a complete backup file', async () => {
    const dir = fresh();
    const run = await runMain([...base(), '-d', dir, '-F', '1']);
    expect(run.code, run.stderr).toBe(0);
    const names = (await readdir(dir)).sort();
    expect(names).toEqual(['test_00000.asb', 'test_00001.asb']);
    const second = await readEntries(join(dir, 'test_00001.asb'));
    expect(second[0]).toMatchObject({ kind: 'header', firstFile: false, namespace: 'test' });
    expect(compareRecords(data, await readDirRecords(dir))).toEqual([]);
  });

  it('an existing output file is refused without -r', async () => {
    const file = `${fresh()}.asb`;
    await writeFile(file, 'keep me');
    const run = await runMain([...base(), '-o', file]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('already exists; use -r to remove');
    expect(await readFile(file, 'utf8')).toBe('keep me');
  });

  it('-r replaces an existing output file; --remove-artifacts -o removes it', async () => {
    const file = `${fresh()}.asb`;
    await writeFile(file, 'old');
    expect((await runMain([...base(), '-o', file, '-r'])).code).toBe(0);
    expect(compareRecords(data, recordsOf(await readEntries(file)))).toEqual([]);
    const run = await runMain(['-n', 'test', '-o', file, '--remove-artifacts']);
    expect(run.code, run.stderr).toBe(0);
    expect(existsSync(file)).toBe(false);
  });

  it('--remove-artifacts removes the backup files and the emptied directory', async () => {
    const dir = fresh();
    expect((await runMain([...base(), '-d', dir])).code).toBe(0);
    const run = await runMain(['-n', 'test', '-d', dir, '--remove-artifacts']);
    expect(run.code, run.stderr).toBe(0);
    expect(existsSync(dir)).toBe(false);
  });
});

describe('selection', () => {
  it('-M caps the record count', async () => {
    const dir = fresh();
    const run = await runMain([...base(), '-d', dir, '-M', '100']);
    expect(run.code, run.stderr).toBe(0);
    const got = await readDirRecords(dir);
    expect(got.length).toBeGreaterThanOrEqual(100);
    expect(got.length).toBeLessThan(COUNT);
  });

  it('-R writes only header and globals; -I and -u leave indexes and UDFs out', async () => {
    const dir = fresh();
    expect((await runMain(['-h', emu.current.hosts, '-n', 'test', '-d', dir, '-R'])).code).toBe(0);
    const entries = await readEntries(join(dir, 'test_00000.asb'));
    expect(entries.filter((e) => e.kind === 'record')).toEqual([]);
    expect(entries.filter((e) => e.kind === 'sindex')).toHaveLength(3);
    expect(entries.filter((e) => e.kind === 'udf')).toHaveLength(1);
    const dir2 = fresh();
    expect((await runMain(['-h', emu.current.hosts, '-n', 'test', '-d', dir2, '-R', '-I', '-u'])).code).toBe(
      0,
    );
    const bare = await readEntries(join(dir2, 'test_00000.asb'));
    expect(bare.map((e) => e.kind)).toEqual(['header']);
    expect(bare[0]).toMatchObject({ firstFile: true, namespace: 'test' });
  });

  it('--no-ttl-only keeps only never-expiring records; -a in the future selects nothing', async () => {
    const dir = fresh();
    expect(
      (await runMain(['-h', emu.current.hosts, '-n', 'test', '-d', dir, '--no-ttl-only', '-s', 'ttl'])).code,
    ).toBe(0);
    expect(await readDirRecords(dir)).toEqual([]);
    const dir2 = fresh();
    const run = await runMain([...base(), '-d', dir2, '-a', '2099-01-01']);
    expect(run.code, run.stderr).toBe(0);
    expect(await readDirRecords(dir2)).toEqual([]);
    const dir3 = fresh();
    expect((await runMain([...base(), '-d', dir3, '-b', '2099-01-01'])).code).toBe(0);
    expect(await readDirRecords(dir3)).toHaveLength(COUNT);
  });

  it('-D after-digest backs up the rest of the digest partition and all later partitions', async () => {
    const pivot = data[Math.floor(COUNT / 2)]!;
    const dir = fresh();
    const run = await runMain([...base(), '-d', dir, '-D', pivot.digest.toString('base64')]);
    expect(run.code, run.stderr).toBe(0);
    const part = (d: Buffer) => d.readUInt16LE(0) & 0xfff;
    const p0 = part(pivot.digest);
    const got = await readDirRecords(dir);
    // Same partition: records after the pivot in the server's (descending digest) order.
    const want = data.filter(
      (r) => part(r.digest) > p0 || (part(r.digest) === p0 && Buffer.compare(r.digest, pivot.digest) < 0),
    );
    expect(compareRecords(want, got)).toEqual([]);
  });

  it('-N bandwidth and -L records-per-second still back up everything', async () => {
    const dir = fresh();
    const run = await runMain([...base(), '-d', dir, '-N', '100', '-L', '1000000']);
    expect(run.code, run.stderr).toBe(0);
    expect(await readDirRecords(dir)).toHaveLength(COUNT);
  });
});

describe('estimate, machine output, logs', () => {
  it('-e prints the record size bound and the file size; -m gets ESTIMATE', async () => {
    const machine = `${fresh()}.machine`;
    const run = await runMain([...base(), '-e', '--estimate-samples', '500', '-m', machine]);
    expect(run.code, run.stderr).toBe(0);
    const upper = Number(/Estimated overall record size is (\d+) byte\(s\)/.exec(run.stderr)?.[1]);
    expect(upper).toBeGreaterThan(200);
    expect(upper).toBeLessThan(300);
    const total = Number(/99\.9% confidence\): (\d+) byte\(s\)/.exec(run.stderr)?.[1]);
    expect(total).toBeGreaterThan(COUNT * 200);
    expect(await readFile(machine, 'utf8')).toBe(`ESTIMATE:${COUNT}:${upper}\n`);
  });

  it('-e with -z reports the compression ratio', async () => {
    const run = await runMain([...base(), '-e', '-z', 'zstd']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/Estimated overall record size before compression is \d+ byte\(s\)/);
    expect(run.stderr).toMatch(/Approximate compression ratio is [\d.]+%/);
  });

  it('-m writes the SUMMARY line; the log has the official lines', async () => {
    const machine = `${fresh()}.machine`;
    const dir = fresh();
    const run = await runMain([...base(), '-d', dir, '-m', machine]);
    expect(run.code).toBe(0);
    const m =
      /Backed up (\d+) record\(s\), (\d+) secondary index\(es\), (\d+) UDF file\(s\), (\d+) byte\(s\) in total \(~(\d+) B\/rec\)$/m.exec(
        run.stderr,
      );
    expect(m?.[1]).toBe(String(COUNT));
    const size = (await readdir(dir)).length;
    expect(size).toBe(1);
    const bytes = (await readFile(join(dir, 'test_00000.asb'))).length;
    expect(Number(m?.[4])).toBe(bytes);
    expect((await readFile(machine, 'utf8')).trim().split('\n').at(-1)).toBe(
      `SUMMARY:${COUNT}:${m?.[2]}:${m?.[3]}:${bytes}:${Math.floor(bytes / COUNT)}`,
    );
    expect(run.stderr).toMatch(
      /^\d{4}-\d{2}-\d{2} \d{1,2}:\d{2}:\d{2} (GMT|UTC) \[INF\] \[[\s\d]+\] Starting backup of /m,
    );
    expect(run.stderr).toContain('Set gen contains 6000 record(s)');
    expect(run.stderr).toContain('Completed backup for 4096 partitions from 0 to 4095, records: 6000');
  });
});

describe('machine progress', () => {
  it('-m gets PROGRESS and REMAINING lines once a second while the scan runs, then SUMMARY', async () => {
    const machine = `${fresh()}.machine`;
    emu.current.setFaults({ replyDelayMs: 30 });
    try {
      // 16 scan requests (256-partition slices) of several reply protos, each delayed 30 ms: about
      // three seconds.
      const run = await runMain([...base(), '-d', fresh(), '-m', machine]);
      expect(run.code, run.stderr).toBe(0);
    } finally {
      emu.current.clearFaults();
    }
    const lines = (await readFile(machine, 'utf8')).trim().split('\n');
    expect(lines.some((l) => /^PROGRESS:\d+$/.test(l))).toBe(true);
    expect(lines.every((l) => /^(PROGRESS:\d+|REMAINING:[\dhms]+|SUMMARY:[\d:]+)$/.test(l))).toBe(true);
    expect(lines.at(-1)).toMatch(new RegExp(`^SUMMARY:${COUNT}:`));
  });
});

describe('progress bar', () => {
  it('draws on a terminal and stays silent in pipes and CI', async () => {
    let tty = '';
    const onTty = await runMain([...base(), '-d', fresh()], {
      env: { HOME: '/nonexistent' },
      stderr: { isTTY: true, write: (s: string) => (tty += s) },
    });
    expect(onTty.code).toBe(0);
    expect(tty).toMatch(/\r.*rec\/s.*MiB\/s/);
    const piped = await runMain([...base(), '-d', fresh()], { env: { HOME: '/nonexistent' } });
    expect(piped.stderr).not.toContain('\r');
  });
});

describe('errors', () => {
  it('--help and --version exit 0 on stdout', async () => {
    const help = await runMain(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout.toString()).toContain('--namespace');
    const version = await runMain(['--version']);
    expect(version.code).toBe(0);
    expect(version.stdout.toString()).toMatch(/^Aerospike Backup\nVersion \d+\.\d+\.\d+\n$/);
  });

  it('a missing namespace, an unknown namespace, a bad partition list and a dead host fail with one message', async () => {
    const noNs = await runMain(['-h', emu.current.hosts, '-d', fresh()]);
    expect(noNs.code).toBe(1);
    expect(noNs.stderr).toContain('Please specify a namespace (-n option)');

    const dir = fresh();
    const unknown = await runMain(['-h', emu.current.hosts, '-n', 'nope', '-d', dir]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/\[ERR\] .*Namespace nope does not exist/);
    expect(existsSync(dir)).toBe(false);

    const badX = await runMain([...base(), '-d', fresh(), '-X', '0-5000']);
    expect(badX.code).toBe(1);
    expect(badX.stderr).toContain("Invalid partition filter '0-5000'");
    // One [ERR] line per line of asbackup's filter help, closed by its trailer, no "(option …)".
    expect(badX.stderr).toMatch(/\[ERR\] \[ *\d+\] format: <filter1>\[,<filter2>\]\[,\.\.\.\]\n/);
    expect(badX.stderr).toMatch(/\[ERR\] \[ *\d+\] Error while parsing partition-list '0-5000'\n/);
    expect(badX.stderr).not.toContain('(option --partition-list)');

    const dead = await runMain(['-h', '127.0.0.1:1', '-n', 'test', '-d', fresh()]);
    expect(dead.code).toBe(1);
    expect(dead.stderr).toMatch(/\[ERR\] .*Error while connecting to 127\.0\.0\.1:1/);
  });

  it('an encryption key that is not a key fails before anything is written', async () => {
    const bad = new URL('../../../../shared/fixtures/bad_test_key.pem', import.meta.url).pathname;
    const dir = fresh();
    await mkdir(dir);
    const run = await runMain([...base(), '-d', dir, '-y', 'aes128', '--encryption-key-file', bad]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('[ERR]');
    expect(await readdir(dir)).toEqual([]);
  });
});
