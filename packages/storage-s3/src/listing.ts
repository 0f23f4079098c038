import { isBackupFileName } from '@asbkit/storage';
import {
  AbortMultipartUploadCommand,
  DeleteObjectsCommand,
  type DeleteObjectsCommandOutput,
  ListMultipartUploadsCommand,
  type ListMultipartUploadsCommandOutput,
  ListObjectsV2Command,
  type ListObjectsV2CommandOutput,
} from '@aws-sdk/client-s3';
import { type S3Context, s3Error } from './client.js';

export interface ListedObject {
  key: string;
  size: number;
}

export interface ListedUpload {
  key: string;
  uploadId: string;
}

/** Every object under `prefix` (recursive, all pages) whose key ends in `.asb`. */
export async function listBackupObjects(
  ctx: S3Context,
  bucket: string,
  prefix: string,
  location: string,
): Promise<ListedObject[]> {
  const found: ListedObject[] = [];
  let token: string | undefined;
  do {
    let page: ListObjectsV2CommandOutput;
    try {
      page = await ctx.client.send(
        new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
      );
    } catch (err) {
      throw s3Error(ctx, err, 'listing', location, bucket);
    }
    for (const obj of page.Contents ?? []) {
      if (obj.Key && isBackupFileName(obj.Key)) found.push({ key: obj.Key, size: obj.Size ?? 0 });
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return found;
}

/** Unfinished multipart uploads of `.asb` keys under `prefix` (all pages). */
export async function listBackupUploads(
  ctx: S3Context,
  bucket: string,
  prefix: string,
  location: string,
): Promise<ListedUpload[]> {
  const found: ListedUpload[] = [];
  let keyMarker: string | undefined;
  let uploadIdMarker: string | undefined;
  for (;;) {
    let page: ListMultipartUploadsCommandOutput;
    try {
      page = await ctx.client.send(
        new ListMultipartUploadsCommand({
          Bucket: bucket,
          Prefix: prefix,
          KeyMarker: keyMarker,
          UploadIdMarker: uploadIdMarker,
        }),
      );
    } catch (err) {
      throw s3Error(ctx, err, 'listing uploads in', location, bucket);
    }
    for (const up of page.Uploads ?? []) {
      if (up.Key && up.UploadId && isBackupFileName(up.Key))
        found.push({ key: up.Key, uploadId: up.UploadId });
    }
    if (!page.IsTruncated) return found;
    keyMarker = page.NextKeyMarker;
    uploadIdMarker = page.NextUploadIdMarker;
  }
}

/** Deletes keys in batches of 1000 (the DeleteObjects limit). */
export async function deleteObjects(
  ctx: S3Context,
  bucket: string,
  keys: string[],
  location: string,
): Promise<void> {
  for (let i = 0; i < keys.length; i += 1000) {
    const batch = keys.slice(i, i + 1000);
    let res: DeleteObjectsCommandOutput;
    try {
      res = await ctx.client.send(
        new DeleteObjectsCommand({
          Bucket: bucket,
          Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true },
        }),
      );
    } catch (err) {
      throw s3Error(ctx, err, 'deleting objects in', location, bucket);
    }
    const failed = res.Errors?.[0];
    if (failed) {
      throw s3Error(
        ctx,
        Object.assign(new Error(failed.Message ?? 'delete failed'), { name: failed.Code }),
        'deleting',
        `s3://${bucket}/${failed.Key}`,
        bucket,
      );
    }
  }
}

export async function abortUploads(
  ctx: S3Context,
  bucket: string,
  uploads: ListedUpload[],
  location: string,
): Promise<void> {
  for (const up of uploads) {
    try {
      await ctx.client.send(
        new AbortMultipartUploadCommand({ Bucket: bucket, Key: up.key, UploadId: up.uploadId }),
      );
    } catch (err) {
      throw s3Error(ctx, err, 'aborting an upload in', location, bucket);
    }
  }
}
