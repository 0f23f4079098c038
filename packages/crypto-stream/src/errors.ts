/** Stable codes of every error this package throws. */
export type CryptoStreamErrorCode =
  | 'ERR_BAD_COMPRESSION_MODE'
  | 'ERR_BAD_ENCRYPTION_MODE'
  | 'ERR_BAD_COMPRESSION_LEVEL'
  | 'ERR_LEVEL_WITHOUT_COMPRESSION'
  | 'ERR_KEY_MISSING'
  | 'ERR_KEY_WITHOUT_MODE'
  | 'ERR_KEY_CONFLICT'
  | 'ERR_KEY_FILE_UNREADABLE'
  | 'ERR_KEY_PEM_INVALID'
  | 'ERR_KEY_ENV_MISSING'
  | 'ERR_KEY_ENV_INVALID'
  | 'ERR_BAD_KEY_LENGTH'
  | 'ERR_BAD_RESUME_STATE'
  | 'ERR_ENCRYPTED_HEADER_TRUNCATED'
  | 'ERR_WRONG_KEY'
  | 'ERR_NOT_ASB'
  | 'ERR_NOT_COMPRESSED'
  | 'ERR_UNEXPECTED_COMPRESSION'
  | 'ERR_ZSTD_TRUNCATED'
  | 'ERR_ZSTD_CORRUPT'
  | 'ERR_ZSTD_WINDOW_TOO_LARGE';

export interface CryptoStreamErrorWhere {
  /** Command-line option the problem came from, e.g. `--encryption-key-file`. */
  option?: string;
  /** File (or environment variable) the problem was found in. */
  file?: string;
  /** Byte offset in the stored (compressed/encrypted) stream, when known. */
  offset?: number;
}

/** The one error class of this package: a stable `code` plus where it happened. */
export class CryptoStreamError extends Error {
  readonly code: CryptoStreamErrorCode;
  readonly option: string | undefined;
  readonly file: string | undefined;
  readonly offset: number | undefined;

  constructor(code: CryptoStreamErrorCode, message: string, where: CryptoStreamErrorWhere = {}) {
    super(withWhere(message, where));
    this.name = 'CryptoStreamError';
    this.code = code;
    this.option = where.option;
    this.file = where.file;
    this.offset = where.offset;
  }
}

function withWhere(message: string, where: CryptoStreamErrorWhere): string {
  const parts: string[] = [];
  if (where.option !== undefined) parts.push(`option ${where.option}`);
  if (where.file !== undefined) parts.push(`file ${where.file}`);
  if (where.offset !== undefined) parts.push(`byte ${where.offset}`);
  return parts.length === 0 ? message : `${message} (${parts.join(', ')})`;
}
