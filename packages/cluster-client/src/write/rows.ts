// Pre-encoded batch rows: records turned into batch-write rows ahead of time (e.g. in a worker
// thread), so the sending side only routes rows to nodes and copies them into requests.
// `BatchWriter.writeRows` takes them; `buildBatchWriteRequestFromRows` assembles the requests.

import {
  type AsbBinSink,
  type BytesBinType,
  dataViewOf,
  type Int64,
  LastDataView,
  ParticleType,
} from '@asbkit/asb-format';
import { WireEncodeError } from '../wire/errors.js';
import { FieldType, Info2, OpType } from '../wire/message.js';
import { writeInt64 } from '../wire/particle.js';
import { partitionIdOfDigest } from '../wire/record-reply.js';
import { checkDigest, keyDataSize, nameBytes, type WriteRecord, writeKeyField } from './encode.js';
import { expectedGenerationOf, info2Of, info3Of, type RecordWritePolicy } from './policy.js';

/** Row flags: has info2+info3, has generation, has TTL (as batch.ts). */
const ROW_FLAGS = 0x0e;
/** index + digest + flags + info1..3 + generation (u16) + TTL + n_fields + n_ops. */
const ROW_FIXED_SIZE = 4 + 20 + 1 + 3 + 2 + 4 + 2 + 2;

/** What a row needs of a record besides its bins (an AsbRecord, or an AsbRecordHead, is one). */
export type RowHead = Pick<WriteRecord, 'namespace' | 'digest' | 'set' | 'key' | 'generation'>;

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

/**
 * Encodes records into blocks of rows of about `blockBytes` bytes (one namespace per block): whole
 * records with `add`, or streamed (`beginRow`, the bins as an AsbBinSink, `endRow`), e.g. straight
 * from the `.asb` decoder.
 */
export class BatchRowEncoder implements AsbBinSink {
  /** The block's buffer, or the current row's when the row moved out of a full block (`prev`). */
  private buf: Buffer;
  /** `buf` for multi-byte big-endian writes (cheaper than byte by byte). */
  private view: DataView;
  private offsets: Uint32Array;
  private pids: Uint16Array;
  private count = 0;
  /** Bytes of the block's finished rows. */
  private size = 0;
  private namespace = '';
  private readonly ready: EncodedRows[] = [];
  /** Bytes a block holds (a bigger row gets a block of its own). */
  private readonly capacity: number;

  // the row being written: buf[rowStart, off)
  private rowStart = 0;
  private off = 0;
  /** The block's buffer while the row is in a fresh one (it did not fit): sealed if the row ends. */
  private prev: Buffer | undefined;
  private rowNamespace = '';
  private rowPartition = 0;
  private rowOps = 0;
  /** The first WireEncodeError of the row, thrown when it ends (after the whole record parsed). */
  private rowError: string | undefined;

  constructor(
    blockBytes = 1 << 18,
    private readonly maxRows = 4096,
  ) {
    this.capacity = Math.max(blockBytes, 1);
    this.buf = Buffer.allocUnsafeSlow(this.capacity);
    this.view = dataViewOf(this.buf);
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
  // the digest bytes `beginRow` was given last (the decoder's are always in the same place)
  private readonly digestView = new LastDataView();
  // the last policy's row bytes
  private lastPolicy: RecordWritePolicy | undefined;
  /** Flags, info1 (0), info2 and info3 of a row, as one big-endian word. */
  private flagsWord = 0;

  /**
   * Encodes one record's row, byte for byte the row `buildBatchWriteRequest` writes (and throws
   * the same WireEncodeErrors).
   */
  add(record: WriteRecord, policy: RecordWritePolicy): void {
    checkDigest(record);
    const bins = record.bins;
    // names first: buildBatchWriteRequest checks them all before any value
    for (let i = 0; i < bins.length; i++) {
      const name = bins[i]!.name;
      if (nameBytes(name).length > 255)
        throw new WireEncodeError(`bin name "${name}" is longer than 255 bytes`);
    }
    this.beginRow(record, policy);
    for (let i = 0; i < bins.length; i++) {
      const bin = bins[i]!;
      switch (bin.type) {
        case ParticleType.NULL:
          this.nullBin(bin.name);
          break;
        case ParticleType.INTEGER:
          this.intBin(bin.name, bin.value);
          break;
        case ParticleType.FLOAT:
          this.floatBin(bin.name, bin.value);
          break;
        case ParticleType.BOOL:
          this.boolBin(bin.name, bin.value);
          break;
        default: {
          const v = bin.value;
          const at = this.bytesBin(bin.name, bin.type, v.length);
          const out = this.buf;
          // a loop for tiny values, else TypedArray#set (both beat Buffer#copy)
          if (v.length <= 16) for (let j = 0; j < v.length; j++) out[at + j] = v[j]!;
          else out.set(v, at);
        }
      }
    }
    this.endRow();
  }

  /**
   * Starts a record's row (dropping an unfinished one): the fixed part, namespace, set and, when
   * the policy sends it, the key. Its bins follow, then `endRow` (or `dropRow`).
   */
  beginRow(record: RowHead, policy: RecordWritePolicy): void {
    this.dropRow();
    const { namespace, digest, set, generation } = record;
    if (namespace !== this.nsName) {
      this.nsBytes = nameBytes(namespace);
      this.nsName = namespace;
    }
    if (set !== this.setName) {
      this.setBytes = nameBytes(set);
      this.setName = set;
    }
    const ns = this.nsBytes;
    const setBytes = this.setBytes;
    const key = policy.sendKey ? record.key : undefined;
    const head = ROW_FIXED_SIZE + 5 + ns.length + 5 + setBytes.length + (key ? 5 + keyDataSize(key) : 0);
    if (this.off + head > this.buf.length) this.overflow(head);
    if (policy !== this.lastPolicy) {
      this.flagsWord = (ROW_FLAGS << 24) | ((info2Of(policy) | Info2.RESPOND_ALL_OPS) << 8) | info3Of(policy);
      this.lastPolicy = policy;
    }
    const buf = this.buf;
    const view = this.view;
    const dv = this.digestView.of(digest);
    let off = this.off;
    view.setUint32(off, 0);
    view.setUint32(off + 4, dv.getUint32(0));
    view.setUint32(off + 8, dv.getUint32(4));
    view.setUint32(off + 12, dv.getUint32(8));
    view.setUint32(off + 16, dv.getUint32(12));
    view.setUint32(off + 20, dv.getUint32(16));
    off += 24;
    view.setUint32(off, this.flagsWord);
    view.setUint16(off + 4, expectedGenerationOf(policy, generation) & 0xffff);
    view.setUint32(off + 6, policy.ttl >>> 0);
    view.setUint16(off + 10, key ? 3 : 2);
    // n_ops (off + 12) is written by endRow
    off += 14;
    off = putField(buf, view, off, FieldType.NAMESPACE, ns);
    off = putField(buf, view, off, FieldType.SET, setBytes);
    if (key) {
      if (
        key.type === ParticleType.INTEGER &&
        typeof key.value === 'number' &&
        Number.isSafeInteger(key.value)
      ) {
        view.setUint32(off, 10);
        buf[off + 4] = FieldType.KEY;
        buf[off + 5] = ParticleType.INTEGER;
        putI64(view, off + 6, key.value);
        off += 14;
      } else off = writeKeyField(buf, off, key);
    }
    this.off = off;
    this.rowNamespace = namespace;
    this.rowPartition = partitionIdOfDigest(digest);
    this.rowOps = 0;
    this.rowError = undefined;
  }

  /** WRITE ops in the row so far. */
  get opsInRow(): number {
    return this.rowOps;
  }

  /** The bytes `bytesBin` values are written to. */
  get out(): Buffer {
    return this.buf;
  }

  nullBin(name: string): void {
    this.opHead(name, ParticleType.NULL, 0);
  }

  intBin(name: string, value: Int64): void {
    const at = this.opHead(name, ParticleType.INTEGER, 8);
    if (typeof value === 'number' && Number.isSafeInteger(value)) putI64(this.view, at, value);
    else writeInt64(this.buf, at, value);
  }

  floatBin(name: string, value: number): void {
    const at = this.opHead(name, ParticleType.FLOAT, 8);
    this.view.setFloat64(at, value);
  }

  boolBin(name: string, value: boolean): void {
    const at = this.opHead(name, ParticleType.BOOL, 1);
    this.buf[at] = value ? 1 : 0;
  }

  /** A WRITE op of `size` value bytes (GeoJSON: after its cell prefix), to be written at the returned offset of `out`. */
  bytesBin(name: string, type: BytesBinType, size: number): number {
    if (type !== ParticleType.GEOJSON) return this.opHead(name, type, size);
    const at = this.opHead(name, type, 3 + size);
    // flags 0, no cells
    this.buf[at] = 0;
    this.buf[at + 1] = 0;
    this.buf[at + 2] = 0;
    return at + 3;
  }

  /** Writes an op's size, header and name for a value of `valueSize` bytes; returns where the value goes. */
  private opHead(name: string, type: number, valueSize: number): number {
    const i = this.rowOps++;
    let nb = this.binBytes[i];
    if (name !== this.binNames[i] || nb === undefined) {
      nb = nameBytes(name);
      this.binNames[i] = name;
      this.binBytes[i] = nb;
    }
    const n = nb.length;
    if (n > 255) this.rowError ??= `bin name "${name}" is longer than 255 bytes`;
    const total = 8 + n + valueSize;
    if (this.off + total > this.buf.length) this.overflow(total);
    const buf = this.buf;
    const view = this.view;
    const off = this.off;
    view.setUint32(off, total - 4);
    // op, particle type, version 0, name length
    view.setUint32(off + 4, (OpType.WRITE << 24) | (type << 16) | (n & 255));
    for (let j = 0; j < n; j++) buf[off + 8 + j] = nb[j]!;
    this.off = off + total;
    return off + 8 + n;
  }

  /** Finishes the row begun last (throwing its WireEncodeError, if any, instead). */
  endRow(): void {
    if (this.rowError !== undefined) {
      const message = this.rowError;
      this.dropRow();
      throw new WireEncodeError(message);
    }
    this.view.setUint16(this.rowStart + 36, this.rowOps);
    // the row opens a new block when it did not fit, or the block is done with
    if (
      this.count > 0 &&
      (this.prev !== undefined || this.rowNamespace !== this.namespace || this.count >= this.maxRows)
    )
      this.sealBeforeRow();
    if (this.count === 0) this.namespace = this.rowNamespace;
    this.pids[this.count] = this.rowPartition;
    this.count++;
    this.offsets[this.count] = this.off;
    this.size = this.off;
    this.rowStart = this.off;
    // a row bigger than a block is alone in its block
    if (this.size > this.capacity) this.seal();
  }

  /** Forgets the unfinished row, if any. */
  dropRow(): void {
    if (this.prev !== undefined) {
      this.use(this.prev);
      this.prev = undefined;
    } else if (this.size === 0 && this.buf.length > this.capacity) {
      // grown for a row that did not end
      this.use(Buffer.allocUnsafeSlow(this.capacity));
    }
    this.rowStart = this.size;
    this.off = this.size;
  }

  /** The row needs `more` bytes than `buf` has left: moves it to a fresh (or bigger) buffer. */
  private overflow(more: number): void {
    const old = this.buf;
    const len = this.off - this.rowStart;
    let next: Buffer;
    if (this.rowStart > 0) {
      // rows before it: keep their block as it is, the row goes on in a block of its own
      this.prev = old;
      next = Buffer.allocUnsafeSlow(Math.max(this.capacity, len + more));
    } else next = Buffer.allocUnsafeSlow(Math.max(old.length * 2, len + more));
    old.copy(next, 0, this.rowStart, this.off);
    this.use(next);
    this.rowStart = 0;
    this.off = len;
  }

  /** Seals the block's rows before the current one, which becomes the first row of a new block. */
  private sealBeforeRow(): void {
    const len = this.off - this.rowStart;
    let row = this.buf;
    if (this.prev !== undefined) {
      this.buf = this.prev;
      this.prev = undefined;
    } else {
      row = Buffer.allocUnsafeSlow(Math.max(this.capacity, len));
      this.buf.copy(row, 0, this.rowStart, this.off);
    }
    this.seal(row);
    this.off = len;
  }

  private use(buf: Buffer): void {
    this.buf = buf;
    this.view = dataViewOf(buf);
  }

  /** Every block encoded so far (the current one included), in order. */
  take(): EncodedRows[] {
    this.dropRow();
    if (this.count > 0) this.seal();
    return this.ready.splice(0, this.ready.length);
  }

  /** Hands the block out; `next` (default: a fresh buffer) holds the next one. */
  private seal(next: Buffer = Buffer.allocUnsafeSlow(this.capacity)): void {
    const n = this.count;
    this.ready.push({
      namespace: this.namespace,
      bytes: this.buf.subarray(0, this.size),
      offsets: this.offsets.subarray(0, n + 1),
      partitionIds: this.pids.subarray(0, n),
      count: n,
    });
    // fresh storage: the sealed block may be handed to another thread
    this.use(next);
    this.offsets = new Uint32Array(this.maxRows + 1);
    this.pids = new Uint16Array(this.maxRows);
    this.count = 0;
    this.size = 0;
    this.rowStart = 0;
    this.off = 0;
  }
}

/** A bytes field (4-byte size + type + data), small data copied by hand. */
function putField(buf: Buffer, view: DataView, off: number, type: number, data: Buffer): number {
  const n = data.length;
  view.setUint32(off, n + 1);
  buf[off + 4] = type;
  off += 5;
  if (n <= 32) for (let j = 0; j < n; j++) buf[off + j] = data[j]!;
  else data.copy(buf, off);
  return off + n;
}

const TWO_32 = 2 ** 32;

/** A safe integer as a big-endian two's complement int64 (as writeInt64). */
function putI64(view: DataView, off: number, v: number): void {
  if ((v | 0) === v) {
    // an int32 (most values): no division
    view.setInt32(off, v < 0 ? -1 : 0);
    view.setInt32(off + 4, v);
    return;
  }
  const hi = Math.floor(v / TWO_32);
  view.setInt32(off, hi);
  view.setUint32(off + 4, v - hi * TWO_32);
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
