import { WritePolicyError } from './errors.js';

/** Aerospike result codes the restore logic names (C client `as_status` values). */
export const ResultCode = {
  OK: 0,
  CLIENT_ERROR: -1,
  PARAMETER_ERROR: -2,
  INVALID_NODE: -8,
  CONNECTION: -10,
  MAX_RETRIES_EXCEEDED: -12,
  BATCH_FAILED: -16,
  SERVER_ERROR: 1,
  KEY_NOT_FOUND: 2,
  GENERATION: 3,
  REQUEST_INVALID: 4,
  RECORD_EXISTS: 5,
  BIN_EXISTS: 6,
  CLUSTER_KEY_MISMATCH: 7,
  SERVER_FULL: 8,
  TIMEOUT: 9,
  ALWAYS_FORBIDDEN: 10,
  PARTITION_UNAVAILABLE: 11,
  BIN_INCOMPATIBLE_TYPE: 12,
  RECORD_TOO_BIG: 13,
  KEY_BUSY: 14,
  UNSUPPORTED_FEATURE: 16,
  BIN_NOT_FOUND: 17,
  DEVICE_OVERLOAD: 18,
  KEY_MISMATCH: 19,
  NAMESPACE_NOT_FOUND: 20,
  BIN_NAME: 21,
  FAIL_FORBIDDEN: 22,
  ENTERPRISE_ONLY: 25,
  OP_NOT_APPLICABLE: 26,
  FILTERED_OUT: 27,
  SECURITY_NOT_SUPPORTED: 51,
  SECURITY_NOT_ENABLED: 52,
  SECURITY_SCHEME_NOT_SUPPORTED: 53,
  INVALID_COMMAND: 54,
  INVALID_FIELD: 55,
  ILLEGAL_STATE: 56,
  EXPIRED_SESSION: 66,
  INVALID_ROLE: 70,
  NOT_AUTHENTICATED: 80,
  ROLE_VIOLATION: 81,
  NOT_WHITELISTED: 82,
  BATCH_DISABLED: 150,
  GEO_INVALID_GEOJSON: 160,
  INDEX_OOM: 202,
  INDEX_NOT_READABLE: 203,
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
