export {
  importS3Backend,
  listBackupFiles,
  openBackupSink,
  removeBackupArtifacts,
  resolveStateFilePath,
} from './dispatch.js';
export { checkResumeSize, StorageError, type StorageErrorCode } from './errors.js';
export { DEFAULT_FILE_LIMIT_MIB, fileLimitBytes } from './local-sink.js';
export { joinParent, parseStdinPath, throughTransforms } from './local-source.js';
export {
  BACKUP_EXTENSION,
  backupFileName,
  compareBackupNames,
  isBackupFileName,
  isPartialBackupFileName,
  isS3Url,
  isStdPath,
  PARTIAL_SUFFIX,
  stateFileName,
} from './naming.js';
export { FilePool, type FilePoolOptions } from './pool.js';
export { PooledSink, type PooledSinkParts } from './pooled-sink.js';
export type {
  BackupFileEntry,
  BackupFileList,
  BackupSink,
  BackupSinkOptions,
  BackupSourceOptions,
  RemoveArtifactsOptions,
  S3Backend,
  S3LogLevel,
  S3Options,
  StorageLog,
} from './types.js';
export {
  type BackupFileWriter,
  type RawFile,
  StreamBackupFileWriter,
  type TransformFactory,
} from './writer.js';
