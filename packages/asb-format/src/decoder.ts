// Streaming `.asb` decoder. A synchronous core (`AsbDecoder`: push chunks, pull entries) does the
// work; `decodeAsb` and `validateAsb` drive it from any byte stream. The core parses one whole
// entity (header block, global line or record) at a time straight from the chunk bytes; when an
// entity is cut by a chunk boundary it keeps the unparsed tail and retries once enough bytes have
// arrived, using the length prefix of a cut value as a hint so huge values are joined only once.

import { B64_DEC, decodeBase64Checked, decodedLength, findBadBase64 } from './base64.js';
import { LastDataView } from './data-view.js';
import { AsbParseError, printByte } from './errors.js';
import { nearestQuotient, POW10, parseDoubleToken } from './float.js';
import {
  type AsbEntry,
  type AsbHeader,
  type AsbRecord,
  type Bin,
  type BytesParticleType,
  type Int64,
  ParticleType,
  type SecondaryIndex,
  type SindexIndexType,
  type SindexPathType,
  type UdfModule,
  type UserKey,
} from './model.js';

export interface AsbDecodeOptions {
  /** Named in error messages. */
  fileName?: string;
  /**
   * The restore `-n` option. `from` alone: every record must be in `from` (else an error, like
   * C). With `to`: the `# namespace` line and every sindex must also be in `from` (the meta line
   * compared in its escaped form), and records and sindexes come out in namespace `to`.
   */
  nsRemap?: { from: string; to?: string };
  /** The restore `--bin-list`: bins not named here are parsed, then dropped. */
  binList?: readonly string[];
}

export interface AsbValidationSummary {
  version: AsbHeader['version'] | undefined;
  namespace: string | undefined;
  firstFile: boolean;
  records: number;
  bins: number;
  sindexes: number;
  udfs: number;
  /** Bytes consumed from the source. */
  bytes: number;
  /** Lines in the file (LF count, plus one for an unterminated last line). */
  lines: number;
}

/** Thrown inside the parser when the buffered bytes end inside an entity. */
const NEED_MORE: unique symbol = Symbol('need more');

const LF = 0x0a;
const SP = 0x20;
const BSL = 0x5c;
const PLUS = 0x2b;
const STAR = 0x2a;
const HASH = 0x23;
const MINUS = 0x2d;
const BANG = 0x21;

/** Sink buffers at least this big get raw values copied four bytes at a time (via a DataView). */
const OUT_VIEW_MIN = 4096;
/** Bytes of the next chunk joined to a cut entity's tail (plus what the entity is known to need). */
const SPLICE_HEAD = 4096;
/** Longer tails are joined with the whole next chunk (the copy is then worth it anyway). */
const SPLICE_MAX_TAIL = 1 << 16;

/** Longest escaped token C accepts (its 1000-byte buffers hold 999 bytes and a NUL). */
const MAX_TOKEN = 999;
const MAX_META_LINE = 1000;
const MAX_SIZE = 1024 ** 5;

const BYTES_TYPES: Record<number, BytesParticleType> = {
  66: ParticleType.BLOB, // B
  74: ParticleType.JAVA_BLOB, // J
  67: ParticleType.CSHARP_BLOB, // C
  80: ParticleType.PYTHON_BLOB, // P
  82: ParticleType.RUBY_BLOB, // R
  72: ParticleType.PHP_BLOB, // H
  69: ParticleType.ERLANG_BLOB, // E
  89: ParticleType.HLL, // Y
  77: ParticleType.MAP, // M
  76: ParticleType.LIST, // L
};
/** Indexed by byte: particle type for bytes-family letters, else -1. */
const BYTES_TYPE_OF = new Int16Array(256).fill(-1);
for (const [k, v] of Object.entries(BYTES_TYPES)) BYTES_TYPE_OF[Number(k)] = v;

const EMPTY = Buffer.alloc(0);
/** Bytes of plain decimal float text, which Number() parses exactly like the grammar (or NaN). */
const IS_NUMERIC_BYTE = new Uint8Array(256);
for (const c of '0123456789.eE+-') IS_NUMERIC_BYTE[c.charCodeAt(0)] = 1;
const INT64_MAX = (1n << 63n) - 1n;
const INT64_MIN = -(1n << 63n);

/**
 * Where a decoder puts a record's bins. Bytes-valued bins are written by the decoder itself into
 * the space the sink gives it, so a sink that encodes records (e.g. into wire rows) needs no
 * Buffer per value.
 */
export interface AsbBinSink {
  /** Where `bytesBin` values go: `out[at, at + size)` (read after each `bytesBin` call). */
  readonly out: Buffer;
  nullBin(name: string): void;
  intBin(name: string, value: Int64): void;
  floatBin(name: string, value: number): void;
  boolBin(name: string, value: boolean): void;
  /**
   * A bin of bytes (STRING, GEOJSON without its cell prefix, every blob family) of `size` bytes:
   * returns `at`, where in `out` the decoder is to write them.
   */
  bytesBin(name: string, type: BytesBinType, size: number): number;
}

/** Particle types whose values are byte strings in the model. */
export type BytesBinType = BytesParticleType | typeof ParticleType.STRING | typeof ParticleType.GEOJSON;

/**
 * Receives each record as the decoder parses it: `begin` with the header lines, then the kept bins
 * (namespace remapped, `binList` and LDTCONTROLBIN dropped), then `end`, whose result `next()`
 * returns. A record cut by a chunk boundary may be begun again (its bins delivered again) before
 * it ends; a record with an error never ends.
 */
export interface AsbRecordSink<R> extends AsbBinSink {
  /**
   * The record's header lines; `head` (and its digest) is only valid during the call. Returns
   * whether the bins are wanted: when false they are still parsed and checked, not delivered.
   */
  begin(head: Readonly<AsbRecordHead>): boolean;
  end(): R;
}

/** A record without its bins. */
export type AsbRecordHead = Omit<AsbRecord, 'kind' | 'bins'>;

/** The default sink: builds AsbRecords. */
class RecordBuilder implements AsbRecordSink<AsbRecord> {
  out: Buffer = EMPTY;
  private record: AsbRecord | undefined;
  private bins: Bin[] = [];

  begin(h: Readonly<AsbRecordHead>): boolean {
    const digest = Buffer.allocUnsafe(20);
    h.digest.copy(digest, 0, 0, 20);
    const bins: Bin[] = [];
    this.bins = bins;
    this.record = {
      kind: 'record',
      namespace: h.namespace,
      digest,
      set: h.set,
      key: h.key,
      generation: h.generation,
      voidTime: h.voidTime,
      bins,
    };
    return true;
  }
  nullBin(name: string): void {
    this.bins.push({ name, type: ParticleType.NULL, value: null });
  }
  intBin(name: string, value: Int64): void {
    this.bins.push({ name, type: ParticleType.INTEGER, value });
  }
  floatBin(name: string, value: number): void {
    this.bins.push({ name, type: ParticleType.FLOAT, value });
  }
  boolBin(name: string, value: boolean): void {
    this.bins.push({ name, type: ParticleType.BOOL, value });
  }
  bytesBin(name: string, type: BytesBinType, size: number): number {
    const value = Buffer.allocUnsafe(size);
    this.out = value;
    // the (type, value) pair matches the Bin union by construction
    this.bins.push({ name, type, value } as Bin);
    return 0;
  }
  end(): AsbRecord {
    const r = this.record!;
    this.record = undefined;
    return r;
  }
}

/** What validating decoders (no records built) return for each record. */
const CHECKED_RECORD: AsbRecord = {
  kind: 'record',
  namespace: '',
  digest: EMPTY,
  set: undefined,
  key: undefined,
  generation: 0,
  voidTime: 0,
  bins: [],
};

/**
 * Synchronous push/pull `.asb` decoder. `push()` chunks, then call `next()` until it returns
 * undefined (needs more input); after `end()`, undefined means the file is complete. Records
 * come out as what the sink makes of them (by default AsbRecords).
 */
export class AsbDecoder<R = AsbRecord> {
  readonly fileName: string | undefined;
  private readonly nsFrom: string | undefined;
  private readonly nsTo: string | undefined;
  private readonly binSet: Set<string> | undefined;
  /** When false, values are checked but no records are built (validation): the sink is not used. */
  protected build = true;
  private readonly sink: AsbRecordSink<R>;

  private buf: Buffer = EMPTY;
  private pos = 0;
  private limit = 0;
  private queued: Buffer[] = [];
  private queuedLen = 0;
  /** Bytes (from `pos`) the next parse attempt needs before it can make progress. */
  private need = 0;
  private eof = false;
  private finished = false;
  /** Bytes dropped from the front of the stream before `buf`. */
  private dropped = 0;
  /**
   * Splice: when an entity is cut by a chunk boundary, `buf` is only the cut entity's bytes plus
   * the head of the next chunk (`spliceChunk`, starting at `buf[spliceAt]`); the rest of that
   * chunk stays queued. Once parsing has moved into the chunk, `buf` becomes the chunk itself, so
   * big chunks are not copied just to join a small tail.
   */
  private spliceChunk: Buffer | undefined;
  private spliceAt = 0;
  private spliceHead = 0;

  private line = 1;
  private lineStart = 0;
  private hintEnd = 0;

  private headerDone = false;
  private legacy = false;
  private version: AsbHeader['version'] | undefined;

  /** Last strings made from token bytes, reused while the bytes repeat (namespace, set, bins). */
  private nsCache = new TokenCache();
  private setCache = new TokenCache();
  private binCaches: TokenCache[] = [];
  private scratch = Buffer.allocUnsafe(1024);
  private digestScratch = Buffer.allocUnsafe(20);
  /** What `begin` gets, filled anew for each record. */
  private readonly head: AsbRecordHead = {
    namespace: '',
    digest: this.digestScratch,
    set: undefined,
    key: undefined,
    generation: 0,
    voidTime: 0,
  };
  // DataViews for reading and copying four bytes at once: of `buf`, and of a sink's `out`
  private readonly view = new LastDataView();
  private readonly outView = new LastDataView();

  /** Bytes copied to join chunks (stays linear in the input; a test checks it). */
  bytesJoined = 0;
  // counters (validation summary)
  records = 0;
  bins = 0;
  sindexes = 0;
  udfs = 0;
  headerNamespace: string | undefined;
  firstFile = false;

  /** `sink`: what receives records; when omitted, R is AsbRecord. */
  constructor(opts: AsbDecodeOptions = {}, sink?: AsbRecordSink<R>) {
    this.sink = sink ?? (new RecordBuilder() as AsbRecordSink<unknown> as AsbRecordSink<R>);
    this.fileName = opts.fileName;
    this.nsFrom = opts.nsRemap?.from;
    this.nsTo = opts.nsRemap?.to;
    this.binSet = opts.binList === undefined ? undefined : new Set(opts.binList);
  }

  /**
   * Starts this decoder at an entity boundary inside the body of a file whose header said
   * `version` (no header expected; lines and columns count from that point). Used to check the
   * two halves of a big file in parallel. Call before the first `push`.
   */
  protected startInBody(version: AsbHeader['version']): void {
    this.headerDone = true;
    this.version = version;
    this.legacy = version === '3.0';
  }

  /** The file's version, once the header line has been read. */
  get fileVersion(): AsbHeader['version'] | undefined {
    return this.version;
  }

  /** Bytes of the input consumed by the entries returned so far. */
  get bytesConsumed(): number {
    return this.dropped + this.pos;
  }

  /** Number of lines read so far. */
  get lineCount(): number {
    return this.line - 1 + (this.pos > this.lineStart ? 1 : 0);
  }

  push(chunk: Uint8Array): void {
    if (this.eof) throw new Error('AsbDecoder: push() after end()');
    if (chunk.length === 0) return;
    const b = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length);
    this.queued.push(b);
    this.queuedLen += b.length;
  }

  end(): void {
    this.eof = true;
  }

  /** The next entry, or undefined when more input is needed (or, after `end()`, at the end). */
  next(): AsbEntry | R | undefined {
    for (;;) {
      if (this.spliceChunk !== undefined && this.pos >= this.spliceAt) this.unsplice();
      const avail = this.limit - this.pos;
      if (avail >= this.need && (avail > 0 || this.eof) && !this.finished) {
        const entry = this.tryParse();
        if (entry !== undefined) return entry;
        if (this.finished) return undefined;
      } else if (this.finished) return undefined;
      if (!this.refill()) {
        if (this.eof && this.queuedLen === 0 && !this.finished) {
          // Nothing new will come: parse what is left, reporting truncation as an error.
          this.need = 0;
          const entry = this.tryParse();
          if (entry !== undefined) return entry;
          if (this.finished) return undefined;
        }
        return undefined;
      }
    }
  }

  /** Joins the unparsed tail with queued chunks once they cover `need`. */
  private refill(): boolean {
    if (this.queuedLen === 0) return false;
    const tail = this.limit - this.pos;
    if (tail + this.queuedLen < this.need && !this.eof) return false;
    this.spliceChunk = undefined;
    let next: Buffer;
    const first = this.queued[0]!;
    const head = Math.max(this.need - tail, 0) + SPLICE_HEAD;
    if (tail > 0 && tail <= SPLICE_MAX_TAIL && this.queued.length === 1 && head * 2 <= first.length) {
      // join the tail with the head of the chunk only (see spliceChunk)
      next = Buffer.concat([this.buf.subarray(this.pos, this.limit), first.subarray(0, head)], tail + head);
      this.bytesJoined += next.length;
      this.dropped += this.pos;
      this.lineStart -= this.pos;
      this.buf = next;
      this.pos = 0;
      this.limit = next.length;
      this.queued = [first.subarray(head)];
      this.queuedLen = first.length - head;
      this.need = 0;
      this.spliceChunk = first;
      this.spliceAt = tail;
      this.spliceHead = head;
      return true;
    }
    if (tail === 0 && this.queued.length === 1) next = first;
    else {
      const parts = tail === 0 ? this.queued : [this.buf.subarray(this.pos, this.limit), ...this.queued];
      next = Buffer.concat(parts, tail + this.queuedLen);
      this.bytesJoined += next.length;
    }
    this.dropped += this.pos;
    this.lineStart -= this.pos;
    this.buf = next;
    this.pos = 0;
    this.limit = next.length;
    this.queued = [];
    this.queuedLen = 0;
    this.need = 0;
    return true;
  }

  /** Moves from the joined splice buffer onto its chunk (parsing has passed the old tail). */
  private unsplice(): void {
    const chunk = this.spliceChunk!;
    const shift = this.spliceAt;
    this.spliceChunk = undefined;
    this.dropped += shift;
    this.lineStart -= shift;
    this.pos -= shift;
    this.buf = chunk;
    this.limit = chunk.length;
    // the rest of the chunk, still queued first, is part of `buf` again
    this.queued.shift();
    this.queuedLen -= chunk.length - this.spliceHead;
    this.need = 0;
  }

  private tryParse(): AsbEntry | R | undefined {
    const start = this.pos;
    const line = this.line;
    const lineStart = this.lineStart;
    this.hintEnd = 0;
    try {
      if (!this.headerDone) return this.parseHeader();
      if (start >= this.limit) {
        this.finished = true;
        return undefined;
      }
      const c = this.buf[start]!;
      if (c === PLUS) return this.parseRecord();
      if (c === STAR && !this.legacy) return this.parseGlobal();
      return this.fail(`Invalid start character ${printByte(c)} in block`, start);
    } catch (e) {
      if (e !== NEED_MORE) throw e;
      this.pos = start;
      this.line = line;
      this.lineStart = lineStart;
      const avail = this.limit - start;
      this.need = this.hintEnd > 0 ? this.hintEnd - start : Math.max(avail + 1, avail * 2);
      return undefined;
    }
  }

  // ---------------------------------------------------------------- errors and low-level reads

  private fail(detail: string, at: number): never {
    throw new AsbParseError(detail, this.fileName, this.line, at - this.lineStart + 1);
  }

  /** Called when the bytes run out at `at`. */
  private short(at: number): never {
    if (this.eof && this.queuedLen === 0) {
      if (!this.headerDone && at === 0) this.fail('Missing version line: empty backup file', at);
      this.fail('Unexpected end of file in backup block', at);
    }
    throw NEED_MORE;
  }

  private expect(ch: number): void {
    const p = this.pos;
    if (p >= this.limit) this.short(p);
    const c = this.buf[p]!;
    if (c !== ch)
      this.fail(`Unexpected character ${printByte(c)} in backup block, expected ${printByte(ch)}`, p);
    this.pos = p + 1;
  }

  private expectLF(): void {
    const p = this.pos;
    if (p >= this.limit) this.short(p);
    const c = this.buf[p]!;
    if (c !== LF)
      this.fail(`Unexpected character ${printByte(c)} in backup block, expected ${printByte(LF)}`, p);
    this.pos = p + 1;
    this.line++;
    this.lineStart = p + 1;
  }

  /** Reads one byte. */
  private byte(): number {
    const p = this.pos;
    if (p >= this.limit) this.short(p);
    this.pos = p + 1;
    return this.buf[p]!;
  }

  /**
   * Reads an escaped token ending before an unescaped delimiter (LF always, SP when `spaceEnds`).
   * The unescaped bytes are `tokBuf[tokS, tokE)`.
   */
  private tokBuf: Buffer = EMPTY;
  private tokS = 0;
  private tokE = 0;
  private readToken(spaceEnds: boolean, lfEnds: boolean): void {
    const b = this.buf;
    const end = this.limit;
    const s = this.pos;
    let p = s;
    // fast path: no backslash
    for (;;) {
      if (p >= end) this.short(p);
      const c = b[p]!;
      if ((c === LF && lfEnds) || (c === SP && spaceEnds)) {
        this.tokBuf = b;
        this.tokS = s;
        this.tokE = p;
        this.pos = p;
        return;
      }
      if (c === BSL && !this.legacy) break;
      if (p - s >= MAX_TOKEN) this.fail('Buffer overflow while reading token in backup block', p);
      if (c === LF) {
        this.line++;
        this.lineStart = p + 1;
      }
      p++;
    }
    // slow path: unescape into scratch
    const out = this.scratch;
    let n = p - s;
    b.copy(out, 0, s, p);
    let esc = false;
    for (;;) {
      if (p >= end) this.short(p);
      const c = b[p]!;
      if (!esc) {
        if (c === BSL) {
          esc = true;
          p++;
          continue;
        }
        if ((c === LF && lfEnds) || (c === SP && spaceEnds)) break;
      }
      esc = false;
      if (n >= MAX_TOKEN) this.fail('Buffer overflow while reading token in backup block', p);
      if (c === LF) {
        this.line++;
        this.lineStart = p + 1;
      }
      out[n++] = c;
      p++;
    }
    this.tokBuf = out;
    this.tokS = 0;
    this.tokE = n;
    this.pos = p;
  }

  /**
   * readToken (ending at LF, and at SP when `spaceEnds`), returning the token's string through
   * `cache`. When the input repeats the cached token's bytes and a delimiter follows, that is the
   * token: one pass over its bytes.
   */
  private readCachedToken(cache: TokenCache, spaceEnds: boolean): string {
    const p = this.pos;
    const n = cache.rawAt(this.buf, p);
    const end = p + n;
    if (n >= 0 && end < this.limit) {
      const d = this.buf[end];
      if (d === LF || (d === SP && spaceEnds)) {
        this.tokBuf = this.buf;
        this.tokS = p;
        this.tokE = end;
        this.pos = end;
        return cache.str;
      }
    }
    this.readToken(spaceEnds, true);
    return cache.get(this.tokBuf, this.tokS, this.tokE, this.tokBuf === this.buf);
  }

  private tokenString(): string {
    return this.tokBuf.toString('utf8', this.tokS, this.tokE);
  }

  /** Reads decimal digits (a length) ending before `delim`; at most 1024^5. */
  private readSize(delim: number): number {
    const b = this.buf;
    const end = this.limit;
    let p = this.pos;
    let v = 0;
    for (;;) {
      if (p >= end) this.short(p);
      const c = b[p]!;
      if (c === delim) break;
      if (c < 0x30 || c > 0x39)
        this.fail(`Invalid character ${printByte(c)} in backup block, expected digit`, p);
      v = v * 10 + (c - 0x30);
      if (v > MAX_SIZE) this.fail(`Size overflow in backup block`, p);
      p++;
    }
    this.pos = p;
    return v;
  }

  /** Reads a signed int64 ending before LF. Empty or lone `-` reads as 0, as in C. */
  private readInt(): number | bigint {
    const b = this.buf;
    const end = this.limit;
    const s = this.pos;
    let p = s;
    let neg = false;
    if (p >= end) this.short(p);
    if (b[p] === MINUS) {
      neg = true;
      p++;
    }
    let v = 0;
    const ds = p;
    for (;;) {
      if (p >= end) this.short(p);
      const c = b[p]!;
      if (c === LF) break;
      if (c < 0x30 || c > 0x39)
        this.fail(`Invalid character ${printByte(c)} in backup block, expected digit`, p);
      v = v * 10 + (c - 0x30);
      p++;
    }
    this.pos = p;
    if (p - ds <= 15) return neg ? (v === 0 ? 0 : -v) : v;
    const big = BigInt(b.toString('latin1', s, p));
    if (big > INT64_MAX || big < INT64_MIN)
      this.fail(`Integer overflow with number ${b.toString('latin1', s, p)} in backup block`, s);
    const n = Number(big);
    return Number.isSafeInteger(n) ? n : big;
  }

  /** Reads an unsigned decimal ending before LF, checked against `max`. */
  private readBounded(max: number, what: string): number {
    const s = this.pos;
    const v = this.readInt();
    if (typeof v !== 'number' || v < 0 || v > max) this.fail(`Invalid ${what} ${String(v)}`, s);
    return v;
  }

  /** Reads a float token ending before LF (only checks it when not `value`: then it may return 0). */
  private readDouble(value: boolean): number {
    const b = this.buf;
    const end = this.limit;
    const s = this.pos;
    // plain decimal text up to the LF, exact (or, when only validating, known valid): one pass
    const fast = fastDecimal(b, s, end, value);
    if (!Number.isNaN(fast) && decimalEnd < end && b[decimalEnd] === LF) {
      this.pos = decimalEnd;
      return fast;
    }
    let p = s;
    for (;;) {
      if (p >= end) this.short(p);
      if (b[p] === LF) break;
      p++;
    }
    this.pos = p;
    if (p > s) {
      // other plain text goes straight to Number(); words take the slow path
      let plain = true;
      for (let i = s; i < p; i++) if (!IS_NUMERIC_BYTE[b[i]!]) plain = false;
      if (plain) {
        const v = Number(b.toString('latin1', s, p));
        if (!Number.isNaN(v)) return v; // NaN here means malformed text such as `1e` or `1.2.3`
      }
    }
    const v = parseDoubleToken(b.toString('latin1', s, p));
    if (v === undefined) {
      // point at the first byte that cannot continue a float, like C's incremental check
      let bad = s;
      while (bad < p && isFloatPrefix(b.toString('latin1', s, bad + 1))) bad++;
      if (bad === p) bad = s;
      this.fail(
        `Invalid floating-point value ${JSON.stringify(b.toString('latin1', s, p))} in backup block`,
        bad,
      );
    }
    return v;
  }

  /** Makes sure `n` bytes from `pos` plus one more (the terminator) are buffered. */
  private ensureRaw(n: number): void {
    const need = this.pos + n + 1;
    if (need > this.limit) {
      this.hintEnd = need;
      this.short(this.limit);
    }
  }

  /** Counts LFs inside a raw value `[s, e)` so line numbers stay right. */
  private skipRaw(s: number, e: number): void {
    const b = this.buf;
    let i = b.indexOf(LF, s);
    while (i !== -1 && i < e) {
      this.line++;
      this.lineStart = i + 1;
      i = b.indexOf(LF, i + 1);
    }
    this.pos = e;
  }

  /** Reads `<len> SP` and makes sure the `len` raw bytes after it are buffered; returns `len`. */
  private rawSize(): number {
    const n = this.readSize(SP);
    this.expect(SP);
    this.ensureRaw(n);
    return n;
  }

  /** Copies the `n` raw bytes at `pos` to `out[at...]` (counting their LFs) and moves past them. */
  private copyRaw(n: number, out: Buffer, at: number): void {
    const s = this.pos;
    const b = this.buf;
    if (n > 256 || (n > 64 && out.length < OUT_VIEW_MIN)) {
      b.copy(out, at, s, s + n);
      this.skipRaw(s, s + n);
      return;
    }
    if (out.length >= OUT_VIEW_MIN) {
      // a sink's big buffer, written again and again: four bytes at a time
      const src = this.view.of(b);
      const dst = this.outView.of(out);
      let lf = 0;
      let i = 0;
      for (; i + 4 <= n; i += 4) {
        const v = src.getUint32(s + i);
        dst.setUint32(at + i, v);
        // non-zero when a byte of v is LF
        const x = v ^ 0x0a0a0a0a;
        lf |= (x - 0x01010101) & ~x & 0x80808080;
      }
      for (; i < n; i++) {
        const c = b[s + i]!;
        out[at + i] = c;
        if (c === LF) lf = 1;
      }
      if (lf !== 0) this.skipRaw(s, s + n);
      else this.pos = s + n;
      return;
    }
    // small values: copy and count LFs in one pass
    for (let i = 0; i < n; i++) {
      const c = b[s + i]!;
      out[at + i] = c;
      if (c === LF) {
        this.line++;
        this.lineStart = s + i + 1;
      }
    }
    this.pos = s + n;
  }

  /** Reads `<len> SP <len raw bytes>` and returns a copy of the bytes (or EMPTY if not building). */
  private readRaw(copy: boolean): Buffer {
    const n = this.rawSize();
    if (!copy) {
      this.skipRaw(this.pos, this.pos + n);
      return EMPTY;
    }
    const out = Buffer.allocUnsafe(n);
    this.copyRaw(n, out, 0);
    return out;
  }

  /** Reads `<b64len> SP` and makes sure the base64 text after it is buffered; returns its length. */
  private base64Size(): number {
    const sizeAt = this.pos;
    const n = this.readSize(SP);
    if ((n & 3) !== 0) this.fail(`Invalid encoded data size ${n}`, sizeAt);
    this.expect(SP);
    this.ensureRaw(n);
    return n;
  }

  /** Bytes the base64 text of `n` bytes at `pos` decodes to (when it is valid). */
  private base64Decoded(n: number): number {
    return decodedLength(this.buf, this.pos, this.pos + n);
  }

  /**
   * Checks the base64 text of `n` bytes at `pos` and moves past it; decodes it to `out[at...]`
   * (`base64Decoded(n)` bytes) unless `out` is undefined.
   */
  private decodeBase64(n: number, out: Buffer | undefined, at: number): void {
    const b = this.buf;
    const s = this.pos;
    const e = s + n;
    // valid base64 holds no LF, so the line count cannot change here
    if (out === undefined || n >= 512) {
      const bad = findBadBase64(b, s, e);
      if (bad >= 0) this.fail(`Invalid base64 character ${printByte(b[bad]!)} in backup block`, bad);
      if (out !== undefined) out.write(b.toString('latin1', s, e), at, 'base64');
    } else {
      const r = decodeBase64Checked(b, s, e, out, at, this.view.of(b));
      if (r < 0) this.fail(`Invalid base64 character ${printByte(b[-1 - r]!)} in backup block`, -1 - r);
    }
    this.pos = e;
  }

  /** Reads `<b64len> SP <base64>` and returns the decoded bytes (or EMPTY if not building). */
  private readBase64(copy: boolean): Buffer {
    const n = this.base64Size();
    if (!copy) {
      this.decodeBase64(n, undefined, 0);
      return EMPTY;
    }
    const out = Buffer.allocUnsafe(this.base64Decoded(n));
    this.decodeBase64(n, out, 0);
    return out;
  }

  /** Reads a raw (`compact`) or base64 bytes value; hands it to the sink as bin `name` when `keep`. */
  private bytesValue(name: string, type: BytesBinType, compact: boolean, keep: boolean): void {
    const sink = this.sink;
    if (compact) {
      const n = this.rawSize();
      if (keep) {
        const at = sink.bytesBin(name, type, n);
        this.copyRaw(n, sink.out, at);
      } else this.skipRaw(this.pos, this.pos + n);
    } else {
      const n = this.base64Size();
      if (keep) {
        const at = sink.bytesBin(name, type, this.base64Decoded(n));
        this.decodeBase64(n, sink.out, at);
      } else this.decodeBase64(n, undefined, 0);
    }
  }

  // ---------------------------------------------------------------- header

  private parseHeader(): AsbHeader | undefined {
    const b = this.buf;
    const end = this.limit;
    // `Version X.Y\n` (C: 12 bytes; Go: any 3-byte version up to 3.2)
    const prefix = 'Version ';
    for (let i = 0; i < 12; i++) {
      if (i >= end) this.short(i);
      const c = b[i]!;
      if (i < 8 && c !== prefix.charCodeAt(i)) this.fail('Invalid version line', i);
    }
    if (b[11] !== LF) this.fail('Invalid version line', 11);
    const v = b.toString('latin1', 8, 11);
    if (v !== '3.0' && v !== '3.1' && v !== '3.2') this.fail(`Invalid backup file version ${v}`, 8);
    this.pos = 12;
    this.line = 2;
    this.lineStart = 12;
    let namespace: string | undefined;
    let firstFile = false;
    // meta lines; the header is complete once the next byte is not '#' (or the file ends)
    for (;;) {
      const p = this.pos;
      if (p >= end) {
        if (this.eof && this.queuedLen === 0) break;
        this.short(p);
      }
      if (b[p] !== HASH) break;
      let lf = b.indexOf(LF, p);
      if (lf === -1 || lf >= end) {
        if (end - p >= MAX_META_LINE) this.fail('Meta line too long', p + MAX_META_LINE);
        this.short(end);
      }
      if (lf - p + 1 > MAX_META_LINE) this.fail('Meta line too long', p + MAX_META_LINE);
      if (b[p + 1] !== SP)
        this.fail(
          `Unexpected character ${printByte(b[p + 1]!)} in meta data, expected ${printByte(0x20)}`,
          p + 1,
        );
      const text = b.toString('latin1', p + 2, lf);
      if (text === 'first-file') firstFile = true;
      else if (text.startsWith('namespace ')) {
        namespace = b.toString('utf8', p + 12, lf);
        if (this.nsTo !== undefined && namespace !== this.nsFrom) {
          this.fail(`Invalid namespace ${namespace} in backup file, expected: ${this.nsFrom}`, p + 12);
        }
      } else {
        const sp = text.indexOf(' ');
        this.fail(`Invalid meta data ${JSON.stringify(sp < 0 ? text : text.slice(0, sp))}`, p + 2);
      }
      lf = lf + 1;
      this.pos = lf;
      this.line++;
      this.lineStart = lf;
    }
    this.headerDone = true;
    this.version = v;
    this.legacy = v === '3.0';
    this.headerNamespace = namespace;
    this.firstFile = firstFile;
    return { kind: 'header', version: v, namespace, firstFile };
  }

  // ---------------------------------------------------------------- globals

  private parseGlobal(): SecondaryIndex | UdfModule {
    this.pos++;
    this.expect(SP);
    const at = this.pos;
    const t = this.byte();
    if (t === 0x69 /* i */ || (t === 0x65 /* e */ && this.version === '3.2'))
      return this.parseIndex(t === 0x65);
    if (t === 0x75 /* u */) return this.parseUdf();
    return this.fail(`Invalid global type character ${printByte(t)} in block`, at);
  }

  private parseIndex(expression: boolean): SecondaryIndex {
    this.expect(SP);
    this.readToken(true, false);
    let namespace = this.tokenString();
    const nsAt = this.pos;
    this.expect(SP);
    this.readToken(true, false);
    const set = this.tokenString();
    this.expect(SP);
    this.readToken(true, false);
    const name = this.tokenString();
    if (this.nsTo !== undefined) {
      if (namespace !== this.nsFrom) {
        this.fail(`Invalid namespace ${namespace} in index ${name}, expected: ${this.nsFrom}`, nsAt);
      }
      namespace = this.nsTo;
    }
    this.expect(SP);
    const itAt = this.pos;
    const it = this.byte();
    if (it !== 0x4e && it !== 0x4c && it !== 0x4b && it !== 0x56) {
      this.fail(`Invalid index type character ${printByte(it)} in block`, itAt);
    }
    const indexType = String.fromCharCode(it) as SindexIndexType;
    this.expect(SP);
    const npAt = this.pos;
    const npaths = this.readSize(SP);
    if (npaths === 0) this.fail('Missing path(s) in index block', npAt);
    const paths: SecondaryIndex['paths'] = [];
    for (let i = 0; i < npaths; i++) {
      this.expect(SP);
      this.readToken(true, false);
      const path = this.tokenString();
      this.expect(SP);
      const ptAt = this.pos;
      const pt = this.byte();
      if (pt !== 0x53 && pt !== 0x4e && pt !== 0x47 && pt !== 0x42) {
        this.fail(`Invalid path type character ${printByte(pt)} in block`, ptAt);
      }
      paths.push({ path, type: String.fromCharCode(pt) as SindexPathType });
    }
    let context: string | undefined;
    let expr: string | undefined;
    if (this.pos >= this.limit) this.short(this.pos);
    if (this.buf[this.pos] !== LF) {
      this.expect(SP);
      // ctx (and for `* e` the expression) are base64: the last SP-separated token is the expression
      this.readToken(expression, true);
      const first = this.tokenString();
      if (expression) {
        if (this.buf[this.pos] === SP) {
          this.pos++;
          this.readToken(false, true);
          context = first;
          expr = this.tokenString();
        } else expr = first;
      } else context = first;
    }
    if (expression && expr === undefined) this.fail('Missing expression in expression index line', this.pos);
    this.expectLF();
    this.sindexes++;
    const idx: SecondaryIndex = { kind: 'sindex', namespace, set, name, indexType, paths };
    if (context !== undefined && context !== '') idx.context = context;
    if (expr !== undefined) idx.expression = expr;
    return idx;
  }

  private parseUdf(): UdfModule {
    this.expect(SP);
    const at = this.pos;
    const t = this.byte();
    if (t !== 0x4c) this.fail(`Invalid UDF type character ${printByte(t)} in block`, at);
    this.expect(SP);
    this.readToken(true, false);
    const name = this.tokenString();
    this.expect(SP);
    const sizeAt = this.pos;
    const n = this.readSize(SP);
    if (n > 0xffffffff) this.fail(`UDF file ${name} is too large (${n} bytes)`, sizeAt);
    this.expect(SP);
    this.ensureRaw(n);
    const s = this.pos;
    this.skipRaw(s, s + n);
    const content = Buffer.from(this.buf.subarray(s, s + n));
    this.expectLF();
    this.udfs++;
    return { kind: 'udf', language: 'L', name, content };
  }

  // ---------------------------------------------------------------- records

  /** Reads `+ <letter>` (a record header line start) and returns the letter. */
  private lineLetter(): number {
    const p = this.pos;
    const b = this.buf;
    // fast path: the three bytes are there and well-formed
    if (p + 3 <= this.limit && b[p] === PLUS && b[p + 1] === SP) {
      this.pos = p + 3;
      return b[p + 2]!;
    }
    this.expect(PLUS);
    this.expect(SP);
    return this.byte();
  }

  /** Checks the letter just read, then the SP after it. */
  private letter(c: number, expected: number): void {
    const p = this.pos;
    if (c === expected && p < this.limit && this.buf[p] === SP) {
      this.pos = p + 1;
      return;
    }
    if (c !== expected) {
      this.fail(
        `Unexpected character ${printByte(c)} in backup block, expected ${printByte(expected)}`,
        this.pos - 1,
      );
    }
    this.expect(SP);
  }

  private parseRecord(): AsbRecord | R {
    const build = this.build;
    let key: UserKey | undefined;
    this.pos++;
    this.expect(SP);
    let c = this.byte();
    if (c === 0x6b /* k */) {
      this.expect(SP);
      key = this.parseKey();
      this.expectLF();
      c = this.lineLetter();
      this.letter(c, 0x6e /* n */);
    } else this.letter(c, c === 0x6e ? 0x6e : 0x6b);

    // namespace
    const nsAt = this.pos;
    let namespace = this.readCachedToken(this.nsCache, false);
    if (this.nsFrom !== undefined) {
      if (namespace !== this.nsFrom) {
        this.fail(`Invalid namespace ${namespace} in backup record, expected: ${this.nsFrom}`, nsAt);
      }
      if (this.nsTo !== undefined) namespace = this.nsTo;
    }
    this.expectLF();

    // digest: exactly 28 base64 chars
    this.letter(this.lineLetter(), 0x64 /* d */);
    const ds = this.pos;
    const b = this.buf;
    const digest = this.digestScratch;
    if (
      ds + 29 <= this.limit &&
      b[ds + 27] === 0x3d &&
      b[ds + 26] !== 0x3d &&
      decodeBase64Checked(b, ds, ds + 28, digest, 0, this.view.of(b)) === 20
    ) {
      this.pos = ds + 28;
    } else this.badDigest(ds);
    this.expectLF();

    // optional set
    c = this.lineLetter();
    let set: string | undefined;
    if (c === 0x73 /* s */) {
      this.expect(SP);
      set = this.readCachedToken(this.setCache, false);
      this.expectLF();
      c = this.lineLetter();
    }
    this.letter(c, 0x67 /* g */);
    const generation = this.readBounded(65535, 'generation count');
    this.expectLF();
    this.letter(this.lineLetter(), 0x74 /* t */);
    const voidTime = this.readBounded(0xffffffff, 'expiration time');
    this.expectLF();
    this.letter(this.lineLetter(), 0x62 /* b */);
    const nbins = this.readBounded(65535, 'bin count');
    this.expectLF();

    const sink = this.sink;
    let want = false;
    if (build) {
      const h = this.head;
      h.namespace = namespace;
      h.set = set;
      h.key = key;
      h.generation = generation;
      h.voidTime = voidTime;
      want = sink.begin(h);
    }
    for (let i = 0; i < nbins; i++) this.parseBin(i, want);
    this.records++;
    this.bins += nbins;
    return build ? sink.end() : CHECKED_RECORD;
  }

  /** Reports what is wrong with the digest at `ds` (or waits for more bytes). */
  private badDigest(ds: number): never {
    const b = this.buf;
    const avail = Math.min(28, this.limit - ds);
    for (let i = 0; i < avail; i++) {
      const ch = b[ds + i]!;
      if (B64_DEC[ch]! > 63 && !(ch === 0x3d && i >= 26)) {
        this.fail(`Invalid base64 character ${printByte(ch)} in digest`, ds + i);
      }
    }
    if (ds + 29 > this.limit) {
      this.hintEnd = ds + 29;
      this.short(this.limit);
    }
    return this.fail('Invalid digest: expected 28 base64 characters for 20 bytes', ds + 26);
  }

  private parseKey(): UserKey {
    const at = this.pos;
    const t = this.byte();
    const build = this.build;
    switch (t) {
      case 0x49: // I
        this.expect(SP);
        return { type: ParticleType.INTEGER, value: this.readInt() };
      case 0x44: // D
        this.expect(SP);
        return { type: ParticleType.FLOAT, value: this.readDouble(build) };
      case 0x53: // S
        this.expect(SP);
        return { type: ParticleType.STRING, value: this.readRaw(build) };
      case 0x58: // X
        this.expect(SP);
        return { type: ParticleType.STRING, value: this.readBase64(build) };
      case 0x42: {
        // B or B!
        if (this.pos >= this.limit) this.short(this.pos);
        const compact = this.buf[this.pos] === BANG;
        if (compact) this.pos++;
        this.expect(SP);
        return { type: ParticleType.BLOB, value: compact ? this.readRaw(build) : this.readBase64(build) };
      }
      default:
        return this.fail(`Invalid key type character ${printByte(t)} in block`, at);
    }
  }

  /** Parses one bin line; hands the bin to the sink when `want` and it is not dropped. */
  private parseBin(index: number, want: boolean): void {
    const p0 = this.pos;
    if (p0 + 3 <= this.limit && this.buf[p0] === MINUS && this.buf[p0 + 1] === SP) this.pos = p0 + 2;
    else {
      this.expect(MINUS);
      this.expect(SP);
    }
    const at = this.pos;
    const t = this.byte();
    const bytesType = BYTES_TYPE_OF[t]!;
    if (
      bytesType < 0 &&
      t !== 0x4e && // N
      t !== 0x5a && // Z
      t !== 0x49 && // I
      t !== 0x44 && // D
      t !== 0x53 && // S
      t !== 0x58 && // X
      t !== 0x47 // G
    ) {
      if (t === 0x55)
        this.fail("LDT bins (type 'U') are not supported; use an older tool to restore this backup", at);
      this.fail(`Invalid bytes label ${printByte(t)}`, at);
    }
    if (this.pos >= this.limit) this.short(this.pos);
    let compact = false;
    if (this.buf[this.pos] === BANG) {
      compact = true;
      this.pos++;
    }
    this.expect(SP);
    let cache = this.binCaches[index];
    if (cache === undefined) {
      cache = new TokenCache();
      this.binCaches[index] = cache;
    }
    const name = this.readCachedToken(cache, true);
    const keep = want && (this.binSet === undefined || this.binSet.has(name)) && name !== 'LDTCONTROLBIN';
    const sink = this.sink;
    if (t === 0x4e) {
      this.expectLF();
      if (keep) sink.nullBin(name);
      return;
    }
    this.expect(SP);
    if (bytesType >= 0) this.bytesValue(name, bytesType as BytesParticleType, compact, keep);
    else {
      switch (t) {
        case 0x49: {
          const v = this.readInt();
          if (keep) sink.intBin(name, v);
          break;
        }
        case 0x44: {
          const v = this.readDouble(keep);
          if (keep) sink.floatBin(name, v);
          break;
        }
        case 0x53:
          this.bytesValue(name, ParticleType.STRING, true, keep);
          break;
        case 0x58:
          this.bytesValue(name, ParticleType.STRING, false, keep);
          break;
        case 0x47:
          this.bytesValue(name, ParticleType.GEOJSON, true, keep);
          break;
        default: {
          // Z
          const vAt = this.pos;
          const v = this.byte();
          if (v !== 0x54 && v !== 0x46) {
            this.fail(`Invalid boolean value in backup block, expected 'T' or 'F'`, vAt);
          }
          if (keep) sink.boolBin(name, v === 0x54);
        }
      }
    }
    this.expectLF();
  }
}

const TWO_53 = 2 ** 53;

/** Where the last `fastDecimal` call stopped reading. */
let decimalEnd = 0;

/**
 * The plain decimal float text at `b[s]` (digits . e E + - only) as a number when that is cheap
 * and exact, else NaN (the caller then uses Number()). Reads the grammar Number() accepts (sign,
 * digits with at most one `.`, optional exponent) up to `e` or the first byte that cannot go on
 * with it, and leaves that place in `decimalEnd`; text that breaks off mid-way (`+`, `1e`) gives
 * NaN. When `value` is false only that check is made (validation): 0 means "valid".
 * Exactness: Clinger's fast path — a decimal mantissa w ≤ 2^53 is exact in a double, and so is
 * 10^k for k ≤ 22, so w·10^k and w/10^k are each one correctly rounded IEEE operation.
 */
function fastDecimal(b: Buffer, s: number, e: number, value: boolean): number {
  let p = s;
  let neg = false;
  let c = b[p]!;
  if (c === MINUS || c === PLUS) {
    neg = c === MINUS;
    p++;
  }
  // the digits as hi·10^loDigits + lo: the first 9 in hi, up to 9 more in lo (both exact)
  let hi = 0;
  let lo = 0;
  let loDigits = 0;
  let sig = 0;
  let digits = 0;
  let frac = 0;
  let dot = false;
  for (; p < e; p++) {
    c = b[p]!;
    if (c >= 0x30 && c <= 0x39) {
      if (sig < 9) {
        // leading zeros add nothing to hi and take no place in it
        if (sig !== 0 || c !== 0x30) {
          hi = hi * 10 + (c - 0x30);
          sig++;
        }
      } else {
        lo = lo * 10 + (c - 0x30);
        loDigits++;
      }
      digits++;
      if (dot) frac++;
    } else if (c === 0x2e && !dot) dot = true;
    else break;
  }
  if (digits === 0) return Number.NaN;
  let exp = 0;
  if (p < e && (b[p] === 0x65 || b[p] === 0x45)) {
    p++;
    let eneg = false;
    if (p < e && (b[p] === MINUS || b[p] === PLUS)) {
      eneg = b[p] === MINUS;
      p++;
    }
    const es = p;
    for (; p < e; p++) {
      c = b[p]!;
      if (c < 0x30 || c > 0x39) break;
      if (exp < 100000) exp = exp * 10 + (c - 0x30);
    }
    if (p === es) return Number.NaN;
    if (eneg) exp = -exp;
  }
  decimalEnd = p;
  if (!value) return 0;
  if (loDigits > 9) return Number.NaN;
  // hi < 10^9, so hi·10^loDigits < 2^53 is exact; the sum is exact below 2^53, else correctly rounded
  const big = hi * POW10[loDigits]!;
  const w = big + lo;
  let v: number;
  const q = exp - frac;
  if (w >= TWO_53) {
    if (q === 0) v = w;
    else if (q < 0 && q >= -22) {
      v = nearestQuotient(big, lo, -q);
      if (Number.isNaN(v)) return v;
    } else return Number.NaN;
  } else if (w === 0) v = 0;
  else {
    if (q === 0) v = w;
    else if (q > 0 && q <= 22) v = w * POW10[q]!;
    else if (q < 0 && q >= -22) v = w / POW10[-q]!;
    else return Number.NaN;
  }
  return neg ? -v : v;
}

/** Whether `s` can still grow into a float (C's incremental check, made lenient). */
function isFloatPrefix(s: string): boolean {
  return /^[+-]?(?:[0-9]*\.?[0-9]*(?:[eE][+-]?[0-9]*)?|n(?:an?)?|i(?:n(?:f(?:i(?:n(?:i(?:ty?)?)?)?)?)?)?)$/i.test(
    s,
  );
}

/** Remembers the string made from the last token bytes, to skip re-decoding repeated names. */
class TokenCache {
  private bytes = Buffer.allocUnsafe(64);
  private len = -1;
  str = '';
  /** Whether `bytes` also stand in the input as they are (the token had no escapes). */
  private raw = false;

  /** The string of the unescaped token bytes `b[s, e)`; `raw`: they are the input's own bytes. */
  get(b: Buffer, s: number, e: number, raw: boolean): string {
    const n = e - s;
    if (n === this.len) {
      const mine = this.bytes;
      let i = 0;
      while (i < n && mine[i] === b[s + i]) i++;
      if (i === n) {
        if (raw) this.raw = true;
        return this.str;
      }
    }
    const str = b.toString('utf8', s, e);
    if (n <= 64) {
      b.copy(this.bytes, 0, s, e);
      this.len = n;
      this.str = str;
      this.raw = raw;
    }
    return str;
  }

  /** The length of the last token when the input `b` holds its bytes at `s`, else -1. */
  rawAt(b: Buffer, s: number): number {
    const n = this.len;
    if (!this.raw || s + n > b.length) return -1;
    const mine = this.bytes;
    for (let i = 0; i < n; i++) if (mine[i] !== b[s + i]) return -1;
    return n;
  }
}

/** Any async or sync iterable of byte chunks, or a Node readable stream. */
export type AsbByteSource =
  | AsyncIterable<Buffer | Uint8Array>
  | Iterable<Buffer | Uint8Array>
  | NodeJS.ReadableStream;

/** Decodes a `.asb` byte stream into entries, one batch per input chunk (cheapest to iterate). */
export async function* decodeAsbBatches(
  source: AsbByteSource,
  opts: AsbDecodeOptions = {},
): AsyncGenerator<AsbEntry[]> {
  const dec = new AsbDecoder(opts);
  for await (const chunk of source as AsyncIterable<Buffer | Uint8Array | string>) {
    if (typeof chunk === 'string')
      throw new TypeError('decodeAsb: source yields strings; open it without an encoding');
    dec.push(chunk);
    const batch = drain(dec);
    if (batch.length > 0) yield batch;
  }
  dec.end();
  const batch = drain(dec);
  if (batch.length > 0) yield batch;
}

function drain(dec: AsbDecoder): AsbEntry[] {
  const out: AsbEntry[] = [];
  for (let e = dec.next(); e !== undefined; e = dec.next()) out.push(e);
  return out;
}

/**
 * Decodes a `.asb` byte stream: the header first, then sindex, UDF and record entries in file
 * order. Throws `AsbParseError` (file, line, column) on malformed or truncated input.
 */
export async function* decodeAsb(
  source: AsbByteSource,
  opts: AsbDecodeOptions = {},
): AsyncGenerator<AsbEntry> {
  for await (const batch of decodeAsbBatches(source, opts)) yield* batch;
}

/** Validator: parses and checks every byte but builds no records. */
class AsbValidator extends AsbDecoder {
  constructor(opts: AsbDecodeOptions) {
    super(opts);
    this.build = false;
  }
}

/** Parses a whole `.asb` stream without building records; throws `AsbParseError` on bad input. */
export async function validateAsb(
  source: AsbByteSource,
  opts: AsbDecodeOptions = {},
): Promise<AsbValidationSummary> {
  const dec = new AsbValidator(opts);
  for await (const chunk of source as AsyncIterable<Buffer | Uint8Array>) {
    dec.push(chunk);
    while (dec.next() !== undefined);
  }
  dec.end();
  while (dec.next() !== undefined);
  return {
    version: dec.fileVersion,
    namespace: dec.headerNamespace,
    firstFile: dec.firstFile,
    records: dec.records,
    bins: dec.bins,
    sindexes: dec.sindexes,
    udfs: dec.udfs,
    bytes: dec.bytesConsumed,
    lines: dec.lineCount,
  };
}
