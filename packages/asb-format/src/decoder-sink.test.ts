import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AsbDecoder, type AsbRecordHead, type AsbRecordSink, type BytesBinType } from './decoder.js';
import { AsbEncoder } from './encoder.js';
import type { AsbRecord, Bin, Int64 } from './model.js';
import { arbRecord, splitAt } from './test/index.js';

/** Wants every other record; writes their bytes values into one big `out`, back to back. */
class EveryOtherRecord implements AsbRecordSink<AsbRecord | 'not wanted'> {
  out = Buffer.alloc(1 << 16);
  begun = 0;
  private ended = 0;
  private want = false;
  private head: AsbRecordHead | undefined;
  private bins: Bin[] = [];
  /** Where in `out` each bytes bin is (by bin index). */
  private places: [number, number][] = [];
  private at = 0;

  begin(head: Readonly<AsbRecordHead>): boolean {
    this.begun++;
    this.head = { ...head, digest: Buffer.from(head.digest) };
    this.bins = [];
    this.places = [];
    this.at = 0;
    this.want = this.ended % 2 === 0;
    return this.want;
  }
  nullBin(name: string): void {
    this.bins.push({ name, type: 0, value: null });
  }
  intBin(name: string, value: Int64): void {
    this.bins.push({ name, type: 1, value });
  }
  floatBin(name: string, value: number): void {
    this.bins.push({ name, type: 2, value });
  }
  boolBin(name: string, value: boolean): void {
    this.bins.push({ name, type: 17, value });
  }
  bytesBin(name: string, type: BytesBinType, size: number): number {
    const at = this.at;
    this.at += size;
    // the value is read back in `end`
    this.places[this.bins.length] = [at, at + size];
    this.bins.push({ name, type, value: Buffer.alloc(0) } as Bin);
    return at;
  }
  end(): AsbRecord | 'not wanted' {
    this.ended++;
    if (!this.want) return 'not wanted';
    const bins = this.bins.map((b, i) => {
      const place = this.places[i];
      return place ? ({ ...b, value: Buffer.from(this.out.subarray(...place)) } as Bin) : b;
    });
    return { kind: 'record', ...this.head!, bins };
  }
}

function decodeAll<R>(
  dec: AsbDecoder<R>,
  chunks: Buffer[],
): { out: unknown[]; error?: unknown; lines: number } {
  const out: unknown[] = [];
  try {
    for (const c of chunks) {
      dec.push(c);
      for (let e = dec.next(); e !== undefined; e = dec.next()) out.push(e);
    }
    dec.end();
    for (let e = dec.next(); e !== undefined; e = dec.next()) out.push(e);
  } catch (error) {
    return { out, error, lines: dec.lineCount };
  }
  return { out, lines: dec.lineCount };
}

describe('AsbDecoder with a record sink', () => {
  it('hands each record to the sink once complete, bins only when wanted, at the same lines', () => {
    fc.assert(
      fc.property(
        // values written raw, so that some hold LFs
        fc.array(arbRecord({ maxBins: 4, maxValueBytes: 60 }), { maxLength: 8 }),
        fc.array(fc.nat(), { maxLength: 6 }),
        fc.constantFrom('', '+ n x\n', '- I a 1\n'),
        (records, cuts, tail) => {
          const enc = new AsbEncoder({ compact: true });
          enc.writeHeader({ namespace: 'ns' });
          for (const r of records) enc.writeRecord(r);
          const data = Buffer.concat([enc.takeChunk(), Buffer.from(tail)]);
          const chunks = splitAt(
            data,
            cuts.map((c) => c % (data.length + 1)),
          );
          const sink = new EveryOtherRecord();
          const got = decodeAll(new AsbDecoder({ fileName: 'f.asb' }, sink), chunks);
          const built = decodeAll(new AsbDecoder({ fileName: 'f.asb' }), chunks);
          let n = 0;
          const expected = built.out.map((e) =>
            (e as AsbRecord).kind !== 'record' ? e : n++ % 2 === 0 ? e : 'not wanted',
          );
          expect(got.out).toEqual(expected);
          expect(got.lines).toBe(built.lines);
          expect(String(got.error)).toBe(String(built.error));
          expect(sink.begun).toBeGreaterThanOrEqual(n);
        },
      ),
      { numRuns: 500 },
    );
  });
});
