import { FilePool } from './pool.js';
import type { BackupSink } from './types.js';
import type { BackupFileWriter } from './writer.js';

export interface PooledSinkParts {
  kind: BackupSink['kind'];
  location: string;
  create: (index: number) => Promise<BackupFileWriter>;
  reopen: (path: string, expectedBytes?: number) => Promise<BackupFileWriter>;
  maxFiles?: number;
  fileLimitBytes?: number;
  firstIndex?: number;
}

/** A BackupSink over a FilePool; local and S3 sinks differ only in how files are made. */
export class PooledSink implements BackupSink {
  readonly kind: BackupSink['kind'];
  readonly location: string;
  private readonly pool: FilePool;
  private readonly reopenFile: PooledSinkParts['reopen'];

  constructor(parts: PooledSinkParts) {
    this.kind = parts.kind;
    this.location = parts.location;
    this.reopenFile = parts.reopen;
    this.pool = new FilePool({
      location: parts.location,
      create: parts.create,
      maxFiles: parts.maxFiles,
      fileLimitBytes: parts.fileLimitBytes,
      firstIndex: parts.firstIndex,
    });
  }

  get fileCount(): number {
    return this.pool.fileCount;
  }

  acquire(): Promise<BackupFileWriter> {
    return this.pool.acquire();
  }

  release(file: BackupFileWriter): Promise<void> {
    return this.pool.release(file);
  }

  closeFile(file: BackupFileWriter): Promise<void> {
    return this.pool.closeFile(file);
  }

  async reopen(path: string, expectedBytes?: number): Promise<void> {
    this.pool.adopt(await this.reopenFile(path, expectedBytes));
  }

  openFiles(): BackupFileWriter[] {
    return this.pool.openFiles();
  }

  finish(): Promise<void> {
    return this.pool.finish();
  }

  abort(reason?: Error): Promise<void> {
    return this.pool.abort(reason);
  }
}
