import {
  type BackupSink,
  type BackupSinkOptions,
  backupFileName,
  checkResumeSize,
  fileLimitBytes,
  PooledSink,
  StorageError,
  StreamBackupFileWriter,
} from '@asbkit/storage';
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { createS3Context, errorName, httpStatus, type S3Context, s3Error } from './client.js';
import { rangedObjectStream } from './download.js';
import { abortUploads, deleteObjects, listBackupObjects, listBackupUploads } from './listing.js';
import { openS3RawFile, partSizeFor, reopenS3RawFile } from './upload.js';
import { directoryPrefix, parseS3Url, s3Url } from './url.js';

/** True when the object exists; NotFound is not an error here. */
export async function objectSize(
  ctx: S3Context,
  bucket: string,
  key: string,
  action: string,
): Promise<number | undefined> {
  try {
    const head = await ctx.client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    return head.ContentLength ?? 0;
  } catch (err) {
    if (errorName(err) === 'NotFound' || errorName(err) === 'NoSuchKey' || httpStatus(err) === 404) {
      // A 404 on HEAD may also mean a missing bucket; the next request says which.
      return undefined;
    }
    throw s3Error(ctx, err, action, s3Url(bucket, key), bucket);
  }
}

/** Resume: append to a finished object whose size must equal the saved position. */
async function reopenObject(
  ctx: S3Context,
  path: string,
  partSize: number,
  expectedBytes: number | undefined,
  transforms: BackupSinkOptions['transforms'],
): Promise<StreamBackupFileWriter> {
  const { bucket, key } = parseS3Url(path, '--continue');
  const size = await objectSize(ctx, bucket, key, 'reopening');
  checkResumeSize(path, size, expectedBytes);
  const raw = await reopenS3RawFile(
    ctx,
    bucket,
    key,
    partSize,
    rangedObjectStream(ctx, bucket, key, size),
    size,
  );
  return new StreamBackupFileWriter(path, raw, { isNew: false, transforms });
}

/** `-d s3://bucket/prefix` or `-o s3://bucket/key`. */
export async function openS3BackupSink(options: BackupSinkOptions): Promise<BackupSink> {
  const ctx = createS3Context(options.s3);
  const transforms = options.transforms;
  if (options.directory !== undefined) {
    const location = options.directory;
    const { bucket, key } = parseS3Url(location, '--directory');
    const prefix = directoryPrefix(key);
    const limit = fileLimitBytes(options);
    const partSize = partSizeFor(limit, options.s3?.minPartSizeMiB);
    const objects = await listBackupObjects(ctx, bucket, prefix, location);
    const uploads = await listBackupUploads(ctx, bucket, prefix, location);
    if (options.resume) {
      if (objects.length !== options.resume.fileCount) {
        throw new StorageError(
          'RESUME_MISMATCH',
          `Expected ${options.resume.fileCount} backup files, but found ${objects.length}`,
          { path: location },
        );
      }
    } else if (objects.length + uploads.length > 0) {
      if (!options.removeFiles) {
        throw new StorageError(
          'EXISTING_BACKUP',
          `S3 directory ${key} in bucket ${bucket} seems to contain an existing backup; use -r to clear the directory`,
          { path: location, option: '--directory' },
        );
      }
      await deleteObjects(
        ctx,
        bucket,
        objects.map((o) => o.key),
        location,
      );
      await abortUploads(ctx, bucket, uploads, location);
    }
    return new PooledSink({
      kind: 'directory',
      location,
      fileLimitBytes: limit,
      firstIndex: options.resume?.fileCount ?? 0,
      create: async (index) => {
        const objectKey = prefix + backupFileName(options.prefix, index);
        const raw = openS3RawFile(ctx, bucket, objectKey, partSize);
        return new StreamBackupFileWriter(s3Url(bucket, objectKey), raw, { isNew: true, transforms });
      },
      reopen: async (path, expectedBytes) => {
        if (!path.startsWith(s3Url(bucket, prefix))) {
          throw new StorageError('RESUME_MISMATCH', `Saved file ${path} is not under ${location}`, {
            path,
            option: '--directory',
          });
        }
        return reopenObject(ctx, path, partSize, expectedBytes, transforms);
      },
    });
  }
  const location = options.outputFile;
  if (location === undefined) {
    throw new StorageError('BAD_OPTION', 'Specify --directory or --output-file', { option: '--directory' });
  }
  const { bucket, key } = parseS3Url(location, '--output-file');
  if (key === '' || key.endsWith('/')) {
    throw new StorageError('BAD_PATH', `S3 output file ${location} has no object name`, {
      path: location,
      option: '--output-file',
    });
  }
  const partSize = partSizeFor(options.expectedFileBytes, options.s3?.minPartSizeMiB);
  const existing = options.resume ? undefined : await objectSize(ctx, bucket, key, 'checking');
  // HEAD has no error body: a listing tells a missing bucket apart before any upload starts.
  if (existing === undefined) await listBackupObjects(ctx, bucket, key, location);
  if (existing !== undefined) {
    if (!options.removeFiles) {
      throw new StorageError(
        'OUTPUT_EXISTS',
        `S3 object ${location} exists, pass --remove-files to replace it`,
        {
          path: location,
          option: '--output-file',
        },
      );
    }
    await deleteObjects(ctx, bucket, [key], location);
  }
  return new PooledSink({
    kind: 'file',
    location,
    maxFiles: 1,
    create: async (index) => {
      if (index > 0) {
        throw new StorageError('FILE_STATE', `Output file ${location} was already closed`, {
          path: location,
        });
      }
      return new StreamBackupFileWriter(location, openS3RawFile(ctx, bucket, key, partSize), {
        isNew: true,
        transforms,
      });
    },
    reopen: async (path, expectedBytes) => {
      if (path !== location) {
        throw new StorageError('RESUME_MISMATCH', `Saved file ${path} is not the output file ${location}`, {
          path,
          option: '--output-file',
        });
      }
      return reopenObject(ctx, path, partSize, expectedBytes, transforms);
    },
  });
}
