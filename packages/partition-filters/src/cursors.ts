import { DIGEST_SIZE, PARTITION_COUNT, partitionIdOf } from './digest.js';
import { PartitionFilterError } from './errors.js';
import type { PartitionFilter } from './filters.js';

/** Per-partition progress, with the codes of asbackup's state file. */
export const PartitionStatus = {
  /** Not part of this backup. */
  NONE: 0,
  /** Done; at least one record, `lastDigest` is the last one written. */
  COMPLETE: 1,
  /** Started; `lastDigest` is the last record written. */
  INCOMPLETE: 2,
  NOT_STARTED: 3,
  /** Done, no records. */
  COMPLETE_EMPTY: 4,
} as const;
export type PartitionStatus = (typeof PartitionStatus)[keyof typeof PartitionStatus];

const ZERO_DIGEST = Buffer.alloc(DIGEST_SIZE);
const MAGIC = Buffer.from('ASBKCUR', 'latin1');
const FORMAT_VERSION = 1;

// Official state file layout (spec §4.2).
const STATUS_WORDS = 196;
const PARTS_PER_WORD = 21;
const STATUS_BLOCK = STATUS_WORDS * 8;
const DIGEST_BLOCK = PARTITION_COUNT * DIGEST_SIZE;
/** Byte offset where the big-endian counters of an official state file start. */
export const OFFICIAL_COUNTERS_OFFSET = STATUS_BLOCK + DIGEST_BLOCK;
const OFFICIAL_COUNTERS_SIZE = 8 + 4 + 4 + 8 * 4;

/** The counters that follow the partition block in an official state file. */
export interface OfficialStateCounters {
  fileCount: bigint;
  indexCount: number;
  udfCount: number;
  recCountTotal: bigint;
  byteCountTotal: bigint;
  recCountTotalCommitted: bigint;
  byteCountTotalCommitted: bigint;
}

export interface OfficialState {
  cursors: PartitionCursors;
  counters: OfficialStateCounters;
  /** Number of open-file entries that follow. */
  fileCount: bigint;
  /** The undecoded file entries (io-proxy + file-proxy state; owned by storage/crypto layers). */
  fileEntries: Buffer;
}

function stateError(message: string, file?: string): PartitionFilterError {
  return new PartitionFilterError('BAD_STATE', file ? `${message} in state file ${file}` : message);
}

/**
 * The resume model: per partition NONE / NOT_STARTED / INCOMPLETE(last digest) / COMPLETE(last
 * digest) / COMPLETE_EMPTY. Workers record progress, cursors from several workers merge, and
 * `toFilters()` gives the fewest scan filters that finish the job.
 */
export class PartitionCursors {
  private readonly status = new Uint8Array(PARTITION_COUNT);
  private readonly digests = Buffer.alloc(DIGEST_BLOCK);

  /** Cursors for a fresh backup of `filters` (no filters = every partition). */
  static forFilters(filters: readonly PartitionFilter[]): PartitionCursors {
    const c = new PartitionCursors();
    const list = filters.length === 0 ? [{ begin: 0, count: PARTITION_COUNT }] : filters;
    for (const f of list) {
      if (f.digest) c.markIncomplete(partitionIdOf(f.digest), f.digest);
      else for (let p = f.begin; p < f.begin + f.count; p++) c.status[p] = PartitionStatus.NOT_STARTED;
    }
    return c;
  }

  statusOf(partition: number): PartitionStatus {
    return this.status[partition] as PartitionStatus;
  }

  /** Last digest written for a COMPLETE/INCOMPLETE partition, else undefined. (A copy.) */
  lastDigest(partition: number): Buffer | undefined {
    const s = this.status[partition];
    if (s !== PartitionStatus.COMPLETE && s !== PartitionStatus.INCOMPLETE) return undefined;
    return Buffer.from(this.digests.subarray(partition * DIGEST_SIZE, (partition + 1) * DIGEST_SIZE));
  }

  markNotStarted(partition: number): void {
    this.status[partition] = PartitionStatus.NOT_STARTED;
    this.digests.fill(0, partition * DIGEST_SIZE, (partition + 1) * DIGEST_SIZE);
  }

  /** A record with `digest` was written; its partition is taken from the digest. */
  recordWritten(digest: Buffer): void {
    this.markIncomplete(partitionIdOf(digest), digest);
  }

  markIncomplete(partition: number, lastDigest: Buffer): void {
    this.setDigest(partition, lastDigest);
    this.status[partition] = PartitionStatus.INCOMPLETE;
  }

  /** The scan of `partition` finished: COMPLETE if a record was written, else COMPLETE_EMPTY. */
  markDone(partition: number): void {
    const s = this.status[partition];
    this.status[partition] =
      s === PartitionStatus.INCOMPLETE || s === PartitionStatus.COMPLETE
        ? PartitionStatus.COMPLETE
        : PartitionStatus.COMPLETE_EMPTY;
  }

  /** Every partition of this backup is done. */
  isComplete(): boolean {
    for (const s of this.status) {
      if (s === PartitionStatus.NOT_STARTED || s === PartitionStatus.INCOMPLETE) return false;
    }
    return true;
  }

  /** Counts per status, indexed by status code. */
  counts(): number[] {
    const counts = [0, 0, 0, 0, 0];
    for (const s of this.status) counts[s]++;
    return counts;
  }

  /**
   * Fold in another worker's cursors: per partition the furthest state wins
   * (done > in progress > not started > none). Two different in-progress digests for one
   * partition mean two workers scanned it, which is an error.
   */
  merge(other: PartitionCursors): this {
    for (let p = 0; p < PARTITION_COUNT; p++) {
      const mine = this.status[p];
      const theirs = other.status[p];
      if (rank(theirs) < rank(mine)) continue;
      if (rank(theirs) === rank(mine)) {
        if (theirs === PartitionStatus.INCOMPLETE || theirs === PartitionStatus.COMPLETE) {
          const a = this.digests.subarray(p * DIGEST_SIZE, (p + 1) * DIGEST_SIZE);
          const b = other.digests.subarray(p * DIGEST_SIZE, (p + 1) * DIGEST_SIZE);
          if (!a.equals(b)) throw stateError(`Partition ${p} has two different cursors to merge`);
        }
        if (theirs === mine) continue;
      }
      this.status[p] = theirs;
      other.digests.copy(this.digests, p * DIGEST_SIZE, p * DIGEST_SIZE, (p + 1) * DIGEST_SIZE);
    }
    return this;
  }

  /**
   * The fewest filters that finish the backup: runs of NOT_STARTED partitions become ranges,
   * each INCOMPLETE partition becomes a digest filter ("after the last digest written").
   */
  toFilters(): PartitionFilter[] {
    const filters: PartitionFilter[] = [];
    let open: PartitionFilter | undefined;
    for (let p = 0; p < PARTITION_COUNT; p++) {
      const s = this.status[p];
      if (s === PartitionStatus.NOT_STARTED) {
        if (open) open.count++;
        else {
          open = { begin: p, count: 1 };
          filters.push(open);
        }
        continue;
      }
      open = undefined;
      if (s === PartitionStatus.INCOMPLETE) filters.push({ begin: p, count: 1, digest: this.lastDigest(p)! });
    }
    return filters;
  }

  /**
   * Our own compact form, version 1: "ASBKCUR", u8 version, u16 BE run count, runs of
   * (u8 status, u16 BE length), then the 20-byte digest of every COMPLETE/INCOMPLETE partition
   * in partition order. A full, untouched backup is 13 bytes.
   */
  serialize(): Buffer {
    const runs: number[] = [];
    for (let p = 0; p < PARTITION_COUNT; ) {
      const s = this.status[p];
      let end = p + 1;
      while (end < PARTITION_COUNT && this.status[end] === s) end++;
      runs.push(s, end - p);
      p = end;
    }
    const withDigest = this.counts();
    const nDigests = withDigest[PartitionStatus.COMPLETE] + withDigest[PartitionStatus.INCOMPLETE];
    const out = Buffer.alloc(MAGIC.length + 1 + 2 + (runs.length / 2) * 3 + nDigests * DIGEST_SIZE);
    let pos = MAGIC.copy(out, 0);
    out[pos++] = FORMAT_VERSION;
    pos = out.writeUInt16BE(runs.length / 2, pos);
    for (let i = 0; i < runs.length; i += 2) {
      out[pos++] = runs[i];
      pos = out.writeUInt16BE(runs[i + 1], pos);
    }
    for (let p = 0; p < PARTITION_COUNT; p++) {
      const s = this.status[p];
      if (s === PartitionStatus.COMPLETE || s === PartitionStatus.INCOMPLETE) {
        pos += this.digests.copy(out, pos, p * DIGEST_SIZE, (p + 1) * DIGEST_SIZE);
      }
    }
    return out;
  }

  static deserialize(bytes: Buffer, where = 'partition cursors'): PartitionCursors {
    const fail = (why: string) => stateError(`Invalid ${where}: ${why}`);
    if (bytes.length < MAGIC.length + 3 || !bytes.subarray(0, MAGIC.length).equals(MAGIC))
      throw fail('bad magic');
    let pos = MAGIC.length;
    const version = bytes[pos++];
    if (version !== FORMAT_VERSION) throw fail(`unsupported version ${version}`);
    const nRuns = bytes.readUInt16BE(pos);
    pos += 2;
    if (bytes.length < pos + nRuns * 3) throw fail('truncated');
    const c = new PartitionCursors();
    let p = 0;
    for (let i = 0; i < nRuns; i++) {
      const s = bytes[pos];
      const len = bytes.readUInt16BE(pos + 1);
      pos += 3;
      if (s > PartitionStatus.COMPLETE_EMPTY) throw fail(`unknown status ${s} at offset ${pos - 3}`);
      if (p + len > PARTITION_COUNT) throw fail('runs cover more than 4096 partitions');
      c.status.fill(s, p, p + len);
      p += len;
    }
    if (p !== PARTITION_COUNT) throw fail(`runs cover ${p} partitions, expected 4096`);
    for (let q = 0; q < PARTITION_COUNT; q++) {
      const s = c.status[q];
      if (s !== PartitionStatus.COMPLETE && s !== PartitionStatus.INCOMPLETE) continue;
      if (bytes.length < pos + DIGEST_SIZE) throw fail('truncated digests');
      const d = bytes.subarray(pos, pos + DIGEST_SIZE);
      if (partitionIdOf(d) !== q)
        throw fail(`digest for partition ${q} belongs to partition ${partitionIdOf(d)}`);
      d.copy(c.digests, q * DIGEST_SIZE);
      pos += DIGEST_SIZE;
    }
    if (pos !== bytes.length) throw fail(`${bytes.length - pos} trailing bytes`);
    return c;
  }

  toBase64(): string {
    return this.serialize().toString('base64');
  }

  static fromBase64(text: string): PartitionCursors {
    return PartitionCursors.deserialize(Buffer.from(text, 'base64'));
  }

  /** The 83488-byte partition block of an official state file (status words little-endian). */
  toOfficialPartitionBlock(): Buffer {
    const out = Buffer.alloc(STATUS_BLOCK + DIGEST_BLOCK);
    for (let w = 0; w < STATUS_WORDS; w++) {
      let word = 0n;
      for (let i = 0; i < PARTS_PER_WORD; i++) {
        const p = w * PARTS_PER_WORD + i;
        if (p < PARTITION_COUNT) word |= BigInt(this.status[p]) << BigInt(3 * i);
      }
      out.writeBigUInt64LE(word, w * 8);
    }
    for (let p = 0; p < PARTITION_COUNT; p++) {
      const s = this.status[p];
      if (s === PartitionStatus.COMPLETE || s === PartitionStatus.INCOMPLETE) {
        this.digests.copy(out, STATUS_BLOCK + p * DIGEST_SIZE, p * DIGEST_SIZE, (p + 1) * DIGEST_SIZE);
      }
    }
    return out;
  }

  /** Reads an official state file's partition block, validating it like asbackup does. */
  static fromOfficialPartitionBlock(bytes: Buffer, file?: string): PartitionCursors {
    if (bytes.length < STATUS_BLOCK + DIGEST_BLOCK)
      throw stateError('Unable to read all data from the backup state file', file);
    const c = new PartitionCursors();
    for (let p = 0; p < PARTITION_COUNT; p++) {
      const word = bytes.readBigUInt64LE(Math.floor(p / PARTS_PER_WORD) * 8);
      const s = Number((word >> BigInt(3 * (p % PARTS_PER_WORD))) & 7n);
      const digest = bytes.subarray(STATUS_BLOCK + p * DIGEST_SIZE, STATUS_BLOCK + (p + 1) * DIGEST_SIZE);
      switch (s) {
        case PartitionStatus.NONE:
        case PartitionStatus.NOT_STARTED:
        case PartitionStatus.COMPLETE_EMPTY:
          if (!digest.equals(ZERO_DIGEST))
            throw stateError(`Expected zero-valued digest at partition id ${p} (${s})`, file);
          break;
        case PartitionStatus.COMPLETE:
        case PartitionStatus.INCOMPLETE:
          if (partitionIdOf(digest) !== p) {
            throw stateError(
              `Digest for partition id ${p} belongs to partition ${partitionIdOf(digest)}`,
              file,
            );
          }
          digest.copy(c.digests, p * DIGEST_SIZE);
          break;
        default:
          throw stateError(`Unexpected backup state status 0x${s.toString(16).padStart(2, '0')}`, file);
      }
      c.status[p] = s;
    }
    return c;
  }

  private setDigest(partition: number, digest: Buffer): void {
    if (digest.length !== DIGEST_SIZE) throw new RangeError(`digest must be ${DIGEST_SIZE} bytes`);
    if (partitionIdOf(digest) !== partition) {
      throw new RangeError(`digest belongs to partition ${partitionIdOf(digest)}, not ${partition}`);
    }
    digest.copy(this.digests, partition * DIGEST_SIZE);
  }
}

function rank(s: number): number {
  switch (s) {
    case PartitionStatus.COMPLETE:
    case PartitionStatus.COMPLETE_EMPTY:
      return 3;
    case PartitionStatus.INCOMPLETE:
      return 2;
    case PartitionStatus.NOT_STARTED:
      return 1;
    default:
      return 0;
  }
}

/** Reads an official (C asbackup) state file: partition block, counters, raw file entries. */
export function readOfficialState(bytes: Buffer, file?: string): OfficialState {
  const cursors = PartitionCursors.fromOfficialPartitionBlock(bytes, file);
  if (bytes.length < OFFICIAL_COUNTERS_OFFSET + OFFICIAL_COUNTERS_SIZE + 8) {
    throw stateError('Unable to read all data from the backup state file', file);
  }
  let pos = OFFICIAL_COUNTERS_OFFSET;
  const u64 = () => {
    const v = bytes.readBigUInt64BE(pos);
    pos += 8;
    return v;
  };
  const u32 = () => {
    const v = bytes.readUInt32BE(pos);
    pos += 4;
    return v;
  };
  const counters: OfficialStateCounters = {
    fileCount: u64(),
    indexCount: u32(),
    udfCount: u32(),
    recCountTotal: u64(),
    byteCountTotal: u64(),
    recCountTotalCommitted: u64(),
    byteCountTotalCommitted: u64(),
  };
  const fileCount = u64();
  return { cursors, counters, fileCount, fileEntries: bytes.subarray(pos) };
}

/**
 * Writes an official state file. `fileEntries` are the already serialised open-file entries
 * (io-proxy/file-proxy state, see spec §4.2), `entryCount` of them; none by default.
 */
export function writeOfficialState(
  cursors: PartitionCursors,
  counters: OfficialStateCounters,
  fileEntries: Buffer = Buffer.alloc(0),
  entryCount = 0n,
): Buffer {
  const tail = Buffer.alloc(OFFICIAL_COUNTERS_SIZE + 8);
  let pos = tail.writeBigUInt64BE(counters.fileCount, 0);
  pos = tail.writeUInt32BE(counters.indexCount, pos);
  pos = tail.writeUInt32BE(counters.udfCount, pos);
  pos = tail.writeBigUInt64BE(counters.recCountTotal, pos);
  pos = tail.writeBigUInt64BE(counters.byteCountTotal, pos);
  pos = tail.writeBigUInt64BE(counters.recCountTotalCommitted, pos);
  pos = tail.writeBigUInt64BE(counters.byteCountTotalCommitted, pos);
  tail.writeBigUInt64BE(entryCount, pos);
  return Buffer.concat([cursors.toOfficialPartitionBlock(), tail, fileEntries]);
}
