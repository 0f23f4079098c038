import { AsbEncoder, type AsbRecord, ParticleType } from '@asbkit/asb-format';
import { describe, expect, it } from 'vitest';
import { digestOf, makeRecords } from '../test/records.js';
import { emptyHeader, encodeAsMsg, FieldType, field, Info3, OpType, op } from './message.js';
import {
  encodeRecordReply,
  RecordReplyDecoder,
  type RecordReplyItem,
  RecordReplyTranscoder,
} from './record-reply.js';

/** Records with every particle type and key type the model has. */
function variedRecords(): AsbRecord[] {
  const base = (i: number, over: Partial<AsbRecord>): AsbRecord => ({
    kind: 'record',
    namespace: 'test',
    digest: digestOf('mixed', i),
    set: 'mixed',
    key: undefined,
    generation: 1 + i,
    voidTime: i % 2 === 0 ? 0 : 400_000_000 + i,
    bins: [],
    ...over,
  });
  return [
    base(0, {
      key: { type: ParticleType.INTEGER, value: -42 },
      bins: [
        { name: 'i', type: ParticleType.INTEGER, value: 9007199254740993n },
        { name: 'neg', type: ParticleType.INTEGER, value: -(2n ** 63n) },
        { name: 'd', type: ParticleType.FLOAT, value: 2.0 },
        { name: 'nan', type: ParticleType.FLOAT, value: Number.NaN },
        { name: 'tiny', type: ParticleType.FLOAT, value: -1.5e-300 },
        { name: 'third', type: ParticleType.FLOAT, value: 1 / 3 },
        { name: 'b', type: ParticleType.BOOL, value: true },
        { name: 'f', type: ParticleType.BOOL, value: false },
        { name: 'null', type: ParticleType.NULL, value: null },
      ],
    }),
    base(1, {
      key: { type: ParticleType.STRING, value: Buffer.from('key with spaces\nand newline') },
      set: undefined,
      bins: [
        { name: 'bin with space', type: ParticleType.STRING, value: Buffer.from('x'.repeat(300)) },
        {
          name: 'geo',
          type: ParticleType.GEOJSON,
          value: Buffer.from('{"type":"Point","coordinates":[1,2]}'),
        },
        { name: 'list', type: ParticleType.LIST, value: Buffer.from([0x93, 1, 2, 3]) },
        { name: 'map', type: ParticleType.MAP, value: Buffer.from([0x81, 1, 2]) },
        { name: 'hll', type: ParticleType.HLL, value: Buffer.alloc(700, 5) },
        { name: 'java', type: ParticleType.JAVA_BLOB, value: Buffer.from([1, 2]) },
        { name: 'empty', type: ParticleType.STRING, value: Buffer.alloc(0) },
      ],
    }),
    base(2, {
      key: { type: ParticleType.BLOB, value: Buffer.from([0, 1, 2, 3, 4]) },
      bins: [{ name: 'blob', type: ParticleType.BLOB, value: Buffer.alloc(1000, 9) }],
    }),
    base(3, { key: { type: ParticleType.FLOAT, value: 0.1 }, bins: [] }),
    base(4, { namespace: 'n s', set: 'sé t', bins: [{ name: 'ü', type: ParticleType.INTEGER, value: 7 }] }),
  ];
}

const body = (records: AsbRecord[], tail: Buffer[] = []) =>
  Buffer.concat([...records.map((r) => encodeRecordReply(r)), ...tail]);

function viaObjects(b: Buffer, compact: boolean): Buffer {
  const out: RecordReplyItem[] = [];
  new RecordReplyDecoder().decode(b, out);
  const enc = new AsbEncoder({ compact });
  for (const it of out) if (it.kind === 'record') enc.writeRecord(it);
  return Buffer.from(enc.takeChunk());
}

function viaTranscoder(b: Buffer, compact: boolean, stopAt = Number.POSITIVE_INFINITY, slabSize?: number) {
  const enc = new AsbEncoder({ compact, slabSize });
  const t = new RecordReplyTranscoder(enc);
  const digests: number[] = [];
  const count = new RecordReplyDecoder().index(b, [], (d) => digests.push(d));
  const parts: Buffer[] = [];
  let records = 0;
  for (let off = 0; off < b.length; ) {
    off = t.transcode(b, off, stopAt);
    records += t.records;
    parts.push(Buffer.from(enc.takeChunk()));
  }
  return { bytes: Buffer.concat(parts), parts, count, records, digests, t };
}

describe('RecordReplyTranscoder', () => {
  it('writes exactly what decoding and AsbEncoder.writeRecord write, plain and compact', () => {
    const records = [...variedRecords(), ...makeRecords(50)];
    const last = encodeAsMsg({ ...emptyHeader(), info3: Info3.LAST }, [], []);
    const b = body(records, [last]);
    for (const compact of [false, true]) {
      const got = viaTranscoder(b, compact);
      expect(got.bytes.toString('latin1')).toBe(viaObjects(b, compact).toString('latin1'));
      expect(got.count).toBe(records.length);
      expect(got.records).toBe(records.length);
    }
  });

  it('stops once the encoder holds stopAt bytes, and grows small slabs mid-record', () => {
    const records = makeRecords(40);
    const b = body(records);
    const whole = viaObjects(b, false);
    const got = viaTranscoder(b, false, 1000, 4096);
    expect(got.bytes.equals(whole)).toBe(true);
    expect(got.parts.length).toBeGreaterThan(5);
    expect(got.parts.every((p) => p.length < 1000 + 400)).toBe(true);
  });

  it('reports the last digest written per partition', () => {
    const records = makeRecords(300);
    const b = body(records);
    const { t, digests } = viaTranscoder(b, false);
    const last = new Map<number, string>();
    for (const d of digests) last.set((b[d] | (b[d + 1] << 8)) & 0xfff, b.toString('hex', d, d + 20));
    const seen = t.lastDigests;
    expect(seen.count).toBe(last.size);
    for (let i = 0; i < seen.count; i++) {
      const pid = seen.partitions[i];
      const d = seen.offset[pid];
      expect(b.toString('hex', d, d + 20)).toBe(last.get(pid));
    }
    seen.clear();
    expect(seen.count).toBe(0);
    expect(seen.offset.every((o) => o === 0)).toBe(true);
  });

  it('leaves no half-written record when the encoder refuses one', () => {
    const bad = { ...makeRecords(1)[0], generation: 70000 };
    const b = body([...makeRecords(2), bad]);
    const enc = new AsbEncoder();
    const t = new RecordReplyTranscoder(enc);
    expect(() => t.transcode(b, 0, Number.POSITIVE_INFINITY)).toThrow(/generation 70000/);
    expect(t.records).toBe(2);
    expect(enc.takeChunk().toString('latin1')).toBe(
      viaObjects(body(makeRecords(2)), false).toString('latin1'),
    );
  });
});

describe('RecordReplyDecoder.index', () => {
  it('reports partition markers and the end like decode, and counts records', () => {
    const unavailable = encodeAsMsg(
      { ...emptyHeader(), info3: Info3.PARTITION_DONE, resultCode: 11, generation: 77 },
      [],
      [],
    );
    const last = encodeAsMsg({ ...emptyHeader(), info3: Info3.LAST, resultCode: 0 }, [], []);
    const b = body(makeRecords(3), [unavailable, last]);
    const items: RecordReplyItem[] = [];
    const dec = new RecordReplyDecoder();
    expect(dec.index(b, items, () => {})).toBe(3);
    expect(items).toEqual([
      { kind: 'partition-unavailable', partitionId: 77, resultCode: 11 },
      { kind: 'end', resultCode: 0 },
    ]);
    expect(dec.done).toBe(true);
    expect(() => dec.index(b, [], () => {})).toThrow(/after the end/);
  });

  it('refuses what decode refuses, with the same messages', () => {
    const rec = makeRecords(1)[0];
    const digest = field(FieldType.DIGEST, rec.digest);
    const ns = field(FieldType.NAMESPACE, 'test');
    const cases = [
      encodeAsMsg(emptyHeader(), [ns, digest], [op(OpType.READ, 'v', 16, Buffer.alloc(8))]),
      encodeAsMsg(emptyHeader(), [ns, digest], [op(OpType.READ, 'i', ParticleType.INTEGER, Buffer.alloc(4))]),
      encodeAsMsg(emptyHeader(), [ns, digest], [op(OpType.READ, 'b', ParticleType.BOOL, Buffer.alloc(2))]),
      encodeAsMsg(emptyHeader(), [ns, digest], [op(OpType.READ, 'g', ParticleType.GEOJSON, Buffer.alloc(1))]),
      encodeAsMsg(emptyHeader(), [ns, field(FieldType.DIGEST, Buffer.alloc(19))], []),
      encodeAsMsg(emptyHeader(), [ns], []),
      encodeAsMsg(
        emptyHeader(),
        [ns, digest, field(FieldType.KEY, Buffer.from([ParticleType.INTEGER, 1]))],
        [],
      ),
      encodeAsMsg(emptyHeader(), [ns, digest, field(FieldType.KEY, Buffer.from([ParticleType.LIST, 1]))], []),
      encodeAsMsg(
        emptyHeader(),
        [ns, digest],
        [op(OpType.READ, 'i', ParticleType.INTEGER, Buffer.alloc(8))],
      ).subarray(0, 60),
    ];
    for (const b of cases) {
      let expected: unknown;
      try {
        new RecordReplyDecoder().decode(b, []);
      } catch (err) {
        expected = err;
      }
      expect(expected).toBeInstanceOf(Error);
      expect(() => new RecordReplyDecoder().index(b, [], () => {})).toThrow((expected as Error).message);
    }
  });
});
