// `%.17g` exactly as glibc prints it, and a lenient float reader (C and Go spellings).

const F64 = new Float64Array(1);
const U32 = new Uint32Array(F64.buffer);
const LITTLE = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Formats `v` like C's `printf("%.17g", v)` with glibc (`nan`, `inf`, `-inf`, `-0`). */
export function formatDouble(v: number): string {
  if (Number.isNaN(v)) return 'nan';
  if (v === Number.POSITIVE_INFINITY) return 'inf';
  if (v === Number.NEGATIVE_INFINITY) return '-inf';
  if (v === 0) return Object.is(v, -0) ? '-0' : '0';
  const neg = v < 0;
  const abs = neg ? -v : v;
  // toExponential is exact but breaks decimal ties upwards where glibc rounds half to even. So
  // take 18 digits and round to 17 here; only when the 18th digit is a 5 followed by (at least)
  // 23 zeros can it be a tie, and then the exact BigInt path decides.
  const e18 = abs.toExponential(17);
  const d18 = e18.charCodeAt(18);
  // e18 is `d.<17 digits>e±X`: the first 17 significant digits, then the 18th at index 18
  let digits = e18[0]! + e18.slice(2, 18);
  let exp = Number(e18.slice(20));
  let up = d18 > 0x35;
  if (d18 === 0x35) {
    const e41 = abs.toExponential(40);
    if (e41.charCodeAt(18) !== 0x35) up = e41.charCodeAt(18) > 0x35;
    else if (/^0+$/.test(e41.slice(19, 42))) [digits, exp] = exactDigits17(abs);
    else up = true;
  }
  if (up) {
    const r = roundUp(digits);
    digits = r.length > 17 ? r.slice(0, 17) : r;
    if (r.length > 17) exp++;
  }
  const s = layout(digits, exp);
  return neg ? `-${s}` : s;
}

/** Adds one unit in the last place to a decimal digit string (may grow by one digit). */
function roundUp(d: string): string {
  let i = d.length - 1;
  while (i >= 0 && d.charCodeAt(i) === 0x39) i--;
  if (i < 0) return `1${'0'.repeat(d.length)}`;
  return d.slice(0, i) + String.fromCharCode(d.charCodeAt(i) + 1) + '0'.repeat(d.length - 1 - i);
}

/** `%g` layout of 17 significant digits `digits` with decimal exponent `exp`. */
function layout(digits: string, exp: number): string {
  let end = digits.length;
  while (end > 1 && digits.charCodeAt(end - 1) === 0x30) end--;
  const sig = digits.slice(0, end);
  if (exp < -4 || exp >= 17) {
    const mant = sig.length > 1 ? `${sig[0]}.${sig.slice(1)}` : sig;
    const ax = exp < 0 ? -exp : exp;
    return `${mant}e${exp < 0 ? '-' : '+'}${ax < 10 ? '0' : ''}${ax}`;
  }
  if (exp < 0) return `0.${'0'.repeat(-exp - 1)}${sig}`;
  if (sig.length <= exp + 1) return sig + '0'.repeat(exp + 1 - sig.length);
  return `${sig.slice(0, exp + 1)}.${sig.slice(exp + 1)}`;
}

const BIG10 = 10n;

/**
 * The 17 significant digits of a positive finite double, rounded half to even, computed exactly
 * with BigInt arithmetic. Returns the digit string and the decimal exponent of the first digit.
 */
export function exactDigits17(abs: number): [string, number] {
  F64[0] = abs;
  const hi = LITTLE ? U32[1]! : U32[0]!;
  const lo = LITTLE ? U32[0]! : U32[1]!;
  const bexp = (hi >>> 20) & 0x7ff;
  let mant = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  let e2: number;
  if (bexp === 0) e2 = -1074;
  else {
    mant |= 1n << 52n;
    e2 = bexp - 1075;
  }
  // value = num / den exactly
  const num = e2 >= 0 ? mant << BigInt(e2) : mant;
  const den = e2 >= 0 ? 1n : 1n << BigInt(-e2);
  let x = Math.floor(Math.log10(abs));
  for (;;) {
    const shift = x - 16;
    let n = num;
    let d = den;
    if (shift >= 0) d *= BIG10 ** BigInt(shift);
    else n *= BIG10 ** BigInt(-shift);
    let q = n / d;
    const r2 = (n - q * d) * 2n;
    if (r2 > d || (r2 === d && (q & 1n) === 1n)) q += 1n;
    const s = q.toString();
    if (s.length === 18) {
      x++;
      continue;
    }
    if (s.length === 16) {
      x--;
      continue;
    }
    return [s, x];
  }
}

/**
 * Parses a float token the way a tolerant reader should: C's grammar (sign, digits, one `.`,
 * `e`/`E` exponent) plus case-insensitive `nan`/`inf`/`infinity` with optional sign (C's
 * `-nan`, Go's `NaN`/`+Inf`). Returns undefined when the token is not a float.
 */
export function parseDoubleToken(s: string): number | undefined {
  const n = s.length;
  if (n === 0) return undefined;
  let i = 0;
  const c0 = s.charCodeAt(0);
  if (c0 === 0x2b || c0 === 0x2d) i = 1;
  if (i === n) return undefined;
  const c = s.charCodeAt(i) | 0x20;
  if (c === 0x6e /* n */ || c === 0x69 /* i */) {
    const word = s.slice(i).toLowerCase();
    if (word === 'nan') return Number.NaN;
    if (word === 'inf' || word === 'infinity') return c0 === 0x2d ? -Infinity : Infinity;
    return undefined;
  }
  let digits = 0;
  let dot = false;
  for (; i < n; i++) {
    const ch = s.charCodeAt(i);
    if (ch >= 0x30 && ch <= 0x39) digits++;
    else if (ch === 0x2e && !dot) dot = true;
    else break;
  }
  if (digits === 0) return undefined;
  if (i < n) {
    const ch = s.charCodeAt(i);
    if (ch !== 0x65 && ch !== 0x45) return undefined;
    i++;
    if (i < n && (s.charCodeAt(i) === 0x2b || s.charCodeAt(i) === 0x2d)) i++;
    let edigits = 0;
    for (; i < n; i++) {
      const ch2 = s.charCodeAt(i);
      if (ch2 < 0x30 || ch2 > 0x39) return undefined;
      edigits++;
    }
    if (edigits === 0) return undefined;
  }
  return Number(s);
}
