// Decoder for the record stream that answers a partition query (wire spec §6). Hot path: one
// pass over each proto body, byte views instead of copies, and strings (namespace, set, bin
// names) reused while the bytes repeat, which they almost always do.
import {
  type AsbEncoder,
  type AsbRecord,
  type Bin,
  dataViewOf,
  escapeAsbBytes,
  LastDataView,
  ParticleType,
  type UserKey,
} from '@asbkit/asb-format';
import { WireDecodeError } from './errors.js';
import {
  asMsgSize,
  emptyHeader,
  type Field,
  FieldType,
  Info1,
  Info3,
  MSG_HEADER_SIZE,
  type Op,
  OpType,
  writeAsMsg,
} from './message.js';
import {
  decodeBin,
  decodeUserKey,
  encodeBinValue,
  encodeUserKey,
  geoJsonPrefixLength,
  int64At,
  isBytesType,
  view,
} from './particle.js';

/** The server could not serve a partition (info3 PARTITION_DONE with a non-zero result). */
export interface PartitionUnavailable {
  kind: 'partition-unavailable';
  partitionId: number;
  resultCode: number;
}

/** End of the reply: LAST (resultCode = status of the whole request) or an up-front refusal. */
export interface ReplyEnd {
  kind: 'end';
  resultCode: number;
}

export type RecordReplyItem = AsbRecord | PartitionUnavailable | ReplyEnd;

/**
 * Caches what a byte run that repeats (names of namespaces, sets and bins) becomes, per slot:
 * a run equal to the slot's last one gives the same value without making it again.
 */
class RunCache<T> {
  private readonly bytes: Buffer[] = [];
  private readonly values: T[] = [];

  constructor(private readonly make: (run: Buffer) => T) {}

  get(slot: number, buf: Buffer, start: number, end: number): T {
    const cached = this.bytes[slot];
    const len = end - start;
    if (cached !== undefined && cached.length === len) {
      // Names are short: a plain loop beats a native compare call.
      let i = 0;
      while (i < len && cached[i] === buf[start + i]) i++;
      if (i === len) return this.values[slot]!;
    }
    const copy = Buffer.from(buf.subarray(start, end));
    const value = this.make(copy);
    this.bytes[slot] = copy;
    this.values[slot] = value;
    return value;
  }
}

const decodeName = (run: Buffer) => run.toString('utf8');
const NO_NAME = new Uint8Array(0);

const u32 = (b: Buffer, o: number): number =>
  b[o] * 0x1000000 + ((b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]);
const u16 = (b: Buffer, o: number): number => (b[o] << 8) | b[o + 1];

/**
 * Stateful decoder: feed each type-3 body of the reply to `decode`; it appends what it found to
 * `out`. After an `end` item the reply is over. Records' byte values are views into the body.
 */
export class RecordReplyDecoder {
  private readonly names = new RunCache(decodeName);
  private readonly nsCache = new RunCache(decodeName);
  private readonly setCache = new RunCache(decodeName);
  /** True once LAST or an error message has been seen. */
  done = false;

  decode(body: Buffer, out: RecordReplyItem[]): void {
    let off = 0;
    const len = body.length;
    const dv = dataViewOf(body);
    while (off < len) {
      const next = this.control(body, off, out);
      if (next >= 0) {
        off = next;
        continue;
      }
      const generation = dv.getUint32(off + 6);
      const voidTime = dv.getUint32(off + 10);
      const nFields = dv.getUint16(off + 18);
      const nOps = dv.getUint16(off + 20);
      let p = off + MSG_HEADER_SIZE;

      let namespace = '';
      let digest: Buffer | undefined;
      let set: string | undefined;
      let key: UserKey | undefined;
      for (let i = 0; i < nFields; i++) {
        const end = fieldEnd(body, dv, p, i);
        const size = end - p - 4;
        const type = body[p + 4];
        if (type === FieldType.NAMESPACE) namespace = this.nsCache.get(0, body, p + 5, end);
        else if (type === FieldType.DIGEST) {
          if (size !== 21) throw new WireDecodeError(`digest field of ${size - 1} bytes`, p);
          digest = view(body, p + 5, end);
        } else if (type === FieldType.SET) set = this.setCache.get(0, body, p + 5, end);
        else if (type === FieldType.KEY) key = decodeUserKey(body.subarray(p + 5, end));
        // other fields (BVAL) are not part of a record
        p = end;
      }
      if (digest === undefined) throw new WireDecodeError('record without DIGEST field', off);

      const bins: Bin[] = new Array(nOps);
      for (let i = 0; i < nOps; i++) {
        const end = opEnd(body, dv, p, i);
        const nameLen = body[p + 7];
        const nameEnd = p + 8 + nameLen;
        const name = this.names.get(i, body, p + 8, nameEnd);
        bins[i] = decodeBin(name, body[p + 5], body, nameEnd, end);
        p = end;
      }
      out.push({ kind: 'record', namespace, digest, set, key, generation, voidTime, bins });
      off = p;
    }
  }

  /**
   * Light pass for consumers that transcode records straight from the bytes
   * (`RecordReplyTranscoder`): checks every message exactly as `decode` does (same errors),
   * calls `onRecord(digestOffset)` for each record and appends only the other items
   * (`partition-unavailable`, `end`) to `out`. Returns the number of records.
   */
  index(body: Buffer, out: RecordReplyItem[], onRecord: (digestOffset: number) => void): number {
    let off = 0;
    let records = 0;
    const len = body.length;
    const view = dataViewOf(body);
    while (off < len) {
      const next = this.control(body, off, out);
      if (next >= 0) {
        off = next;
        continue;
      }
      const nFields = view.getUint16(off + 18);
      const nOps = view.getUint16(off + 20);
      let p = off + MSG_HEADER_SIZE;
      let digest = -1;
      for (let i = 0; i < nFields; i++) {
        const end = fieldEnd(body, view, p, i);
        const size = end - p - 4;
        const type = body[p + 4];
        if (type === FieldType.DIGEST) {
          if (size !== 21) throw new WireDecodeError(`digest field of ${size - 1} bytes`, p);
          digest = p + 5;
        } else if (type === FieldType.KEY) checkUserKey(body, p + 5, end);
        p = end;
      }
      if (digest < 0) throw new WireDecodeError('record without DIGEST field', off);
      for (let i = 0; i < nOps; i++) {
        const end = opEnd(body, view, p, i);
        const nameLen = body[p + 7];
        checkParticle(body[p + 5], body, p + 8, p + 8 + nameLen, end);
        p = end;
      }
      records++;
      onRecord(digest);
      off = p;
    }
    return records;
  }

  /**
   * Checks the as_msg header at `off`. A control message (LAST, a partition marker, an up-front
   * refusal) is consumed into `out` and the offset after it returned; a record gives -1.
   */
  private control(body: Buffer, off: number, out: RecordReplyItem[]): number {
    if (this.done) throw new WireDecodeError('as_msg after the end of a record reply', off);
    if (body.length - off < MSG_HEADER_SIZE || body[off] !== MSG_HEADER_SIZE) {
      throw new WireDecodeError('bad as_msg header in record reply', off);
    }
    const info3 = body[off + 3];
    const resultCode = body[off + 5];
    if ((info3 & (Info3.LAST | Info3.PARTITION_DONE)) === 0 && resultCode === 0) return -1;
    const next = this.skip(body, off + MSG_HEADER_SIZE, u16(body, off + 18), u16(body, off + 20));
    if (info3 & Info3.LAST || !(info3 & Info3.PARTITION_DONE)) {
      // LAST, or an up-front refusal (bad expression, unknown namespace, ...) with no LAST after it
      this.done = true;
      out.push({ kind: 'end', resultCode });
    } else if (resultCode !== 0) {
      // A marker with result 0 would mean "finished"; 8.1.2 never sends one, so it is ignored.
      out.push({ kind: 'partition-unavailable', partitionId: u32(body, off + 6), resultCode });
    }
    return next;
  }

  private skip(body: Buffer, p: number, nFields: number, nOps: number): number {
    for (let i = 0; i < nFields + nOps; i++) {
      if (body.length - p < 4) throw new WireDecodeError('as_msg truncated', p);
      const next = p + 4 + u32(body, p);
      if (next > body.length) throw new WireDecodeError('as_msg field/op exceeds the body', p);
      p = next;
    }
    return p;
  }
}

/** Throws what `decodeUserKey` throws for a bad KEY field `buf[start, end)`. */
function checkUserKey(buf: Buffer, start: number, end: number): void {
  const t = buf[start];
  const n = end - start;
  if (t === ParticleType.INTEGER || t === ParticleType.FLOAT) {
    if (n !== 9) decodeUserKey(buf.subarray(start, end));
  } else if (t !== ParticleType.STRING && t !== ParticleType.BLOB) decodeUserKey(buf.subarray(start, end));
}

/** Throws what `decodeBin` throws for a bad value `buf[start, end)` of bin `buf[nameStart, start)`. */
function checkParticle(type: number, buf: Buffer, nameStart: number, start: number, end: number): void {
  const len = end - start;
  let ok: boolean;
  switch (type) {
    case ParticleType.INTEGER:
    case ParticleType.FLOAT:
      ok = len === 8;
      break;
    case ParticleType.BOOL:
      ok = len === 1;
      break;
    case ParticleType.GEOJSON:
      geoJsonPrefixLength(buf, start, end);
      ok = true;
      break;
    case ParticleType.STRING:
    case ParticleType.NULL:
      ok = true;
      break;
    default:
      ok = isBytesType(type);
  }
  if (!ok) decodeBin(buf.toString('utf8', nameStart, start), type, buf, start, end);
}

/**
 * Writes the records of scan-reply bodies straight into an `AsbEncoder` (`beginRecord` …
 * `endRecord`), byte for byte what decoding to `AsbRecord`s and `writeRecord` would write,
 * without building any object per record. Bodies must have passed `RecordReplyDecoder.index`
 * (which validates them); messages that are not records are skipped.
 */
/**
 * The last digest of each partition in a reply body, as offsets into it (copied out once, after
 * the body, rather than per record): for resuming scans and backups where they stopped.
 */
export class LastDigestOffsets {
  /** Offset of the partition's last digest; 0 = none since `clear` (no digest starts there). */
  readonly offset = new Int32Array(4096);
  /** Partitions noted since `clear`: `partitions[0, count)`, in first-seen order. */
  readonly partitions = new Uint16Array(4096);
  count = 0;

  /** Notes the digest at `body[d, d + 20)`. */
  note(body: Buffer, d: number): void {
    const pid = (body[d] | (body[d + 1] << 8)) & 0x0fff;
    if (this.offset[pid] === 0) this.partitions[this.count++] = pid;
    this.offset[pid] = d;
  }

  clear(): void {
    for (let i = 0; i < this.count; i++) this.offset[this.partitions[i]] = 0;
    this.count = 0;
  }
}

export class RecordReplyTranscoder {
  // names go to the encoder as escaped bytes: no string, no lookup per record
  private readonly names = new RunCache(escapeAsbBytes);
  private readonly nsCache = new RunCache(escapeAsbBytes);
  private readonly setCache = new RunCache(escapeAsbBytes);
  /** Where the last digest written per partition is in the last body (cleared by the caller). */
  readonly lastDigests = new LastDigestOffsets();
  /** Records and bytes written by the last `transcode` call. */
  records = 0;
  bytes = 0;

  constructor(private readonly enc: AsbEncoder) {}

  /**
   * Writes the records of `body` from `offset` on (at least one message), until the encoder holds
   * `stopAt` bytes or the body ends. Returns the offset after the last message handled (the
   * body's length when done).
   */
  transcode(body: Buffer, offset: number, stopAt: number): number {
    const enc = this.enc;
    const len = body.length;
    const view = this.bodyView.of(body);
    let off = offset;
    this.records = 0;
    this.bytes = 0;
    // The loop stays small and each message is a call: the JIT compiles `message` once as a
    // whole function instead of on-stack-replacing (and recompiling) one big loop.
    while (off < len) {
      off = this.message(body, view, off);
      if (enc.length >= stopAt) break;
    }
    return off;
  }

  /** The body as words (whole numbers in one read). */
  private readonly bodyView = new LastDataView();

  /**
   * Writes the message at `off` of `body` (`view` covers the same bytes) when it is a record,
   * counting it; returns the offset after it.
   */
  private message(body: Buffer, view: DataView, off: number): number {
    const enc = this.enc;
    const info3 = body[off + 3];
    const resultCode = body[off + 5];
    const nFields = view.getUint16(off + 18);
    const nOps = view.getUint16(off + 20);
    let p = off + MSG_HEADER_SIZE;
    if (info3 & (Info3.LAST | Info3.PARTITION_DONE) || resultCode !== 0) {
      for (let i = 0; i < nFields + nOps; i++) p += 4 + view.getUint32(p);
      return p;
    }
    let namespace: Uint8Array = NO_NAME;
    let digest = 0;
    let set: Uint8Array | undefined;
    let keyStart = -1;
    let keyEnd = 0;
    for (let i = 0; i < nFields; i++) {
      const end = p + 4 + view.getUint32(p);
      const type = body[p + 4];
      if (type === FieldType.NAMESPACE) namespace = this.nsCache.get(0, body, p + 5, end);
      else if (type === FieldType.DIGEST) digest = p + 5;
      else if (type === FieldType.SET) set = this.setCache.get(0, body, p + 5, end);
      else if (type === FieldType.KEY) {
        keyStart = p + 5;
        keyEnd = end;
      }
      p = end;
    }
    enc.beginRecord();
    try {
      if (keyStart >= 0) {
        const t = body[keyStart];
        if (t === ParticleType.INTEGER) enc.recordKeyInt(int64At(view, keyStart + 1));
        else if (t === ParticleType.FLOAT) enc.recordKeyDouble(view.getFloat64(keyStart + 1));
        else enc.recordKeyBytes(t as 3 | 4, body, keyStart + 1, keyEnd);
      }
      enc.recordMeta(namespace, body, digest, set, view.getUint32(off + 6), view.getUint32(off + 10), nOps);
      for (let i = 0; i < nOps; i++) {
        const end = p + 4 + view.getUint32(p);
        const type = body[p + 5];
        const nameEnd = p + 8 + body[p + 7];
        const name = this.names.get(i, body, p + 8, nameEnd);
        switch (type) {
          case ParticleType.INTEGER:
            enc.binInt(name, int64At(view, nameEnd));
            break;
          case ParticleType.FLOAT:
            enc.binDouble(name, view.getFloat64(nameEnd));
            break;
          case ParticleType.BOOL:
            enc.binBool(name, body[nameEnd] !== 0);
            break;
          case ParticleType.NULL:
            enc.binNull(name);
            break;
          case ParticleType.GEOJSON:
            enc.binBytes(name, type, body, nameEnd + geoJsonPrefixLength(body, nameEnd, end), end);
            break;
          default:
            enc.binBytes(name, type, body, nameEnd, end);
        }
        p = end;
      }
    } catch (err) {
      enc.abortRecord();
      throw err;
    }
    this.bytes += enc.endRecord();
    this.records++;
    this.lastDigests.note(body, digest);
    return p;
  }
}

/** Partition id of a digest: bytes 0-1 little-endian, low 12 bits (wire spec §11.2). */
export function partitionIdOfDigest(digest: Buffer): number {
  return (digest[0] | (digest[1] << 8)) & 0x0fff;
}

/**
 * Server side: one scan-reply as_msg for a record (no proto header): NAMESPACE, DIGEST, [SET],
 * [KEY] fields and one READ op per bin (none with `noBins`, info1 NOBINDATA). GeoJSON values get
 * the flags-0, no-cells prefix.
 */
export function encodeRecordReply(r: AsbRecord, noBins = false): Buffer {
  const fields: Field[] = [
    { type: FieldType.NAMESPACE, data: Buffer.from(r.namespace, 'utf8') },
    { type: FieldType.DIGEST, data: r.digest },
  ];
  if (r.set !== undefined) fields.push({ type: FieldType.SET, data: Buffer.from(r.set, 'utf8') });
  if (r.key) fields.push({ type: FieldType.KEY, data: encodeUserKey(r.key) });
  const ops: Op[] = noBins
    ? []
    : r.bins.map((b) => ({
        op: OpType.READ,
        particleType: b.type,
        name: Buffer.from(b.name, 'utf8'),
        value: encodeBinValue(b),
      }));
  const buf = Buffer.allocUnsafe(asMsgSize(fields, ops));
  const header = {
    ...emptyHeader(),
    info1: noBins ? Info1.NOBINDATA : 0,
    generation: r.generation,
    recordTtl: r.voidTime,
  };
  writeAsMsg(buf, 0, header, fields, ops);
  return buf;
}

/** End of record field `i` at `p`, checked against the body (the errors both decoders give). */
function fieldEnd(body: Buffer, view: DataView, p: number, i: number): number {
  if (body.length - p < 5) throw new WireDecodeError(`record field ${i} truncated`, p);
  const size = view.getUint32(p);
  const end = p + 4 + size;
  if (size < 1 || end > body.length)
    throw new WireDecodeError(`record field ${i} size ${size} out of range`, p);
  return end;
}

/** End of bin op `i` at `p`, checked against the body and its name length. */
function opEnd(body: Buffer, view: DataView, p: number, i: number): number {
  if (body.length - p < 8) throw new WireDecodeError(`bin ${i} header truncated`, p);
  const size = view.getUint32(p);
  const end = p + 4 + size;
  if (size < 4 + body[p + 7] || end > body.length)
    throw new WireDecodeError(`bin ${i} size ${size} out of range`, p);
  return end;
}
