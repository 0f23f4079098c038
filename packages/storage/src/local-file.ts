import { once } from 'node:events';
import { type FileHandle, open, rename, stat, truncate, unlink } from 'node:fs/promises';
import { Writable } from 'node:stream';
import { checkResumeSize, errnoOf, ioError, StorageError } from './errors.js';
import { PARTIAL_SUFFIX } from './naming.js';
import type { RawFile } from './writer.js';

async function removeIfPresent(path: string): Promise<void> {
  try {
    await unlink(path);
  } catch (err) {
    if (errnoOf(err) !== 'ENOENT') throw ioError('removing', path, err);
  }
}

/** Size of a file, or undefined when it does not exist. */
export async function sizeIfExists(path: string): Promise<number | undefined> {
  try {
    return (await stat(path)).size;
  } catch (err) {
    if (errnoOf(err) === 'ENOENT') return undefined;
    throw ioError('checking', path, err);
  }
}

/** Written bytes between background flushes to the disk (see SyncingFileStream). */
const SYNC_EVERY_BYTES = 16 * 1024 * 1024;

/**
 * A file's write stream that asks the disk to take what was written so far every
 * SYNC_EVERY_BYTES, in the background: the fsync made when the file is published then has little left to do,
 * instead of a whole file's worth of dirty pages at the very end of the backup. Each write
 * calls back once its bytes are in the file (the chunk is then free for reuse).
 */
class SyncingFileStream extends Writable {
  private written = 0;
  private syncedAt = 0;
  private syncing: Promise<void> | undefined;

  constructor(private readonly handle: FileHandle) {
    super();
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, done: (err?: Error | null) => void): void {
    this.writeAll(chunk).then(() => done(), done);
  }

  override _writev(chunks: { chunk: Buffer }[], done: (err?: Error | null) => void): void {
    this.writeAll(Buffer.concat(chunks.map((c) => c.chunk))).then(() => done(), done);
  }

  private async writeAll(chunk: Buffer): Promise<void> {
    for (let at = 0; at < chunk.length; ) {
      const { bytesWritten } = await this.handle.write(chunk, at, chunk.length - at);
      at += bytesWritten;
    }
    this.written += chunk.length;
    if (this.written - this.syncedAt >= SYNC_EVERY_BYTES && !this.syncing) {
      this.syncedAt = this.written;
      // best effort: the fsync on publishing is the one that counts
      this.syncing = this.handle.datasync().then(
        () => {
          this.syncing = undefined;
        },
        () => {
          this.syncing = undefined;
        },
      );
    }
  }

  override _destroy(err: Error | null, done: (err?: Error | null) => void): void {
    Promise.resolve(this.syncing)
      .then(() => this.handle.close())
      .then(
        () => done(err),
        (closeErr: Error) => done(err ?? closeErr),
      );
  }
}

/**
 * A local file written as `<path>.part` and renamed to `path` after an fsync on commit.
 * `append` moves the finished file back to `.part` first, so a resumed file is never visible
 * half-appended; discarding it then truncates to the old size and moves it back.
 */
export async function openLocalRawFile(
  path: string,
  mode: 'create' | 'append',
  expectedBytes?: number,
): Promise<RawFile> {
  const temp = path + PARTIAL_SUFFIX;
  let initialBytes = 0;
  if (mode === 'create') {
    if ((await sizeIfExists(path)) !== undefined) {
      throw new StorageError('FILE_STATE', `Backup file ${path} already exists`, { path });
    }
  } else {
    const size = await sizeIfExists(path);
    checkResumeSize(path, size, expectedBytes);
    initialBytes = size;
    try {
      await rename(path, temp);
    } catch (err) {
      throw ioError('reopening', path, err);
    }
  }
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(temp, mode === 'append' ? 'a' : 'w');
  } catch (err) {
    throw ioError('creating', temp, err);
  }
  const stream = new SyncingFileStream(handle);
  return {
    stream,
    initialBytes,
    callsBackWhenWritten: true,
    async commit() {
      if (!stream.closed) await once(stream, 'close');
      try {
        const synced = await open(temp, 'r+');
        await synced.sync().finally(() => synced.close());
        await rename(temp, path);
      } catch (err) {
        throw ioError('publishing', path, err);
      }
    },
    async discard() {
      if (!stream.destroyed) stream.destroy();
      if (!stream.closed) await once(stream, 'close').catch(() => {});
      if (mode === 'create') {
        await removeIfPresent(temp);
        return;
      }
      try {
        await truncate(temp, initialBytes);
        await rename(temp, path);
      } catch (err) {
        throw ioError('restoring', path, err);
      }
    },
  };
}

/** Stdout (or any stream the caller owns): written with back-pressure, never ended or closed. */
export function borrowedRawFile(target: Writable): RawFile {
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      if (target.write(chunk)) done();
      else target.once('drain', () => done());
    },
    final(done) {
      // Resolves once everything queued before it has been handed to the target.
      target.write(Buffer.alloc(0), () => done());
    },
  });
  const onError = (err: Error) => stream.destroy(err);
  target.on('error', onError);
  stream.once('close', () => target.off('error', onError));
  return { stream, initialBytes: 0, commit: async () => {}, discard: async () => {} };
}

/** Drops every byte (estimate mode). */
export function nullRawFile(): RawFile {
  const stream = new Writable({ write: (_chunk, _enc, done) => done() });
  return { stream, initialBytes: 0, commit: async () => {}, discard: async () => {} };
}
