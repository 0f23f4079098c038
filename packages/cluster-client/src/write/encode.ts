// Byte-level pieces shared by the single and batch write builders, a thin layer over the wire codec:
// sizes first, then writes into one preallocated buffer, so building a request allocates one Buffer
// and no Field/Op objects per bin.

import type { AsbRecord, UserKey } from '@asbkit/asb-format';
import { WireEncodeError } from '../wire/errors.js';
import { FieldType, OpType } from '../wire/message.js';
import { binValueSize, writeBinValue, writeInt64 } from '../wire/particle.js';

/** What a write needs of a record; an `AsbRecord` is one. */
export type WriteRecord = Pick<AsbRecord, 'namespace' | 'digest' | 'set' | 'key' | 'generation' | 'bins'>;

// Namespaces, sets and bin names repeat across records: encode each once.
const nameCache = new Map<string, Buffer>();
const EMPTY = Buffer.alloc(0);

export function nameBytes(name: string | undefined): Buffer {
  if (name === undefined || name === '') return EMPTY;
  let bytes = nameCache.get(name);
  if (bytes === undefined) {
    if (nameCache.size >= 4096) nameCache.clear();
    bytes = Buffer.from(name, 'utf8');
    nameCache.set(name, bytes);
  }
  return bytes;
}

export function checkDigest(record: WriteRecord): void {
  if (record.digest.length !== 20) {
    throw new WireEncodeError(`record digest must be 20 bytes, got ${record.digest.length}`);
  }
}

/** Big-endian u32/u16 by hand: cheaper than writeUInt32BE's checks on the hot path. */
export function putU32(buf: Buffer, off: number, value: number): void {
  buf[off] = value >>> 24;
  buf[off + 1] = value >>> 16;
  buf[off + 2] = value >>> 8;
  buf[off + 3] = value;
}

export function putU16(buf: Buffer, off: number, value: number): void {
  buf[off] = value >>> 8;
  buf[off + 1] = value;
}

/**
 * Size of all WRITE ops of a record. Appends each bin's name bytes to `names`, which `writeOps`
 * then consumes in the same order (one name lookup per bin, not two).
 */
export function opsSize(bins: WriteRecord['bins'], names: Buffer[]): number {
  let size = 0;
  for (let i = 0; i < bins.length; i++) {
    const bin = bins[i];
    const name = nameBytes(bin.name);
    if (name.length > 255) throw new WireEncodeError(`bin name "${bin.name}" is longer than 255 bytes`);
    names.push(name);
    size += 8 + name.length + binValueSize(bin);
  }
  return size;
}

/** Writes one WRITE op per bin (lists, maps, HLL as their own particle types, byte for byte). */
export function writeOps(
  buf: Buffer,
  off: number,
  bins: WriteRecord['bins'],
  names: Buffer[],
  at: number,
): number {
  for (let i = 0; i < bins.length; i++) {
    const bin = bins[i];
    const name = names[at + i];
    const start = off;
    buf[off + 4] = OpType.WRITE;
    buf[off + 5] = bin.type;
    buf[off + 6] = 0;
    buf[off + 7] = name.length;
    buf.set(name, off + 8);
    off = writeBinValue(buf, off + 8 + name.length, bin);
    putU32(buf, start, off - start - 4);
  }
  return off;
}

/** Size of a field holding `dataSize` bytes (4-byte size + type + data). */
export function fieldSize(dataSize: number): number {
  return 5 + dataSize;
}

export function writeFieldHeader(buf: Buffer, off: number, type: number, dataSize: number): number {
  putU32(buf, off, dataSize + 1);
  buf[off + 4] = type;
  return off + 5;
}

export function writeBytesField(buf: Buffer, off: number, type: number, data: Buffer): number {
  off = writeFieldHeader(buf, off, type, data.length);
  buf.set(data, off);
  return off + data.length;
}

/** Data bytes of the KEY field: particle type byte + value. */
export function keyDataSize(key: UserKey): number {
  return key.type === 1 || key.type === 2 ? 9 : 1 + key.value.length;
}

export function writeKeyField(buf: Buffer, off: number, key: UserKey): number {
  off = writeFieldHeader(buf, off, FieldType.KEY, keyDataSize(key));
  buf[off++] = key.type;
  if (key.type === 1) {
    writeInt64(buf, off, key.value);
    return off + 8;
  }
  if (key.type === 2) {
    buf.writeDoubleBE(key.value, off);
    return off + 8;
  }
  buf.set(key.value, off);
  return off + key.value.length;
}
