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
    }
  });
});
