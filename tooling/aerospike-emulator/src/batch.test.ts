import { FieldType, Info1, Info2, OpType } from '@asbkit/cluster-client/wire';
import { describe, expect, it } from 'vitest';
import { BatchParseError, parseBatchIndex } from './batch.js';

/** One full row: flags 0x0e (info2/3, generation, TTL), NAMESPACE + SET fields, one WRITE op. */
function fullRow(index: number, digestByte: number, value: number): Buffer {
  const ns = Buffer.from('test');
  const set = Buffer.from('s');
  const name = Buffer.from('n');
  const row = Buffer.alloc(
    4 + 20 + 1 + 3 + 2 + 4 + 4 + (5 + ns.length) + (5 + set.length) + (8 + name.length + 8),
  );
  let off = row.writeUInt32BE(index, 0);
  row.fill(digestByte, off, off + 20);
  off += 20;
  row[off++] = 0x0e;
  row[off++] = 0; // info1
  row[off++] = Info2.WRITE | Info2.GENERATION_GT;
  row[off++] = 0; // info3
  off = row.writeUInt16BE(7, off);
  off = row.writeUInt32BE(100, off);
  off = row.writeUInt16BE(2, off);
  off = row.writeUInt16BE(1, off);
  for (const [type, data] of [
    [FieldType.NAMESPACE, ns],
    [FieldType.SET, set],
  ] as const) {
    off = row.writeUInt32BE(data.length + 1, off);
    row[off++] = type;
    off += data.copy(row, off);
  }
  off = row.writeUInt32BE(4 + name.length + 8, off);
  row[off++] = OpType.WRITE;
  row[off++] = 1;
  row[off++] = 0;
  row[off++] = name.length;
  off += name.copy(row, off);
  row.writeBigInt64BE(BigInt(value), off);
  return row;
}

function repeatRow(index: number, digestByte: number): Buffer {
  const row = Buffer.alloc(25);
  row.writeUInt32BE(index, 0);
  row.fill(digestByte, 4, 24);
  row[24] = 0x01;
  return row;
}

function batchField(flags: number, rows: Buffer[]): Buffer {
  const head = Buffer.alloc(5);
  head.writeUInt32BE(rows.length, 0);
  head[4] = flags;
  return Buffer.concat([head, ...rows]);
}

describe('parseBatchIndex', () => {
  it('reads full rows and REPEAT rows (same command, new digest and index)', () => {
    const parsed = parseBatchIndex(batchField(0x0d, [fullRow(0, 1, 42), repeatRow(1, 2), repeatRow(5, 3)]));
    expect(parsed.flags).toBe(0x0d);
    expect(parsed.rows.map((r) => [r.index, r.digest[0]])).toEqual([
      [0, 1],
      [1, 2],
      [5, 3],
    ]);
    for (const row of parsed.rows) {
      expect(row.command.info2).toBe(Info2.WRITE | Info2.GENERATION_GT);
      expect(row.command.generation).toBe(7);
      expect(row.command.recordTtl).toBe(100);
      expect(row.command.info1 & Info1.READ).toBe(0);
      expect(row.command.ops[0].value.readBigInt64BE(0)).toBe(42n);
      const digest = row.command.fields.find((f) => f.type === FieldType.DIGEST)!.data;
      expect(digest.equals(row.digest)).toBe(true);
    }
  });

  it('refuses truncated rows, trailing bytes and a leading REPEAT', () => {
    const good = batchField(0x0d, [fullRow(0, 1, 1)]);
    expect(() => parseBatchIndex(good.subarray(0, good.length - 3))).toThrow(BatchParseError);
    expect(() => parseBatchIndex(Buffer.concat([good, Buffer.from([0])]))).toThrow(
      /after the last batch row/,
    );
    expect(() => parseBatchIndex(batchField(0x0d, [repeatRow(0, 1)]))).toThrow(/repeats nothing/);
  });
});
