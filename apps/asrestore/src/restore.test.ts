import { copyFileSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { type Emulator, startEmulator } from '@asbkit/aerospike-emulator';
import { compareRecords, readAllRecords } from '@asbkit/aerospike-emulator/test';
import type { AsbRecord } from '@asbkit/asb-format';
import { afterEach, describe, expect, it } from 'vitest';
import {
  decodeFile,
  FIXTURES,
  liveRecords,
  plainBins,
  record,
  recordsOf,
  run,
  summaryOf,
  tempDir,
  writeBackup,
} from './testing.test-helper.js';

const OFFICIAL = `${FIXTURES}official-backups/`;
let emu: Emulator | undefined;

async function emulator(opts: Parameters<typeof startEmulator>[0] = {}): Promise<Emulator> {
  emu = await startEmulator({ namespaces: ['test', 'bar'], nodes: 2, log: () => {}, ...opts });
  return emu;
}

afterEach(async () => {
  await emu?.stop();
  emu = undefined;
});

function byKey(records: AsbRecord[], key: string): AsbRecord | undefined {
  return records.find((r) => r.key && Buffer.isBuffer(r.key.value) && r.key.value.toString() === key);
}

function filesOf(dir: string): string[] {
  return readdirSync(dir)
    .filter((n) => n.endsWith('.asb'))
    .map((n) => join(dir, n));
}

describe('official backups restore and read back equal', () => {
  const cases: { name: string; args: string[]; files: string[] }[] = [
    { name: 'full', args: ['-d', `${OFFICIAL}full`], files: filesOf(`${OFFICIAL}full`) },
    {
      name: 'full-compact (-i)',
      args: ['-i', `${OFFICIAL}full-compact.asb`],
      files: [`${OFFICIAL}full-compact.asb`],
    },
    {
      name: 'par4 (--parallel 4)',
      args: ['-d', `${OFFICIAL}par4`, '--parallel', '4'],
      files: filesOf(`${OFFICIAL}par4`),
    },
    { name: 'plist', args: ['-d', `${OFFICIAL}plist`], files: filesOf(`${OFFICIAL}plist`) },
    { name: 'binlist', args: ['-d', `${OFFICIAL}binlist`], files: filesOf(`${OFFICIAL}binlist`) },
    { name: 'fexp (empty)', args: ['-d', `${OFFICIAL}fexp`], files: filesOf(`${OFFICIAL}fexp`) },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const e = await emulator();
      const now = Date.now();
      const expected: AsbRecord[] = [];
      for (const f of c.files) expected.push(...liveRecords(await decodeFile(f), now));
      const r = await run(['-h', e.hosts, ...c.args]);
      expect(r.code, r.stderr).toBe(0);
      const diffs = compareRecords(expected, readAllRecords(e, 'test'), {
        ignoreGeneration: true,
        voidTimeToleranceSeconds: 5,
      });
      expect(diffs).toEqual([]);
      const s = summaryOf(r.lines);
      expect(s.inserted).toBe(expected.length);
      expect(recordsOf(r.lines)).toBe(s.inserted + s.expired + s.skipped);
    });
  }

  it('restores the indexes and the UDF of the full backup, and skips them when they match', async () => {
    const e = await emulator();
    const r = await run(['-h', e.hosts, '-d', `${OFFICIAL}full`]);
    expect(r.code).toBe(0);
    expect([...e.state.sindexes.keys()].sort()).toEqual([
      'test/idx types s',
      'test/idx_geo',
      'test/idx_ttl_n',
    ]);
    expect(e.state.udfs.get('capmod.lua')?.toString()).toContain('function hello');
    expect(r.lines).toContain('INF Restoring UDF file capmod.lua (size 50)');
    const again = await run(['-h', e.hosts, '-d', `${OFFICIAL}full`]);
    expect(again.code).toBe(0);
    expect(again.lines).toContain('INF Skipped 3 matched index(es)');
    // The server now holds generation 1 everywhere: only the backup's generation-5 record is
    // newer (GT); every other record is "fresher" on the server under the default policy.
    expect(summaryOf(again.lines)).toMatchObject({ inserted: 1, fresher: summaryOf(r.lines).inserted - 1 });
  });

  it('--no-bins backups restore nothing (every record has 0 bins)', async () => {
    const e = await emulator();
    const r = await run(['-h', e.hosts, '-d', `${OFFICIAL}nobins`]);
    expect(r.code).toBe(0);
    const s = summaryOf(r.lines);
    expect(s.inserted).toBe(0);
    expect(s.skipped + s.expired).toBe(50);
    expect(readAllRecords(e, 'test')).toHaveLength(0);
  });
});

describe('selection', () => {
  it('-n SRC,DST remaps records and indexes', async () => {
    const e = await emulator();
    const r = await run(['-h', e.hosts, '-d', `${OFFICIAL}full`, '-n', 'test,bar']);
    expect(r.code, r.stderr).toBe(0);
    expect(readAllRecords(e, 'test')).toHaveLength(0);
    expect(readAllRecords(e, 'bar').length).toBe(summaryOf(r.lines).inserted);
    expect([...e.state.sindexes.keys()].every((k) => k.startsWith('bar/'))).toBe(true);
  });

  it('-n SRC must match the backup: an error before anything is written', async () => {
    const e = await emulator();
    const r = await run(['-h', e.hosts, '-d', `${OFFICIAL}full`, '-n', 'bar']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /Invalid namespace test in backup record, expected: bar \(file .*test_00000\.asb, line \d+, col \d+\)/,
    );
    expect(readAllRecords(e, 'test')).toHaveLength(0);
    expect(readAllRecords(e, 'bar')).toHaveLength(0);
    expect(e.state.udfs.size).toBe(0);
  });

  it('-s restores only the listed sets; set-less records and other indexes are skipped', async () => {
    const e = await emulator();
    const r = await run(['-h', e.hosts, '-d', `${OFFICIAL}full`, '-s', 'types']);
    expect(r.code).toBe(0);
    const stored = readAllRecords(e, 'test');
    expect(stored.length).toBeGreaterThan(0);
    expect(stored.every((x) => x.set === 'types')).toBe(true);
    const s = summaryOf(r.lines);
    expect(s.inserted).toBe(stored.length);
    expect(recordsOf(r.lines)).toBe(163);
    expect(r.lines).toContain('INF Skipped 1 index(es) with unwanted set(s)');
    expect([...e.state.sindexes.keys()].sort()).toEqual(['test/idx types s', 'test/idx_geo']);
  });

  it('-B keeps only the listed bins', async () => {
    const e = await emulator();
    const r = await run(['-h', e.hosts, '-d', `${OFFICIAL}full`, '-B', 'n']);
    expect(r.code).toBe(0);
    const stored = readAllRecords(e, 'test');
    expect(stored.length).toBeGreaterThan(0);
    expect(stored.every((x) => x.bins.length === 1 && x.bins[0]?.name === 'n')).toBe(true);
    expect(summaryOf(r.lines).skipped).toBe(163 - stored.length - summaryOf(r.lines).expired);
  });

  it('-R restores indexes and UDFs only; -I and -F leave them out', async () => {
    const e = await emulator();
    const r = await run(['-h', e.hosts, '-d', `${OFFICIAL}full`, '-R']);
    expect(r.code).toBe(0);
    expect(readAllRecords(e, 'test')).toHaveLength(0);
    expect(e.state.sindexes.size).toBe(3);
    expect(e.state.udfs.size).toBe(1);
    const e2 = await emulator();
    const r2 = await run(['-h', e2.hosts, '-d', `${OFFICIAL}full`, '-I', '-F']);
    expect(r2.code).toBe(0);
    expect(e2.state.sindexes.size).toBe(0);
    expect(e2.state.udfs.size).toBe(0);
    expect(readAllRecords(e2, 'test').length).toBeGreaterThan(100);
    await e.stop();
  });

  it('-L creates the indexes after the records, and -w waits for them', async () => {
    const e = await emulator();
    const r = await run(['-h', e.hosts, '-d', `${OFFICIAL}full`, '-L', '-w', '-v']);
    expect(r.code, r.stderr).toBe(0);
    expect(e.state.sindexes.size).toBe(3);
    const records = r.lines.indexOf('INF Restoring records');
    const index = r.lines.findIndex((l) => l.startsWith('VER Restoring index'));
    // The official tool's lines around the files (restore.c, file_proxy.c).
    const file = `${OFFICIAL}full/test_00000.asb`;
    expect(r.lines).toContain(`INF Found 1 backup file(s) in ${OFFICIAL}full`);
    expect(r.lines).toContain(`INF Opened backup file ${file}`);
    expect(r.lines.indexOf('INF Finished restoring backup file(s)')).toBeGreaterThan(records);
    expect(records).toBeGreaterThanOrEqual(0);
    expect(index).toBeGreaterThan(records);
    expect(r.lines.some((l) => l.startsWith('VER Waiting for index'))).toBe(true);
  });
});

describe('write policies (test_policy.py, spec §7.1)', () => {
  // Server: key-1 gen 1 {bin-1: b, bin-2: b}, key-2 gen 1 {same}. Backup: key-1 gen 2 {bin-1: a}, key-2 gen 1 {bin-1: a}.
  const server = [
    record('test', 'pol', 'key-1', { 'bin-1': 'b', 'bin-2': 'b' }),
    record('test', 'pol', 'key-2', { 'bin-1': 'b', 'bin-2': 'b' }),
  ];
  const backup = [
    record('test', 'pol', 'key-1', { 'bin-1': 'a' }, { generation: 2 }),
    record('test', 'pol', 'key-2', { 'bin-1': 'a' }, { generation: 1 }),
  ];
  const cases: {
    flags: string[];
    key1: object;
    key2: object;
    existed: number;
    fresher: number;
    inserted: number;
  }[] = [
    {
      flags: [],
      key1: { 'bin-1': 'a', 'bin-2': 'b' },
      key2: { 'bin-1': 'b', 'bin-2': 'b' },
      inserted: 1,
      existed: 0,
      fresher: 1,
    },
    {
      flags: ['-g'],
      key1: { 'bin-1': 'a', 'bin-2': 'b' },
      key2: { 'bin-1': 'a', 'bin-2': 'b' },
      inserted: 2,
      existed: 0,
      fresher: 0,
    },
    {
      flags: ['-r'],
      key1: { 'bin-1': 'a' },
      key2: { 'bin-1': 'b', 'bin-2': 'b' },
      inserted: 1,
      existed: 0,
      fresher: 1,
    },
    {
      flags: ['-r', '-g'],
      key1: { 'bin-1': 'a' },
      key2: { 'bin-1': 'a' },
      inserted: 2,
      existed: 0,
      fresher: 0,
    },
    {
      flags: ['-u'],
      key1: { 'bin-1': 'b', 'bin-2': 'b' },
      key2: { 'bin-1': 'b', 'bin-2': 'b' },
      inserted: 0,
      existed: 2,
      fresher: 0,
    },
  ];
  for (const mode of ['batch', 'single'] as const) {
    for (const c of cases) {
      it(`${c.flags.join(' ') || 'default'} (${mode} writes)`, async () => {
        const e = await emulator({ records: server });
        const file = writeBackup(tempDir(), 'pol.asb', 'test', backup);
        const extra = mode === 'single' ? ['--disable-batch-writes'] : [];
        const r = await run(['-h', e.hosts, '-i', file, ...c.flags, ...extra]);
        expect(r.code, r.stderr).toBe(0);
        const stored = readAllRecords(e, 'test');
        expect(plainBins(byKey(stored, 'key-1'))).toEqual(c.key1);
        expect(plainBins(byKey(stored, 'key-2'))).toEqual(c.key2);
        const s = summaryOf(r.lines);
        expect([s.inserted, s.existed, s.fresher, s.failed]).toEqual([
          c.inserted,
          c.existed,
          c.fresher,
          c.existed + c.fresher,
        ]);
      });
    }
  }

  it('refuses --unique with --replace (exit 1, nothing written)', async () => {
    const r = await run(['-h', '127.0.0.1:1', '-d', `${OFFICIAL}full`, '-u', '-r']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('--unique is mutually exclusive with --replace and --no-generation');
  });
});

describe('TTL', () => {
  const now = Date.UTC(2030, 0, 1);
  const nowClepoch = now / 1000 - 1262304000;
  const records = [
    record('test', 'ttl', 'never', { v: 1 }, { voidTime: 0 }),
    record('test', 'ttl', 'live', { v: 2 }, { voidTime: nowClepoch + 1000 }),
    record('test', 'ttl', 'expired', { v: 3 }, { voidTime: nowClepoch - 10 }),
    record('test', 'ttl', 'just-expired', { v: 4 }, { voidTime: nowClepoch }),
  ];

  it('skips expired records, keeps never-expiring ones without a TTL, recomputes the others', async () => {
    const e = await emulator();
    const file = writeBackup(tempDir(), 'ttl.asb', 'test', records);
    const r = await run(['-h', e.hosts, '-i', file], { now: () => new Date(now) });
    expect(r.code).toBe(0);
    const s = summaryOf(r.lines);
    expect([s.expired, s.inserted]).toEqual([2, 2]);
    const stored = readAllRecords(e, 'test');
    expect(byKey(stored, 'never')?.voidTime).toBe(0);
    // The server sets void = its now + the TTL we sent (1000 s).
    const live = byKey(stored, 'live');
    const serverNow = Math.floor(Date.now() / 1000) - 1262304000;
    expect(live?.voidTime).toBeGreaterThanOrEqual(serverNow + 999);
    expect(live?.voidTime).toBeLessThanOrEqual(serverNow + 1001);
    expect(byKey(stored, 'expired')).toBeUndefined();
  });

  it('--extra-ttl extends void times, so expired records come back', async () => {
    const e = await emulator();
    const file = writeBackup(tempDir(), 'ttl.asb', 'test', records);
    const r = await run(['-h', e.hosts, '-i', file, '--extra-ttl', '100'], { now: () => new Date(now) });
    expect(r.code).toBe(0);
    expect(summaryOf(r.lines)).toMatchObject({ expired: 0, inserted: 4 });
    const serverNow = Math.floor(Date.now() / 1000) - 1262304000;
    const expired = byKey(readAllRecords(e, 'test'), 'expired');
    expect(expired?.voidTime).toBeGreaterThanOrEqual(serverNow + 89);
    expect(expired?.voidTime).toBeLessThanOrEqual(serverNow + 91);
  });
});

describe('errors never lose data silently', () => {
  it('a corrupt file stops the restore before anything is written, naming file, line and column', async () => {
    const e = await emulator();
    const dir = tempDir();
    copyFileSync(`${OFFICIAL}full/test_00000.asb`, join(dir, 'a_good.asb'));
    copyFileSync(`${FIXTURES}test_bad_backup_file.asb`, join(dir, 'b_bad.asb'));
    const r = await run(['-h', e.hosts, '-d', dir]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/Invalid bytes label "x" \(file .*b_bad\.asb, line 13, col 3\)/);
    expect(r.stderr).toContain('b_bad.asb is corrupt; nothing was restored');
    expect(readAllRecords(e, 'test')).toHaveLength(0);
    expect(e.state.udfs.size).toBe(0);
  });

  it('a corrupt stdin stream stops at the bad entity and fails the run', async () => {
    const e = await emulator();
    const good = readFileSync(`${FIXTURES}test_bad_backup_file.asb`);
    const r = await run(['-h', e.hosts, '-i', '-'], { stdin: Readable.from([good]) });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/Invalid bytes label "x" \(file -, line 13, col 3\)/);
  });

  it('an ignorable record error fails the run without -K and is skipped with it', async () => {
    const recs = [
      record('test', 's', 'a', { v: 1 }),
      record('test', 's', 'b', { v: 2 }),
      record('test', 's', 'c', { v: 3 }),
    ];
    const file = writeBackup(tempDir(), 'rec.asb', 'test', recs);
    const bad = new Map([[recs[1]!.digest.toString('hex'), 13]]);
    const e = await emulator();
    e.setFaults({ resultCodeByDigest: bad });
    const r = await run(['-h', e.hosts, '-i', file]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/Error while storing record - code 13 .*--ignore-record-error/);
    expect(summaryOf(r.lines).ignored).toBe(1);
    const e2 = await emulator();
    e2.setFaults({ resultCodeByDigest: bad });
    // The official C tool has no short -K (docs only); the long option it is.
    const r2 = await run(['-h', e2.hosts, '-i', file, '--ignore-record-error']);
    expect(r2.code).toBe(0);
    expect(summaryOf(r2.lines)).toMatchObject({ ignored: 1, inserted: 2 });
    expect(readAllRecords(e2, 'test')).toHaveLength(2);
    await e.stop();
  });

  it('a permanent record error fails the run even with -K', async () => {
    const recs = [record('test', 's', 'a', { v: 1 })];
    const file = writeBackup(tempDir(), 'rec.asb', 'test', recs);
    const e = await emulator();
    e.setFaults({ resultCodeByDigest: new Map([[recs[0]!.digest.toString('hex'), 4]]) });
    const r = await run(['-h', e.hosts, '-i', file, '--ignore-record-error']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('Error while storing record - code 4');
  });

  it('single writes retry a busy key with backoff, then succeed', async () => {
    const recs = [record('test', 's', 'a', { v: 1 }), record('test', 's', 'b', { v: 2 })];
    const file = writeBackup(tempDir(), 'rec.asb', 'test', recs);
    const e = await emulator();
    e.setFaults({ resultCodeByDigest: new Map([[recs[0]!.digest.toString('hex'), 14]]) });
    const delays: number[] = [];
    const sleep = async (ms: number) => {
      delays.push(ms);
      if (delays.length === 2) e.clearFaults();
    };
    const r = await run(
      ['-h', e.hosts, '-i', file, '--disable-batch-writes', '--retry-scale-factor', '1000'],
      { sleep },
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('retries: 3');
    // Retry 1 is immediate (no sleep), then S, 2S.
    expect(delays).toEqual([1, 2]);
    expect(readAllRecords(e, 'test')).toHaveLength(2);
  });

  it('gives up after --max-retries with the official message', async () => {
    const recs = [record('test', 's', 'a', { v: 1 })];
    const file = writeBackup(tempDir(), 'rec.asb', 'test', recs);
    const e = await emulator();
    e.setFaults({ resultCodeByDigest: new Map([[recs[0]!.digest.toString('hex'), 14]]) });
    const r = await run(['-h', e.hosts, '-i', file, '--disable-batch-writes', '--max-retries', '2']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('Max key-put retries exceeded (2)');
    expect(r.stderr).toContain('retries: 2');
  });

  it('a retryable code inside a batch answer fails the run (not retried, as the official tool)', async () => {
    const recs = [record('test', 's', 'a', { v: 1 })];
    const file = writeBackup(tempDir(), 'rec.asb', 'test', recs);
    const e = await emulator();
    e.setFaults({ resultCodeByDigest: new Map([[recs[0]!.digest.toString('hex'), 14]]) });
    const r = await run(['-h', e.hosts, '-i', file]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('Error while storing record - code 14');
  });

  it('falls back to single writes on a server without batch writes', async () => {
    const e = await emulator();
    e.setFaults({ oldServerNoBatchWrites: true });
    const r = await run(['-h', e.hosts, '-d', `${OFFICIAL}par4`]);
    expect(r.code, r.stderr).toBe(0);
    expect(readAllRecords(e, 'test').length).toBe(summaryOf(r.lines).inserted);
  });

  it('fails clearly when the cluster cannot be reached', async () => {
    const r = await run(['-h', '127.0.0.1:1', '-d', `${OFFICIAL}full`, '-T', '500']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/\[ERR\].*Error while connecting to 127\.0\.0\.1:1/);
  });
});

describe('inputs and output', () => {
  it('reads a zstd + AES-256 file with the key (--compress / --encrypt)', async () => {
    const e = await emulator();
    const expected = liveRecords(await decodeFile(`${FIXTURES}generated/example_plain.asb`), Date.now());
    const r = await run([
      '-h',
      e.hosts,
      '-i',
      `${FIXTURES}generated/example_plain.zstd-aes256-multiframe.asb`,
      '--compress',
      'zstd',
      '--encrypt',
      'aes256',
      '--encryption-key-file',
      `${FIXTURES}test_key.pem`,
      // The example's NULL bin (a bin deletion on write) is refused by the emulator on a new record.
      '-B',
      'flag,age,ratio,full name,raw,items,attrs,loc,inf_bin,s',
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(summaryOf(r.lines).inserted).toBe(expected.length);
    expect(e.state.sindexes.size).toBe(3);
    const want = expected.map((x) => ({ ...x, bins: x.bins.filter((b) => b.value !== null) }));
    expect(
      compareRecords(want, readAllRecords(e, 'test'), {
        ignoreGeneration: true,
        voidTimeToleranceSeconds: 5,
      }),
    ).toEqual([]);
  });

  it('reads the other compressed/encrypted fixtures (their one record has expired)', async () => {
    const e = await emulator();
    const cases: [string, string[]][] = [
      ['test_backup_file.zstd.asb', ['--compress', 'zstd']],
      ['test_backup_file.aes128.asb', ['--encrypt', 'aes128']],
      ['test_backup_file.aes256.asb', ['--encrypt', 'aes256']],
      ['test_backup_file.zstd-aes128.asb', ['--compress', 'zstd', '--encrypt', 'aes128']],
    ];
    for (const [name, flags] of cases) {
      const key = flags.includes('--encrypt') ? ['--encryption-key-file', `${FIXTURES}test_key.pem`] : [];
      const r = await run(['-h', e.hosts, '-i', `${FIXTURES}generated/${name}`, ...flags, ...key]);
      expect(r.code, `${name}: ${r.stderr}`).toBe(0);
      expect(summaryOf(r.lines)).toMatchObject({ expired: 1, inserted: 0 });
    }
  });

  it('a wrong key fails before anything is written', async () => {
    const e = await emulator();
    const r = await run([
      '-h',
      e.hosts,
      '-i',
      `${FIXTURES}generated/example_plain.zstd-aes256-multiframe.asb`,
      '--compress',
      'zstd',
      '--encrypt',
      'aes256',
      '--encryption-key-file',
      `${FIXTURES}test_key2.pem`,
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/key/i);
    expect(readAllRecords(e, 'test')).toHaveLength(0);
    expect(e.state.udfs.size).toBe(0);
  });

  it('-i - reads stdin', async () => {
    const e = await emulator();
    const bytes = readFileSync(`${OFFICIAL}full/test_00000.asb`);
    const chunks = [bytes.subarray(0, 1000), bytes.subarray(1000, 200000), bytes.subarray(200000)];
    const r = await run(['-h', e.hosts, '-i', '-'], { stdin: Readable.from(chunks) });
    expect(r.code, r.stderr).toBe(0);
    expect(r.lines[0]).toMatch(/from \[stdin\]$/);
    expect(e.state.sindexes.size).toBe(3);
    expect(readAllRecords(e, 'test').length).toBe(summaryOf(r.lines).inserted);
  });

  it('--directory-list with --parent-directory restores every listed directory', async () => {
    const e = await emulator();
    const r = await run(['-h', e.hosts, '--parent-directory', OFFICIAL, '--directory-list', 'par4,plist']);
    expect(r.code, r.stderr).toBe(0);
    const expected = new Map<string, AsbRecord>();
    for (const f of [...filesOf(`${OFFICIAL}par4`), ...filesOf(`${OFFICIAL}plist`)]) {
      for (const x of liveRecords(await decodeFile(f), Date.now())) expected.set(x.digest.toString('hex'), x);
    }
    expect(readAllRecords(e, 'test').length).toBe(expected.size);
  });

  it('-m writes the machine summary with the official stray space', async () => {
    const e = await emulator();
    const machine = join(tempDir(), 'machine.txt');
    const r = await run(['-h', e.hosts, '-d', `${OFFICIAL}plist`, '-m', machine]);
    expect(r.code).toBe(0);
    const s = summaryOf(r.lines);
    const text = readFileSync(machine, 'utf8');
    expect(text).toContain(`SUMMARY:1:3:41:${s.expired}:${s.skipped}:0 :${s.inserted}:0:0\n`);
    expect(text).toMatch(/^PROGRESS:100$/m);
  });

  it('-N throttles and still restores everything', async () => {
    const e = await emulator();
    const r = await run(['-h', e.hosts, '-d', `${OFFICIAL}plist`, '-N', '10,100000']);
    expect(r.code, r.stderr).toBe(0);
    expect(readAllRecords(e, 'test').length).toBe(summaryOf(r.lines).inserted);
  });

  it('prints the official start line and counter lines', async () => {
    const e = await emulator();
    const r = await run(['-h', e.hosts, '-d', `${OFFICIAL}plist`, '-s', 'types,ttl', '-B', 'n,s']);
    expect(r.code).toBe(0);
    expect(r.lines[0]).toBe(
      `INF Starting restore to ${e.hosts} (bins: n,s, sets: types,ttl) from ${OFFICIAL}plist`,
    );
    expect(
      r.lines.some((l) =>
        /^INF 1 UDF file\(s\), 3 secondary index\(es\), 41 record\(s\) \(\d+ rec\/s, \d+ KiB\/s, \d+ B\/rec, retries: 0\)$/.test(
          l,
        ),
      ),
    ).toBe(true);
    expect(r.stderr).toMatch(/^\d{4}-\d{2}-\d{2} \d{1,2}:\d{2}:\d{2} (GMT|UTC) \[INF\] \[[\s\d]+\]/);
  });

  it('draws a progress bar only on a terminal', async () => {
    const e = await emulator();
    let tty = '';
    const r = await run(['-h', e.hosts, '-d', `${OFFICIAL}plist`], {
      stderr: { write: (s: string) => (tty += s), isTTY: true },
    });
    expect(r.code).toBe(0);
    expect(tty).toMatch(/\r\[#* *\] \d+%.* rec\/s/);
    const plain = await run(['-h', e.hosts, '-d', `${OFFICIAL}plist`]);
    expect(plain.stderr).not.toContain('\r');
  });

  it('restores everything with the smallest --batch-size and --max-async-batches', async () => {
    const e = await emulator();
    const r = await run([
      '-h',
      e.hosts,
      '-d',
      `${OFFICIAL}par4`,
      '--batch-size',
      '1',
      '--max-async-batches',
      '1',
      '--parallel',
      '1',
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(readAllRecords(e, 'test').length).toBe(summaryOf(r.lines).inserted);
  });
});
