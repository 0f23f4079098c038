// The 8-byte proto header that frames every unit on an Aerospike connection (wire spec §1).
import { deflateSync, inflateSync } from 'node:zlib';
import { WireDecodeError, WireEncodeError } from './errors.js';

export const PROTO_VERSION = 2;
export const PROTO_HEADER_SIZE = 8;
/** The server refuses bodies above 128 MiB; we refuse to read more than that too. */
export const MAX_PROTO_BODY = 128 * 1024 * 1024;

export const ProtoType = {
  INFO: 1,
  ADMIN: 2,
  MESSAGE: 3,
  COMPRESSED: 4,
} as const;
export type ProtoType = (typeof ProtoType)[keyof typeof ProtoType];

export interface ProtoHeader {
  version: number;
  type: number;
  /** Body length in bytes, not counting the 8 header bytes. */
  size: number;
}

/** Writes a proto header at `offset` of `buf`. */
export function writeProtoHeader(buf: Buffer, offset: number, type: number, size: number): void {
  if (size < 0 || size > 0xffff_ffff_ffff) throw new WireEncodeError(`proto body size ${size} out of range`);
  buf[offset] = PROTO_VERSION;
  buf[offset + 1] = type;
  buf.writeUIntBE(size, offset + 2, 6);
}

export function encodeProtoHeader(type: number, size: number): Buffer {
  const buf = Buffer.allocUnsafe(PROTO_HEADER_SIZE);
  writeProtoHeader(buf, 0, type, size);
  return buf;
}

/** A complete proto: header + body copied into one buffer. */
export function encodeProto(type: number, body: Buffer): Buffer {
  const buf = Buffer.allocUnsafe(PROTO_HEADER_SIZE + body.length);
  writeProtoHeader(buf, 0, type, body.length);
  body.copy(buf, PROTO_HEADER_SIZE);
  return buf;
}

/** Reads and checks a proto header (version 2, known type, size within limits). */
export function readProtoHeader(buf: Buffer, offset = 0): ProtoHeader {
  if (buf.length - offset < PROTO_HEADER_SIZE) {
    throw new WireDecodeError(`proto header truncated: ${buf.length - offset} of 8 bytes`, offset);
  }
  const version = buf[offset];
  const type = buf[offset + 1];
  const size = buf.readUIntBE(offset + 2, 6);
  if (version !== PROTO_VERSION) throw new WireDecodeError(`proto version ${version}, expected 2`, offset);
  if (type < 1 || type > 4) throw new WireDecodeError(`unknown proto type ${type}`, offset + 1);
  if (size > MAX_PROTO_BODY)
    throw new WireDecodeError(`proto body of ${size} bytes exceeds 128 MiB`, offset + 2);
  return { version, type, size };
}

export interface Proto {
  type: number;
  body: Buffer;
}

/**
 * Splits a buffer holding whole protos back to back (e.g. a captured TCP message) into protos.
 * Bodies are views into `buf`, not copies. Throws if the last proto is incomplete.
 */
export function splitProtos(buf: Buffer): Proto[] {
  const out: Proto[] = [];
  let off = 0;
  while (off < buf.length) {
    const h = readProtoHeader(buf, off);
    const end = off + PROTO_HEADER_SIZE + h.size;
    if (end > buf.length) throw new WireDecodeError(`proto body truncated: need ${h.size} bytes`, off);
    out.push({ type: h.type, body: buf.subarray(off + PROTO_HEADER_SIZE, end) });
    off = end;
  }
  return out;
}

/**
 * Body of a type-4 proto → the inner proto (wire spec §1.2): BE u64 uncompressed length, then a
 * zlib stream of the whole inner proto (header + body).
 */
export function decodeCompressedProto(body: Buffer): Proto {
  if (body.length < 8) throw new WireDecodeError('compressed proto body shorter than 8 bytes', 0);
  const expected = Number(body.readBigUInt64BE(0));
  if (expected < PROTO_HEADER_SIZE || expected > MAX_PROTO_BODY + PROTO_HEADER_SIZE) {
    throw new WireDecodeError(`compressed proto announces ${expected} uncompressed bytes`, 0);
  }
  let inner: Buffer;
  try {
    inner = inflateSync(body.subarray(8), { maxOutputLength: expected });
  } catch (err) {
    throw new WireDecodeError(`compressed proto: zlib error: ${(err as Error).message}`, 8);
  }
  if (inner.length !== expected) {
    throw new WireDecodeError(`compressed proto inflated to ${inner.length} bytes, announced ${expected}`, 0);
  }
  const h = readProtoHeader(inner, 0);
  if (h.type !== ProtoType.MESSAGE)
    throw new WireDecodeError(`compressed proto holds type ${h.type}, not 3`, 1);
  if (h.size + PROTO_HEADER_SIZE !== inner.length) {
    throw new WireDecodeError('compressed proto: inner size does not match inflated length', 2);
  }
  return { type: h.type, body: inner.subarray(PROTO_HEADER_SIZE) };
}

/** Wraps a complete type-3 proto (header + body) into a type-4 compressed proto. */
export function encodeCompressedProto(innerProto: Buffer, level = 1): Buffer {
  const z = deflateSync(innerProto, { level });
  const buf = Buffer.allocUnsafe(PROTO_HEADER_SIZE + 8 + z.length);
  writeProtoHeader(buf, 0, ProtoType.COMPRESSED, 8 + z.length);
  buf.writeBigUInt64BE(BigInt(innerProto.length), PROTO_HEADER_SIZE);
  z.copy(buf, PROTO_HEADER_SIZE + 8);
  return buf;
}
