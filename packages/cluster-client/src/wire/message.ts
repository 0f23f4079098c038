// AS_MSG (proto type 3): 22-byte header, fields, ops (wire spec §3-§5). General-purpose: used by
// the client to build requests and by a server-side emulator to parse them and build replies.
import { WireDecodeError, WireEncodeError } from './errors.js';
import { PROTO_HEADER_SIZE, ProtoType, writeProtoHeader } from './proto.js';

export const MSG_HEADER_SIZE = 22;

export const Info1 = {
  READ: 0x01,
  GET_ALL: 0x02,
  SHORT_QUERY: 0x04,
  BATCH: 0x08,
  XDR: 0x10,
  NOBINDATA: 0x20,
  READ_MODE_AP_ALL: 0x40,
  COMPRESS_RESPONSE: 0x80,
} as const;

export const Info2 = {
  WRITE: 0x01,
  DELETE: 0x02,
  GENERATION: 0x04,
  GENERATION_GT: 0x08,
  DURABLE_DELETE: 0x10,
  CREATE_ONLY: 0x20,
  RELAX_AP_LONG_QUERY: 0x40,
  RESPOND_ALL_OPS: 0x80,
} as const;

export const Info3 = {
  LAST: 0x01,
  COMMIT_MASTER: 0x02,
  PARTITION_DONE: 0x04,
  UPDATE_ONLY: 0x08,
  CREATE_OR_REPLACE: 0x10,
  REPLACE_ONLY: 0x20,
  SC_READ_TYPE: 0x40,
  SC_READ_RELAX: 0x80,
} as const;

export const FieldType = {
  NAMESPACE: 0,
  SET: 1,
  KEY: 2,
  RECORD_VERSION: 3,
  DIGEST: 4,
  MRT_ID: 5,
  MRT_DEADLINE: 6,
  TASK_ID: 7,
  SOCKET_TIMEOUT: 9,
  RECORDS_PER_SECOND: 10,
  PID_ARRAY: 11,
  DIGEST_ARRAY: 12,
  MAX_RECORDS: 13,
  LUT: 14,
  BVAL_ARRAY: 15,
  INDEX_NAME: 21,
  INDEX_RANGE: 22,
  INDEX_CONTEXT: 23,
  INDEX_EXPRESSION: 24,
  INDEX_TYPE: 26,
  UDF_PACKAGE_NAME: 30,
  UDF_FUNCTION: 31,
  UDF_ARGLIST: 32,
  UDF_OP: 33,
  QUERY_BINS: 40,
  BATCH_INDEX: 41,
  BATCH_INDEX_WITH_SET: 42,
  FILTER_EXP: 43,
  ERROR_DETAILS: 45,
} as const;

export const OpType = {
  READ: 1,
  WRITE: 2,
  CDT_READ: 3,
  CDT_MODIFY: 4,
  INCR: 5,
  EXP_READ: 7,
  EXP_MODIFY: 8,
  APPEND: 9,
  PREPEND: 10,
  TOUCH: 11,
  BIT_READ: 12,
  BIT_MODIFY: 13,
  DELETE: 14,
  HLL_READ: 15,
  HLL_MODIFY: 16,
} as const;

export interface MessageHeader {
  info1: number;
  info2: number;
  info3: number;
  info4: number;
  resultCode: number;
  /** Request: expected generation. Reply: record generation; partition marker: partition id. */
  generation: number;
  /** Write: TTL. Read/scan: read-touch (0xFFFFFFFF = none). Reply: void time. */
  recordTtl: number;
  /** Request: server timeout ms. Batch reply: row index. */
  transactionTtl: number;
}

export interface Field {
  type: number;
  data: Buffer;
}

export interface Op {
  op: number;
  particleType: number;
  /** Bin name bytes (UTF-8, at most 15 bytes for the server). */
  name: Buffer;
  value: Buffer;
}

export interface AsMsg extends MessageHeader {
  fields: Field[];
  ops: Op[];
}

const EMPTY = Buffer.alloc(0);

export function emptyHeader(): MessageHeader {
  return {
    info1: 0,
    info2: 0,
    info3: 0,
    info4: 0,
    resultCode: 0,
    generation: 0,
    recordTtl: 0,
    transactionTtl: 0,
  };
}

export function field(type: number, data: Buffer | string): Field {
  return { type, data: typeof data === 'string' ? Buffer.from(data, 'utf8') : data };
}

export function op(opType: number, name: string | Buffer, particleType = 0, value: Buffer = EMPTY): Op {
  return {
    op: opType,
    particleType,
    name: typeof name === 'string' ? Buffer.from(name, 'utf8') : name,
    value,
  };
}

/** Encoded size of one as_msg (no proto header). */
export function asMsgSize(fields: readonly Field[], ops: readonly Op[]): number {
  let size = MSG_HEADER_SIZE;
  for (const f of fields) size += 5 + f.data.length;
  for (const o of ops) size += 8 + o.name.length + o.value.length;
  return size;
}

/** Writes one as_msg at `offset`; returns the offset after it. `buf` must be large enough. */
export function writeAsMsg(
  buf: Buffer,
  offset: number,
  header: MessageHeader,
  fields: readonly Field[],
  ops: readonly Op[],
): number {
  if (fields.length > 0xffff || ops.length > 0xffff)
    throw new WireEncodeError('more than 65535 fields or ops');
  buf[offset] = MSG_HEADER_SIZE;
  buf[offset + 1] = header.info1;
  buf[offset + 2] = header.info2;
  buf[offset + 3] = header.info3;
  buf[offset + 4] = header.info4;
  buf[offset + 5] = header.resultCode;
  buf.writeUInt32BE(header.generation >>> 0, offset + 6);
  buf.writeUInt32BE(header.recordTtl >>> 0, offset + 10);
  buf.writeUInt32BE(header.transactionTtl >>> 0, offset + 14);
  buf.writeUInt16BE(fields.length, offset + 18);
  buf.writeUInt16BE(ops.length, offset + 20);
  let off = offset + MSG_HEADER_SIZE;
  for (const f of fields) {
    buf.writeUInt32BE(f.data.length + 1, off);
    buf[off + 4] = f.type;
    f.data.copy(buf, off + 5);
    off += 5 + f.data.length;
  }
  for (const o of ops) {
    if (o.name.length > 255) throw new WireEncodeError(`bin name of ${o.name.length} bytes is too long`);
    buf.writeUInt32BE(4 + o.name.length + o.value.length, off);
    buf[off + 4] = o.op;
    buf[off + 5] = o.particleType;
    buf[off + 6] = 0;
    buf[off + 7] = o.name.length;
    o.name.copy(buf, off + 8);
    o.value.copy(buf, off + 8 + o.name.length);
    off += 8 + o.name.length + o.value.length;
  }
  return off;
}

/** One as_msg without a proto header (for bodies holding several messages). */
export function encodeAsMsg(
  header: MessageHeader,
  fields: readonly Field[] = [],
  ops: readonly Op[] = [],
): Buffer {
  const buf = Buffer.allocUnsafe(asMsgSize(fields, ops));
  writeAsMsg(buf, 0, header, fields, ops);
  return buf;
}

/** A complete type-3 proto holding one as_msg. */
export function encodeMessage(
  header: MessageHeader,
  fields: readonly Field[] = [],
  ops: readonly Op[] = [],
): Buffer {
  const size = asMsgSize(fields, ops);
  const buf = Buffer.allocUnsafe(PROTO_HEADER_SIZE + size);
  writeProtoHeader(buf, 0, ProtoType.MESSAGE, size);
  writeAsMsg(buf, PROTO_HEADER_SIZE, header, fields, ops);
  return buf;
}

/** Reads the 22-byte header at `offset`. */
export function readMessageHeader(
  buf: Buffer,
  offset: number,
): MessageHeader & { nFields: number; nOps: number } {
  if (buf.length - offset < MSG_HEADER_SIZE) throw new WireDecodeError('as_msg header truncated', offset);
  if (buf[offset] !== MSG_HEADER_SIZE) {
    throw new WireDecodeError(`as_msg header size ${buf[offset]}, expected 22`, offset);
  }
  return {
    info1: buf[offset + 1],
    info2: buf[offset + 2],
    info3: buf[offset + 3],
    info4: buf[offset + 4],
    resultCode: buf[offset + 5],
    generation: buf.readUInt32BE(offset + 6),
    recordTtl: buf.readUInt32BE(offset + 10),
    transactionTtl: buf.readUInt32BE(offset + 14),
    nFields: buf.readUInt16BE(offset + 18),
    nOps: buf.readUInt16BE(offset + 20),
  };
}

/**
 * Decodes one as_msg starting at `offset` of a type-3 body. Field data, names and values are views
 * into `buf`. Returns the message and the offset just after it.
 */
export function decodeAsMsg(buf: Buffer, offset = 0): { msg: AsMsg; end: number } {
  const h = readMessageHeader(buf, offset);
  let off = offset + MSG_HEADER_SIZE;
  const fields: Field[] = new Array(h.nFields);
  for (let i = 0; i < h.nFields; i++) {
    if (buf.length - off < 5) throw new WireDecodeError(`field ${i} header truncated`, off);
    const size = buf.readUInt32BE(off);
    if (size < 1 || off + 4 + size > buf.length)
      throw new WireDecodeError(`field ${i} size ${size} out of range`, off);
    fields[i] = { type: buf[off + 4], data: buf.subarray(off + 5, off + 4 + size) };
    off += 4 + size;
  }
  const ops: Op[] = new Array(h.nOps);
  for (let i = 0; i < h.nOps; i++) {
    if (buf.length - off < 8) throw new WireDecodeError(`op ${i} header truncated`, off);
    const size = buf.readUInt32BE(off);
    const nameLen = buf[off + 7];
    if (size < 4 + nameLen || off + 4 + size > buf.length) {
      throw new WireDecodeError(`op ${i} size ${size} out of range`, off);
    }
    ops[i] = {
      op: buf[off + 4],
      particleType: buf[off + 5],
      name: buf.subarray(off + 8, off + 8 + nameLen),
      value: buf.subarray(off + 8 + nameLen, off + 4 + size),
    };
    off += 4 + size;
  }
  const { nFields: _f, nOps: _o, ...header } = h;
  return { msg: { ...header, fields, ops }, end: off };
}

/** Decodes every as_msg of a type-3 body; the body must end exactly after the last one. */
export function decodeAsMsgs(body: Buffer): AsMsg[] {
  const out: AsMsg[] = [];
  let off = 0;
  while (off < body.length) {
    const { msg, end } = decodeAsMsg(body, off);
    out.push(msg);
    off = end;
  }
  return out;
}

/** First field of the given type, or undefined. */
export function findField(msg: { fields: readonly Field[] }, type: number): Buffer | undefined {
  for (const f of msg.fields) if (f.type === type) return f.data;
  return undefined;
}
