// `%.17g` exactly as glibc prints it, and a lenient float reader (C and Go spellings).

const F64 = new Float64Array(1);
const U32 = new Uint32Array(F64.buffer);
const LITTLE = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

const SCRATCH = Buffer.allocUnsafe(32);

/** Formats `v` like C's `printf("%.17g", v)` with glibc (`nan`, `inf`, `-inf`, `-0`). */
export function formatDouble(v: number): string {
  return SCRATCH.toString('latin1', 0, writeDouble(SCRATCH, 0, v));
}

/** Longest output of `writeDouble` (`-1.2345678901234567e-308`). */
export const MAX_DOUBLE_TEXT = 24;

const DIG = new Uint8Array(18);
const ZEROS_23 = /^0{23}$/;

/**
 * Writes `%.17g` of `v` into `out` at `pos` (room for MAX_DOUBLE_TEXT bytes needed) and returns
 * the new position. One `toExponential` string per call; everything else is byte arithmetic.
 */
export function writeDouble(out: Uint8Array, pos: number, v: number): number {
  let p = pos;
  if (Number.isNaN(v)) return putAscii(out, p, 'nan');
  if (v < 0 || Object.is(v, -0)) {
    out[p++] = 0x2d;
    v = -v;
  }
  if (v === Number.POSITIVE_INFINITY) return putAscii(out, p, 'inf');
  if (v === 0) {
    out[p] = 0x30;
    return p + 1;
  }
  // A whole number below 2^53 has at most 16 digits: %.17g prints exactly its digits.
  if (v <= Number.MAX_SAFE_INTEGER && Math.floor(v) === v) return putWhole(out, p, v);
  const exp = mayTie(v) ? carefulDigits(v) : productDigits(v);
  let nd = 17;
  while (nd > 1 && DIG[nd - 1] === 0) nd--;
  if (exp < -4 || exp >= 17) {
    out[p++] = 0x30 + DIG[0]!;
    if (nd > 1) {
      out[p++] = 0x2e;
      for (let i = 1; i < nd; i++) out[p++] = 0x30 + DIG[i]!;
    }
    out[p++] = 0x65;
    out[p++] = exp < 0 ? 0x2d : 0x2b;
    const ax = exp < 0 ? -exp : exp;
    if (ax >= 100) {
      out[p++] = 0x30 + Math.floor(ax / 100);
      out[p++] = 0x30 + (Math.floor(ax / 10) % 10);
    } else out[p++] = 0x30 + Math.floor(ax / 10);
    out[p++] = 0x30 + (ax % 10);
    return p;
  }
  if (exp < 0) {
    out[p++] = 0x30;
    out[p++] = 0x2e;
    for (let i = -1; i > exp; i--) out[p++] = 0x30;
    for (let i = 0; i < nd; i++) out[p++] = 0x30 + DIG[i]!;
    return p;
  }
  for (let i = 0; i <= exp; i++) out[p++] = 0x30 + (i < nd ? DIG[i]! : 0);
  if (nd > exp + 1) {
    out[p++] = 0x2e;
    for (let i = exp + 1; i < nd; i++) out[p++] = 0x30 + DIG[i]!;
  }
  return p;
}

/** Decimal digits of a whole number in [1, 2^53]; returns the new position. */
function putWhole(out: Uint8Array, p: number, v: number): number {
  let low = -1;
  if (v >= 1e9) {
    let high = Math.floor(v / 1e9);
    low = v - high * 1e9;
    if (low < 0) {
      // the quotient rounded up to the next whole number
      high--;
      low += 1e9;
    }
    v = high;
  }
  // v < 2^32 from here (2^53 / 1e9 < 2^24): digits from the right with integer arithmetic
  let n = 1;
  for (let t = v; t >= 10; t = Math.floor(t / 10)) n++;
  for (let i = p + n - 1; i >= p; i--) {
    const q = Math.floor(v / 10);
    out[i] = 0x30 + v - q * 10;
    v = q;
  }
  p += n;
  if (low >= 0) {
    for (let i = p + 8; i >= p; i--) {
      const q = Math.floor(low / 10);
      out[i] = 0x30 + low - q * 10;
      low = q;
    }
    p += 9;
  }
  return p;
}

/** 10^0 … 10^22: every one is exact as a double. */
export const POW10: readonly number[] = Array.from({ length: 23 }, (_, i) => Number(`1e${i}`));
/** Veltkamp's splitter for 53-bit doubles (2^27 + 1). */
const SPLITTER = 134217729;

/**
 * The rounding error of the product `ab = a * b`: a·b = ab + productError(a, b, ab) exactly
 * (Dekker's product; valid while nothing overflows or underflows).
 */
function productError(a: number, b: number, ab: number): number {
  const c1 = SPLITTER * a;
  const ah = c1 - (c1 - a);
  const al = a - ah;
  const c2 = SPLITTER * b;
  const bh = c2 - (c2 - b);
  const bl = b - bh;
  return ah * bh - ab + ah * bl + al * bh + al * bl;
}

/**
 * The correctly rounded double nearest W / 10^k, where W = big + lo (big, lo exact integers,
 * 2^53 <= W < 2^60, lo < 10^9, 1 <= k <= 22), or NaN when that is not proven cheaply.
 * A candidate y is checked exactly: R = W - y·10^k is computed with Dekker's error-free product,
 * and y is accepted only if |R| is clearly below half an ulp of y times 10^k (so y is the
 * nearest double; ties and power-of-two candidates are left to Number()).
 */
export function nearestQuotient(big: number, lo: number, k: number): number {
  const P = POW10[k]!;
  const HI = LITTLE ? 1 : 0;
  let y = (big + lo) / P;
  for (let attempt = 0; attempt < 2; attempt++) {
    // y·P = ph + pl exactly (no overflow or underflow in this range)
    const ph = y * P;
    const pl = productError(y, P, ph);
    // ph and big are integers within a factor 2 of each other (Sterbenz): exact; so is r1 < 2^53
    const r1 = big - ph + lo;
    const r = r1 - pl; // |r - R| <= 2^-53 |R|
    F64[0] = y;
    const hw = U32[HI]!;
    const e = (hw >>> 20) & 0x7ff;
    if (e <= 53 || e === 0x7ff || ((hw & 0xfffff) === 0 && U32[1 - HI] === 0)) return Number.NaN;
    U32[HI] = (e - 53) << 20; // half an ulp of y
    U32[1 - HI] = 0;
    const half = F64[0]! * P;
    if (Math.abs(r) < half * 0.999999) return y;
    y += r / P;
  }
  return Number.NaN;
}

/**
 * 17 digits without building a string, for 1e-6 <= v < 1e17 (else `fastDigits`), when no
 * decimal tie is possible (`mayTie` false). v·10^p (p = 16 - exponent, 10^p exact) is computed
 * exactly as hi + lo with Dekker's product; hi is an integer (it is above 2^53), so the rounded
 * 17-digit integer is hi + round(lo), split into 9 + 8 digits with exact double arithmetic.
 */
export function productDigits(v: number): number {
  // floor(log10 v) from the binary exponent and log2(1 + f) ≈ f: never above it, rarely one
  // below (the loop below corrects that); cheaper than Math.log10
  F64[0] = v;
  const hw = U32[LITTLE ? 1 : 0]!;
  let x = Math.floor((((hw >>> 20) & 0x7ff) - 1023 + (hw & 0xfffff) / 1048576) * 0.3010299956639812);
  for (let attempt = 0; attempt < 3; attempt++) {
    const p = 16 - x;
    if (p < 0 || p > 22) break;
    const b = POW10[p]!;
    const hi = v * b;
    const lo = productError(v, b, hi);
    if (hi > 1e17 || (hi === 1e17 && lo >= 0)) {
      x++;
      continue;
    }
    if (hi < 1e16 || (hi === 1e16 && lo < 0)) {
      x--;
      continue;
    }
    const r = Math.round(lo);
    if (Math.abs(lo - Math.trunc(lo)) === 0.5) break; // a tie after all: let the slow path decide
    // hi = q·1e8 + rem exactly (q·1e8 and the difference are exact doubles)
    let q = Math.floor(hi / 1e8);
    let rem = hi - q * 1e8 + r;
    while (rem < 0) {
      q--;
      rem += 1e8;
    }
    while (rem >= 1e8) {
      q++;
      rem -= 1e8;
    }
    if (q >= 1e9) {
      // rounded up to 10^17: 1.0000000000000000e(x+1)
      DIG[0] = 1;
      for (let i = 1; i < 17; i++) DIG[i] = 0;
      return x + 1;
    }
    // both parts fit int32: q < 1e9, rem < 1e8
    let qi = q | 0;
    for (let i = 8; i >= 0; i--) {
      const t = (qi / 10) | 0;
      DIG[i] = qi - t * 10;
      qi = t;
    }
    let ri = rem | 0;
    for (let i = 16; i >= 9; i--) {
      const t = (ri / 10) | 0;
      DIG[i] = ri - t * 10;
      ri = t;
    }
    return x;
  }
  return fastDigits(v);
}

/** 17 digits via `toExponential(16)`: exact whenever no decimal tie is possible. */
function fastDigits(v: number): number {
  const e = v.toExponential(16); // `d.<16 digits>e±X`
  DIG[0] = e.charCodeAt(0) - 0x30;
  for (let i = 1; i < 17; i++) DIG[i] = e.charCodeAt(i + 1) - 0x30;
  let exp = 0;
  for (let i = 20; i < e.length; i++) exp = exp * 10 + e.charCodeAt(i) - 0x30;
  return e.charCodeAt(19) === 0x2d ? -exp : exp;
}

/**
 * toExponential breaks decimal ties upwards where glibc rounds half to even. So take 18 digits
 * and round to 17 here; only when the 18th digit is a 5 followed by (at least) 23 zeros can it be
 * a tie, and then the exact BigInt path decides.
 */
function carefulDigits(v: number): number {
  const e = v.toExponential(17); // `d.<17 digits>e±X`
  DIG[0] = e.charCodeAt(0) - 0x30;
  for (let i = 1; i < 18; i++) DIG[i] = e.charCodeAt(i + 1) - 0x30;
  let exp = 0;
  for (let i = 21; i < e.length; i++) exp = exp * 10 + e.charCodeAt(i) - 0x30;
  if (e.charCodeAt(20) === 0x2d) exp = -exp;
  let up = DIG[17]! > 5;
  if (DIG[17] === 5) {
    const e41 = v.toExponential(40);
    const d = e41.charCodeAt(18);
    if (d !== 0x35) up = d > 0x35;
    else if (!ZEROS_23.test(e41.slice(19, 42))) up = true;
    else {
      const [digits, x] = exactDigits17(v);
      for (let i = 0; i < 17; i++) DIG[i] = digits.charCodeAt(i) - 0x30;
      exp = x;
    }
  }
  if (up) {
    let i = 16;
    while (i >= 0 && DIG[i] === 9) DIG[i--] = 0;
    if (i < 0) {
      DIG[0] = 1;
      exp++;
    } else DIG[i]!++;
  }
  return exp;
}

/**
 * Whether the exact decimal expansion of positive finite `v` can have exactly 18 significant
 * digits (the only way 17-digit rounding meets a tie). With v = M·2^-k (M odd) that expansion is
 * the digits of M·5^k, which has at least 19 digits once k > 25; an integer needs v ≥ 1e17.
 */
function mayTie(v: number): boolean {
  F64[0] = v;
  const hi = LITTLE ? U32[1]! : U32[0]!;
  const lo = LITTLE ? U32[0]! : U32[1]!;
  const bexp = (hi >>> 20) & 0x7ff;
  let e2 = bexp === 0 ? -1074 : bexp - 1075;
  // count trailing zero bits of the 53-bit mantissa
  if (lo !== 0) e2 += 31 - Math.clz32(lo & -lo);
  else {
    const m = bexp === 0 ? hi & 0xfffff : (hi & 0xfffff) | 0x100000;
    e2 += 32 + 31 - Math.clz32(m & -m);
  }
  return e2 >= 0 ? v >= 1e17 : e2 >= -26;
}

function putAscii(out: Uint8Array, p: number, s: string): number {
  for (let i = 0; i < s.length; i++) out[p++] = s.charCodeAt(i);
  return p;
}

const BIG10 = 10n;
const TEN16 = 10n ** 16n;
const TEN17 = 10n ** 17n;

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
    // x from log10 can be one off either way: decide on the unrounded quotient
    if (q < TEN16) {
      x--;
      continue;
    }
    if (q >= TEN17) {
      x++;
      continue;
    }
    const r2 = (n - q * d) * 2n;
    if (r2 > d || (r2 === d && (q & 1n) === 1n)) q += 1n;
    if (q === TEN17) return ['10000000000000000', x + 1];
    return [q.toString(), x];
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
