// The partition query request asbackup sends (server >= 6; wire spec §4.3-4.5).
import { WireEncodeError } from './errors.js';
import { PARTITIONS } from './info.js';
import {
  encodeMessage,
  type Field,
  FieldType,
  Info1,
  Info3,
  type MessageHeader,
  type Op,
  OpType,
} from './message.js';

export interface PartitionQueryRequest {
  namespace: string;
  /** Single set (SET field); omit for the whole namespace or when sets are in the expression. */
  set?: string;
  /** RECORDS_PER_SECOND field when > 0. */
  recordsPerSecond?: number;
  /** SOCKET_TIMEOUT field in ms (asbackup default 10000; 0 = none). */
  socketTimeoutMs: number;
  /** Header transaction_ttl in ms (total timeout; asbackup sends 0). */
  totalTimeoutMs?: number;
  /** TASK_ID: random u64, the same for every node of one scan. */
  taskId: bigint;
  /** Packed filter expression (FILTER_EXP). */
  filterExpression?: Buffer;
  /** Partitions to scan from their start (PID_ARRAY). */
  partitionIds?: readonly number[];
  /** Resume points: last digest seen in a partition (DIGEST_ARRAY). */
  afterDigests?: readonly Buffer[];
  /** MAX_RECORDS field when > 0. */
  maxRecords?: number | bigint;
  /** Bins to return (READ ops); omit for all bins. */
  binNames?: readonly string[];
  /** Metadata only (info1 NOBINDATA). */
  noBins?: boolean;
}

/** Returns the complete proto of a partition query request. */
export function encodePartitionQuery(req: PartitionQueryRequest): Buffer {
  const fields: Field[] = [{ type: FieldType.NAMESPACE, data: Buffer.from(req.namespace, 'utf8') }];
  if (req.set !== undefined && req.set !== '')
    fields.push({ type: FieldType.SET, data: Buffer.from(req.set, 'utf8') });
  if (req.recordsPerSecond !== undefined && req.recordsPerSecond > 0) {
    fields.push({
      type: FieldType.RECORDS_PER_SECOND,
      data: u32(req.recordsPerSecond, 'records per second'),
    });
  }
  fields.push({ type: FieldType.SOCKET_TIMEOUT, data: u32(req.socketTimeoutMs, 'socket timeout') });
  const task = Buffer.allocUnsafe(8);
  task.writeBigUInt64BE(BigInt.asUintN(64, req.taskId));
  fields.push({ type: FieldType.TASK_ID, data: task });
  if (req.filterExpression !== undefined)
    fields.push({ type: FieldType.FILTER_EXP, data: req.filterExpression });
  const pids = req.partitionIds ?? [];
  const digests = req.afterDigests ?? [];
  if (pids.length === 0 && digests.length === 0) {
    throw new WireEncodeError('partition query needs at least one partition id or digest');
  }
  if (pids.length > 0) {
    const data = Buffer.allocUnsafe(2 * pids.length);
    for (let i = 0; i < pids.length; i++) {
      const p = pids[i];
      if (!Number.isInteger(p) || p < 0 || p >= PARTITIONS)
        throw new WireEncodeError(`partition id ${p} out of range`);
      data.writeUInt16LE(p, 2 * i);
    }
    fields.push({ type: FieldType.PID_ARRAY, data });
  }
  if (digests.length > 0) {
    const data = Buffer.allocUnsafe(20 * digests.length);
    for (let i = 0; i < digests.length; i++) {
      if (digests[i].length !== 20)
        throw new WireEncodeError(`digest ${i} has ${digests[i].length} bytes, not 20`);
      digests[i].copy(data, 20 * i);
    }
    fields.push({ type: FieldType.DIGEST_ARRAY, data });
  }
  if (req.maxRecords !== undefined && BigInt(req.maxRecords) > 0n) {
    const data = Buffer.allocUnsafe(8);
    data.writeBigUInt64BE(BigInt(req.maxRecords));
    fields.push({ type: FieldType.MAX_RECORDS, data });
  }
  const ops: Op[] = [];
  if (!req.noBins && req.binNames) {
    for (const name of req.binNames) {
      ops.push({ op: OpType.READ, particleType: 0, name: Buffer.from(name, 'utf8'), value: Buffer.alloc(0) });
    }
  }
  const header: MessageHeader = {
    info1: Info1.READ | (req.noBins ? Info1.NOBINDATA : 0),
    info2: 0,
    info3: Info3.PARTITION_DONE,
    info4: 0,
    resultCode: 0,
    generation: 0,
    recordTtl: 0xffffffff,
    transactionTtl: req.totalTimeoutMs ?? 0,
  };
  return encodeMessage(header, fields, ops);
}

function u32(v: number, what: string): Buffer {
  if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw new WireEncodeError(`${what} ${v} out of range`);
  const b = Buffer.allocUnsafe(4);
  b.writeUInt32BE(v);
  return b;
}
