export {
  createS3Context,
  DEFAULT_CONNECT_TIMEOUT_MS,
  DEFAULT_MAX_ASYNC_DOWNLOADS,
  DEFAULT_MAX_ASYNC_UPLOADS,
  type S3Context,
} from './client.js';
export { DOWNLOAD_CHUNK_SIZE, READ_AHEAD_PER_FILE, rangedObjectStream } from './download.js';
export { openS3BackupSink } from './sink.js';
export { listS3BackupFiles, removeS3Artifacts, type S3SourceOptions } from './source.js';
export { openS3RawFile, partSizeFor, S3_MAX_PARTS, S3_MIN_PART_SIZE } from './upload.js';
export { directoryPrefix, parseS3Url, type S3Location } from './url.js';
