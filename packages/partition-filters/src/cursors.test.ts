import { describe, expect, it } from 'vitest';
import {
  OFFICIAL_COUNTERS_OFFSET,
  PartitionCursors,
  PartitionStatus,
  readOfficialState,
  writeOfficialState,
} from './cursors.js';
import { PartitionFilterError } from './errors.js';

/** A digest that lands in `partition`, with `fill` to tell digests apart. */
function digestIn(partition: number, fill = 0xab): Buffer {
  const d = Buffer.alloc(20, fill);
  d.writeUInt16LE(partition | ((fill & 0xf) << 12));
  return d;
}

describe('PartitionCursors', () => {
  it('starts every filtered partition as not started and turns back into the same filters', () => {
    const c = PartitionCursors.forFilters([
      { begin: 0, count: 10 },
      { begin: 100, count: 1, digest: digestIn(100) },
    ]);
    expect(c.statusOf(0)).toBe(PartitionStatus.NOT_STARTED);
    expect(c.statusOf(10)).toBe(PartitionStatus.NONE);
    expect(c.statusOf(100)).toBe(PartitionStatus.INCOMPLETE);
    expect(c.toFilters()).toEqual([
      { begin: 0, count: 10 },
      { begin: 100, count: 1, digest: digestIn(100) },
    ]);
    expect(c.isComplete()).toBe(false);
  });

  it('tracks progress and gives the minimal filters that finish the job', () => {
    const c = PartitionCursors.forFilters([]);
    c.recordWritten(digestIn(5, 0x11));
    c.recordWritten(digestIn(5, 0x22));
    c.markDone(6);
    c.recordWritten(digestIn(7));
    c.markDone(7);
    expect(c.lastDigest(5)).toEqual(digestIn(5, 0x22));
    expect(c.statusOf(6)).toBe(PartitionStatus.COMPLETE_EMPTY);
    expect(c.statusOf(7)).toBe(PartitionStatus.COMPLETE);
    expect(c.toFilters()).toEqual([
      { begin: 0, count: 5 },
      { begin: 5, count: 1, digest: digestIn(5, 0x22) },
      { begin: 8, count: 4088 },
    ]);
    expect(c.counts()).toEqual([0, 1, 1, 4093, 1]);
  });

  it('is complete when nothing is left, and then needs no filter', () => {
    const c = PartitionCursors.forFilters([{ begin: 3, count: 2 }]);
    c.markDone(3);
    expect(c.isComplete()).toBe(false);
    c.markDone(4);
    expect(c.isComplete()).toBe(true);
    expect(c.toFilters()).toEqual([]);
  });

  it('merges cursors of several workers', () => {
    const filters = [{ begin: 0, count: 4096 }];
    const a = PartitionCursors.forFilters(filters);
    const b = PartitionCursors.forFilters(filters);
    a.recordWritten(digestIn(1));
    a.markDone(1);
    b.recordWritten(digestIn(2));
    b.markDone(3);
    a.merge(b);
    expect(a.statusOf(1)).toBe(PartitionStatus.COMPLETE);
    expect(a.lastDigest(2)).toEqual(digestIn(2));
    expect(a.statusOf(3)).toBe(PartitionStatus.COMPLETE_EMPTY);
    expect(a.statusOf(4)).toBe(PartitionStatus.NOT_STARTED);
    const c = PartitionCursors.forFilters(filters);
    c.recordWritten(digestIn(2, 0x33));
    expect(() => a.merge(c)).toThrow(PartitionFilterError);
  });

  it('round-trips through its compact versioned form', () => {
    const c = PartitionCursors.forFilters([{ begin: 0, count: 2048 }]);
    for (let p = 0; p < 2048; p += 7) c.recordWritten(digestIn(p, p & 0xff));
    for (let p = 0; p < 2048; p += 14) c.markDone(p);
    c.markDone(1);
    const bytes = c.serialize();
    const back = PartitionCursors.deserialize(bytes);
    expect(back.serialize().equals(bytes)).toBe(true);
    expect(back.toFilters()).toEqual(c.toFilters());
    expect(PartitionCursors.fromBase64(c.toBase64()).counts()).toEqual(c.counts());
    expect(PartitionCursors.forFilters([]).serialize()).toHaveLength(13);
  });

  it('refuses corrupt serialised cursors with a clear reason', () => {
    const good = PartitionCursors.forFilters([{ begin: 0, count: 4096 }]).serialize();
    expect(() => PartitionCursors.deserialize(Buffer.from('nope'))).toThrow(/bad magic/);
    const v2 = Buffer.from(good);
    v2[7] = 2;
    expect(() => PartitionCursors.deserialize(v2)).toThrow(/unsupported version 2/);
    const short = Buffer.from(good);
    short.writeUInt16BE(4095, 11);
    expect(() => PartitionCursors.deserialize(short)).toThrow(/runs cover 4095 partitions/);
    expect(() => PartitionCursors.deserialize(Buffer.concat([good, Buffer.from([0])]))).toThrow(/trailing/);
  });
});

describe('official state file layout', () => {
  const counters = {
    fileCount: 3n,
    indexCount: 2,
    udfCount: 1,
    recCountTotal: 1000n,
    byteCountTotal: 123456n,
    recCountTotalCommitted: 900n,
    byteCountTotalCommitted: 100000n,
  };

  it('packs 21 three-bit statuses per little-endian word, digests after', () => {
    const c = new PartitionCursors();
    c.markNotStarted(0);
    c.markIncomplete(22, digestIn(22));
    const block = c.toOfficialPartitionBlock();
    expect(block).toHaveLength(OFFICIAL_COUNTERS_OFFSET);
    expect(block.readBigUInt64LE(0)).toBe(3n);
    expect(block.readBigUInt64LE(8)).toBe(2n << 3n);
    expect(block.subarray(1568 + 22 * 20, 1568 + 23 * 20)).toEqual(digestIn(22));
  });

  it('round-trips a state file with counters and raw file entries', () => {
    const c = PartitionCursors.forFilters([{ begin: 0, count: 4096 }]);
    c.recordWritten(digestIn(4095));
    c.markDone(4095);
    c.markDone(20);
    c.recordWritten(digestIn(21));
    const entries = Buffer.from('opaque file entry');
    const bytes = writeOfficialState(c, counters, entries, 1n);
    expect(bytes.readBigUInt64BE(OFFICIAL_COUNTERS_OFFSET)).toBe(3n);
    const back = readOfficialState(bytes, 'x.asb.state');
    expect(back.counters).toEqual(counters);
    expect(back.fileCount).toBe(1n);
    expect(back.fileEntries).toEqual(entries);
    expect(back.cursors.serialize().equals(c.serialize())).toBe(true);
  });

  it('validates like asbackup: unknown status, stray digest, digest in the wrong slot', () => {
    const base = writeOfficialState(new PartitionCursors(), counters);
    const badStatus = Buffer.from(base);
    badStatus.writeBigUInt64LE(5n, 0);
    expect(() => readOfficialState(badStatus, 's')).toThrow(
      'Unexpected backup state status 0x05 in state file s',
    );
    const stray = Buffer.from(base);
    stray[1568 + 20 * 9] = 1;
    expect(() => readOfficialState(stray)).toThrow('Expected zero-valued digest at partition id 9 (0)');
    const wrongSlot = Buffer.from(base);
    wrongSlot.writeBigUInt64LE(1n, 0); // partition 0 COMPLETE
    digestIn(7).copy(wrongSlot, 1568);
    expect(() => readOfficialState(wrongSlot)).toThrow('Digest for partition id 0 belongs to partition 7');
    expect(() => readOfficialState(base.subarray(0, 100))).toThrow(/Unable to read all data/);
  });
});

describe('random cursor states (seeded)', () => {
  it('round-trip both formats, and toFilters covers exactly the unfinished partitions', () => {
    let seed = 12345;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    for (let round = 0; round < 5; round++) {
      const c = new PartitionCursors();
      for (let p = 0; p < 4096; p++) {
        const s = rand(5);
        if (s === PartitionStatus.NOT_STARTED) c.markNotStarted(p);
        else if (s === PartitionStatus.INCOMPLETE) c.markIncomplete(p, digestIn(p, rand(256)));
        else if (s === PartitionStatus.COMPLETE) {
          c.markIncomplete(p, digestIn(p, rand(256)));
          c.markDone(p);
        } else if (s === PartitionStatus.COMPLETE_EMPTY) {
          c.markNotStarted(p);
          c.markDone(p);
        }
      }
      const bytes = c.serialize();
      expect(PartitionCursors.deserialize(bytes).serialize().equals(bytes)).toBe(true);
      const official = PartitionCursors.fromOfficialPartitionBlock(c.toOfficialPartitionBlock());
      expect(official.serialize().equals(bytes)).toBe(true);
      const todo = new Set<number>();
      const problems: string[] = [];
      for (const f of c.toFilters()) {
        for (let p = f.begin; p < f.begin + f.count; p++) {
          if (todo.has(p)) problems.push(`${p} twice`);
          todo.add(p);
          if (f.digest && !f.digest.equals(c.lastDigest(p)!)) problems.push(`${p} wrong digest`);
        }
      }
      for (let p = 0; p < 4096; p++) {
        const s = c.statusOf(p);
        const unfinished = s === PartitionStatus.NOT_STARTED || s === PartitionStatus.INCOMPLETE;
        if (todo.has(p) !== unfinished) problems.push(`${p} status ${s}`);
      }
      expect(problems).toEqual([]);
    }
  });
});
