// `main(argv, io)`: the whole asbackup command, with every process dependency injectable.
import type { Writable } from 'node:stream';
import { type ParseContext, packageVersion, parseAsbackupArgs, startCli } from '@asbkit/cli-common';
import { describeError, Reported, runBackup } from './backup.js';

export interface BackupIo {
  /** `-o -` output and `--help`/`--version` text. */
  stdout: Writable;
  /** Log lines and the progress bar. */
  stderr: { write(s: string): unknown; isTTY?: boolean };
  env: Record<string, string | undefined>;
  /** Aborted on SIGINT/SIGTERM: the run stops, closes its files and saves its state. */
  signal?: AbortSignal;
  /** Clock for log lines. */
  now?: () => Date;
  cwd?: string;
  /** Extra parse settings (config-file locations, prompt, secret fetcher). */
  parse?: Omit<ParseContext, 'env' | 'version'>;
}

/** Runs asbackup with `argv` (without node and script); resolves with the exit code. */
export async function main(argv: readonly string[], io: Partial<BackupIo> = {}): Promise<number> {
  const stdout = io.stdout ?? process.stdout;
  const stderr = io.stderr ?? process.stderr;
  const env = io.env ?? process.env;
  const started = await startCli(
    parseAsbackupArgs,
    argv,
    { stdout, stderr, env, now: io.now, parse: io.parse },
    packageVersion(new URL('../package.json', import.meta.url)),
  );
  if (typeof started === 'number') return started;
  const { options, logger } = started;
  try {
    return await runBackup({
      options,
      logger,
      stdout,
      stderr,
      env,
      signal: io.signal,
      cwd: io.cwd ?? process.cwd(),
    });
  } catch (err) {
    if (!(err instanceof Reported)) logger.error(describeError(err));
    return 1;
  }
}
