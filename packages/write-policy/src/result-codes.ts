import { WritePolicyError } from './errors.js';
import { ServerResultCode as S } from './server-codes.js';

/**
 * Aerospike result codes the restore logic names, with the C client's `as_status` names: the
 * client-side (negative) codes, and aliases of `ServerResultCode` for the server's.
 */
export const ResultCode = {
  OK: S.OK,
  CLIENT_ERROR: -1,
  PARAMETER_ERROR: -2,
  INVALID_NODE: -8,
  CONNECTION: -10,
  MAX_RETRIES_EXCEEDED: -12,
  BATCH_FAILED: -16,
  SERVER_ERROR: S.SERVER_ERROR,
  KEY_NOT_FOUND: S.KEY_NOT_FOUND,
  GENERATION: S.GENERATION_ERROR,
  REQUEST_INVALID: S.PARAMETER_ERROR,
  RECORD_EXISTS: S.KEY_EXISTS,
  BIN_EXISTS: S.BIN_EXISTS,
  CLUSTER_KEY_MISMATCH: S.CLUSTER_KEY_MISMATCH,
  SERVER_FULL: S.SERVER_MEM_ERROR,
  TIMEOUT: S.TIMEOUT,
  ALWAYS_FORBIDDEN: S.ALWAYS_FORBIDDEN,
  PARTITION_UNAVAILABLE: S.PARTITION_UNAVAILABLE,
  BIN_INCOMPATIBLE_TYPE: S.BIN_TYPE_ERROR,
  RECORD_TOO_BIG: S.RECORD_TOO_BIG,
  KEY_BUSY: S.KEY_BUSY,
  UNSUPPORTED_FEATURE: S.UNSUPPORTED_FEATURE,
  BIN_NOT_FOUND: S.BIN_NOT_FOUND,
  DEVICE_OVERLOAD: S.DEVICE_OVERLOAD,
  KEY_MISMATCH: S.KEY_MISMATCH,
  NAMESPACE_NOT_FOUND: S.INVALID_NAMESPACE,
  BIN_NAME: S.BIN_NAME_TOO_LONG,
  FAIL_FORBIDDEN: S.FAIL_FORBIDDEN,
  ENTERPRISE_ONLY: S.ENTERPRISE_ONLY,
  OP_NOT_APPLICABLE: S.OP_NOT_APPLICABLE,
  FILTERED_OUT: S.FILTERED_OUT,
  SECURITY_NOT_SUPPORTED: S.SECURITY_NOT_SUPPORTED,
  SECURITY_NOT_ENABLED: S.SECURITY_NOT_ENABLED,
  SECURITY_SCHEME_NOT_SUPPORTED: S.SECURITY_SCHEME_NOT_SUPPORTED,
  INVALID_COMMAND: S.INVALID_COMMAND,
  INVALID_FIELD: S.INVALID_FIELD,
  ILLEGAL_STATE: S.ILLEGAL_STATE,
  EXPIRED_SESSION: S.EXPIRED_SESSION,
  INVALID_ROLE: S.INVALID_ROLE,
  NOT_AUTHENTICATED: S.NOT_AUTHENTICATED,
  ROLE_VIOLATION: S.ROLE_VIOLATION,
  NOT_WHITELISTED: S.NOT_WHITELISTED,
  BATCH_DISABLED: S.BATCH_DISABLED,
  GEO_INVALID_GEOJSON: S.GEO_INVALID_GEOJSON,
  INDEX_OOM: S.INDEX_OOM,
  INDEX_NOT_READABLE: S.INDEX_NOT_READABLE,
} as const;

/** Record-level errors that `--ignore-record-error` lets the restore skip. */
const IGNORABLE = new Set<number>([
  ResultCode.RECORD_TOO_BIG,
  ResultCode.KEY_MISMATCH,
  ResultCode.BIN_NAME,
  ResultCode.ALWAYS_FORBIDDEN,
  ResultCode.FAIL_FORBIDDEN,
  ResultCode.BIN_INCOMPATIBLE_TYPE,
  ResultCode.BIN_NOT_FOUND,
]);

/** Errors retrying cannot fix: the restore stops. */
const PERMANENT = new Set<number>([
  ResultCode.MAX_RETRIES_EXCEEDED,
  ResultCode.PARAMETER_ERROR,
  ResultCode.CLIENT_ERROR,
  ResultCode.REQUEST_INVALID,
  ResultCode.SERVER_FULL,
  ResultCode.UNSUPPORTED_FEATURE,
  ResultCode.NAMESPACE_NOT_FOUND,
  ResultCode.ENTERPRISE_ONLY,
  ResultCode.OP_NOT_APPLICABLE,
  ResultCode.FILTERED_OUT,
  ResultCode.SECURITY_NOT_SUPPORTED,
  ResultCode.SECURITY_NOT_ENABLED,
  ResultCode.SECURITY_SCHEME_NOT_SUPPORTED,
  ResultCode.INVALID_COMMAND,
  ResultCode.INVALID_FIELD,
  ResultCode.ILLEGAL_STATE,
  ResultCode.EXPIRED_SESSION,
  ResultCode.INVALID_ROLE,
  ResultCode.NOT_AUTHENTICATED,
  ResultCode.ROLE_VIOLATION,
  ResultCode.NOT_WHITELISTED,
  ResultCode.GEO_INVALID_GEOJSON,
  ResultCode.INDEX_OOM,
  ResultCode.INDEX_NOT_READABLE,
  ResultCode.BATCH_DISABLED,
]);

/**
 * What to do with the result of a whole call (a batch write, or one put):
 * `per-record` — look at each record's code (`classifyRecordResult`); `fatal` — stop the
 * restore (`fatalCallMessage` gives asrestore's text); `retry` — retry with backoff.
 */
export type CallClass = 'per-record' | 'fatal' | 'retry';

export function classifyCallResult(code: number): CallClass {
  if (
    code === ResultCode.OK ||
    code === ResultCode.BATCH_FAILED ||
    code === ResultCode.GENERATION ||
    code === ResultCode.RECORD_EXISTS ||
    IGNORABLE.has(code)
  ) {
    return 'per-record';
  }
  return PERMANENT.has(code) ? 'fatal' : 'retry';
}

/** asrestore's error line for a fatal call result. */
export function fatalCallMessage(code: number, message = '', where = ''): string {
  if (code === ResultCode.BATCH_DISABLED) {
    return 'Batch writes appear to be disabled, turn them off by passing --disable-batch-writes to asrestore';
  }
  return `Error while storing record - code ${code}: ${message}${where ? ` at ${where}` : ''}`;
}

/**
 * Outcome of one record's write: `inserted` (0), `fresher` (3, the server copy is as new or
 * newer), `existed` (5, `--unique`), `ignorable` (counted as err_ignored; fatal unless
 * `--ignore-record-error`), `fatal` (anything else, including retryable codes: asrestore does
 * not retry single records inside a batch).
 */
export type RecordOutcome = 'inserted' | 'fresher' | 'existed' | 'ignorable' | 'fatal';

export function classifyRecordResult(code: number): RecordOutcome {
  switch (code) {
    case ResultCode.OK:
      return 'inserted';
    case ResultCode.GENERATION:
      return 'fresher';
    case ResultCode.RECORD_EXISTS:
      return 'existed';
    default:
      return IGNORABLE.has(code) ? 'ignorable' : 'fatal';
  }
}

/** asrestore's error line for a record result that stops the restore. */
export function recordErrorMessage(code: number): string {
  return `Error while storing record - code ${code}`;
}

/** The error to throw for a fatal record result. */
export function recordError(code: number): WritePolicyError {
  return new WritePolicyError('RECORD_WRITE_FAILED', recordErrorMessage(code));
}
