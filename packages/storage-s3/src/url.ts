import { StorageError } from '@asbkit/storage';

export interface S3Location {
  bucket: string;
  /** Object key, or key prefix for a "directory" (may be empty). */
  key: string;
}

/** Splits `s3://bucket/key` (case-insensitive scheme). `option` names the flag in errors. */
export function parseS3Url(url: string, option: string): S3Location {
  if (url.slice(0, 5).toLowerCase() !== 's3://') {
    throw new StorageError('BAD_PATH', `${url} is not an s3:// path`, { path: url, option });
  }
  const rest = url.slice(5);
  const slash = rest.indexOf('/');
  if (slash === 0 || rest === '') {
    throw new StorageError('BAD_PATH', `Must specify a bucket after s3:// before the first '/' in ${url}`, {
      path: url,
      option,
    });
  }
  if (slash < 0) {
    throw new StorageError('BAD_PATH', `Expected '/<key>' after bucket name in S3 path ${url}`, {
      path: url,
      option,
    });
  }
  return { bucket: rest.slice(0, slash), key: rest.slice(slash + 1) };
}

/** The listing prefix of a "directory": its key with one trailing `/` (empty for the bucket root). */
export function directoryPrefix(key: string): string {
  const trimmed = key.replace(/\/+$/, '');
  return trimmed === '' ? '' : `${trimmed}/`;
}

export function s3Url(bucket: string, key: string): string {
  return `s3://${bucket}/${key}`;
}
