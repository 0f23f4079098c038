// Pre-encoded batch rows: records turned into batch-write rows ahead of time (e.g. in a worker
// thread), so the sending side only routes rows to nodes and copies them into requests.
// `BatchWriter.writeRows` takes them; `buildBatchWriteRequestFromRows` assembles the requests.

import { ParticleType } from '@asbkit/asb-format';
import { WireEncodeError } from '../wire/errors.js';
import { FieldType, Info2, OpType } from '../wire/message.js';
import { binValueSize, writeBinValue } from '../wire/particle.js';
import { partitionIdOfDigest } from '../wire/record-reply.js';
import {
  checkDigest,
  keyDataSize,
  nameBytes,
  putU16,
  putU32,
  type WriteRecord,
  writeKeyField,
} from './encode.js';
import { expectedGenerationOf, info2Of, info3Of, type RecordWritePolicy } from './policy.js';

/** Row flags: has info2+info3, has generation, has TTL (as batch.ts). */
const ROW_FLAGS = 0x0e;
/** index + digest + flags + info1..3 + generation (u16) + TTL + n_fields + n_ops. */
const ROW_FIXED_SIZE = 4 + 20 + 1 + 3 + 2 + 4 + 2 + 2;

/** Rows of one namespace, back to back; plain data (typed arrays), so it can cross threads. */
export interface EncodedRows {
  namespace: string;
  /** Rows as in a batch write, each starting with its (rewritten when sent) 4-byte index. */
  bytes: Uint8Array;
  /** Row i is bytes[offsets[i], offsets[i + 1]). */
  offsets: Uint32Array;
  /** Partition id of each row. */
  partitionIds: Uint16Array;
  count: number;
}

/** Encodes records into blocks of rows of about `blockBytes` bytes (one namespace per block). */
export class BatchRowEncoder {
  private buf: Buffer;
  private offsets: Uint32Array;
  private pids: Uint16Array;
  private count = 0;
  private size = 0;
  private namespace = '';
  private readonly ready: EncodedRows[] = [];

  constructor(
    private readonly blockBytes = 1 << 18,
    private readonly maxRows = 4096,
  ) {
    this.buf = Buffer.allocUnsafeSlow(blockBytes);
    this.offsets = new Uint32Array(maxRows + 1);
    this.pids = new Uint16Array(maxRows);
  }

  /** Rows encoded and not yet taken. */
  get pending(): number {
    let n = this.count;
    for (const r of this.ready) n += r.count;
    return n;
  }

  // name bytes of the last namespace, set and bin names (by position), reused while they repeat
  private nsName: string | undefined;
  private nsBytes: Buffer = nameBytes(undefined);
  private setName: string | undefined;
  private setBytes: Buffer = nameBytes(undefined);
  private readonly binNames: string[] = [];
  private readonly binBytes: Buffer[] = [];
  // the last policy's row bytes
  private lastPolicy: RecordWritePolicy | undefined;
  private info2 = 0;
  private info3 = 0;

  /**
   * Encodes one record's row, byte for byte the row `buildBatchWriteRequest` writes (and throws
   * the same WireEncodeErrors).
   */
  add(record: WriteRecord, policy: RecordWritePolicy): void {
    checkDigest(record);
    if (record.namespace !== this.nsName) {
      this.nsBytes = nameBytes(record.namespace);
      this.nsName = record.namespace;
    }
    if (record.set !== this.setName) {
      this.setBytes = nameBytes(record.set);
      this.setName = record.set;
    }
    const ns = this.nsBytes;
    const set = this.setBytes;
    const key = policy.sendKey ? record.key : undefined;
    const bins = record.bins;
    const names = this.binBytes;
    let size = ROW_FIXED_SIZE + 5 + ns.length + 5 + set.length + (key ? 5 + keyDataSize(key) : 0);
    for (let i = 0; i < bins.length; i++) {
      const bin = bins[i]!;
      let name = names[i];
      if (bin.name !== this.binNames[i] || name === undefined) {
        name = nameBytes(bin.name);
        this.binNames[i] = bin.name;
        names[i] = name;
      }
      if (name.length > 255) throw new WireEncodeError(`bin name "${bin.name}" is longer than 255 bytes`);
      size += 8 + name.length + binValueSize(bin);
    }
    if (this.count > 0 && (record.namespace !== this.namespace || this.count >= this.maxRows)) this.seal();
    if (this.size + size > this.buf.length) {
      if (this.count > 0) this.seal();
      if (size > this.buf.length) this.buf = Buffer.allocUnsafeSlow(size);
    }
    if (this.count === 0) this.namespace = record.namespace;
    if (policy !== this.lastPolicy) {
      this.info2 = info2Of(policy) | Info2.RESPOND_ALL_OPS;
      this.info3 = info3Of(policy);
      this.lastPolicy = policy;
    }
    const buf = this.buf;
    let off = this.size;
    putU32(buf, off, 0);
    const digest = record.digest;
    for (let j = 0; j < 20; j++) buf[off + 4 + j] = digest[j]!;
    off += 24;
    buf[off] = ROW_FLAGS;
    buf[off + 1] = 0;
    buf[off + 2] = this.info2;
    buf[off + 3] = this.info3;
    putU16(buf, off + 4, expectedGenerationOf(policy, record.generation) & 0xffff);
    putU32(buf, off + 6, policy.ttl >>> 0);
    putU16(buf, off + 10, key ? 3 : 2);
    putU16(buf, off + 12, bins.length);
    off += 14;
    off = putField(buf, off, FieldType.NAMESPACE, ns);
    off = putField(buf, off, FieldType.SET, set);
    if (key) {
      if (
        key.type === ParticleType.INTEGER &&
        typeof key.value === 'number' &&
        Number.isSafeInteger(key.value)
      ) {
        putU32(buf, off, 10);
        buf[off + 4] = FieldType.KEY;
        buf[off + 5] = ParticleType.INTEGER;
        putI64(buf, off + 6, key.value);
        off += 14;
      } else off = writeKeyField(buf, off, key);
    }
    for (let i = 0; i < bins.length; i++) {
      const bin = bins[i]!;
      const name = names[i]!;
      const start = off;
      buf[off + 4] = OpType.WRITE;
      buf[off + 5] = bin.type;
      buf[off + 6] = 0;
      buf[off + 7] = name.length;
      for (let j = 0; j < name.length; j++) buf[off + 8 + j] = name[j]!;
      off += 8 + name.length;
      const v = bin.value;
      if (bin.type === ParticleType.INTEGER && typeof v === 'number' && Number.isSafeInteger(v)) {
        putI64(buf, off, v);
        off += 8;
      } else if (bin.type !== ParticleType.GEOJSON && Buffer.isBuffer(v)) {
        // byte values: a loop for tiny ones, else TypedArray#set (both beat Buffer#copy)
        if (v.length <= 16) for (let j = 0; j < v.length; j++) buf[off + j] = v[j]!;
        else buf.set(v, off);
        off += v.length;
      } else off = writeBinValue(buf, off, bin);
      putU32(buf, start, off - start - 4);
    }
    this.pids[this.count] = partitionIdOfDigest(record.digest as Buffer);
    this.count++;
    this.offsets[this.count] = off;
    this.size = off;
  }

  /** Every block encoded so far (the current one included), in order. */
  take(): EncodedRows[] {
    if (this.count > 0) this.seal();
    return this.ready.splice(0, this.ready.length);
  }

  private seal(): void {
    const n = this.count;
    this.ready.push({
      namespace: this.namespace,
      bytes: this.buf.subarray(0, this.size),
      offsets: this.offsets.subarray(0, n + 1),
      partitionIds: this.pids.subarray(0, n),
      count: n,
    });
    // fresh storage: the sealed block may be handed to another thread
    this.buf = Buffer.allocUnsafeSlow(Math.max(this.blockBytes, 1));
    this.offsets = new Uint32Array(this.maxRows + 1);
    this.pids = new Uint16Array(this.maxRows);
    this.count = 0;
    this.size = 0;
  }
}

/** A bytes field (4-byte size + type + data), small data copied by hand. */
function putField(buf: Buffer, off: number, type: number, data: Buffer): number {
  const n = data.length;
  putU32(buf, off, n + 1);
  buf[off + 4] = type;
  off += 5;
  if (n <= 32) for (let j = 0; j < n; j++) buf[off + j] = data[j]!;
  else data.copy(buf, off);
  return off + n;
}

const TWO_32 = 2 ** 32;

/** A safe integer as a big-endian two's complement int64 (as writeInt64). */
function putI64(buf: Buffer, off: number, v: number): void {
  const hi = Math.floor(v / TWO_32);
  const lo = v - hi * TWO_32;
  putU32(buf, off, hi >>> 0);
  putU32(buf, off + 4, lo >>> 0);
}

/** Digest and set of row `i` (for messages). */
export function rowIdentity(rows: EncodedRows, i: number): { digest: Buffer; set: string | undefined } {
  const b = rows.bytes;
  const s = rows.offsets[i]!;
  const digest = Buffer.from(b.subarray(s + 4, s + 24));
  // fixed part (24 + 14), then NAMESPACE and SET fields: u32 size (type + data), type, data
  let off = s + 38;
  const u32 = (o: number) => ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;
  off += 4 + u32(off);
  const setLen = u32(off) - 1;
  const set = setLen > 0 ? Buffer.from(b.buffer, b.byteOffset + off + 5, setLen).toString('utf8') : undefined;
  return { digest, set };
}
