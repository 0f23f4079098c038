// The built CLI as a process: SIGINT/SIGTERM save a state, SIGKILL leaves nothing that looks
// complete, and the backup can always be finished with every record exactly once.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { compareRecords } from '@asbkit/aerospike-emulator/test';
import { describe, expect, it } from 'vitest';
import {
  duplicateDigests,
  type ReadOptions,
  readDirRecords,
  useBackupFixture,
} from './test-helpers/testing.js';

const CLI = new URL('../bundle/cli.js', import.meta.url).pathname;
const COUNT = 3000;
const { emu, data, fresh } = useBackupFixture(COUNT, { namespaces: ['test'] });

interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
}

/** Spawns the CLI; sends `signal` once the first job has started (if given). */
function runCli(args: string[], signal?: NodeJS.Signals, env: NodeJS.ProcessEnv = {}): Promise<Finished> {
  const child: ChildProcess = spawn(
    process.execPath,
    [CLI, '--no-config-file', '-h', emu.current.hosts, '-n', 'test', ...args],
    {
      env: { ...process.env, CI: '1', HOME: '/nonexistent', ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  let stderr = '';
  let sent = false;
  child.stderr!.on('data', (c: Buffer) => {
    stderr += c.toString();
    if (signal && !sent && stderr.includes('Starting backup for')) {
      sent = true;
      child.kill(signal);
    }
  });
  return new Promise((resolve) => child.on('close', (code, sig) => resolve({ code, signal: sig, stderr })));
}

// skipped only outside CI when the CLI has not been built
describe.skipIf(!existsSync(CLI) && !process.env.CI)('spawned CLI', () => {
  /** Backs up with `args` on worker threads and in the main thread; both hold exactly `data`. */
  async function threadsAndInline(args: string[], read: ReadOptions = {}): Promise<void> {
    const threads = fresh();
    const inline = fresh();
    for (const [dir, env] of [
      [threads, {}],
      [inline, { ASBACKUP_WORKERS: '0' }],
    ] as const) {
      const run = await runCli(['-d', dir, ...args], undefined, env);
      expect(run.code, run.stderr).toBe(0);
    }
    const a = await readDirRecords(threads, read);
    expect(duplicateDigests(a)).toEqual([]);
    expect(compareRecords(data, a)).toEqual([]);
    expect(compareRecords(await readDirRecords(inline, read), a)).toEqual([]);
  }

  it('encodes the same records on worker threads as in the main thread (ASBACKUP_WORKERS=0)', async () => {
    // 16 jobs share 2 workers' few slots: jobs wait for one, some with nothing to encode
    await threadsAndInline(['--parallel', '16', '-C']);
  });

  it('compresses on the worker threads what the file compressor would (zstd, zstd + AES, -F rotation)', async () => {
    const key = new URL('../../../../shared/fixtures/test_key.pem', import.meta.url).pathname;
    const variants: [string[], ReadOptions][] = [
      [['-z', 'zstd', '--compression-level', '7', '-F', '1'], { compress: true }],
      [['-z', 'zstd', '-y', 'aes256', '--encryption-key-file', key], { compress: true, encrypt: 'aes256' }],
    ];
    for (const [args, read] of variants) await threadsAndInline(['--parallel', '4', ...args], read);
  });

  it('SIGINT saves a state; --continue finishes exactly once', async () => {
    emu.current.setFaults({ replyDelayMs: 40 });
    const dir = fresh();
    const args = ['-d', dir, '--parallel', '2'];
    const first = await runCli(args, 'SIGINT');
    expect(first.code).toBe(1);
    expect(first.stderr).toContain('### Backup interrupted ###');
    emu.current.clearFaults();
    const second = await runCli([...args, '--continue', join(dir, 'test.asb.state')]);
    expect(second.code, second.stderr).toBe(0);
    const all = await readDirRecords(dir);
    expect(duplicateDigests(all)).toEqual([]);
    expect(compareRecords(data, all)).toEqual([]);
  });

  it('SIGKILL leaves no complete-looking file; a SIGKILLed --continue can be continued again', async () => {
    emu.current.setFaults({ replyDelayMs: 40 });
    const dir = fresh();
    const args = ['-d', dir, '-z', 'zstd'];
    const killed = await runCli(args, 'SIGKILL');
    expect(killed.signal).toBe('SIGKILL');
    expect((await readdir(dir)).filter((f) => f.endsWith('.asb'))).toEqual([]);

    // Redo from scratch with -r, interrupt it with SIGTERM, kill its --continue, continue again.
    const first = await runCli([...args, '-r'], 'SIGTERM');
    expect(first.code).toBe(1);
    const state = join(dir, 'test.asb.state');
    const killedResume = await runCli([...args, '--continue', state], 'SIGKILL');
    expect(killedResume.signal).toBe('SIGKILL');
    emu.current.clearFaults();
    const last = await runCli([...args, '--continue', state]);
    expect(last.code, last.stderr).toBe(0);
    const all = await readDirRecords(dir, { compress: true });
    expect(duplicateDigests(all)).toEqual([]);
    expect(compareRecords(data, all)).toEqual([]);
  });
});
