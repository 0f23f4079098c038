// What both CLIs do around their real work: parse the command line (printing parse errors the
// official way), log the parser's notices, and, as a process, turn signals into an abort and the
// result into the exit code.
import { readFileSync } from 'node:fs';
import type { ParseContext } from './options/parse.js';
import type { ParseNotice } from './options/types.js';
import { Logger } from './output/log.js';
import { reportParseError } from './report.js';

export interface CliStartIo {
  stdout: { write(s: string): unknown };
  stderr: { write(s: string): unknown };
  env: Record<string, string | undefined>;
  now?: () => Date;
  /** Extra parse settings (config-file locations, prompt, secret fetcher). */
  parse?: Omit<ParseContext, 'env' | 'version'>;
}

type Parser<O> = (argv: readonly string[], ctx: ParseContext) => Promise<O>;

/**
 * Parses `argv`; on success returns the options and a logger honouring `-v` (the notices already
 * logged), else the exit code after the official error output.
 */
export async function startCli<O extends { verbose: boolean; notices: ParseNotice[] }>(
  parse: Parser<O>,
  argv: readonly string[],
  io: CliStartIo,
  version: string,
): Promise<{ options: O; logger: Logger } | number> {
  let options: O;
  try {
    options = await parse(argv, { ...io.parse, env: io.env, version });
  } catch (err) {
    return reportParseError(err, new Logger({ stream: io.stderr, now: io.now }), io.stdout);
  }
  const logger = new Logger({ stream: io.stderr, now: io.now, verbose: options.verbose });
  for (const n of options.notices) {
    if (n.level === 'error') logger.error(n.message);
    else logger.info(n.message);
  }
  return { options, logger };
}

/** The `version` of the package.json at `url` ('0.0.0' when it cannot be read). */
export function packageVersion(url: URL): string {
  try {
    return (JSON.parse(readFileSync(url, 'utf8')) as { version?: string }).version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

/**
 * An AbortController that SIGINT/SIGTERM abort, so the run can stop cleanly; a second signal
 * exits at once with 1.
 */
export function interruptController(): AbortController {
  const controller = new AbortController();
  let signals = 0;
  const onSignal = (name: NodeJS.Signals) => {
    if (++signals > 1) process.exit(1);
    controller.abort(name);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return controller;
}

/** Sets the process exit code from the run; an unexpected throw prints its stack and exits 1. */
export function exitWith(run: Promise<number>): void {
  run.then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
