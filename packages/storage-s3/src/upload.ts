import { once } from 'node:events';
import { type Readable, Writable } from 'node:stream';
import { type RawFile, StorageError } from '@asbkit/storage';
import {
  AbortMultipartUploadCommand,
  type CompletedPart,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  PutObjectCommand,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { type S3Context, s3Error } from './client.js';
import { s3Url } from './url.js';

const MIB = 1024 * 1024;
export const S3_MIN_PART_SIZE = 5 * MIB;
export const S3_MAX_PARTS = 10_000;
export const S3_MAX_OBJECT_SIZE = 5 * 1024 * 1024 * MIB;

/**
 * The official rule (spec §11): `--s3-min-part-size` MiB if given, else
 * max(5 MiB, ceil(expected / 10000)). The override may be fractional (tests use tiny parts).
 */
export function partSizeFor(expectedBytes: number | undefined, minPartSizeMiB: number | undefined): number {
  if (minPartSizeMiB !== undefined) {
    if (!Number.isFinite(minPartSizeMiB) || minPartSizeMiB <= 0) {
      throw new StorageError(
        'BAD_OPTION',
        `--s3-min-part-size must be a positive number of MiB, got ${minPartSizeMiB}`,
        {
          option: '--s3-min-part-size',
        },
      );
    }
    return Math.max(1, Math.round(minPartSizeMiB * MIB));
  }
  const expected = expectedBytes ?? 0;
  if (expected > S3_MAX_OBJECT_SIZE) {
    throw new StorageError(
      'BAD_OPTION',
      `The max S3 object size is ${S3_MAX_OBJECT_SIZE}, but expected file size is ${expected}`,
      { option: '--file-limit' },
    );
  }
  return Math.max(S3_MIN_PART_SIZE, Math.ceil(expected / S3_MAX_PARTS));
}

/**
 * An object written by multipart upload. Parts of `partSize` go up as they fill, at most
 * `--s3-max-async-uploads` at once across all files; a write waits for a slot, so memory is
 * about (open files + uploads in flight) × part size. The object appears only when `commit()`
 * completes the upload; `discard()` aborts it. A file that never fills one part is sent with a
 * single PutObject on commit.
 */
export function openS3RawFile(
  ctx: S3Context,
  bucket: string,
  key: string,
  partSize: number,
  initialBytes = 0,
): RawFile {
  const url = s3Url(bucket, key);
  const client = ctx.client;
  let buffered: Buffer[] = [];
  let bufferedBytes = 0;
  let uploadId: string | undefined;
  let starting: Promise<string> | undefined;
  const parts: CompletedPart[] = [];
  const inFlight = new Set<Promise<void>>();
  let failure: StorageError | undefined;
  let small: Buffer | undefined;
  let discarded = false;
  // The write/final work in progress, so discard() can wait for it before aborting.
  let working: Promise<void> = Promise.resolve();

  const startUpload = (): Promise<string> => {
    starting ??= client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key })).then(
      (res) => {
        if (!res.UploadId) throw new StorageError('S3', `S3 returned no upload id for ${url}`, { path: url });
        uploadId = res.UploadId;
        return uploadId;
      },
      (err) => {
        throw s3Error(ctx, err, 'starting the upload of', url, bucket);
      },
    );
    return starting;
  };

  /** Sends one part once a slot is free; resolves when the part is on its way. */
  const sendPart = async (body: Buffer): Promise<void> => {
    const partNumber = parts.length + 1;
    if (partNumber > S3_MAX_PARTS) {
      throw new StorageError(
        'S3',
        `${url} needs more than ${S3_MAX_PARTS} parts of ${partSize} bytes; raise --s3-min-part-size`,
        { path: url, option: '--s3-min-part-size' },
      );
    }
    const part: CompletedPart = { PartNumber: partNumber };
    parts.push(part);
    const id = await startUpload();
    const give = await ctx.uploads.take();
    if (discarded) {
      give();
      return;
    }
    const sent = client
      .send(
        new UploadPartCommand({ Bucket: bucket, Key: key, UploadId: id, PartNumber: partNumber, Body: body }),
      )
      .then(
        (res) => {
          part.ETag = res.ETag;
        },
        (err) => {
          failure ??= s3Error(ctx, err, `uploading part ${partNumber} of`, url, bucket);
        },
      )
      .finally(() => {
        give();
        inFlight.delete(sent);
      });
    inFlight.add(sent);
  };

  const takeBuffered = (bytes: number): Buffer => {
    const all = buffered.length === 1 ? buffered[0]! : Buffer.concat(buffered);
    const head = all.subarray(0, bytes);
    const rest = all.subarray(bytes);
    buffered = rest.length > 0 ? [rest] : [];
    bufferedBytes = rest.length;
    return head;
  };

  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      if (failure) return done(failure);
      buffered.push(chunk);
      bufferedBytes += chunk.length;
      working = (async () => {
        while (bufferedBytes >= partSize && !discarded) await sendPart(takeBuffered(partSize));
      })().then(() => done(failure ?? null), done);
    },
    final(done) {
      working = (async () => {
        if (uploadId === undefined && starting === undefined) {
          // Never reached one part: keep it for a single PutObject at commit.
          small = takeBuffered(bufferedBytes);
          return;
        }
        if (bufferedBytes > 0 || parts.length === 0) await sendPart(takeBuffered(bufferedBytes));
        await Promise.all(inFlight);
      })().then(() => done(failure ?? null), done);
    },
  });

  return {
    stream,
    initialBytes,
    async commit() {
      if (failure) throw failure;
      if (small !== undefined) {
        await ctx.uploads
          .run(() => client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: small })))
          .catch((err) => {
            throw s3Error(ctx, err, 'uploading', url, bucket);
          });
        return;
      }
      try {
        await client.send(
          new CompleteMultipartUploadCommand({
            Bucket: bucket,
            Key: key,
            UploadId: uploadId,
            MultipartUpload: { Parts: parts },
          }),
        );
      } catch (err) {
        throw s3Error(ctx, err, 'completing the upload of', url, bucket);
      }
    },
    async discard() {
      discarded = true;
      if (!stream.destroyed) stream.destroy();
      await working;
      await Promise.allSettled(inFlight);
      const id = uploadId ?? (await starting?.catch(() => undefined));
      if (id === undefined) return;
      try {
        await client.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: id }));
      } catch (err) {
        throw s3Error(ctx, err, 'aborting the upload of', url, bucket);
      }
    },
  };
}

/**
 * Reopens a finished object for append (resume): a new upload of the same key is fed the old
 * bytes first (ranged reads), then the new ones. The old object stays as it is until the new
 * one is completed, so a failure or crash while appending loses nothing.
 */
export async function reopenS3RawFile(
  ctx: S3Context,
  bucket: string,
  key: string,
  partSize: number,
  existing: Readable,
  size: number,
): Promise<RawFile> {
  const raw = openS3RawFile(ctx, bucket, key, partSize, size);
  try {
    for await (const chunk of existing) {
      if (!raw.stream.write(chunk)) await once(raw.stream, 'drain');
    }
  } catch (err) {
    await raw.discard().catch(() => {});
    throw err;
  }
  return raw;
}
