// The built CLI as a process: stdin pipelines, SIGINT, and backups written by asbkit's asbackup.
import { spawn } from 'node:child_process';
import { createReadStream, existsSync } from 'node:fs';
import { join } from 'node:path';
import { type Emulator, seedFromAsbFiles, startEmulator } from '@asbkit/aerospike-emulator';
import { compareRecords, readAllRecords } from '@asbkit/aerospike-emulator/test';
import { afterEach, describe, expect, it } from 'vitest';
import { decodeFile, FIXTURES, liveRecords, summaryOf, tempDir } from './testing.test-helper.js';

const CLI = new URL('../bundle/cli.js', import.meta.url).pathname;
const ASBACKUP = new URL('../../asbackup/bundle/cli.js', import.meta.url).pathname;
const FULL = `${FIXTURES}official-backups/full/test_00000.asb`;

const started: Emulator[] = [];
async function emulator(): Promise<Emulator> {
  const e = await startEmulator({ namespaces: ['test'], nodes: 2, log: () => {} });
  started.push(e);
  return e;
}
afterEach(async () => {
  for (const e of started.splice(0)) await e.stop();
});

interface Finished {
  code: number | null;
  stderr: string;
  stdout: string;
}

function spawnCli(
  cli: string,
  args: string[],
  opts: { stdinFile?: string; onStderr?: (text: string, kill: () => void) => void } = {},
): Promise<Finished> {
  const child = spawn(process.execPath, [cli, '--no-config-file', ...args], {
    env: { ...process.env, CI: '1', HOME: '/nonexistent' },
    stdio: [opts.stdinFile ? 'pipe' : 'ignore', 'pipe', 'pipe'],
  });
  if (opts.stdinFile) createReadStream(opts.stdinFile).pipe(child.stdin!);
  let stderr = '';
  let stdout = '';
  child.stdout!.on('data', (c: Buffer) => {
    stdout += c.toString();
  });
  child.stderr!.on('data', (c: Buffer) => {
    stderr += c.toString();
    opts.onStderr?.(stderr, () => child.kill('SIGINT'));
  });
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stderr, stdout })));
}

const lines = (stderr: string) =>
  stderr.split('\n').map((l) => l.replace(/^.*? \[(INF|ERR|VER)\] \[[ \d]+\] /, '$1 '));

// skipped only outside CI when the CLIs have not been built
describe.skipIf(!existsSync(CLI) && !process.env.CI)('spawned asrestore', () => {
  it('--help exits 0', async () => {
    const r = await spawnCli(CLI, ['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('--input-file');
  });

  it('cat backup | asrestore -i - restores everything', async () => {
    const e = await emulator();
    const r = await spawnCli(CLI, ['-h', e.hosts, '-i', '-'], { stdinFile: FULL });
    expect(r.code, r.stderr).toBe(0);
    const expected = liveRecords(await decodeFile(FULL), Date.now());
    expect(
      compareRecords(expected, readAllRecords(e, 'test'), {
        ignoreGeneration: true,
        voidTimeToleranceSeconds: 5,
      }),
    ).toEqual([]);
  });

  it('SIGINT stops the restore with exit 1 and the official line', async () => {
    const e = await emulator();
    // 5 records per second: the restore would take half a minute.
    let killed = false;
    const r = await spawnCli(CLI, ['-h', e.hosts, '-i', FULL, '-N', '1,5'], {
      onStderr: (text, kill) => {
        if (!killed && text.includes('Restoring records')) {
          killed = true;
          kill();
        }
      },
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('### Restore interrupted ###');
    const s = summaryOf(lines(r.stderr));
    expect(s.inserted).toBe(readAllRecords(e, 'test').length);
    expect(s.inserted).toBeLessThan(163);
  });
});

describe.skipIf((!existsSync(CLI) || !existsSync(ASBACKUP)) && !process.env.CI)(
  'asbkit asbackup → asrestore',
  () => {
    for (const flags of [[], ['--compress', 'zstd'], ['--compress', 'zstd', '--encrypt', 'aes128']]) {
      it(`round-trips the full data set ${flags.join(' ') || '(plain)'}`, async () => {
        const source = await emulator();
        await seedFromAsbFiles(source, [FULL]);
        const dir = join(tempDir(), 'bk');
        const key = flags.includes('--encrypt') ? ['--encryption-key-file', `${FIXTURES}test_key.pem`] : [];
        // asbackup's short flags differ (-z compress, -y encrypt); long names are the same.
        const backup = await spawnCli(ASBACKUP, [
          '-h',
          source.hosts,
          '-n',
          'test',
          '-d',
          dir,
          ...flags,
          ...key,
        ]);
        expect(backup.code, backup.stderr).toBe(0);
        const target = await emulator();
        const r = await spawnCli(CLI, ['-h', target.hosts, '-d', dir, ...flags, ...key]);
        expect(r.code, r.stderr).toBe(0);
        const diffs = compareRecords(readAllRecords(source, 'test'), readAllRecords(target, 'test'), {
          ignoreGeneration: true,
          voidTimeToleranceSeconds: 5,
        });
        expect(diffs).toEqual([]);
        expect(target.state.sindexes.size).toBe(3);
        expect(target.state.udfs.size).toBe(1);
      });
    }
  },
);
