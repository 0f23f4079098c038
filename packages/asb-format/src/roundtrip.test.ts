import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AsbEncoder, type AsbEntry, AsbParseError, type AsbRecord, ParticleType } from './index.js';
import {
  arbRecord,
  arbSecondaryIndex,
  arbUdf,
  chunksOf,
  collectAsb,
  fixtureUrl,
  splitAt,
} from './test/index.js';

function encodeAll(entries: AsbEntry[], compact: boolean): Buffer {
  const enc = new AsbEncoder({ compact, slabSize: 4096 });
  enc.writeHeader({ namespace: 'test', firstFile: true });
  for (const e of entries) enc.writeEntry(e);
  return enc.takeChunk();
}

describe('encode -> decode round trips (fast-check)', () => {
  it('random records, sindexes and UDFs survive any chunking, plain and compact', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.oneof(
            { weight: 6, arbitrary: arbRecord() },
            arbSecondaryIndex(),
            arbUdf(),
          ) as fc.Arbitrary<AsbEntry>,
          { maxLength: 8 },
        ),
        fc.boolean(),
        fc.array(fc.nat(), { maxLength: 12 }),
        async (entries, compact, cuts) => {
          const data = encodeAll(entries, compact);
          const decoded = await collectAsb(
            splitAt(
              data,
              cuts.map((c) => c % (data.length + 1)),
            ),
          );
          expect(decoded.slice(1)).toEqual(entries);
        },
      ),
      { numRuns: 300, seed: 20261121 },
    );
  });

  it('huge and empty values survive 1000-byte chunks', async () => {
    const big = Buffer.alloc(2 * 1024 * 1024 + 1);
    for (let i = 0; i < big.length; i++) big[i] = (i * 7 + (i >> 9)) & 255;
    const rec: AsbRecord = {
      kind: 'record',
      namespace: 'test',
      digest: Buffer.alloc(20, 1),
      set: 'huge',
      key: { type: ParticleType.BLOB, value: big.subarray(0, 70_000) },
      generation: 2,
      voidTime: 1,
      bins: [
        { name: '', type: ParticleType.STRING, value: Buffer.alloc(0) },
        { name: 'big', type: ParticleType.MAP, value: big },
        { name: 'str', type: ParticleType.STRING, value: big.subarray(5, 600_000) },
      ],
    };
    for (const compact of [false, true]) {
      const data = encodeAll([rec, rec], compact);
      const decoded = (await collectAsb(chunksOf(data, 1000))) as AsbRecord[];
      expect(decoded).toHaveLength(3);
      for (const d of decoded.slice(1)) {
        expect(d.bins.map((b) => (b.value as Buffer).length)).toEqual([0, big.length, 599_995]);
        expect((d.bins[1]!.value as Buffer).equals(big)).toBe(true);
        expect((d.key!.value as Buffer).equals(big.subarray(0, 70_000))).toBe(true);
      }
    }
  });
});

describe('fuzz: mutated files give a clean AsbParseError or a valid parse', () => {
  const inputs = [
    readFileSync(fixtureUrl('generated/example_plain.asb')),
    readFileSync(fixtureUrl('generated/example_compact.asb')),
    readFileSync(fixtureUrl('official-backups/par4/test_00001.asb')).subarray(0, 2000),
  ];
  const interesting = [
    0x0a, 0x20, 0x5c, 0x2b, 0x2d, 0x2a, 0x23, 0x21, 0x30, 0x39, 0x3d, 0x00, 0xff, 0x2e, 0x65,
  ];
  it('never throws anything else and never hangs (seeded, bounded)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.nat({ max: inputs.length - 1 }),
        fc.array(
          fc.record({
            at: fc.nat(),
            op: fc.constantFrom('set', 'insert', 'delete', 'truncate'),
            byte: fc.oneof(fc.constantFrom(...interesting), fc.integer({ min: 0, max: 255 })),
          }),
          { minLength: 1, maxLength: 4 },
        ),
        fc.integer({ min: 1, max: 300 }),
        async (which, mutations, chunk) => {
          let data = Buffer.from(inputs[which]!);
          for (const m of mutations) {
            const at = m.at % (data.length + 1);
            if (m.op === 'set' && at < data.length) data[at] = m.byte;
            else if (m.op === 'insert')
              data = Buffer.concat([data.subarray(0, at), Buffer.from([m.byte]), data.subarray(at)]);
            else if (m.op === 'delete') data = Buffer.concat([data.subarray(0, at), data.subarray(at + 1)]);
            else if (m.op === 'truncate') data = data.subarray(0, at);
          }
          try {
            const entries = await collectAsb(chunksOf(data, chunk));
            expect(entries[0]!.kind).toBe('header');
          } catch (e) {
            if (!(e instanceof AsbParseError)) throw e;
            expect(e.line).toBeGreaterThanOrEqual(1);
            expect(e.column).toBeGreaterThanOrEqual(1);
          }
        },
      ),
      { numRuns: 1500, seed: 4242 },
    );
  });
});
