import { StorageError } from './errors.js';
import type { BackupFileWriter } from './writer.js';

export interface FilePoolOptions {
  /** Where the files go (for messages). */
  location: string;
  /** Creates the file with the given sequence number. */
  create: (index: number) => Promise<BackupFileWriter>;
  /** At most this many files ever (1 for single-file modes); unlimited when absent. */
  maxFiles?: number;
  /** `release()` closes a file whose `fileBytes` reached this; no limit when absent or 0. */
  fileLimitBytes?: number;
  /** The first sequence number (resume continues from the saved file count). */
  firstIndex?: number;
}

/**
 * Hands out files to backup jobs and takes partly filled ones back for the next job, as the
 * official tool does. A job holds a file exclusively between `acquire()` and `release()`.
 */
export class FilePool {
  private readonly options: FilePoolOptions;
  private nextIndex: number;
  private created = 0;
  private readonly idle: BackupFileWriter[] = [];
  private readonly waiters: Array<{ resolve: (f: BackupFileWriter) => void; reject: (e: Error) => void }> =
    [];
  private readonly open = new Set<BackupFileWriter>();
  private closedCount = 0;
  private ended = false;

  constructor(options: FilePoolOptions) {
    this.options = options;
    this.nextIndex = options.firstIndex ?? 0;
  }

  /** The sequence number the next new file gets (= files created so far, on resume included). */
  get fileCount(): number {
    return this.nextIndex;
  }

  /** Files closed successfully so far. */
  get closedFiles(): number {
    return this.closedCount;
  }

  /** Files not yet closed, whether idle in the queue or held by a job. */
  openFiles(): BackupFileWriter[] {
    return [...this.open];
  }

  /** A queued partly filled file, else a new one; waits when `maxFiles` are all in use. */
  async acquire(): Promise<BackupFileWriter> {
    this.assertActive();
    const queued = this.idle.shift();
    if (queued) return queued;
    const max = this.options.maxFiles;
    if (max !== undefined && this.created >= max) {
      return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
    }
    this.created++;
    const index = this.nextIndex++;
    const file = await this.options.create(index);
    this.open.add(file);
    return file;
  }

  /** Adds a file reopened for append (resume) to the pool, as if a job had released it. */
  adopt(file: BackupFileWriter): void {
    this.assertActive();
    this.created++;
    this.open.add(file);
    this.handBack(file);
  }

  /**
   * Gives a file back. It is flushed; if it reached the file limit it is closed, otherwise the
   * next `acquire()` gets it. Rotation inside a job is the caller's: check `fileBytes`, then
   * `release()` (or `close()`) and `acquire()` again.
   */
  async release(file: BackupFileWriter): Promise<void> {
    if (!this.open.has(file)) {
      throw new StorageError('FILE_STATE', `${file.path} does not belong to ${this.options.location}`, {
        path: file.path,
      });
    }
    if (file.finished) {
      this.forget(file);
      return;
    }
    await file.flush();
    const limit = this.options.fileLimitBytes ?? 0;
    if (limit > 0 && file.fileBytes >= limit) {
      await this.closeFile(file);
      return;
    }
    this.handBack(file);
  }

  /** Closes one file now (rotation) and forgets it. */
  async closeFile(file: BackupFileWriter): Promise<void> {
    this.forget(file);
    await file.close();
    this.closedCount++;
    this.created--;
    // A slot is free again: a job waiting in a size-limited pool gets a new file.
    const waiter = this.waiters.shift();
    if (waiter) {
      this.created++;
      const index = this.nextIndex++;
      this.options.create(index).then(
        (next) => {
          this.open.add(next);
          waiter.resolve(next);
        },
        (err: Error) => waiter.reject(err),
      );
    }
  }

  /** Closes every queued file. Fails if a job still holds one. */
  async finish(): Promise<void> {
    this.assertActive();
    const held = [...this.open].filter((f) => !this.idle.includes(f));
    if (held.length > 0) {
      throw new StorageError(
        'FILE_STATE',
        `Cannot finish ${this.options.location}: ${held.length} file(s) still held by jobs (${held[0]!.path})`,
        { path: held[0]!.path },
      );
    }
    this.ended = true;
    // together: each close waits for its file's fsync, and the disk can take them at once
    const files = this.idle.splice(0);
    const closed = await Promise.allSettled(
      files.map(async (file) => {
        this.open.delete(file);
        await file.close();
        this.closedCount++;
      }),
    );
    const failed = closed.find((r) => r.status === 'rejected');
    if (failed) throw failed.reason;
  }

  /** Aborts every file not yet closed, held or queued; nothing half-written stays visible. */
  async abort(reason?: Error): Promise<void> {
    this.ended = true;
    const stopped = reason ?? new StorageError('FILE_STATE', `${this.options.location} was aborted`);
    for (const waiter of this.waiters.splice(0)) waiter.reject(stopped);
    const files = [...this.open];
    this.open.clear();
    this.idle.length = 0;
    await Promise.all(files.map((f) => f.abort(reason)));
  }

  private handBack(file: BackupFileWriter): void {
    const waiter = this.waiters.shift();
    if (waiter) waiter.resolve(file);
    else this.idle.push(file);
  }

  private forget(file: BackupFileWriter): void {
    this.open.delete(file);
    const at = this.idle.indexOf(file);
    if (at >= 0) this.idle.splice(at, 1);
  }

  private assertActive(): void {
    if (this.ended) {
      throw new StorageError('FILE_STATE', `${this.options.location} is already finished or aborted`, {
        path: this.options.location,
      });
    }
  }
}
