// Errors of the restore run itself (options are reported by cli-common's UsageError).
export type RestoreErrorCode =
  | 'UNSUPPORTED'
  | 'INPUT'
  | 'PARSE'
  | 'WRITE'
  | 'METADATA'
  | 'CONNECT'
  | 'INTERRUPTED';

export class RestoreError extends Error {
  readonly code: RestoreErrorCode;
  readonly option?: string;
  readonly file?: string;
  constructor(
    code: RestoreErrorCode,
    message: string,
    where: { option?: string; file?: string; cause?: unknown } = {},
  ) {
    super(message, where.cause === undefined ? undefined : { cause: where.cause });
    this.name = 'RestoreError';
    this.code = code;
    this.option = where.option;
    this.file = where.file;
  }
}

/** One line for the log: the message of any error, without stack traces. */
export function describeError(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
