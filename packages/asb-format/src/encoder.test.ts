import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import {
  AsbEncodeError,
  AsbEncoder,
  type AsbRecord,
  createAsbEncodeStream,
  decodeAsb,
  encodeAsb,
  escapeAsbName,
  ParticleType,
} from './index.js';
import { collectAsb, fixtureUrl, OFFICIAL_BACKUPS } from './test/index.js';

const digest = Buffer.from('7JEZLUt/jONdXXjTS8ply6qqyWA=', 'base64');

function record(over: Partial<AsbRecord> = {}): AsbRecord {
  return {
    kind: 'record',
    namespace: 'test',
    digest,
    set: undefined,
    key: undefined,
    generation: 1,
    voidTime: 0,
    bins: [],
    ...over,
  };
}

describe('AsbEncoder writes what the official C tool writes', () => {
  const files = [
    ...OFFICIAL_BACKUPS,
    { path: 'test_backup_file.asb', compact: false },
    { path: 'generated/example_plain.asb', compact: false },
    { path: 'generated/example_compact.asb', compact: true },
  ];
  for (const { path, compact } of files) {
    it(`re-encodes ${path} byte for byte${compact ? ' (compact)' : ''}`, async () => {
      const data = readFileSync(fixtureUrl(path));
      const enc = new AsbEncoder({ compact, slabSize: 4096 });
      const chunks: Buffer[] = [];
      let sum = 0;
      for await (const e of decodeAsb([data])) {
        sum += enc.writeEntry(e);
        if (enc.length > 3000) chunks.push(enc.takeChunk());
      }
      chunks.push(enc.takeChunk());
      const out = Buffer.concat(chunks);
      expect(sum).toBe(out.length);
      expect(out.equals(data)).toBe(true);
    });
  }

  it('takeChunk(true) leaves its slab, so the slab can be transferred while encoding goes on', () => {
    const enc = new AsbEncoder({ slabSize: 1 << 16 });
    enc.writeHeader({ namespace: 'test' });
    const first = enc.takeChunk(true);
    enc.writeHeader({ namespace: 'bar' });
    const second = enc.takeChunk();
    enc.writeHeader({ namespace: 'baz' });
    const third = enc.takeChunk();
    expect(second.buffer).not.toBe(first.buffer);
    // without `detach`, the next chunk shares the slab of the one before
    expect(third.buffer).toBe(second.buffer);
    expect([first, second, third].map(String)).toEqual(
      ['test', 'bar', 'baz'].map((ns) => `Version 3.1\n# namespace ${ns}\n`),
    );
  });

  it('takes new slabs from allocSlab, big enough for what must fit', () => {
    const asked: number[] = [];
    const enc = new AsbEncoder({
      slabSize: 4096,
      allocSlab: (bytes) => {
        asked.push(bytes);
        return Buffer.alloc(bytes + 10, 0x2a);
      },
    });
    enc.writeHeader({ namespace: 'test' });
    enc.takeChunk(true);
    const big = 'x'.repeat(9000);
    enc.writeUdf({ kind: 'udf', name: 'big.lua', language: 'L', content: Buffer.from(big) });
    expect(enc.takeChunk().toString()).toContain(big);
    expect(asked[0]).toBe(4096);
    expect(asked[1]).toBe(4096);
    expect(asked[2]).toBeGreaterThan(9000);
  });

  it('writes every bin type, escapes names and formats numbers like C', () => {
    const enc = new AsbEncoder();
    enc.writeHeader({ namespace: 'test', firstFile: true });
    const n = enc.writeRecord(
      record({
        key: { type: ParticleType.FLOAT, value: 0.1 },
        set: 'a set',
        generation: 65535,
        voidTime: 0xffffffff,
        bins: [
          { name: 'n\\ \n', type: ParticleType.NULL, value: null },
          { name: 'z', type: ParticleType.BOOL, value: false },
          { name: 'i', type: ParticleType.INTEGER, value: -(2n ** 63n) },
          { name: 'i2', type: ParticleType.INTEGER, value: 1234567890123 },
          { name: 'd', type: ParticleType.FLOAT, value: -0 },
          { name: 'g', type: ParticleType.GEOJSON, value: Buffer.from('{}') },
          { name: 'j', type: ParticleType.JAVA_BLOB, value: Buffer.from([1]) },
          { name: 'c', type: ParticleType.CSHARP_BLOB, value: Buffer.from([1, 2]) },
          { name: 'p', type: ParticleType.PYTHON_BLOB, value: Buffer.alloc(0) },
          { name: 'r', type: ParticleType.RUBY_BLOB, value: Buffer.from([255]) },
          { name: 'h', type: ParticleType.PHP_BLOB, value: Buffer.from([0]) },
          { name: 'e', type: ParticleType.ERLANG_BLOB, value: Buffer.from([0]) },
          { name: 'y', type: ParticleType.HLL, value: Buffer.from([0]) },
        ],
      }),
    );
    const text = enc.takeChunk().toString('latin1');
    expect(text).toBe(
      'Version 3.1\n# namespace test\n# first-file\n' +
        '+ k D 0.10000000000000001\n+ n test\n+ d 7JEZLUt/jONdXXjTS8ply6qqyWA=\n+ s a\\ set\n+ g 65535\n+ t 4294967295\n+ b 13\n' +
        '- N n\\\\\\ \\\n\n- Z z F\n- I i -9223372036854775808\n- I i2 1234567890123\n- D d -0\n- G g 2 {}\n' +
        '- J j 4 AQ==\n- C c 4 AQI=\n- P p 0 \n- R r 4 /w==\n- H h 4 AA==\n- E e 4 AA==\n- Y y 4 AA==\n',
    );
    expect(n).toBe(text.length - 'Version 3.1\n# namespace test\n# first-file\n'.length);
  });

  it('writes compact keys and bins raw, strings unchanged', () => {
    const enc = new AsbEncoder({ compact: true });
    enc.writeRecord(
      record({
        key: { type: ParticleType.BLOB, value: Buffer.from('a\nb') },
        bins: [
          { name: 'l', type: ParticleType.LIST, value: Buffer.from([0x91, 1]) },
          { name: 's', type: ParticleType.STRING, value: Buffer.from('x y') },
        ],
      }),
    );
    expect(enc.takeChunk().toString('latin1')).toBe(
      '+ k B! 3 a\nb\n+ n test\n+ d 7JEZLUt/jONdXXjTS8ply6qqyWA=\n+ g 1\n+ t 0\n+ b 2\n- L! l 2 \x91\x01\n- S s 3 x y\n',
    );
  });

  it('writes sindex and UDF lines (empty set, ctx, expression, escaped names)', () => {
    const enc = new AsbEncoder();
    enc.writeSecondaryIndex({
      kind: 'sindex',
      namespace: 'test',
      set: '',
      name: 'idx tags',
      indexType: 'L',
      paths: [{ path: 'tags', type: 'S' }],
    });
    enc.writeSecondaryIndex({
      kind: 'sindex',
      namespace: 'test',
      set: 'demo',
      name: 'c',
      indexType: 'K',
      paths: [{ path: 'b', type: 'B' }],
      context: 'lhABI8zIIqMDaWQ=',
    });
    enc.writeSecondaryIndex({
      kind: 'sindex',
      namespace: 'test',
      set: 'demo',
      name: 'e',
      indexType: 'N',
      paths: [{ path: 'b', type: 'N' }],
      expression: 'kwGT',
    });
    enc.writeUdf({ kind: 'udf', language: 'L', name: 'my mod.lua', content: Buffer.from('return 1\n') });
    expect(enc.takeChunk().toString()).toBe(
      '* i test  idx\\ tags L 1 tags S\n* i test demo c K 1 b B lhABI8zIIqMDaWQ=\n* e test demo e N 1 b N kwGT\n* u L my\\ mod.lua 9 return 1\n\n',
    );
  });

  it('refuses values the format cannot hold, leaving nothing half-written', () => {
    const enc = new AsbEncoder();
    enc.writeRecord(record());
    const before = enc.length;
    const bad: [Partial<AsbRecord>, RegExp][] = [
      [{ digest: Buffer.alloc(19) }, /digest must be 20 bytes/],
      [{ generation: 70000 }, /generation 70000 is out of range/],
      [{ voidTime: -1 }, /void time -1/],
      [{ bins: [{ name: 'i', type: ParticleType.INTEGER, value: 2n ** 63n }] }, /does not fit in 64 bits/],
      [{ bins: [{ name: 'i', type: ParticleType.INTEGER, value: 1.5 }] }, /not an integer/],
      [{ bins: [{ name: 'v', type: 16, value: Buffer.alloc(1) } as never] }, /Invalid bytes type 16/],
    ];
    for (const [over, msg] of bad) {
      expect(() => enc.writeRecord(record(over))).toThrow(msg);
      expect(() => enc.writeRecord(record(over))).toThrow(AsbEncodeError);
      expect(enc.length).toBe(before);
    }
  });

  it('grows past the slab for huge records and keeps taken chunks intact', () => {
    const enc = new AsbEncoder({ slabSize: 4096 });
    const big = Buffer.alloc(100_000, 7);
    enc.writeRecord(
      record({ bins: [{ name: 'a', type: ParticleType.STRING, value: Buffer.from('first') }] }),
    );
    const first = enc.takeChunk();
    const copy = Buffer.from(first);
    enc.writeRecord(record({ bins: [{ name: 'b', type: ParticleType.BLOB, value: big }] }));
    enc.writeRecord(record({ bins: [{ name: 'c', type: ParticleType.BLOB, value: big }] }));
    expect(first.equals(copy)).toBe(true);
    expect(enc.takeChunk().length).toBeGreaterThan(2 * 133_336);
  });

  it('re-encodes a legacy 3.0 file as 3.1 with escaping', async () => {
    const legacy = Buffer.from(
      'Version 3.0\n+ n test\n+ d 7JEZLUt/jONdXXjTS8ply6qqyWA=\n+ g 1\n+ t 0\n+ b 1\n- I a\\b 1\n',
    );
    const enc = new AsbEncoder();
    for await (const e of decodeAsb([legacy])) enc.writeEntry(e);
    const out = enc.takeChunk();
    expect(out.toString()).toBe(
      'Version 3.1\n+ n test\n+ d 7JEZLUt/jONdXXjTS8ply6qqyWA=\n+ g 1\n+ t 0\n+ b 1\n- I a\\\\b 1\n',
    );
    expect((await collectAsb([out]))[1]).toEqual((await collectAsb([legacy]))[1]);
  });

  it('writes integers like %lld at every digit-count boundary', () => {
    const values: (number | bigint)[] = [0, 9, 10, 99, 100, 12345, 99999, 100000, 999999999, 1000000000];
    values.push(
      2 ** 31 - 1,
      2 ** 31,
      2 ** 32 - 1,
      2 ** 32,
      2 ** 32 + 1,
      1e10,
      1e15 + 7,
      2 ** 53 - 1,
      2 ** 53,
      1e18,
    );
    values.push(2n ** 63n - 1n, 1000000000000000000n);
    for (let x = 1; x < 2 ** 53; x = x * 3 + 1) values.push(x);
    const enc = new AsbEncoder();
    for (const v of [...values, ...values.map((v) => -v)]) {
      enc.writeRecord(record({ bins: [{ name: 'i', type: ParticleType.INTEGER, value: v }] }));
      const text = enc.takeChunk().toString();
      const expected = typeof v === 'bigint' || Number.isSafeInteger(v) ? String(v) : BigInt(v).toString();
      expect(text.slice(text.indexOf('- I i ') + 6, -1), String(v)).toBe(expected === '-0' ? '0' : expected);
    }
  });

  it('escapeAsbName escapes backslash, space and LF', () => {
    expect(escapeAsbName('a b\\c\nd')).toBe('a\\ b\\\\c\\\nd');
  });
});

describe('AsbEncoder streamed records', () => {
  it('writes byte for byte what writeRecord writes, and abortRecord drops a partial record', () => {
    const digest = Buffer.alloc(24, 3); // the digest is read at an offset
    const blob = Buffer.from('--\x00\x01\x02 raw bytes--', 'latin1');
    const rec: AsbRecord = {
      kind: 'record',
      namespace: 'n s',
      digest: digest.subarray(2, 22),
      set: 'set\n1',
      key: { type: ParticleType.BLOB, value: blob.subarray(2, 7) },
      generation: 3,
      voidTime: 123456,
      bins: [
        { name: 'i', type: ParticleType.INTEGER, value: -(2n ** 63n) },
        { name: 'd', type: ParticleType.FLOAT, value: 0.1 },
        { name: 'z', type: ParticleType.BOOL, value: false },
        { name: 'n', type: ParticleType.NULL, value: null },
        { name: 's p', type: ParticleType.STRING, value: Buffer.from('x'.repeat(200)) },
        { name: 'g', type: ParticleType.GEOJSON, value: Buffer.from('{}') },
        { name: 'l', type: ParticleType.LIST, value: blob.subarray(2, 9) },
      ],
    };
    for (const compact of [false, true]) {
      const a = new AsbEncoder({ compact });
      a.writeRecord(rec);
      const b = new AsbEncoder({ compact, slabSize: 4096 });
      b.beginRecord();
      b.binInt('x', 1);
      b.abortRecord();
      b.beginRecord();
      b.recordKeyBytes(ParticleType.BLOB, blob, 2, 7);
      b.recordMeta('n s', digest, 2, 'set\n1', 3, 123456, 7);
      b.binInt('i', -(2n ** 63n));
      b.binDouble('d', 0.1);
      b.binBool('z', false);
      b.binNull('n');
      b.binBytes('s p', ParticleType.STRING, Buffer.from('x'.repeat(200)), 0, 200);
      b.binBytes('g', ParticleType.GEOJSON, Buffer.from('{}'), 0, 2);
      b.binBytes('l', ParticleType.LIST, blob, 2, 9);
      const n = b.endRecord();
      const want = a.takeChunk();
      expect(b.takeChunk().toString('latin1')).toBe(want.toString('latin1'));
      expect(n).toBe(want.length);
    }
    const c = new AsbEncoder();
    c.beginRecord();
    c.recordKeyInt(5);
    expect(() => c.recordMeta('t', digest, 0, undefined, 70000, 0, 0)).toThrow(AsbEncodeError);
    c.abortRecord();
    expect(c.length).toBe(0);
    expect(() => c.binBytes('v', 16, blob, 0, 1)).toThrow(/Invalid bytes type 16/);
  });
});

describe('AsbEncoder streamed byte values', () => {
  it('copies values of every length from any offset exactly as writeRecord writes them', () => {
    // two sources in turn: the encoder keeps a view of the last one and must notice the change
    const sources = [0, 1].map((k) =>
      Buffer.from(Array.from({ length: 1500 }, (_, i) => (i * 31 + k * 7) & 255)),
    );
    const digest = Buffer.alloc(20, 9);
    for (const compact of [false, true]) {
      const whole = new AsbEncoder({ compact });
      const streamed = new AsbEncoder({ compact, slabSize: 4096 });
      let seed = 5;
      for (let n = 0; n < 600; n++) {
        seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
        const src = sources[n % 2]!;
        const start = seed % 700;
        const end = start + n;
        const type = n % 3 === 0 ? ParticleType.STRING : ParticleType.BLOB;
        whole.writeRecord({
          kind: 'record',
          namespace: 'ns',
          digest,
          set: undefined,
          key: { type: ParticleType.BLOB, value: src.subarray(end - (n % 40), end) },
          generation: 1,
          voidTime: 0,
          bins: [{ name: 'v', type, value: src.subarray(start, end) }],
        });
        streamed.beginRecord();
        streamed.recordKeyBytes(ParticleType.BLOB, src, end - (n % 40), end);
        streamed.recordMeta('ns', digest, 0, undefined, 1, 0, 1);
        streamed.binBytes('v', type, src, start, end);
        streamed.endRecord();
      }
      expect(streamed.takeChunk().toString('latin1')).toBe(whole.takeChunk().toString('latin1'));
    }
  });
});

describe('stream wrappers', () => {
  it('encodeAsb and createAsbEncodeStream produce the same bytes as the fixture', async () => {
    const data = readFileSync(fixtureUrl('official-backups/par4/test_00001.asb'));
    const entries = await collectAsb([data]);
    const viaGen: Buffer[] = [];
    for await (const c of encodeAsb(entries, { chunkSize: 100 })) viaGen.push(c);
    expect(viaGen.length).toBeGreaterThan(1);
    expect(Buffer.concat(viaGen).equals(data)).toBe(true);
    const viaStream: Buffer[] = [];
    await pipeline(
      Readable.from(entries),
      createAsbEncodeStream({ chunkSize: 500 }),
      async (src: AsyncIterable<Buffer>) => {
        for await (const c of src) viaStream.push(c);
      },
    );
    expect(Buffer.concat(viaStream).equals(data)).toBe(true);
  });

  it('the Transform fails the pipeline on an unencodable entry', async () => {
    const bad = record({ generation: -1 });
    await expect(
      pipeline(Readable.from([bad]), createAsbEncodeStream(), async (src: AsyncIterable<Buffer>) => {
        for await (const _ of src);
      }),
    ).rejects.toThrow(AsbEncodeError);
  });
});
