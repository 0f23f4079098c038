import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  base64Length,
  decodeBase64Checked,
  decodedLength,
  findBadBase64,
  writeBase64Range,
} from './base64.js';

describe('base64', () => {
  it('writes and reads exactly what Node does, below and above the native threshold', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 700 }), fc.nat(5), fc.nat(5), (u, skip, cut) => {
        const src = Buffer.from(u);
        // a range of a bigger buffer, written into the middle of another (bytes around kept)
        const from = Math.min(skip, src.length);
        const to = Math.max(from, src.length - cut);
        const out = Buffer.alloc(base64Length(to - from) + 5, 0x7e);
        const view = new DataView(out.buffer, out.byteOffset, out.length);
        const end = writeBase64Range(out, view, 3, src, from, to);
        expect(end).toBe(3 + base64Length(to - from));
        expect(out[2]).toBe(0x7e);
        expect(out[end]).toBe(0x7e);
        const text = out.subarray(3, end);
        expect(text.toString('latin1')).toBe(src.subarray(from, to).toString('base64'));
        const back = Buffer.alloc(decodedLength(text, 0, text.length));
        expect(decodeBase64Checked(text, 0, text.length, back, 0)).toBe(to - from);
        expect(back.equals(src.subarray(from, to))).toBe(true);
      }),
      { numRuns: 300, seed: 11 },
    );
  });

  it('finds the first bad byte, including misplaced padding', () => {
    const out = Buffer.alloc(16);
    for (const [text, bad] of [
      ['AB*D', 2],
      ['A=BC', 1],
      ['AAAA=AAA', 4],
      ['AAA\n', 3],
      ['====', 0],
    ] as const) {
      const b = Buffer.from(text);
      expect(findBadBase64(b, 0, b.length), text).toBe(bad);
      expect(decodeBase64Checked(b, 0, b.length, out, 0), text).toBe(-1 - bad);
      expect(decodeBase64Checked(b, 0, b.length, out, 0, viewOf(b)), text).toBe(-1 - bad);
    }
  });

  it('reads four characters at once through a DataView, with the same results', () => {
    const chars = 'ABCXYZabcxyz0189+/=*\n ';
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 90 }),
        fc.array(fc.tuple(fc.nat(), fc.constantFrom(...chars)), { maxLength: 3 }),
        fc.nat(7),
        (u, damage, lead) => {
          // base64 text at an odd place in a bigger buffer, sometimes with bad characters
          const text = Buffer.from('#'.repeat(lead) + Buffer.from(u).toString('base64'), 'latin1');
          for (const [at, c] of damage)
            if (text.length > lead) text[lead + (at % (text.length - lead))] = c.charCodeAt(0);
          const plain = Buffer.alloc(100);
          const viaView = Buffer.alloc(100);
          const r = decodeBase64Checked(text, lead, text.length, plain, 5);
          expect(decodeBase64Checked(text, lead, text.length, viaView, 5, viewOf(text))).toBe(r);
          if (r >= 0) expect(viaView.equals(plain)).toBe(true);
        },
      ),
      { numRuns: 2000 },
    );
  });
});

function viewOf(b: Buffer): DataView {
  return new DataView(b.buffer, b.byteOffset, b.length);
}
