// `.asb` encoder writing exactly what the official C asbackup writes for the same data. Entities
// are written into one growing slab; `takeChunk()` hands out what was written since the last take
// (a view of the slab, never overwritten afterwards), so records cost no per-record buffers.

import { Transform } from 'node:stream';
import { base64Length, writeBase64Range } from './base64.js';
import { dataViewOf, LastDataView } from './data-view.js';
import { AsbEncodeError } from './errors.js';
import { MAX_DOUBLE_TEXT, writeDouble } from './float.js';
import {
  type AsbEntry,
  type AsbHeader,
  type AsbRecord,
  type Bin,
  ParticleType,
  type SecondaryIndex,
  type UdfModule,
  type UserKey,
} from './model.js';

export interface AsbEncoderOptions {
  /** `--compact`: bytes-family values (`B! … L!`, `+ k B!`) written raw instead of base64. */
  compact?: boolean;
  /** Initial slab size in bytes (default 1 MiB); it grows to fit any single entity. */
  slabSize?: number;
  /**
   * `takeChunk()` leaves the slab when fewer bytes than this are left in it, so the next chunk
   * starts in a fresh slab rather than being copied there once it outgrows the old one. With a
   * slab of one chunk plus a margin, each chunk then pins only its own slab (default 0: off).
   */
  freshSlabBelow?: number;
  /**
   * Where new slabs come from (default: fresh memory): at least `bytes` long and used by nobody
   * else, e.g. the memory of chunks taken earlier whose bytes were written since.
   */
  allocSlab?: (bytes: number) => Buffer;
}

/** Header fields for `writeHeader`. `namespace` is written as given (the escaped form). */
export interface AsbHeaderInit {
  namespace?: string | undefined;
  firstFile?: boolean;
  /** Default '3.1'; use '3.2' only for files with expression indexes. '3.0' is written as 3.1. */
  version?: AsbHeader['version'];
}

const LF = 0x0a;
const SP = 0x20;
const BSL = 0x5c;

/** Type letter per particle type for bytes-family bins. */
const BYTES_LETTER: Record<number, number> = {
  [ParticleType.BLOB]: 0x42, // B
  [ParticleType.JAVA_BLOB]: 0x4a, // J
  [ParticleType.CSHARP_BLOB]: 0x43, // C
  [ParticleType.PYTHON_BLOB]: 0x50, // P
  [ParticleType.RUBY_BLOB]: 0x52, // R
  [ParticleType.PHP_BLOB]: 0x48, // H
  [ParticleType.ERLANG_BLOB]: 0x45, // E
  [ParticleType.HLL]: 0x59, // Y
  [ParticleType.MAP]: 0x4d, // M
  [ParticleType.LIST]: 0x4c, // L
};

/**
 * A bin, set or namespace name for the streaming writers: its text, or its bytes already escaped
 * with `escapeAsbBytes` (what a decoder that reads names as bytes can keep per name, sparing the
 * string and the lookup).
 */
export type AsbName = string | Uint8Array;

/** A name for messages. */
const nameText = (name: AsbName) => (typeof name === 'string' ? name : Buffer.from(name).toString('utf8'));
const whose = (what: string, name: AsbName | undefined) =>
  name === undefined ? what : `${what} ${nameText(name)}`;

/** Escapes `\`, SP and LF with a backslash, byte-wise (name escaping of spec §1.4). */
export function escapeAsbBytes(src: Uint8Array): Buffer {
  let extra = 0;
  for (let i = 0; i < src.length; i++) {
    const c = src[i]!;
    if (c === BSL || c === SP || c === LF) extra++;
  }
  const out = Buffer.allocUnsafe(src.length + extra);
  let o = 0;
  for (let i = 0; i < src.length; i++) {
    const c = src[i]!;
    if (c === BSL || c === SP || c === LF) out[o++] = BSL;
    out[o++] = c;
  }
  return out;
}

/** The escaped form of a name as it appears in a `.asb` file. */
export function escapeAsbName(name: string): string {
  return escapeAsbBytes(Buffer.from(name, 'utf8')).toString('utf8');
}

/** Decimal digits of 0 <= v < 2^32. */
function digitCount(v: number): number {
  if (v < 100000) return v < 10 ? 1 : v < 100 ? 2 : v < 1000 ? 3 : v < 10000 ? 4 : 5;
  return v < 1000000 ? 6 : v < 10000000 ? 7 : v < 100000000 ? 8 : v < 1000000000 ? 9 : 10;
}

/** "00".."99" as bytes, for writing two digits at a time. */
const PAIRS = new Uint8Array(200);
for (let i = 0; i < 100; i++) {
  PAIRS[2 * i] = 0x30 + Math.floor(i / 10);
  PAIRS[2 * i + 1] = 0x30 + (i % 10);
}

/** Writes 0 <= v < 2^32 as exactly `n` digits (zero-padded) ending at `pos + n`. */
function writeDigits(out: Uint8Array, pos: number, v: number, n: number): void {
  let p = pos + n;
  while (v >= 100) {
    const q = (v / 100) >>> 0;
    const r = (v - q * 100) * 2;
    out[--p] = PAIRS[r + 1]!;
    out[--p] = PAIRS[r]!;
    v = q;
  }
  if (v >= 10) {
    out[--p] = PAIRS[v * 2 + 1]!;
    out[--p] = PAIRS[v * 2]!;
  } else out[--p] = 0x30 + v;
  while (p > pos) out[--p] = 0x30;
}

const MAX_CACHED_NAMES = 4096;
const INT64_MAX = (1n << 63n) - 1n;
const INT64_MIN = -(1n << 63n);

export class AsbEncoder {
  readonly compact: boolean;
  private readonly slabSize: number;
  private readonly freshSlabBelow: number;
  private readonly allocSlab: (bytes: number) => Buffer;
  private out: Buffer;
  /** `out` as a DataView: whole words at a time where bytes run long. */
  private view: DataView;
  private pos = 0;
  private chunkStart = 0;
  /** Escaped UTF-8 bytes of names seen before. */
  private names = new Map<string, Buffer>();

  constructor(opts: AsbEncoderOptions = {}) {
    this.compact = opts.compact ?? false;
    this.slabSize = Math.max(4096, opts.slabSize ?? 1 << 20);
    this.freshSlabBelow = opts.freshSlabBelow ?? 0;
    this.allocSlab = opts.allocSlab ?? Buffer.allocUnsafeSlow;
    this.out = this.allocSlab(this.slabSize);
    this.view = dataViewOf(this.out);
  }

  /** Bytes written since the last `takeChunk()`. */
  get length(): number {
    return this.pos - this.chunkStart;
  }

  /**
   * Returns the bytes written since the last call; the view stays valid and unchanged. With
   * `detach`, nothing is written into its slab again (between records only), so the slab's
   * memory can be transferred to another thread.
   */
  takeChunk(detach = false): Buffer {
    const chunk = this.out.subarray(this.chunkStart, this.pos);
    this.chunkStart = this.pos;
    if ((detach || this.out.length - this.pos < this.freshSlabBelow) && this.recordStart < 0) {
      this.out = this.allocSlab(this.slabSize);
      this.view = dataViewOf(this.out);
      this.chunkStart = 0;
      this.pos = 0;
    }
    return chunk;
  }

  /** Makes room for `n` more bytes. */
  private ensure(n: number): void {
    if (this.pos + n <= this.out.length) return;
    const pending = this.pos - this.chunkStart;
    const next = this.allocSlab(Math.max(this.slabSize, pending + n));
    this.out.copy(next, 0, this.chunkStart, this.pos);
    if (this.recordStart >= 0) this.recordStart -= this.chunkStart; // a streamed record moves too
    this.out = next;
    this.view = dataViewOf(next);
    this.chunkStart = 0;
    this.pos = pending;
  }

  private name(s: AsbName): Uint8Array {
    if (typeof s !== 'string') return s;
    let b = this.names.get(s);
    if (b === undefined) {
      b = escapeAsbBytes(Buffer.from(s, 'utf8'));
      if (this.names.size >= MAX_CACHED_NAMES) this.names.clear();
      this.names.set(s, b);
    }
    return b;
  }

  // ------------------------------------------------------------------ low-level writers

  private ascii(s: string): void {
    const out = this.out;
    let p = this.pos;
    for (let i = 0; i < s.length; i++) out[p++] = s.charCodeAt(i);
    this.pos = p;
  }

  private bytes(b: Uint8Array): void {
    const n = b.length;
    const out = this.out;
    const p = this.pos;
    if (n <= 32) for (let i = 0; i < n; i++) out[p + i] = b[i]!;
    else out.set(b, p);
    this.pos = p + n;
  }

  /** Writes a non-negative safe integer in decimal. */
  private uint(v: number): void {
    const out = this.out;
    if (v < 10) {
      out[this.pos++] = 0x30 + v;
      return;
    }
    if (v > 0xffffffff) {
      // split so each half fits the 32-bit path: high digits, then exactly 9 low digits
      const hi = Math.floor(v / 1e9);
      this.uint(hi);
      writeDigits(out, this.pos, v - hi * 1e9, 9);
      this.pos += 9;
      return;
    }
    const n = digitCount(v);
    writeDigits(out, this.pos, v, n);
    this.pos += n;
  }

  /** An integer; `what` (and the bin's `name`) say whose in errors. */
  private int(v: number | bigint, what: string, name?: AsbName): void {
    if (typeof v === 'bigint') {
      if (v > INT64_MAX || v < INT64_MIN)
        throw new AsbEncodeError(`${whose(what, name)}: ${v} does not fit in 64 bits`);
      this.pos += this.out.write(v.toString(), this.pos, 'latin1');
      return;
    }
    if (!Number.isInteger(v)) throw new AsbEncodeError(`${whose(what, name)}: ${v} is not an integer`);
    if (v < 0) {
      if (v < -9007199254740991) {
        this.int(BigInt(v), what, name);
        return;
      }
      this.out[this.pos++] = 0x2d;
      this.uint(-v);
    } else if (v > 9007199254740991) this.int(BigInt(v), what, name);
    else this.uint(v);
  }

  private double(v: number): void {
    this.pos = writeDouble(this.out, this.pos, v);
  }

  /** `<len> SP <raw>` */
  private raw(v: Uint8Array): void {
    this.uint(v.length);
    this.out[this.pos++] = SP;
    this.bytes(v);
  }

  /** `<b64len> SP <base64>` */
  private b64(v: Uint8Array): void {
    this.uint(base64Length(v.length));
    this.out[this.pos++] = SP;
    this.pos = writeBase64Range(this.out, this.view, this.pos, v, 0, v.length);
  }

  private bounded(v: number, max: number, what: string): void {
    if (!Number.isInteger(v) || v < 0 || v > max)
      throw new AsbEncodeError(`${what} ${v} is out of range 0..${max}`);
    this.uint(v);
  }

  // ------------------------------------------------------------------ entities

  /** `Version 3.1`, `# namespace <ns>` (as given: escaped form), `# first-file`. */
  writeHeader(h: AsbHeaderInit = {}): number {
    const start = this.pos;
    const ns = h.namespace === undefined ? undefined : Buffer.from(h.namespace, 'utf8');
    this.ensure(32 + (ns?.length ?? 0));
    // 3.0 differs from 3.1 only in having no escaping, so legacy input is re-encoded as 3.1
    this.ascii(`Version ${h.version === '3.2' ? '3.2' : '3.1'}\n`);
    if (ns !== undefined) {
      this.ascii('# namespace ');
      this.bytes(ns);
      this.out[this.pos++] = LF;
    }
    if (h.firstFile) this.ascii('# first-file\n');
    return this.pos - start;
  }

  writeSecondaryIndex(idx: SecondaryIndex): number {
    const start = this.pos;
    const ns = this.name(idx.namespace);
    const set = this.name(idx.set);
    const name = this.name(idx.name);
    const paths = idx.paths.map((p) => this.name(p.path));
    const ctx = idx.context === undefined ? undefined : escapeAsbBytes(Buffer.from(idx.context, 'latin1'));
    const expr = idx.expression === undefined ? undefined : Buffer.from(idx.expression, 'latin1');
    let size = 32 + ns.length + set.length + name.length + (ctx?.length ?? 0) + (expr?.length ?? 0);
    for (const p of paths) size += p.length + 4;
    this.ensure(size);
    this.ascii(expr === undefined ? '* i ' : '* e ');
    this.bytes(ns);
    this.out[this.pos++] = SP;
    this.bytes(set);
    this.out[this.pos++] = SP;
    this.bytes(name);
    this.out[this.pos++] = SP;
    this.out[this.pos++] = idx.indexType.charCodeAt(0) || 0x49;
    this.out[this.pos++] = SP;
    this.uint(paths.length);
    for (let i = 0; i < paths.length; i++) {
      this.out[this.pos++] = SP;
      this.bytes(paths[i]!);
      this.out[this.pos++] = SP;
      this.out[this.pos++] = idx.paths[i]!.type.charCodeAt(0) || 0x49;
    }
    if (ctx !== undefined && ctx.length > 0) {
      this.out[this.pos++] = SP;
      this.bytes(ctx);
    }
    if (expr !== undefined) {
      this.out[this.pos++] = SP;
      this.bytes(expr);
    }
    this.out[this.pos++] = LF;
    return this.pos - start;
  }

  writeUdf(udf: UdfModule): number {
    const start = this.pos;
    const name = this.name(udf.name);
    this.ensure(32 + name.length + udf.content.length);
    this.ascii('* u L ');
    this.bytes(name);
    this.out[this.pos++] = SP;
    this.raw(udf.content);
    this.out[this.pos++] = LF;
    return this.pos - start;
  }

  /** Escaped names of the record being written, looked up once by `recordBound`. */
  private nsName: Uint8Array = Buffer.alloc(0);
  private setName: Uint8Array | undefined;
  private binNames: Uint8Array[] = [];

  /** Upper bound of the bytes `writeRecord` needs for `rec`; also looks up its names. */
  private recordBound(rec: AsbRecord): number {
    this.nsName = this.name(rec.namespace);
    this.setName = rec.set === undefined || rec.set === '' ? undefined : this.name(rec.set);
    // fixed lines + key (numbers at most MAX_DOUBLE_TEXT) + names
    let n =
      128 + 2 * MAX_DOUBLE_TEXT + this.nsName.length + (this.setName === undefined ? 0 : this.setName.length);
    const key = rec.key;
    if (key !== undefined && (key.type === ParticleType.STRING || key.type === ParticleType.BLOB)) {
      n += Math.ceil(key.value.length / 3) * 4 + 24;
    }
    const bins = rec.bins;
    const names = this.binNames;
    for (let i = 0; i < bins.length; i++) {
      const bin = bins[i]!;
      const name = this.name(bin.name);
      names[i] = name;
      n += 16 + MAX_DOUBLE_TEXT + name.length;
      const v = bin.value;
      if (v instanceof Uint8Array) n += Math.ceil(v.length / 3) * 4 + 4;
    }
    return n;
  }

  writeRecord(rec: AsbRecord): number {
    this.ensure(this.recordBound(rec));
    const start = this.pos;
    try {
      this.record(rec);
    } catch (err) {
      this.pos = start; // leave no half-written record behind
      throw err;
    }
    return this.pos - start;
  }

  private record(rec: AsbRecord): void {
    if (rec.key !== undefined) this.key(rec.key);
    if (rec.digest.length !== 20)
      throw new AsbEncodeError(`digest must be 20 bytes, got ${rec.digest.length}`);
    const bins = rec.bins;
    this.metaLines(this.nsName, rec.digest, 0, this.setName, rec.generation, rec.voidTime, bins.length);
    for (let i = 0; i < bins.length; i++) this.bin(bins[i]!, this.binNames[i]!);
  }

  /**
   * The `+ n`, `+ d`, `+ s`, `+ g`, `+ t` and `+ b` lines (room already ensured; the digest is
   * `digest[digestOffset, +20)`). Fixed text goes out a 32-bit word at a time.
   */
  private metaLines(
    ns: Uint8Array,
    digest: Uint8Array,
    digestOffset: number,
    set: Uint8Array | undefined,
    generation: number,
    voidTime: number,
    binCount: number,
  ): void {
    const out = this.out;
    const view = this.view;
    view.setUint32(this.pos, 0x2b206e20); // '+ n '
    this.pos += 4;
    this.bytes(ns);
    view.setUint32(this.pos, 0x0a2b2064); // '\n+ d'
    out[this.pos + 4] = SP;
    this.pos = writeBase64Range(out, view, this.pos + 5, digest, digestOffset, digestOffset + 20);
    out[this.pos++] = LF;
    if (set !== undefined) {
      view.setUint32(this.pos, 0x2b207320); // '+ s '
      this.pos += 4;
      this.bytes(set);
      out[this.pos++] = LF;
    }
    view.setUint32(this.pos, 0x2b206720); // '+ g '
    this.pos += 4;
    this.bounded(generation, 65535, 'generation');
    view.setUint32(this.pos, 0x0a2b2074); // '\n+ t'
    out[this.pos + 4] = SP;
    this.pos += 5;
    this.bounded(voidTime, 0xffffffff, 'void time');
    view.setUint32(this.pos, 0x0a2b2062); // '\n+ b'
    out[this.pos + 4] = SP;
    this.pos += 5;
    this.bounded(binCount, 65535, 'bin count');
    out[this.pos++] = LF;
  }

  private key(key: UserKey): void {
    switch (key.type) {
      case ParticleType.INTEGER:
        this.ascii('+ k I ');
        this.int(key.value, 'integer key');
        break;
      case ParticleType.FLOAT:
        this.ascii('+ k D ');
        this.double(key.value);
        break;
      case ParticleType.STRING:
        this.ascii('+ k S ');
        this.raw(key.value);
        break;
      case ParticleType.BLOB:
        if (this.compact) {
          this.ascii('+ k B! ');
          this.raw(key.value);
        } else {
          this.ascii('+ k B ');
          this.b64(key.value);
        }
        break;
      default:
        throw new AsbEncodeError(`unsupported key type ${(key as { type: number }).type}`);
    }
    this.out[this.pos++] = LF;
  }

  private bin(bin: Bin, name: Uint8Array): void {
    const out = this.out;
    out[this.pos] = 0x2d; // '-'
    out[this.pos + 1] = SP;
    switch (bin.type) {
      case ParticleType.NULL:
        out[this.pos + 2] = 0x4e;
        out[this.pos + 3] = SP;
        this.pos += 4;
        this.bytes(name);
        break;
      case ParticleType.BOOL:
        out[this.pos + 2] = 0x5a;
        out[this.pos + 3] = SP;
        this.pos += 4;
        this.bytes(name);
        out[this.pos] = SP;
        out[this.pos + 1] = bin.value ? 0x54 : 0x46;
        this.pos += 2;
        break;
      case ParticleType.INTEGER:
        out[this.pos + 2] = 0x49;
        out[this.pos + 3] = SP;
        this.pos += 4;
        this.bytes(name);
        out[this.pos++] = SP;
        this.int(bin.value, 'bin', bin.name);
        break;
      case ParticleType.FLOAT:
        out[this.pos + 2] = 0x44;
        out[this.pos + 3] = SP;
        this.pos += 4;
        this.bytes(name);
        out[this.pos++] = SP;
        this.double(bin.value);
        break;
      case ParticleType.STRING:
      case ParticleType.GEOJSON:
        out[this.pos + 2] = bin.type === ParticleType.STRING ? 0x53 : 0x47;
        out[this.pos + 3] = SP;
        this.pos += 4;
        this.bytes(name);
        out[this.pos++] = SP;
        this.raw(bin.value);
        break;
      default: {
        const letter = BYTES_LETTER[bin.type];
        if (letter === undefined) {
          throw new AsbEncodeError(`Invalid bytes type ${(bin as { type: number }).type} in bin ${bin.name}`);
        }
        out[this.pos + 2] = letter;
        if (this.compact) {
          out[this.pos + 3] = 0x21;
          out[this.pos + 4] = SP;
          this.pos += 5;
          this.bytes(name);
          out[this.pos++] = SP;
          this.raw(bin.value);
        } else {
          out[this.pos + 3] = SP;
          this.pos += 4;
          this.bytes(name);
          out[this.pos++] = SP;
          this.b64(bin.value);
        }
      }
    }
    out[this.pos++] = LF;
  }

  // ------------------------------------------------------------------ streamed records

  /** Start of the record being streamed (`beginRecord`), or -1. */
  private recordStart = -1;

  /**
   * Streams a record without an `AsbRecord` object (decoders that read straight from another
   * format): `beginRecord()`, then at most one `recordKey*`, then `recordMeta`, then one `bin*`
   * per bin, then `endRecord()` (returns the record's bytes). The output is byte for byte what
   * `writeRecord` writes for the same record. After an error, `abortRecord()` removes the partial
   * record. Byte ranges are read from `buf[start, end)` and never kept.
   */
  beginRecord(): void {
    this.recordStart = this.pos;
  }

  /** Ends the streamed record; returns its size in bytes. */
  endRecord(): number {
    const n = this.pos - this.recordStart;
    this.recordStart = -1;
    return n;
  }

  /** Drops the streamed record written so far. */
  abortRecord(): void {
    if (this.recordStart >= 0) this.pos = this.recordStart;
    this.recordStart = -1;
  }

  /** `+ k I <v>` */
  recordKeyInt(v: number | bigint): void {
    this.ensure(32);
    this.ascii('+ k I ');
    this.int(v, 'integer key');
    this.out[this.pos++] = LF;
  }

  /** `+ k D <v>` */
  recordKeyDouble(v: number): void {
    this.ensure(16 + MAX_DOUBLE_TEXT);
    this.ascii('+ k D ');
    this.double(v);
    this.out[this.pos++] = LF;
  }

  /** String (`+ k S`) or blob (`+ k B`/`B!`) key from `buf[start, end)`. */
  recordKeyBytes(
    type: typeof ParticleType.STRING | typeof ParticleType.BLOB,
    buf: Buffer,
    start: number,
    end: number,
  ): void {
    this.ensure(Math.ceil((end - start) / 3) * 4 + 40);
    if (type === ParticleType.STRING) {
      this.ascii('+ k S ');
      this.rawRange(buf, start, end);
    } else if (this.compact) {
      this.ascii('+ k B! ');
      this.rawRange(buf, start, end);
    } else {
      this.ascii('+ k B ');
      this.b64Range(buf, start, end);
    }
    this.out[this.pos++] = LF;
  }

  /** `+ n`, `+ d` (digest = `digest[digestOffset, +20)`), `+ s`, `+ g`, `+ t`, `+ b` lines. */
  recordMeta(
    namespace: AsbName,
    digest: Uint8Array,
    digestOffset: number,
    set: AsbName | undefined,
    generation: number,
    voidTime: number,
    binCount: number,
  ): void {
    const ns = this.name(namespace);
    const setName = set === undefined || set.length === 0 ? undefined : this.name(set);
    this.ensure(96 + ns.length + (setName === undefined ? 0 : setName.length));
    if (digest.length - digestOffset < 20)
      throw new AsbEncodeError(`digest must be 20 bytes, got ${Math.max(0, digest.length - digestOffset)}`);
    this.metaLines(ns, digest, digestOffset, setName, generation, voidTime, binCount);
  }

  /** `- <letter> <name>` with room for `extra` more bytes; returns nothing, leaves pos after the name. */
  private binHead(letter: number, name: Uint8Array, extra: number): void {
    this.ensure(8 + name.length + extra);
    const out = this.out;
    out[this.pos] = 0x2d;
    out[this.pos + 1] = SP;
    out[this.pos + 2] = letter;
    out[this.pos + 3] = SP;
    this.pos += 4;
    this.bytes(name);
  }

  /** `- N <name>` */
  binNull(name: AsbName): void {
    this.binHead(0x4e, this.name(name), 0);
    this.out[this.pos++] = LF;
  }

  /** `- Z <name> T|F` */
  binBool(name: AsbName, value: boolean): void {
    this.binHead(0x5a, this.name(name), 2);
    const out = this.out;
    out[this.pos] = SP;
    out[this.pos + 1] = value ? 0x54 : 0x46;
    out[this.pos + 2] = LF;
    this.pos += 3;
  }

  /** `- I <name> <v>` */
  binInt(name: AsbName, value: number | bigint): void {
    this.binHead(0x49, this.name(name), 24);
    this.out[this.pos++] = SP;
    this.int(value, 'bin', name);
    this.out[this.pos++] = LF;
  }

  /** `- D <name> <v>` */
  binDouble(name: AsbName, value: number): void {
    this.binHead(0x44, this.name(name), 2 + MAX_DOUBLE_TEXT);
    this.out[this.pos++] = SP;
    this.double(value);
    this.out[this.pos++] = LF;
  }

  /**
   * A bin whose value is the bytes `buf[start, end)`: STRING and GEOJSON (without the wire's
   * cell prefix) as `<len> <raw>`, the bytes family (blobs, lists, maps, HLL) in base64 (raw with
   * `compact`).
   */
  binBytes(name: AsbName, type: number, buf: Buffer, start: number, end: number): void {
    const n = end - start;
    if (type === ParticleType.STRING || type === ParticleType.GEOJSON) {
      this.binHead(type === ParticleType.STRING ? 0x53 : 0x47, this.name(name), 14 + n);
      this.out[this.pos++] = SP;
      this.rawRange(buf, start, end);
      this.out[this.pos++] = LF;
      return;
    }
    const letter = BYTES_LETTER[type];
    if (letter === undefined) throw new AsbEncodeError(`Invalid bytes type ${type} in bin ${nameText(name)}`);
    const bytes = this.name(name);
    if (this.compact) {
      this.ensure(9 + bytes.length + 14 + n);
      const out = this.out;
      out[this.pos] = 0x2d;
      out[this.pos + 1] = SP;
      out[this.pos + 2] = letter;
      out[this.pos + 3] = 0x21;
      out[this.pos + 4] = SP;
      this.pos += 5;
      this.bytes(bytes);
      out[this.pos++] = SP;
      this.rawRange(buf, start, end);
    } else {
      this.binHead(letter, bytes, 14 + Math.ceil(n / 3) * 4);
      this.out[this.pos++] = SP;
      this.b64Range(buf, start, end);
    }
    this.out[this.pos++] = LF;
  }

  /** `<len> SP <raw>` from a byte range (room already ensured). */
  private rawRange(buf: Buffer, start: number, end: number): void {
    const n = end - start;
    this.uint(n);
    const out = this.out;
    let p = this.pos;
    out[p++] = SP;
    if (n <= 8) for (let i = start; i < end; i++) out[p++] = buf[i]!;
    else if (n <= 512) {
      // Word copies: short values copy faster so than bytewise or through Buffer#copy.
      const from = this.sourceView.of(buf);
      const to = this.view;
      let i = start;
      for (; i + 4 <= end; i += 4, p += 4) to.setUint32(p, from.getUint32(i));
      for (; i < end; i++) out[p++] = buf[i]!;
    } else p += buf.copy(out, p, start, end);
    this.pos = p;
  }

  /** The source of byte values, as words. */
  private readonly sourceView = new LastDataView();

  /** `<b64len> SP <base64>` from a byte range (room already ensured). */
  private b64Range(buf: Buffer, start: number, end: number): void {
    this.uint(base64Length(end - start));
    this.out[this.pos++] = SP;
    this.pos = writeBase64Range(this.out, this.view, this.pos, buf, start, end);
  }

  /** Writes any entry; a header entry is written with its own version and fields. */
  writeEntry(e: AsbEntry): number {
    switch (e.kind) {
      case 'record':
        return this.writeRecord(e);
      case 'sindex':
        return this.writeSecondaryIndex(e);
      case 'udf':
        return this.writeUdf(e);
      case 'header':
        return this.writeHeader(e);
    }
  }
}

/** Encodes entries into byte chunks of about `chunkSize` bytes (default 256 KiB). */
export async function* encodeAsb(
  entries: AsyncIterable<AsbEntry> | Iterable<AsbEntry>,
  opts: AsbEncoderOptions & { chunkSize?: number } = {},
): AsyncGenerator<Buffer> {
  const chunkSize = opts.chunkSize ?? 256 * 1024;
  const enc = new AsbEncoder(opts);
  for await (const e of entries) {
    enc.writeEntry(e);
    if (enc.length >= chunkSize) yield enc.takeChunk();
  }
  if (enc.length > 0) yield enc.takeChunk();
}

/** A Node Transform: `AsbEntry` objects in, `.asb` bytes out. */
export function createAsbEncodeStream(opts: AsbEncoderOptions & { chunkSize?: number } = {}): Transform {
  const chunkSize = opts.chunkSize ?? 256 * 1024;
  const enc = new AsbEncoder(opts);
  return new Transform({
    writableObjectMode: true,
    transform(entry: AsbEntry, _encoding, done) {
      try {
        enc.writeEntry(entry);
      } catch (err) {
        done(err as Error);
        return;
      }
      if (enc.length >= chunkSize) done(null, enc.takeChunk());
      else done();
    },
    flush(done) {
      if (enc.length > 0) done(null, enc.takeChunk());
      else done();
    },
  });
}
