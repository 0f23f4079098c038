// Batch-write request (batch index protocol, server >= 6; wire spec §8.1): one AS_MSG with a
// BATCH_INDEX field holding one full row per record, each with its own info bits, generation and
// TTL (the official default restore policy needs per-record generation). No REPEAT rows, as asrestore.

import { FieldType, Info1, Info2, MSG_HEADER_SIZE } from '../wire/message.js';
import { PROTO_HEADER_SIZE, ProtoType, writeProtoHeader } from '../wire/proto.js';
import {
  checkDigest,
  fieldSize,
  keyDataSize,
  nameBytes,
  opsSize,
  putU16,
  putU32,
  type WriteRecord,
  writeBytesField,
  writeFieldHeader,
  writeKeyField,
  writeOps,
} from './encode.js';
import { expectedGenerationOf, info2Of, info3Of, type RecordWritePolicy } from './policy.js';

/** allow inline | allow inline on device | report every row's result (what both clients send). */
export const BATCH_FLAGS = 0x0d;
/** Row flags: has info2+info3, has generation, has TTL. */
const ROW_FLAGS = 0x0e;
/** index + digest + flags + info1..3 + generation (u16) + TTL + n_fields + n_ops. */
const ROW_FIXED_SIZE = 4 + 20 + 1 + 3 + 2 + 4 + 2 + 2;

export interface BatchWriteRequestOptions {
  /** Header transaction_ttl in ms; 0 = none. asrestore: 10000. */
  timeoutMs?: number;
}

// Bin name bytes of the batch being built, in order (sizing pass → writing pass); reused.
const names: Buffer[] = [];

function rowSize(record: WriteRecord, policy: RecordWritePolicy): number {
  const key = policy.sendKey ? record.key : undefined;
  return (
    ROW_FIXED_SIZE +
    fieldSize(nameBytes(record.namespace).length) +
    fieldSize(nameBytes(record.set).length) +
    (key ? fieldSize(keyDataSize(key)) : 0) +
    opsSize(record.bins, names)
  );
}

/**
 * Builds a batch write of `count` records starting at `records[start]` (row index = position
 * from `start`). `policies` is one policy per record (same positions) or one for all.
 */
export function buildBatchWriteRequest(
  records: readonly WriteRecord[],
  policies: readonly RecordWritePolicy[] | RecordWritePolicy,
  options: BatchWriteRequestOptions = {},
  start = 0,
  count = records.length - start,
): Buffer {
  if (count <= 0) throw new RangeError('a batch write needs at least one record');
  const shared = Array.isArray(policies) ? undefined : (policies as RecordWritePolicy);
  const policyList = policies as readonly RecordWritePolicy[];
  names.length = 0;
  let rowsSize = 0;
  for (let i = start; i < start + count; i++) {
    checkDigest(records[i]);
    rowsSize += rowSize(records[i], shared ?? policyList[i]);
  }
  const batchDataSize = 4 + 1 + rowsSize;
  const bodySize = MSG_HEADER_SIZE + fieldSize(batchDataSize);
  const buf = Buffer.allocUnsafe(PROTO_HEADER_SIZE + bodySize);
  let off = writeBatchHead(buf, bodySize, batchDataSize, count, options.timeoutMs);
  let at = 0;
  for (let i = 0; i < count; i++) {
    const record = records[start + i];
    const policy = shared ?? policyList[start + i];
    const key = policy.sendKey ? record.key : undefined;
    putU32(buf, off, i);
    buf.set(record.digest, off + 4);
    off += 24;
    buf[off] = ROW_FLAGS;
    buf[off + 1] = 0;
    buf[off + 2] = info2Of(policy) | Info2.RESPOND_ALL_OPS;
    buf[off + 3] = info3Of(policy);
    putU16(buf, off + 4, expectedGenerationOf(policy, record.generation) & 0xffff);
    putU32(buf, off + 6, policy.ttl >>> 0);
    putU16(buf, off + 10, key ? 3 : 2);
    putU16(buf, off + 12, record.bins.length);
    off += 14;
    off = writeBytesField(buf, off, FieldType.NAMESPACE, nameBytes(record.namespace));
    off = writeBytesField(buf, off, FieldType.SET, nameBytes(record.set));
    if (key) off = writeKeyField(buf, off, key);
    off = writeOps(buf, off, record.bins, names, at);
    at += record.bins.length;
  }
  names.length = 0;
  return buf;
}

/**
 * Builds a batch write from pre-encoded rows (`BatchRowEncoder`): row i of the request is
 * `bufs[i][starts[i], ends[i])`, its index rewritten to i. Consecutive rows that are adjacent in
 * one buffer are copied at once. Writes into `into` when it is big enough (returning a view of
 * it), else into a new Buffer.
 */
export function buildBatchWriteRequestFromRows(
  bufs: readonly Buffer[],
  starts: readonly number[],
  ends: readonly number[],
  options: BatchWriteRequestOptions = {},
  into?: Buffer,
): Buffer {
  const count = bufs.length;
  if (count <= 0) throw new RangeError('a batch write needs at least one record');
  let rowsSize = 0;
  for (let i = 0; i < count; i++) rowsSize += ends[i]! - starts[i]!;
  const batchDataSize = 4 + 1 + rowsSize;
  const bodySize = MSG_HEADER_SIZE + fieldSize(batchDataSize);
  const total = PROTO_HEADER_SIZE + bodySize;
  const buf =
    into !== undefined && into.length >= total ? into.subarray(0, total) : Buffer.allocUnsafeSlow(total);
  let off = writeBatchHead(buf, bodySize, batchDataSize, count, options.timeoutMs);
  for (let i = 0; i < count; ) {
    const src = bufs[i]!;
    const s = starts[i]!;
    let e = ends[i]!;
    let j = i + 1;
    while (j < count && bufs[j] === src && starts[j] === e) e = ends[j++]!;
    src.copy(buf, off, s, e);
    // rewrite the row indexes of the copied run
    for (let k = i, at = off; k < j; k++) {
      putU32(buf, at, k);
      at += ends[k]! - starts[k]!;
    }
    off += e - s;
    i = j;
  }
  return buf;
}

/**
 * Proto header, AS_MSG header (BATCH, one field) and the BATCH_INDEX field head with the row
 * count and flags, at the start of `buf`; returns where the first row goes.
 */
function writeBatchHead(
  buf: Buffer,
  bodySize: number,
  batchDataSize: number,
  count: number,
  timeoutMs: number | undefined,
): number {
  writeProtoHeader(buf, 0, ProtoType.MESSAGE, bodySize);
  let off = PROTO_HEADER_SIZE;
  buf[off] = MSG_HEADER_SIZE;
  buf[off + 1] = Info1.BATCH;
  buf.fill(0, off + 2, off + 14); // info2..4, result, generation, record_ttl
  buf.writeUInt32BE((timeoutMs ?? 0) >>> 0, off + 14);
  buf.writeUInt16BE(1, off + 18);
  buf.writeUInt16BE(0, off + 20);
  off += MSG_HEADER_SIZE;
  off = writeFieldHeader(buf, off, FieldType.BATCH_INDEX, batchDataSize);
  buf.writeUInt32BE(count, off);
  buf[off + 4] = BATCH_FLAGS;
  return off + 5;
}
