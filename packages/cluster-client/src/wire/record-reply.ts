// Decoder for the record stream that answers a partition query (wire spec §6). Hot path: one
// pass over each proto body, byte views instead of copies, and strings (namespace, set, bin
// names) reused while the bytes repeat, which they almost always do.
import type { AsbRecord, Bin, UserKey } from '@asbkit/asb-format';
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
import { decodeBin, decodeUserKey, encodeBinValue, encodeUserKey, view } from './particle.js';

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

/** Caches a decoded string for byte runs that repeat (names of sets and bins). */
class StringCache {
  private readonly bytes: Buffer[] = [];
  private readonly strings: string[] = [];
  get(slot: number, buf: Buffer, start: number, end: number): string {
    const cached = this.bytes[slot];
    const len = end - start;
    if (cached !== undefined && cached.length === len) {
      // Names are short: a plain loop beats a native compare call.
      let i = 0;
      while (i < len && cached[i] === buf[start + i]) i++;
      if (i === len) return this.strings[slot];
    }
    const copy = Buffer.from(buf.subarray(start, end));
    const s = copy.toString('utf8');
    this.bytes[slot] = copy;
    this.strings[slot] = s;
    return s;
  }
}

const u32 = (b: Buffer, o: number): number =>
  b[o] * 0x1000000 + ((b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]);
const u16 = (b: Buffer, o: number): number => (b[o] << 8) | b[o + 1];

/**
 * Stateful decoder: feed each type-3 body of the reply to `decode`; it appends what it found to
 * `out`. After an `end` item the reply is over. Records' byte values are views into the body.
 */
export class RecordReplyDecoder {
  private readonly names = new StringCache();
  private readonly nsCache = new StringCache();
  private readonly setCache = new StringCache();
  /** True once LAST or an error message has been seen. */
  done = false;

  decode(body: Buffer, out: RecordReplyItem[]): void {
    let off = 0;
    const len = body.length;
    while (off < len) {
      if (this.done) throw new WireDecodeError('as_msg after the end of a record reply', off);
      if (len - off < MSG_HEADER_SIZE || body[off] !== MSG_HEADER_SIZE) {
        throw new WireDecodeError('bad as_msg header in record reply', off);
      }
      const info3 = body[off + 3];
      const resultCode = body[off + 5];
      const generation = u32(body, off + 6);
      const voidTime = u32(body, off + 10);
      const nFields = u16(body, off + 18);
      const nOps = u16(body, off + 20);
      let p = off + MSG_HEADER_SIZE;

      if (info3 & Info3.LAST) {
        off = this.skip(body, p, nFields, nOps);
        this.done = true;
        out.push({ kind: 'end', resultCode });
        continue;
      }
      if (info3 & Info3.PARTITION_DONE) {
        off = this.skip(body, p, nFields, nOps);
        // A marker with result 0 would mean "finished"; 8.1.2 never sends one, so ignore it.
        if (resultCode !== 0)
          out.push({ kind: 'partition-unavailable', partitionId: generation, resultCode });
        continue;
      }
      if (resultCode !== 0) {
        // Up-front refusal (bad expression, unknown namespace, ...): no LAST follows.
        off = this.skip(body, p, nFields, nOps);
        this.done = true;
        out.push({ kind: 'end', resultCode });
        continue;
      }

      let namespace = '';
      let digest: Buffer | undefined;
      let set: string | undefined;
      let key: UserKey | undefined;
      for (let i = 0; i < nFields; i++) {
        if (len - p < 5) throw new WireDecodeError(`record field ${i} truncated`, p);
        const size = u32(body, p);
        const end = p + 4 + size;
        if (size < 1 || end > len)
          throw new WireDecodeError(`record field ${i} size ${size} out of range`, p);
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
        if (len - p < 8) throw new WireDecodeError(`bin ${i} header truncated`, p);
        const size = u32(body, p);
        const nameLen = body[p + 7];
        const end = p + 4 + size;
        if (size < 4 + nameLen || end > len)
          throw new WireDecodeError(`bin ${i} size ${size} out of range`, p);
        const nameEnd = p + 8 + nameLen;
        const name = this.names.get(i, body, p + 8, nameEnd);
        bins[i] = decodeBin(name, body[p + 5], body, nameEnd, end);
        p = end;
      }
      out.push({ kind: 'record', namespace, digest, set, key, generation, voidTime, bins });
      off = p;
    }
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
