// Single-record write request (wire spec §7.1) and its reply.

import { FieldType, MSG_HEADER_SIZE } from '../wire/message.js';
import { PROTO_HEADER_SIZE, ProtoType, writeProtoHeader } from '../wire/proto.js';
import {
  checkDigest,
  fieldSize,
  keyDataSize,
  nameBytes,
  opsSize,
  type WriteRecord,
  writeBytesField,
  writeKeyField,
  writeOps,
} from './encode.js';
import { expectedGenerationOf, info2Of, info3Of, type RecordWritePolicy } from './policy.js';
import { readSingleReply, type WriteResult } from './reply.js';

export interface WriteRequestOptions {
  /** Server-side transaction timeout in ms (header transaction_ttl); 0 = none. asrestore: 10000. */
  timeoutMs?: number;
}

/**
 * One AS_MSG write of a whole record: fields NAMESPACE, SET (empty when set-less), DIGEST and KEY
 * (only when the policy sends keys and the record has one), then one WRITE op per bin.
 */
export function buildWriteRequest(
  record: WriteRecord,
  policy: RecordWritePolicy,
  options: WriteRequestOptions = {},
): Buffer {
  checkDigest(record);
  const ns = nameBytes(record.namespace);
  const set = nameBytes(record.set);
  const key = policy.sendKey ? record.key : undefined;
  const bins = record.bins;
  const names: Buffer[] = [];
  const fieldsSize =
    fieldSize(ns.length) + fieldSize(set.length) + fieldSize(20) + (key ? fieldSize(keyDataSize(key)) : 0);
  const bodySize = MSG_HEADER_SIZE + fieldsSize + opsSize(bins, names);
  const buf = Buffer.allocUnsafe(PROTO_HEADER_SIZE + bodySize);
  writeProtoHeader(buf, 0, ProtoType.MESSAGE, bodySize);
  let off = PROTO_HEADER_SIZE;
  buf[off] = MSG_HEADER_SIZE;
  buf[off + 1] = 0;
  buf[off + 2] = info2Of(policy);
  buf[off + 3] = info3Of(policy);
  buf[off + 4] = 0;
  buf[off + 5] = 0;
  buf.writeUInt32BE(expectedGenerationOf(policy, record.generation), off + 6);
  buf.writeUInt32BE(policy.ttl >>> 0, off + 10);
  buf.writeUInt32BE((options.timeoutMs ?? 0) >>> 0, off + 14);
  buf.writeUInt16BE(key ? 4 : 3, off + 18);
  buf.writeUInt16BE(bins.length, off + 20);
  off += MSG_HEADER_SIZE;
  off = writeBytesField(buf, off, FieldType.NAMESPACE, ns);
  off = writeBytesField(buf, off, FieldType.SET, set);
  off = writeBytesField(buf, off, FieldType.DIGEST, record.digest);
  if (key) off = writeKeyField(buf, off, key);
  writeOps(buf, off, bins, names, 0);
  return buf;
}

/** Reads the reply of a single write: one proto holding one header-only AS_MSG. */
export function parseWriteReply(reply: Buffer): WriteResult {
  return readSingleReply(reply);
}
