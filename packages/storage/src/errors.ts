/** Stable codes for every storage failure, so callers can branch without parsing messages. */
export type StorageErrorCode =
  | 'EXISTING_BACKUP'
  | 'OUTPUT_EXISTS'
  | 'DIRECTORY_MISSING'
  | 'NO_BACKUP_FILES'
  | 'INPUT_MISSING'
  | 'BAD_PATH'
  | 'BAD_OPTION'
  | 'RESUME_MISMATCH'
  | 'FILE_STATE'
  | 'IO'
  | 'S3'
  | 'S3_NOT_INSTALLED'
  | 'NOT_IMPLEMENTED';

/** A storage failure; `path` (file, directory or URL) and `option` say where. */
export class StorageError extends Error {
  readonly code: StorageErrorCode;
  readonly path: string | undefined;
  readonly option: string | undefined;

  constructor(
    code: StorageErrorCode,
    message: string,
    where: { path?: string; option?: string; cause?: unknown } = {},
  ) {
    super(message, where.cause === undefined ? undefined : { cause: where.cause });
    this.name = 'StorageError';
    this.code = code;
    this.path = where.path;
    this.option = where.option;
  }
}

/** Wraps a Node fs error as a StorageError that names the operation and the path. */
export function ioError(action: string, path: string, cause: unknown): StorageError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new StorageError('IO', `Error while ${action} ${path}: ${reason}`, { path, cause });
}

export function errnoOf(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'code' in err ? String(err.code) : undefined;
}

/**
 * `--continue` check shared by every backend: the file being resumed must exist (`size`
 * defined) and hold exactly the bytes the state file saved (`expectedBytes`, when known).
 */
export function checkResumeSize(
  path: string,
  size: number | undefined,
  expectedBytes: number | undefined,
): asserts size is number {
  if (size === undefined) {
    throw new StorageError('RESUME_MISMATCH', `Backup file ${path} to resume does not exist`, { path });
  }
  if (expectedBytes !== undefined && size !== expectedBytes) {
    throw new StorageError(
      'RESUME_MISMATCH',
      `Expected file pos (${expectedBytes}) did not match file pos (${size}) of ${path}`,
      { path },
    );
  }
}
