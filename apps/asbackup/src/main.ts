// `main(argv, io)`: the whole asbackup command, with every process dependency injectable.
import { readFileSync } from 'node:fs';
import type { Writable } from 'node:stream';
import {
  type AsbackupOptions,
  Logger,
  type ParseContext,
  parseAsbackupArgs,
  reportParseError,
} from '@asbkit/cli-common';
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

function packageVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
      version?: string;
    };
    return pkg.version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

/** Runs asbackup with `argv` (without node and script); resolves with the exit code. */
export async function main(argv: readonly string[], io: Partial<BackupIo> = {}): Promise<number> {
  const stdout = io.stdout ?? process.stdout;
  const stderr = io.stderr ?? process.stderr;
  const env = io.env ?? process.env;
  let logger = new Logger({ stream: stderr, now: io.now });
  let options: AsbackupOptions;
  try {
    options = await parseAsbackupArgs(argv, { ...io.parse, env, version: packageVersion() });
  } catch (err) {
    return reportParseError(err, logger, stdout);
  }
  logger = new Logger({ stream: stderr, now: io.now, verbose: options.verbose });
  for (const n of options.notices) {
    if (n.level === 'error') logger.error(n.message);
    else logger.info(n.message);
  }
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
