import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AsbDecoder, type AsbRecord } from './index.js';

// Decimals with 16-18 significant digits (what `%.17g` writes) take an exact-division path in
// the decoder; it must read exactly what Number() reads, including near and at ties.
function decodeFloat(text: string): number {
  const dec = new AsbDecoder();
  dec.push(
    Buffer.from(
      `Version 3.1\n+ n test\n+ d AAAAAAAAAAAAAAAAAAAAAAAAAAA=\n+ g 1\n+ t 0\n+ b 1\n- D x ${text}\n`,
    ),
  );
  dec.end();
  dec.next();
  return (dec.next() as AsbRecord).bins[0]!.value as number;
}

const same = (text: string) =>
  expect([text, Object.is(decodeFloat(text), Number(text))]).toEqual([text, true]);

describe('decoding long decimals', () => {
  it('matches Number() on %.17g and %.18g text of random doubles', () => {
    fc.assert(
      fc.property(
        fc.double({ noNaN: true, noDefaultInfinity: true }),
        fc.integer({ min: 15, max: 18 }),
        (v, p) => {
          same(v.toPrecision(p));
          same(String(v));
        },
      ),
      { numRuns: 20000 },
    );
  });

  it('matches Number() on random digit strings with a decimal point', () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[1-9][0-9]{14,18}$/),
        fc.integer({ min: 0, max: 19 }),
        fc.integer({ min: 0, max: 6 }),
        fc.boolean(),
        (digits, dot, zeros, neg) => {
          const d = Math.min(dot, digits.length);
          const body =
            dot > 18 ? `0.${'0'.repeat(zeros)}${digits}` : `${digits.slice(0, d)}.${digits.slice(d)}`;
          same(neg ? `-${body}` : body);
        },
      ),
      { numRuns: 20000 },
    );
  });

  it('matches Number() at and next to midpoints between doubles', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 2n ** 52n, max: 2n ** 53n - 1n }),
        fc.integer({ min: -40, max: 10 }),
        fc.integer({ min: -2, max: 2 }),
        (m, e2, nudge) => {
          // midpoint (2m+1)·2^(e2-1), written exactly, then cut to 17-18 digits and nudged
          const mid = 2n * m + 1n;
          let num: bigint;
          let scale: number;
          if (e2 - 1 >= 0) {
            num = mid << BigInt(e2 - 1);
            scale = 0;
          } else {
            scale = 1 - e2;
            num = mid * 5n ** BigInt(scale);
          }
          const s = num.toString();
          for (const keep of [17, 18, s.length]) {
            if (keep > s.length) continue;
            const head = BigInt(s.slice(0, keep)) + BigInt(keep < s.length ? nudge : 0);
            const hs = head.toString();
            const exp = s.length - keep - scale;
            same(`${hs}e${exp}`);
            if (exp < 0 && -exp < hs.length)
              same(`${hs.slice(0, hs.length + exp)}.${hs.slice(hs.length + exp)}`);
          }
        },
      ),
      { numRuns: 20000 },
    );
  });

  it('matches Number() on hand-picked edges', () => {
    for (const text of [
      '9007199254740993.5',
      '90071992547409935e-1',
      '9007199254740992.5',
      '9007199254740993.0',
      '18014398509481985.0',
      '0.30000000000000004',
      '0.1',
      '123456789012345678e-22',
      '999999999999999999e-22',
      '99999999999999999.9',
      '1.7976931348623157e308',
      '4.9406564584124654e-324',
      '2.2250738585072014e-308',
      '62601.702819680067',
      '-62601.702819680067',
      '00000000000000000000000000062601.702819680067',
      '0.000000000000000000000000001234567890123456789',
    ]) {
      same(text);
    }
  });
});
