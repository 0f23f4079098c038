/** Exit statuses of both tools: only success and failure exist (spec §6.5). */
export const EXIT_SUCCESS = 0;
export const EXIT_FAILURE = 1;

/** Where a bad value came from, kept as fields and in the message. */
export interface UsageWhere {
  option?: string;
  file?: string;
  line?: number;
}

/**
 * Bad command line or configuration. `message` is the official error text (without the
 * log-line prefix); `exitCode` is what the process must exit with.
 */
export class UsageError extends Error {
  readonly code: string;
  readonly exitCode: number;
  readonly option?: string;
  readonly file?: string;
  readonly line?: number;
  /** Extra log lines the official tool prints before `message` (e.g. secret-agent details). */
  readonly detailLines: readonly string[];
  /** `message` is a bare stderr line (getopt style), not a log line. */
  readonly raw: boolean;
  /** A bare stderr line printed after `message` (e.g. the "Run with --help" hint). */
  readonly hint?: string;

  constructor(
    message: string,
    opts: UsageWhere & {
      code?: string;
      exitCode?: number;
      detailLines?: string[];
      raw?: boolean;
      hint?: string;
    } = {},
  ) {
    super(message);
    this.name = 'UsageError';
    this.code = opts.code ?? 'USAGE';
    this.exitCode = opts.exitCode ?? EXIT_FAILURE;
    this.option = opts.option;
    this.file = opts.file;
    this.line = opts.line;
    this.detailLines = opts.detailLines ?? [];
    this.raw = opts.raw ?? false;
    this.hint = opts.hint;
  }
}

/** `--help` / `--version` were asked for: print `text` to stdout and exit 0. */
export class EarlyExit extends Error {
  readonly code = 'EARLY_EXIT';
  readonly exitCode = EXIT_SUCCESS;
  constructor(readonly text: string) {
    super('early exit');
    this.name = 'EarlyExit';
  }
}
