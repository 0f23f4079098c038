import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { exactDigits17, formatDouble, parseDoubleToken } from './float.js';

/** %.17g computed only through the exact BigInt path, to check the fast path against. */
function slowG17(v: number): string {
  if (Number.isNaN(v)) return 'nan';
  if (!Number.isFinite(v)) return v > 0 ? 'inf' : '-inf';
  if (v === 0) return Object.is(v, -0) ? '-0' : '0';
  const [digits, exp] = exactDigits17(Math.abs(v));
  const sig = digits.replace(/0+$/, '') || '0';
  let s: string;
  if (exp < -4 || exp >= 17) {
    s = `${sig[0]}${sig.length > 1 ? `.${sig.slice(1)}` : ''}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  } else if (exp < 0) s = `0.${'0'.repeat(-exp - 1)}${sig}`;
  else if (sig.length <= exp + 1) s = sig + '0'.repeat(exp + 1 - sig.length);
  else s = `${sig.slice(0, exp + 1)}.${sig.slice(exp + 1)}`;
  return v < 0 ? `-${s}` : s;
}

describe('formatDouble (%.17g)', () => {
  it('matches the glibc vectors of spec §1.8', () => {
    const vectors: [number, string][] = [
      [0.1, '0.10000000000000001'],
      [1, '1'],
      [1.5, '1.5'],
      [1e16, '10000000000000000'],
      [1e17, '1e+17'],
      [1e20, '1e+20'],
      [1e-5, '1.0000000000000001e-05'],
      [1e-4, '0.0001'],
      [123456.789, '123456.789'],
      [1e-20, '9.9999999999999995e-21'],
      [Number.MAX_VALUE, '1.7976931348623157e+308'],
      [2.2250738585072014e-308, '2.2250738585072014e-308'],
      [-0, '-0'],
      [0, '0'],
      [Number.NaN, 'nan'],
      [Number.POSITIVE_INFINITY, 'inf'],
      [Number.NEGATIVE_INFINITY, '-inf'],
      [5e-324, '4.9406564584124654e-324'],
      [-0.1, '-0.10000000000000001'],
      [2, '2'],
      // a decimal tie: glibc rounds half to even where JS rounds up
      [108871828731143 + 0.125, '108871828731143.12'],
      [0.5, '0.5'],
      [2 ** 53 + 1, '9007199254740992'],
    ];
    for (const [v, s] of vectors) expect(formatDouble(v), String(v)).toBe(s);
  });

  it('agrees with the exact BigInt algorithm on random doubles, subnormals and ties', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true }), (v) => formatDouble(v) === slowG17(v)),
      { numRuns: 3000, seed: 42 },
    );
    // values with few binary digits after the point make decimal ties likely
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 50 }), fc.integer({ min: 1, max: 12 }), (m, k) => {
        const v = m / 2 ** k;
        return formatDouble(v) === slowG17(v);
      }),
      { numRuns: 3000, seed: 7 },
    );
  });

  it('agrees with the exact algorithm across the product path (1e-7 … 1e18) and its edges', () => {
    const f = new Float64Array(1);
    const u = new Uint32Array(f.buffer);
    let seed = 12345;
    const rnd = () => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed / 2 ** 32;
    };
    const values: number[] = [1e-7, 1e-6, 1e16, 1e17, 2 ** 53 + 2, 0.1, 1 / 3];
    for (let i = 0; i < 20000; i++) {
      u[0] = (rnd() * 2 ** 32) >>> 0;
      u[1] = (rnd() * 2 ** 32) >>> 0;
      if (Math.abs(f[0]) > 1e-7 && Math.abs(f[0]) < 1e18) values.push(f[0]);
      values.push(rnd() * 10 ** (Math.floor(rnd() * 25) - 7), i / 7, i * 0.1, i * 1e11 + 0.25);
    }
    for (let e = -8; e <= 18; e++) {
      const p = Number(`1e${e}`);
      values.push(p, p * (1 + 2 ** -52), p * (1 - 2 ** -53), p - 1, p + 1);
    }
    for (let i = 0; i < 2000; i++) values.push(2 ** 53 + i * 2, 1e17 - 16 - i * 16);
    const bad = values.filter((v) => formatDouble(v) !== slowG17(v)).slice(0, 5);
    expect(bad.map((v) => `${formatDouble(v)} ${slowG17(v)}`)).toEqual([]);
  });

  it('prints whole numbers up to 2^53 as their digits, as the exact algorithm does', () => {
    const values = [1, 9, 10, 102400, 999999999, 1e9, 1e9 + 1, 2 ** 32, 123456789012345, 1e15, 1e16 - 1];
    for (let k = 0; k < 2000; k++) values.push(2 ** 53 - k, 1e9 * k + 999999999, 1e9 * (k + 1) - 1);
    const bad: string[] = [];
    fc.assert(
      fc.property(fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }), (v) => {
        values.push(v);
        return true;
      }),
      { numRuns: 3000, seed: 11 },
    );
    for (const v of values) {
      for (const x of [v, -v])
        if (formatDouble(x) !== slowG17(x)) bad.push(`${formatDouble(x)} ${slowG17(x)}`);
    }
    expect(bad.slice(0, 5)).toEqual([]);
    expect(formatDouble(2 ** 53)).toBe('9007199254740992');
    expect(formatDouble(-102400)).toBe('-102400');
  });

  it('round-trips exactly through parseDoubleToken', () => {
    fc.assert(
      fc.property(
        fc.double(),
        (v) =>
          Object.is(parseDoubleToken(formatDouble(v)), v) ||
          (Number.isNaN(v) && Number.isNaN(parseDoubleToken(formatDouble(v)))),
      ),
      { numRuns: 2000, seed: 3 },
    );
  });
});

describe('parseDoubleToken', () => {
  it('reads the C and Go spellings', () => {
    expect(parseDoubleToken('nan')).toBeNaN();
    expect(parseDoubleToken('-nan')).toBeNaN();
    expect(parseDoubleToken('NaN')).toBeNaN();
    expect(parseDoubleToken('+Inf')).toBe(Number.POSITIVE_INFINITY);
    expect(parseDoubleToken('-inf')).toBe(Number.NEGATIVE_INFINITY);
    expect(parseDoubleToken('Infinity')).toBe(Number.POSITIVE_INFINITY);
    expect(parseDoubleToken('1e+20')).toBe(1e20);
    expect(parseDoubleToken('1E-5')).toBe(1e-5);
    expect(Object.is(parseDoubleToken('-0'), -0)).toBe(true);
    expect(parseDoubleToken('.5')).toBe(0.5);
    expect(parseDoubleToken('5.')).toBe(5);
  });
  it('rejects what is not a float', () => {
    for (const bad of ['', '-', '1e', '1.2.3', '0x10', ' 1', '1 ', 'infx', 'na', '1e5e5', '.', 'e5', '1_0']) {
      expect(parseDoubleToken(bad), bad).toBeUndefined();
    }
  });
});
