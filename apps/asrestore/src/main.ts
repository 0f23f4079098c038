// `main(argv, io)`: the whole asrestore command, with every process dependency injectable.
import type { Readable } from 'node:stream';
import { type ParseContext, packageVersion, parseAsrestoreArgs, startCli } from '@asbkit/cli-common';
import { describeError } from './errors.js';
import { Reported, runRestore, runValidate } from './restore.js';

export interface RestoreIo {
  /** `--help`/`--version` text. */
  stdout: { write(s: string): unknown };
  /** Log lines and the progress bar. */
  stderr: { write(s: string): unknown; isTTY?: boolean };
  /** Input for `-i -`. */
  stdin: Readable;
  env: Record<string, string | undefined>;
  /** Aborted on SIGINT/SIGTERM: reading stops, writes in flight finish, exit 1. */
  signal?: AbortSignal;
  /** Wall clock (log lines and TTLs). */
  now?: () => Date;
  /** Pauses of metadata polls (tests make them instant). */
  sleep?: (ms: number) => Promise<void>;
  /** Extra parse settings (config-file locations, prompt, secret fetcher). */
  parse?: Omit<ParseContext, 'env' | 'version'>;
}

/** Runs asrestore with `argv` (without node and script); resolves with the exit code. */
export async function main(argv: readonly string[], io: Partial<RestoreIo> = {}): Promise<number> {
  const stdout = io.stdout ?? process.stdout;
  const stderr = io.stderr ?? process.stderr;
  const env = io.env ?? process.env;
  const started = await startCli(
    parseAsrestoreArgs,
    argv,
    { stdout, stderr, env, now: io.now, parse: io.parse },
    packageVersion(new URL('../package.json', import.meta.url)),
  );
  if (typeof started === 'number') return started;
  const { options, logger } = started;
  if (options.eventLoops !== 1) {
    logger.verbose(
      `--event-loops ${options.eventLoops}: Node has one event loop; write concurrency is --max-async-batches`,
    );
  }
  const now = io.now ?? (() => new Date());
  const ctx = {
    options,
    logger,
    stderr,
    env,
    stdin: io.stdin,
    signal: io.signal,
    nowMs: () => now().getTime(),
    sleep: io.sleep,
  };
  try {
    return options.validate ? await runValidate(ctx) : await runRestore(ctx);
  } catch (err) {
    if (!(err instanceof Reported)) logger.error(describeError(err));
    return 1;
  }
}
