// Fault switches the tests flip on a running emulator. Every switch is cluster-wide unless it
// names a node; `clearFaults()` turns them all off again.

import { ResultCode as W } from '@asbkit/cluster-client/wire';

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

/** The result codes the emulator answers with, under its short names (values from the wire table). */
export const ResultCode = {
  OK: W.OK,
  SERVER_ERROR: W.SERVER_ERROR,
  KEY_NOT_FOUND: W.KEY_NOT_FOUND,
  GENERATION_ERROR: W.GENERATION_ERROR,
  PARAMETER: W.PARAMETER_ERROR,
  KEY_EXISTS: W.KEY_EXISTS,
  UNAVAILABLE: W.PARTITION_UNAVAILABLE,
  UNSUPPORTED_FEATURE: W.UNSUPPORTED_FEATURE,
  KEY_MISMATCH: W.KEY_MISMATCH,
  NAMESPACE_NOT_FOUND: W.INVALID_NAMESPACE,
  BIN_NAME: W.BIN_NAME_TOO_LONG,
  ENTERPRISE_ONLY: W.ENTERPRISE_ONLY,
  SECURITY_NOT_SUPPORTED: W.SECURITY_NOT_SUPPORTED,
  INVALID_USER: W.INVALID_USER,
  INVALID_PASSWORD: W.INVALID_PASSWORD,
  INVALID_CREDENTIAL: W.INVALID_CREDENTIAL,
  EXPIRED_SESSION: W.EXPIRED_SESSION,
  NOT_AUTHENTICATED: W.NOT_AUTHENTICATED,
  BATCH_DISABLED: W.BATCH_DISABLED,
} as const;
