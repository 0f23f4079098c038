import { UsageError } from './errors.js';

/** Streams a prompt reads from and writes to (default: the process's stdin/stderr). */
export interface PromptStreams {
  stdin?: NodeJS.ReadableStream & { isTTY?: boolean; setRawMode?: (raw: boolean) => unknown };
  stderr?: NodeJS.WritableStream;
  /** Overrides `stdin.isTTY`. */
  isTTY?: boolean;
}

/**
 * Asks for a secret. On a terminal the typed characters are not echoed (raw mode); otherwise
 * one line is read from stdin. The answer never appears in any output.
 */
export function promptHidden(question: string, streams: PromptStreams): Promise<string> {
  const stdin = streams.stdin ?? process.stdin;
  const stderr = streams.stderr ?? process.stderr;
  stderr.write(question);
  const raw = (streams.isTTY ?? stdin.isTTY === true) && typeof stdin.setRawMode === 'function';
  if (raw) stdin.setRawMode?.(true);
  return new Promise((resolve, reject) => {
    let answer = '';
    const done = (err?: Error) => {
      stdin.removeListener('data', onData);
      stdin.removeListener('end', onEnd);
      if (raw) stdin.setRawMode?.(false);
      stdin.pause();
      stderr.write('\n');
      if (err) reject(err);
      else resolve(answer);
    };
    const onData = (chunk: Buffer | string) => {
      for (const ch of chunk.toString()) {
        if (ch === '\r' || ch === '\n') return done();
        if (ch === '\u0003') return done(new UsageError('password prompt interrupted'));
        if (ch === '\u007f' || ch === '\b') answer = answer.slice(0, -1);
        else answer += ch;
      }
    };
    const onEnd = () => done();
    stdin.on('data', onData);
    stdin.on('end', onEnd);
    stdin.resume();
  });
}
