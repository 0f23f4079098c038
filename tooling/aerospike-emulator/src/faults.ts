// Fault switches the tests flip on a running emulator. Every switch is cluster-wide unless it
// names a node; `clearFaults()` turns them all off again.

export interface FaultSwitches {
  /**
   * Close the connection of a partition query after this many records were sent on it: every
   * query, or only the next `times` queries.
   */
  closeQueryAfterRecords?: number | { records: number; times: number };
  /** Partitions every node answers as unavailable (partition-done marker with result 11). */
  unavailablePartitions?: number[];
  /**
   * Mid-scan migration: after `afterRecords` records of a query, hand `partitions` to node
   * `toNode` (the partition generations go up); the running query then reports the moved
   * partitions it has not finished as unavailable. Fires once.
   */
  movePartitionsMidQuery?: { afterRecords: number; partitions: number[]; toNode: number };
  /** Milliseconds to wait before each reply proto of a query (slow reads). */
  replyDelayMs?: number;
  /** Result codes to return for writes/reads/deletes of these digests (hex, lower case). */
  resultCodeByDigest?: Map<string, number>;
  /** Behave like a 5.x server: build 5.7.0.0, no batch-index-threads, batch writes refused. */
  oldServerNoBatchWrites?: boolean;
}

export const ResultCode = {
  OK: 0,
  SERVER_ERROR: 1,
  KEY_NOT_FOUND: 2,
  GENERATION_ERROR: 3,
  PARAMETER: 4,
  KEY_EXISTS: 5,
  UNAVAILABLE: 11,
  UNSUPPORTED_FEATURE: 16,
  KEY_MISMATCH: 19,
  NAMESPACE_NOT_FOUND: 20,
  BIN_NAME: 21,
  ENTERPRISE_ONLY: 25,
  SECURITY_NOT_SUPPORTED: 51,
  INVALID_USER: 60,
  INVALID_PASSWORD: 62,
  INVALID_CREDENTIAL: 65,
  EXPIRED_SESSION: 66,
  NOT_AUTHENTICATED: 80,
  BATCH_DISABLED: 150,
} as const;
