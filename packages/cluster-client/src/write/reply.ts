// Replies to writes: a single write answers one header-only AS_MSG; a batch answers one AS_MSG per
// row (row index in transaction_ttl, in any order), then one with info3 LAST (wire spec §8.2).

import { WireDecodeError } from '../wire/errors.js';
import { Info3, MSG_HEADER_SIZE } from '../wire/message.js';
import { decodeCompressedProto, PROTO_HEADER_SIZE, ProtoType, readProtoHeader } from '../wire/proto.js';

export interface WriteResult {
  resultCode: number;
  /** New generation on success, the current one on failure. */
  generation: number;
  /** Seconds since 2010-01-01, 0 = never expires. */
  voidTime: number;
}

/** The AS_MSG body of a reply proto (type 3, or type 4 inflated). */
function messageBody(type: number, body: Buffer): Buffer {
  if (type === ProtoType.COMPRESSED) return decodeCompressedProto(body).body;
  if (type !== ProtoType.MESSAGE) throw new WireDecodeError(`write reply: proto type ${type}, expected 3`, 1);
  return body;
}

/** Reads the reply of a single write from one proto body (type 3, or 4 = compressed). */
export function readSingleBody(type: number, protoBody: Buffer): WriteResult {
  const body = messageBody(type, protoBody);
  if (body.length < MSG_HEADER_SIZE || body[0] !== MSG_HEADER_SIZE) {
    throw new WireDecodeError(`write reply: bad AS_MSG header (${body.length} bytes)`, 0);
  }
  return { resultCode: body[5], generation: body.readUInt32BE(6), voidTime: body.readUInt32BE(10) };
}

/** Reads the reply of a single write: one proto, header included, holding one AS_MSG. */
export function readSingleReply(reply: Buffer): WriteResult {
  const h = readProtoHeader(reply, 0);
  if (reply.length < PROTO_HEADER_SIZE + h.size) throw new WireDecodeError('write reply truncated', 0);
  return readSingleBody(h.type, reply.subarray(PROTO_HEADER_SIZE, PROTO_HEADER_SIZE + h.size));
}

/** Called once per batch row: index as sent, result code, generation and void time. */
export type BatchRowCallback = (
  index: number,
  resultCode: number,
  generation: number,
  voidTime: number,
) => void;

/**
 * Decodes a batch-write reply proto by proto, without allocating per row. `done` turns true at
 * the LAST message, whose result code is `lastResultCode` (non-zero with no rows = the whole batch
 * failed, e.g. an unknown namespace).
 */
export class BatchReplyDecoder {
  done = false;
  lastResultCode = 0;
  rows = 0;

  constructor(private readonly onRow: BatchRowCallback) {}

  /** Feeds the AS_MSG bytes `body[start, end)` of one type-3 proto. Returns `done`. */
  feedBody(body: Buffer, start = 0, end = body.length): boolean {
    let off = start;
    while (off < end) {
      if (this.done) throw new WireDecodeError('batch reply continues after LAST', off);
      if (end - off < MSG_HEADER_SIZE || body[off] !== MSG_HEADER_SIZE) {
        throw new WireDecodeError('bad AS_MSG header in batch reply', off);
      }
      const info3 = body[off + 3];
      const resultCode = body[off + 5];
      const generation = body.readUInt32BE(off + 6);
      const voidTime = body.readUInt32BE(off + 10);
      const index = body.readUInt32BE(off + 14);
      const count = body.readUInt16BE(off + 18) + body.readUInt16BE(off + 20);
      off += MSG_HEADER_SIZE;
      // Rows carry no fields for writes, and one value-less op per bin with RESPOND_ALL_OPS: skip.
      for (let i = 0; i < count; i++) {
        if (end - off < 4) throw new WireDecodeError('truncated field/op in batch reply', off);
        off += 4 + body.readUInt32BE(off);
      }
      if (off > end) throw new WireDecodeError('truncated field/op in batch reply', end);
      if (info3 & Info3.LAST) {
        this.done = true;
        this.lastResultCode = resultCode;
      } else {
        this.rows++;
        this.onRow(index, resultCode, generation, voidTime);
      }
    }
    return this.done;
  }

  /** Feeds one proto body given its proto type (3, or 4 = compressed). Returns `done`. */
  feedProto(type: number, body: Buffer): boolean {
    return this.feedBody(messageBody(type, body));
  }

  /** Feeds a buffer of whole protos (headers included). Returns `done`. */
  feedProtos(buf: Buffer): boolean {
    let off = 0;
    while (off < buf.length) {
      const h = readProtoHeader(buf, off);
      const bodyStart = off + PROTO_HEADER_SIZE;
      if (bodyStart + h.size > buf.length) throw new WireDecodeError('truncated proto in batch reply', off);
      if (h.type === ProtoType.MESSAGE) this.feedBody(buf, bodyStart, bodyStart + h.size);
      else this.feedProto(h.type, buf.subarray(bodyStart, bodyStart + h.size));
      off = bodyStart + h.size;
    }
    return this.done;
  }
}
