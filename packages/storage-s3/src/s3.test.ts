import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { buffer } from 'node:stream/consumers';
import {
  type BackupSinkOptions,
  type BackupSourceOptions,
  listBackupFiles,
  openBackupSink,
  removeBackupArtifacts,
  type S3Backend,
} from '@asbkit/storage';
import { ListMultipartUploadsCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createS3Context } from './client.js';
import * as backend from './index.js';
import { startTestS3Server, type TestS3Server } from './test/index.js';

const loadS3 = async (): Promise<S3Backend> => backend;
let server: TestS3Server;
let runId = 0;

beforeAll(async () => {
  server = await startTestS3Server(['test-bucket']);
});
afterAll(async () => {
  await server?.stop();
});

/** A fresh "directory" per test. */
const freshDir = () => `s3://test-bucket/run${++runId}`;
const sinkOptions = (o: Partial<BackupSinkOptions>): BackupSinkOptions => ({
  prefix: 'ns',
  s3: server.s3,
  loadS3,
  ...o,
});
const sourceOptions = (o: Partial<BackupSourceOptions>): BackupSourceOptions => ({
  s3: server.s3,
  loadS3,
  ...o,
});

async function pendingUploads(prefix: string): Promise<number> {
  const ctx = createS3Context(server.s3);
  const res = await ctx.client.send(
    new ListMultipartUploadsCommand({ Bucket: 'test-bucket', Prefix: prefix }),
  );
  return res.Uploads?.length ?? 0;
}

describe('S3 directory mode', () => {
  it('writes <prefix>_<NNNNN>.asb objects that appear only when closed', async () => {
    const dir = freshDir();
    const sink = await openBackupSink(sinkOptions({ directory: dir }));
    const a = await sink.acquire();
    const b = await sink.acquire();
    expect(a.path).toBe(`${dir}/ns_00000.asb`);
    expect(b.path).toBe(`${dir}/ns_00001.asb`);
    await a.write(Buffer.from('Version 3.1\n'));
    await b.write(Buffer.from('Version 3.1\n# b\n'));
    await expect(listBackupFiles(sourceOptions({ directory: dir }))).rejects.toMatchObject({
      code: 'NO_BACKUP_FILES',
    });
    await sink.release(a);
    await sink.release(b);
    await sink.finish();
    const list = await listBackupFiles(sourceOptions({ directory: dir }));
    expect(list.files.map((f) => [f.path, f.size])).toEqual([
      [`${dir}/ns_00000.asb`, 12],
      [`${dir}/ns_00001.asb`, 16],
    ]);
    expect((await buffer(await list.files[1]!.open())).toString()).toBe('Version 3.1\n# b\n');
  });

  it('uploads a file of many parts with bounded uploads and reads it back by ranges', async () => {
    const dir = freshDir();
    const s3 = { ...server.s3, minPartSizeMiB: 16 / 1024, maxAsyncUploads: 2 };
    const sink = await openBackupSink(sinkOptions({ directory: dir, s3 }));
    const file = await sink.acquire();
    const data = randomBytes(200 * 1024 + 123);
    for (let at = 0; at < data.length; at += 7000) await file.write(data.subarray(at, at + 7000));
    await sink.closeFile(file);
    expect(file.fileBytes).toBe(data.length);
    await sink.finish();
    const list = await backend.listS3BackupFiles({
      directory: dir,
      s3,
      rangedRead: { chunkSize: 10_000, readAhead: 3 },
    });
    expect(list.totalBytes).toBe(data.length);
    const back = await buffer(await list.files[0]!.open());
    expect(back.equals(data)).toBe(true);
  });

  it('refuses a prefix holding a backup; -r clears it', async () => {
    const dir = freshDir();
    const first = await openBackupSink(sinkOptions({ directory: dir }));
    const f = await first.acquire();
    await f.write(Buffer.from('x'));
    await first.release(f);
    await first.finish();
    const key = dir.slice('s3://test-bucket/'.length);
    await expect(openBackupSink(sinkOptions({ directory: dir }))).rejects.toThrow(
      `S3 directory ${key} in bucket test-bucket seems to contain an existing backup; use -r to clear the directory`,
    );
    const again = await openBackupSink(sinkOptions({ directory: dir, removeFiles: true }));
    await again.finish();
    await expect(listBackupFiles(sourceOptions({ directory: dir }))).rejects.toMatchObject({
      code: 'NO_BACKUP_FILES',
    });
  });

  it('an aborted backup leaves no object and no pending upload', async () => {
    const dir = freshDir();
    const s3 = { ...server.s3, minPartSizeMiB: 4 / 1024, maxAsyncUploads: 1 };
    const sink = await openBackupSink(sinkOptions({ directory: dir, s3 }));
    const file = await sink.acquire();
    // Far more than the stream buffers hold, so parts (and the upload) must have started.
    const data = randomBytes(100 * 1024);
    for (let at = 0; at < data.length; at += 1024) await file.write(data.subarray(at, at + 1024));
    const key = dir.slice('s3://test-bucket/'.length);
    expect(await pendingUploads(key)).toBe(1);
    await sink.abort(new Error('interrupted'));
    expect(await pendingUploads(key)).toBe(0);
    await expect(listBackupFiles(sourceOptions({ directory: dir }))).rejects.toMatchObject({
      code: 'NO_BACKUP_FILES',
    });
  });

  it('lists more than 1,000 objects across pages, in name order', async () => {
    const dir = freshDir();
    const key = dir.slice('s3://test-bucket/'.length);
    const ctx = createS3Context(server.s3);
    const count = 1005;
    const names = Array.from({ length: count }, (_, i) => `${key}/ns_${String(i).padStart(5, '0')}.asb`);
    for (let i = 0; i < names.length; i += 25) {
      await Promise.all(
        names
          .slice(i, i + 25)
          .map((k) => ctx.client.send(new PutObjectCommand({ Bucket: 'test-bucket', Key: k, Body: 'x' }))),
      );
    }
    await ctx.client.send(
      new PutObjectCommand({ Bucket: 'test-bucket', Key: `${key}/sub/other.asb`, Body: 'yy' }),
    );
    await ctx.client.send(
      new PutObjectCommand({ Bucket: 'test-bucket', Key: `${key}/notes.txt`, Body: 'n' }),
    );
    const list = await listBackupFiles(sourceOptions({ directory: dir }));
    expect(list.files).toHaveLength(count + 1);
    expect(list.files[0]!.path).toBe(`${dir}/ns_00000.asb`);
    expect(list.files[count - 1]!.path).toBe(`${dir}/ns_01004.asb`);
    expect(list.files[count]!.path).toBe(`${dir}/sub/other.asb`);
    expect(list.totalBytes).toBe(count + 2);
    const removed = await removeBackupArtifacts({ directory: dir, prefix: 'ns', s3: server.s3, loadS3 });
    expect(removed).toHaveLength(count + 1);
    await expect(listBackupFiles(sourceOptions({ directory: dir }))).rejects.toMatchObject({
      code: 'NO_BACKUP_FILES',
    });
  }, 60_000);
});

describe('S3 single file mode', () => {
  it('writes one object, refuses to overwrite it without -r', async () => {
    const path = `${freshDir()}/single.asb`;
    const sink = await openBackupSink(sinkOptions({ outputFile: path }));
    const file = await sink.acquire();
    await file.write(Buffer.from('one'));
    await sink.release(file);
    await sink.finish();
    await expect(openBackupSink(sinkOptions({ outputFile: path }))).rejects.toThrow(
      `S3 object ${path} exists, pass --remove-files to replace it`,
    );
    const again = await openBackupSink(sinkOptions({ outputFile: path, removeFiles: true }));
    const f2 = await again.acquire();
    await f2.write(Buffer.from('two!'));
    await again.release(f2);
    await again.finish();
    const list = await listBackupFiles(sourceOptions({ inputFile: path }));
    expect(list).toMatchObject({ kind: 'file', totalBytes: 4 });
    expect((await buffer(await list.files[0]!.open())).toString()).toBe('two!');
  });

  it('reports a missing input object', async () => {
    const path = `${freshDir()}/absent.asb`;
    await expect(listBackupFiles(sourceOptions({ inputFile: path }))).rejects.toThrow(
      `Input file ${path} does not exist`,
    );
  });
});

describe('S3 resume (append)', () => {
  it('appends to a finished single-file object', async () => {
    const path = `${freshDir()}/resume.asb`;
    const first = await openBackupSink(sinkOptions({ outputFile: path }));
    const f = await first.acquire();
    await f.write(Buffer.from('Version 3.1\n'));
    await first.release(f);
    await first.finish();
    const sink = await openBackupSink(sinkOptions({ outputFile: path, resume: { fileCount: 1 } }));
    await expect(sink.reopen(path, 5)).rejects.toThrow('Expected file pos (5) did not match file pos (12)');
    await expect(sink.reopen(`${path}x`)).rejects.toMatchObject({ code: 'RESUME_MISMATCH' });
    await sink.reopen(path, 12);
    const file = await sink.acquire();
    expect(file.isNew).toBe(false);
    await file.write(Buffer.from('# more\n'));
    expect(sink.openFiles()).toEqual([file]);
    await sink.release(file);
    await sink.finish();
    const list = await listBackupFiles(sourceOptions({ inputFile: path }));
    expect((await buffer(await list.files[0]!.open())).toString()).toBe('Version 3.1\n# more\n');
  });

  it('appends to a multi-part object, and an aborted append keeps the old one', async () => {
    const dir = freshDir();
    const s3 = { ...server.s3, minPartSizeMiB: 8 / 1024 };
    const first = await openBackupSink(sinkOptions({ directory: dir, s3 }));
    const f = await first.acquire();
    const old = randomBytes(30 * 1024);
    await f.write(old);
    await first.release(f);
    await first.finish();
    const path = `${dir}/ns_00000.asb`;

    const failed = await openBackupSink(sinkOptions({ directory: dir, s3, resume: { fileCount: 1 } }));
    await failed.reopen(path, old.length);
    const doomed = await failed.acquire();
    await doomed.write(randomBytes(20 * 1024));
    await failed.abort();
    let list = await listBackupFiles(sourceOptions({ directory: dir }));
    expect((await buffer(await list.files[0]!.open())).equals(old)).toBe(true);

    const sink = await openBackupSink(sinkOptions({ directory: dir, s3, resume: { fileCount: 1 } }));
    await sink.reopen(path, old.length);
    const file = await sink.acquire();
    const more = randomBytes(10 * 1024);
    await file.write(more);
    expect(file.fileBytes).toBe(old.length + more.length);
    await sink.release(file);
    await sink.finish();
    expect(sink.fileCount).toBe(1);
    list = await listBackupFiles(sourceOptions({ directory: dir }));
    expect(list.totalBytes).toBe(old.length + more.length);
    expect((await buffer(await list.files[0]!.open())).equals(Buffer.concat([old, more]))).toBe(true);
  });
});

describe('S3 retries and failures', () => {
  it('retries throttling and 5xx answers with backoff', async () => {
    const dir = freshDir();
    const s3 = { ...server.s3, maxAttempts: 3, minPartSizeMiB: 8 / 1024 };
    const sink = await openBackupSink(sinkOptions({ directory: dir, s3 }));
    const file = await sink.acquire();
    const data = randomBytes(40 * 1024);
    await file.write(data.subarray(0, 20 * 1024));
    server.failNext(2, 503);
    await file.write(data.subarray(20 * 1024));
    await sink.release(file);
    server.failNext(2, 500);
    await sink.finish();
    server.failNext(2, 503);
    const list = await backend.listS3BackupFiles({ directory: dir, s3 });
    expect((await buffer(await list.files[0]!.open())).equals(data)).toBe(true);
  });

  it('gives up with a clear error, and a failed file leaves nothing behind', async () => {
    const dir = freshDir();
    const key = dir.slice('s3://test-bucket/'.length);
    const s3 = { ...server.s3, maxAttempts: 2, minPartSizeMiB: 4 / 1024, maxAsyncUploads: 1 };
    const sink = await openBackupSink(sinkOptions({ directory: dir, s3 }));
    const file = await sink.acquire();
    await file.write(randomBytes(6 * 1024));
    server.failNext(1000, 503);
    const writing = (async () => {
      for (let i = 0; i < 100; i++) await file.write(randomBytes(1024));
      await sink.closeFile(file);
    })();
    await expect(writing).rejects.toThrow(/SlowDown \(HTTP 503\)/);
    server.failNext(0);
    await sink.abort();
    expect(await pendingUploads(key)).toBe(0);
    await expect(listBackupFiles(sourceOptions({ directory: dir }))).rejects.toMatchObject({
      code: 'NO_BACKUP_FILES',
    });
  });
});

describe('S3 errors', () => {
  it('names a missing bucket', async () => {
    await expect(listBackupFiles(sourceOptions({ directory: 's3://no-such-bucket/dir' }))).rejects.toThrow(
      'S3 bucket no-such-bucket does not exist (while listing s3://no-such-bucket/dir)',
    );
    await expect(openBackupSink(sinkOptions({ directory: 's3://no-such-bucket/dir' }))).rejects.toMatchObject(
      {
        code: 'S3',
      },
    );
    await expect(openBackupSink(sinkOptions({ outputFile: 's3://no-such-bucket/one.asb' }))).rejects.toThrow(
      'S3 bucket no-such-bucket does not exist',
    );
  });

  it('names an unreachable endpoint', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as { port: number }).port;
    await new Promise((r) => closed.close(r));
    const s3 = { endpointOverride: `http://127.0.0.1:${port}`, maxAttempts: 1 };
    await expect(listBackupFiles({ directory: 's3://b/d', s3, loadS3 })).rejects.toThrow(
      `Cannot reach S3 endpoint http://127.0.0.1:${port} while listing s3://b/d`,
    );
  });

  it('never shows credentials embedded in the endpoint URL', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as { port: number }).port;
    await new Promise((r) => closed.close(r));
    const s3 = { endpointOverride: `http://minio:topsecret@127.0.0.1:${port}`, maxAttempts: 1 };
    const err = await listBackupFiles({ directory: 's3://b/d', s3, loadS3 }).catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toContain(
      `Cannot reach S3 endpoint http://127.0.0.1:${port} while listing`,
    );
    expect((err as Error).message).not.toContain('topsecret');
  });
});
