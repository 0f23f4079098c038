import {
  type BackupFileEntry,
  type BackupFileList,
  type BackupSourceOptions,
  compareBackupNames,
  type RemoveArtifactsOptions,
  StorageError,
  throughTransforms,
} from '@asbkit/storage';
import { createS3Context, type S3Context } from './client.js';
import { type RangedReadOptions, rangedObjectStream } from './download.js';
import { abortUploads, deleteObjects, listBackupObjects, listBackupUploads } from './listing.js';
import { objectSize } from './sink.js';
import { directoryPrefix, parseS3Url, s3Url } from './url.js';

function objectEntry(
  ctx: S3Context,
  bucket: string,
  key: string,
  size: number,
  read?: RangedReadOptions,
): BackupFileEntry {
  return {
    path: s3Url(bucket, key),
    size,
    async open(options) {
      return throughTransforms(rangedObjectStream(ctx, bucket, key, size, read), options?.transforms);
    },
  };
}

/** Test hook: smaller download chunks than the official 5 MiB. */
export interface S3SourceOptions extends BackupSourceOptions {
  rangedRead?: RangedReadOptions;
}

/** `-d s3://bucket/prefix` (every `.asb` below it, recursively) or `-i s3://bucket/key`. */
export async function listS3BackupFiles(options: S3SourceOptions): Promise<BackupFileList> {
  const ctx = createS3Context(options.s3);
  if (options.inputFile !== undefined) {
    const location = options.inputFile;
    const { bucket, key } = parseS3Url(location, '--input-file');
    const size = await objectSize(ctx, bucket, key, 'opening');
    if (size === undefined) {
      // Listing tells a missing bucket (NoSuchBucket) from a missing key.
      await listBackupObjects(ctx, bucket, key, location);
      throw new StorageError('INPUT_MISSING', `Input file ${location} does not exist`, {
        path: location,
        option: '--input-file',
      });
    }
    return {
      kind: 'file',
      files: [objectEntry(ctx, bucket, key, size, options.rangedRead)],
      totalBytes: size,
    };
  }
  const location = options.directory;
  if (location === undefined) {
    throw new StorageError('BAD_OPTION', 'Specify --directory or --input-file', { option: '--directory' });
  }
  const { bucket, key } = parseS3Url(location, '--directory');
  const objects = await listBackupObjects(ctx, bucket, directoryPrefix(key), location);
  objects.sort((a, b) => compareBackupNames(a.key, b.key));
  const files = objects.map((o) => objectEntry(ctx, bucket, o.key, o.size, options.rangedRead));
  return { kind: 'directory', files, totalBytes: objects.reduce((sum, o) => sum + o.size, 0) };
}

/** `--remove-artifacts` on S3: deletes the `.asb` objects and aborts `.asb` uploads under the prefix. */
export async function removeS3Artifacts(options: RemoveArtifactsOptions): Promise<string[]> {
  const ctx = createS3Context(options.s3);
  if (options.outputFile !== undefined) {
    const { bucket, key } = parseS3Url(options.outputFile, '--output-file');
    if ((await objectSize(ctx, bucket, key, 'checking')) === undefined) return [];
    await deleteObjects(ctx, bucket, [key], options.outputFile);
    return [options.outputFile];
  }
  const location = options.directory!;
  const { bucket, key } = parseS3Url(location, '--directory');
  const prefix = directoryPrefix(key);
  const objects = await listBackupObjects(ctx, bucket, prefix, location);
  await deleteObjects(
    ctx,
    bucket,
    objects.map((o) => o.key),
    location,
  );
  await abortUploads(ctx, bucket, await listBackupUploads(ctx, bucket, prefix, location), location);
  return objects.map((o) => s3Url(bucket, o.key));
}
