// What both CLIs need around their worker threads: errors that cross the thread boundary with
// their kind and location, and a worker started early (before the program has loaded) and
// handed over later. Kept apart from the package's main entry, which loads yargs and the rest:
// workers and the executables' first lines import only this.
import { Worker, type WorkerOptions } from 'node:worker_threads';
import { AsbParseError } from '@asbkit/asb-format';

/**
 * Detaches a throwaway ArrayBuffer. V8 compiles typed-array code assuming no buffer was ever
 * detached, and the first detach in a thread throws all such code away at once; a thread that
 * transfers memory (postMessage with a transfer list) does so anyway, so doing it before any code
 * is hot spares recompiling every hot function mid-run. Call it first thing in each such thread.
 */
export function detachOnce(): void {
  const b = new ArrayBuffer(8);
  structuredClone(b, { transfer: [b] });
}

/** Error fields that cross the thread boundary. */
export interface SerializedError {
  name: string;
  message: string;
  code?: string;
  detail?: string;
  file?: string;
  line?: number;
  column?: number;
}

export function serializeError(err: unknown): SerializedError {
  if (err instanceof AsbParseError) {
    return {
      name: err.name,
      message: err.message,
      code: err.code,
      detail: err.detail,
      file: err.file,
      line: err.line,
      column: err.column,
    };
  }
  const e = err instanceof Error ? err : new Error(String(err));
  return { name: e.name, message: e.message, code: (e as { code?: string }).code };
}

/** The error `serializeError` described: an `AsbParseError` again, else an Error with its name and code. */
export function deserializeError(s: SerializedError): Error {
  if (s.name === 'AsbParseError')
    return new AsbParseError(s.detail ?? s.message, s.file, s.line ?? 0, s.column ?? 0);
  const err = new Error(s.message) as Error & { code?: string };
  err.name = s.name;
  if (s.code !== undefined) err.code = s.code;
  return err;
}

/**
 * Worker threads of one script, started on demand; `start()` starts one ahead (at program start:
 * a thread boots while the main one loads), which the next `take()` hands over. Workers never
 * keep the process alive.
 */
export class WorkerStarter {
  private readonly started: Worker[] = [];

  constructor(
    private readonly url: URL,
    private readonly options: WorkerOptions = {},
  ) {}

  start(): void {
    this.started.push(this.create());
  }

  /** The worker `start` started, or a new one. */
  take(): Worker {
    return this.started.pop() ?? this.create();
  }

  private create(): Worker {
    const worker = new Worker(this.url, this.options);
    worker.unref();
    return worker;
  }
}
