export {
  formatRestoreMachineSummary,
  formatRestoreProgress,
  type ProgressMark,
  RestoreCounters,
} from './counters.js';
export { WritePolicyError } from './errors.js';
export {
  byteRateLimiter,
  type LimiterClock,
  parseRestoreNice,
  RateLimiter,
  RestoreThrottle,
  realClock,
  tpsLimiter,
} from './limiter.js';
export {
  type RecordWritePolicy,
  type RestorePolicyOptions,
  RestoreWritePolicy,
  validateRestorePolicyOptions,
} from './policy.js';
export {
  type CallClass,
  classifyCallResult,
  classifyRecordResult,
  fatalCallMessage,
  type RecordOutcome,
  ResultCode,
  recordError,
  recordErrorMessage,
} from './result-codes.js';
export { DEFAULT_MAX_RETRIES, DEFAULT_RETRY_SCALE_US, RetrySchedule } from './retry.js';
export { ServerResultCode, serverResultCodeName } from './server-codes.js';
export { EXPIRED, MAX_EXTRA_TTL, NEVER_EXPIRE, parseExtraTtl, restoreTtl } from './ttl.js';
