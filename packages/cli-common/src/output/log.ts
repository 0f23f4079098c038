/** Log levels as the official tools print them. */
export type LogLevel = 'INF' | 'ERR' | 'VER';

export interface LoggerOptions {
  /** Where lines go (default: process.stderr). */
  stream?: { write(chunk: string): unknown };
  /** `-v`: print VER lines. */
  verbose?: boolean;
  /** Clock (default: the real one). */
  now?: () => Date;
  /** The `[TTTTT]` number before `% 100000` (default: the process id). */
  threadId?: () => number;
}

const pad2 = (n: number) => String(n).padStart(2, '0');

/** `YYYY-MM-DD HH:MM:SS GMT [LVL] [TTTTT] message` — UTC, thread id mod 100000 in width 5. */
export function formatLogLine(level: LogLevel, message: string, date: Date, threadId: number): string {
  const stamp =
    `${date.getUTCFullYear()}-${pad2(date.getUTCMonth() + 1)}-${pad2(date.getUTCDate())} ` +
    `${pad2(date.getUTCHours())}:${pad2(date.getUTCMinutes())}:${pad2(date.getUTCSeconds())}`;
  return `${stamp} GMT [${level}] [${String(threadId % 100000).padStart(5, ' ')}] ${message}`;
}

/** The official `(error <errno>: <strerror>)` suffix for a Node system error. */
export function errnoSuffix(err: NodeJS.ErrnoException): string {
  const errno = Math.abs(err.errno ?? 0);
  const text = /^[A-Z0-9_]+: ([^,]+)/.exec(err.message)?.[1] ?? err.message;
  return ` (error ${errno}: ${text.charAt(0).toUpperCase()}${text.slice(1)})`;
}

export class Logger {
  readonly verboseEnabled: boolean;
  private readonly stream: { write(chunk: string): unknown };
  private readonly now: () => Date;
  private readonly threadId: () => number;

  constructor(opts: LoggerOptions = {}) {
    this.stream = opts.stream ?? process.stderr;
    this.verboseEnabled = opts.verbose ?? false;
    this.now = opts.now ?? (() => new Date());
    this.threadId = opts.threadId ?? (() => process.pid);
  }

  info(message: string): void {
    this.line('INF', message);
  }
  error(message: string): void {
    this.line('ERR', message);
  }
  /** Printed only with `-v`. */
  verbose(message: string): void {
    if (this.verboseEnabled) this.line('VER', message);
  }
  /** An error with the errno suffix of the official `err_code`. */
  errorCode(message: string, err: NodeJS.ErrnoException): void {
    this.line('ERR', message + errnoSuffix(err));
  }
  /** A bare stderr line (getopt messages, config-file parse errors). */
  raw(text: string): void {
    this.stream.write(`${text}\n`);
  }

  /** A multi-line message becomes one log line per line, each with its prefix, as C prints them. */
  private line(level: LogLevel, message: string): void {
    const date = this.now();
    const thread = this.threadId();
    let out = '';
    for (const part of message.split('\n')) out += `${formatLogLine(level, part, date, thread)}\n`;
    this.stream.write(out);
  }
}
