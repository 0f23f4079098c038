import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { base64Length, decodeBase64Checked, decodedLength, findBadBase64, writeBase64 } from './base64.js';

describe('base64', () => {
  it('writes and reads exactly what Node does, below and above the native threshold', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 700 }), (u) => {
        const src = Buffer.from(u);
        const out = Buffer.alloc(base64Length(src.length) + 3);
        const end = writeBase64(out, 3, src);
        const text = out.subarray(3, end);
        expect(text.toString('latin1')).toBe(src.toString('base64'));
        const back = Buffer.alloc(decodedLength(text, 0, text.length));
        expect(decodeBase64Checked(text, 0, text.length, back, 0)).toBe(src.length);
        expect(back.equals(src)).toBe(true);
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
