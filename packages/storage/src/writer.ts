import { once } from 'node:events';
import { Transform, type TransformCallback, type Writable } from 'node:stream';
import { finished, pipeline } from 'node:stream/promises';
import { StorageError } from './errors.js';

/** Makes fresh byte transforms (compression, encryption) for one file, outermost first. */
export type TransformFactory = () => Transform[];

/**
 * One output file of a backup. Bytes go through the caller's transforms, then to the file.
 * The file gets its final name only when `close()` succeeds; until then it is invisible to
 * readers (local: `<name>.part`, S3: an unfinished multipart upload).
 */
export interface BackupFileWriter {
  /** Final path or URL of the file (what a restore will list). */
  readonly path: string;
  /** True for a file created empty by this run (the caller writes the ASB header into it). */
  readonly isNew: boolean;
  /** Bytes handed to `write()` in this session, before transforms. */
  readonly bytesWritten: number;
  /** Bytes that reached the file after transforms, including what it held when reopened. */
  readonly fileBytes: number;
  /** True once closed or aborted. */
  readonly finished: boolean;
  /**
   * Queues bytes; resolves when there is room for more (back-pressure), rejects on failure.
   * `release`, when the writer `releasesChunks`, is called once nothing refers to the chunk any
   * more (its memory may then be reused); otherwise it is never called.
   */
  write(chunk: Buffer, release?: () => void): Promise<void>;
  /** Whether `write` calls its `release` callbacks. */
  readonly releasesChunks: boolean;
  /** Asks the outermost transform to emit what it holds (zlib-style `flush(cb)`), if it can. */
  flush(): Promise<void>;
  /** Ends the transforms, waits for every byte, then publishes the file under `path`. */
  close(): Promise<void>;
  /** Drops the file: the temporary data is removed and nothing appears under `path`. */
  abort(reason?: Error): Promise<void>;
}

/** The storage end of a file: where transformed bytes go and how the file is published. */
export interface RawFile {
  /** Receives the transformed bytes; it is ended by the writer. */
  readonly stream: Writable;
  /** Bytes already in the file before this session (append/resume). */
  readonly initialBytes: number;
  /**
   * True when the stream's write callback comes only once it holds no reference to the chunk
   * (a local file: after the bytes were written).
   */
  readonly callsBackWhenWritten?: boolean;
  /** Makes the finished file visible under its final name. */
  commit(): Promise<void>;
  /** Removes whatever was written (safe to call after a failed commit). */
  discard(): Promise<void>;
}

/** Counts the bytes that leave the transform chain. */
class ByteCounter extends Transform {
  count = 0;
  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.count += chunk.length;
    done(null, chunk);
  }
}

function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}

type Flushable = Writable & { flush?: (cb: () => void) => void };

/** The one writer implementation: transforms → counter → raw file, with commit on close. */
export class StreamBackupFileWriter implements BackupFileWriter {
  readonly path: string;
  readonly isNew: boolean;
  private written = 0;
  private readonly raw: RawFile;
  private readonly head: Flushable;
  /** Counts the bytes after the transforms (none when chunks go straight to the file). */
  private readonly counter: ByteCounter | undefined;
  readonly releasesChunks: boolean;
  private readonly done: Promise<void>;
  private failure: Error | undefined;
  private state: 'open' | 'closing' | 'closed' | 'aborted' = 'open';

  constructor(path: string, raw: RawFile, options: { isNew: boolean; transforms?: TransformFactory }) {
    this.path = path;
    this.raw = raw;
    this.isNew = options.isNew;
    const chain = options.transforms?.() ?? [];
    if (chain.length === 0 && raw.callsBackWhenWritten) {
      // Straight to the file: its write callbacks say when each chunk was written.
      this.head = raw.stream;
      this.counter = undefined;
      this.releasesChunks = true;
      this.done = finished(raw.stream);
    } else {
      // Our transforms copy or turn each chunk into their own output before calling back.
      const counter = new ByteCounter();
      this.counter = counter;
      this.head = chain[0] ?? counter;
      this.releasesChunks = chain.length > 0;
      this.done = pipeline([...chain, counter, raw.stream]);
    }
    // Remember the first failure; write() and close() report it.
    this.done.catch((err: unknown) => {
      this.failure ??= asError(err);
    });
  }

  get bytesWritten(): number {
    return this.written;
  }

  get fileBytes(): number {
    return this.raw.initialBytes + (this.counter ? this.counter.count : this.written);
  }

  get finished(): boolean {
    return this.state === 'closed' || this.state === 'aborted';
  }

  async write(chunk: Buffer, release?: () => void): Promise<void> {
    this.assertOpen('write to');
    if (this.failure) throw this.failed();
    this.written += chunk.length;
    // after a failed write the stream may still hold the chunk: its memory is not handed back
    const written =
      release && this.releasesChunks ? (err?: Error | null) => (err ? undefined : release()) : undefined;
    if (this.head.write(chunk, written)) return;
    // Wait for room, or for the chain to fail (a failing stage never drains).
    try {
      await Promise.race([once(this.head, 'drain'), this.done]);
    } catch (err) {
      this.failure ??= asError(err);
    }
    if (this.failure) throw this.failed();
  }

  async flush(): Promise<void> {
    this.assertOpen('flush');
    const head = this.head;
    if (typeof head.flush === 'function' && head !== this.counter) {
      try {
        await Promise.race([new Promise<void>((resolve) => head.flush!(() => resolve())), this.done]);
      } catch (err) {
        this.failure ??= asError(err);
      }
    }
    if (this.failure) throw this.failed();
  }

  async close(): Promise<void> {
    this.assertOpen('close');
    this.state = 'closing';
    this.head.end();
    try {
      await this.done;
      await this.raw.commit();
      this.state = 'closed';
    } catch (err) {
      this.state = 'aborted';
      await this.raw.discard().catch(() => {});
      throw this.failure ? this.failed() : err;
    }
  }

  async abort(reason?: Error): Promise<void> {
    if (this.finished) return;
    this.state = 'aborted';
    this.failure ??= reason ?? new StorageError('FILE_STATE', `${this.path}: aborted`, { path: this.path });
    this.head.destroy(this.failure);
    await this.done.catch(() => {});
    await this.raw.discard();
  }

  private assertOpen(action: string): void {
    if (this.state !== 'open') {
      throw new StorageError('FILE_STATE', `Cannot ${action} ${this.path}: it is ${this.state}`, {
        path: this.path,
      });
    }
  }

  private failed(): Error {
    const cause = this.failure!;
    if (cause instanceof StorageError) return cause;
    return new StorageError('IO', `Error while writing ${this.path}: ${cause.message}`, {
      path: this.path,
      cause,
    });
  }
}
