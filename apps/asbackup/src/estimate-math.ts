// The statistics of `-e/--estimate` and of the backup-to-file size bound (spec §5.2).

const ERFINV_A = [0.886226899, -1.645349621, 0.914624893, -0.140543331];
const ERFINV_B = [-2.118377725, 1.442710462, -0.329097515, 0.012229801];
const ERFINV_C = [-1.970840454, -1.624906493, 3.429567803, 1.641345311];
const ERFINV_D = [3.5438892, 1.6370678];

/** erf(x) with Abramowitz–Stegun 7.1.26 refined by a series/continued fraction (|err| < 1e-15). */
export function erf(x: number): number {
  if (Number.isNaN(x)) return Number.NaN;
  const sign = x < 0 ? -1 : 1;
  const a = Math.abs(x);
  if (a < 2.5) {
    // Maclaurin series: converges quickly for small |x|.
    let term = a;
    let sum = a;
    for (let n = 1; n < 200; n++) {
      term *= (-a * a) / n;
      const add = term / (2 * n + 1);
      sum += add;
      if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
    }
    return (sign * 2 * sum) / Math.sqrt(Math.PI);
  }
  if (a > 6) return sign;
  // Continued fraction for erfc (Lentz), accurate for larger |x|.
  let f = a;
  let c = a;
  let d = 0;
  for (let n = 1; n < 300; n++) {
    const an = n / 2;
    d = a + an * d;
    d = d === 0 ? 1e-300 : 1 / d;
    c = a + an / c;
    if (c === 0) c = 1e-300;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  const erfc = Math.exp(-a * a) / Math.sqrt(Math.PI) / f;
  return sign * (1 - erfc);
}

/** The C tool's erfinv: a rational first guess and two Newton steps. */
export function erfinv(y: number): number {
  if (y < -1 || y > 1 || Number.isNaN(y)) return Number.NaN;
  if (y === 1) return Number.MAX_VALUE;
  if (y === -1) return -Number.MAX_VALUE;
  let x: number;
  if (Math.abs(y) <= 0.7) {
    const z = y * y;
    const num = ((ERFINV_A[3] * z + ERFINV_A[2]) * z + ERFINV_A[1]) * z + ERFINV_A[0];
    const den = (((ERFINV_B[3] * z + ERFINV_B[2]) * z + ERFINV_B[1]) * z + ERFINV_B[0]) * z + 1;
    x = (y * num) / den;
  } else {
    const z = Math.sqrt(-Math.log((1 - Math.abs(y)) / 2));
    const num = ((ERFINV_C[3] * z + ERFINV_C[2]) * z + ERFINV_C[1]) * z + ERFINV_C[0];
    const den = (ERFINV_D[1] * z + ERFINV_D[0]) * z + 1;
    x = (Math.sign(y) * num) / den;
  }
  for (let i = 0; i < 2; i++) {
    x -= (erf(x) - y) / ((2 / Math.sqrt(Math.PI)) * Math.exp(-x * x));
  }
  return x;
}

/** Upper-tail normal quantile for confidence `p` over `n` independent draws. */
export function confidenceZ(p: number, n: number): number {
  const q = (1 - p) / n;
  return Math.SQRT2 * -erfinv(2 * q - 1);
}

export interface SampleStats {
  count: number;
  sum: number;
  mean: number;
  /** Unbiased variance. */
  variance: number;
}

/** Running mean/variance of record sizes (Welford), so samples are never kept in memory. */
export class SizeSampler {
  private n = 0;
  private mean = 0;
  private m2 = 0;
  private total = 0;

  add(size: number): void {
    this.n++;
    this.total += size;
    const delta = size - this.mean;
    this.mean += delta / this.n;
    this.m2 += delta * (size - this.mean);
  }

  stats(): SampleStats {
    // As the C tool: one sample says nothing about the spread, so everything is 0.
    if (this.n <= 1) return { count: this.n, sum: 0, mean: 0, variance: 0 };
    return { count: this.n, sum: this.total, mean: this.mean, variance: this.m2 / (this.n - 1) };
  }
}

/** `Estimated overall record size`: ceil(mean + z(0.999999, 1)·√(var/n)), 0 for n ≤ 1. */
export function upperRecordSize(s: SampleStats): number {
  if (s.count <= 1) return 0;
  return Math.ceil(s.mean + confidenceZ(0.999999, 1) * Math.sqrt(s.variance / s.count));
}

/**
 * The 99.9 % bound on the size of a backup to one file: header + recordCount × (ratio·mean +
 * z·√(var/n)), where ratio is written bytes over raw bytes (compression and encryption).
 */
export function estimatedFileSize(
  s: SampleStats,
  headerBytes: number,
  writtenBytes: number,
  recordCount: number,
): number {
  const raw = s.sum + headerBytes;
  const ratio = raw > 0 ? writtenBytes / raw : 1;
  const z = confidenceZ(0.999, Math.max(recordCount, 1));
  const spread = s.count === 0 ? 0 : z * Math.sqrt(s.variance / s.count);
  return headerBytes + Math.ceil(recordCount * (ratio * s.mean + spread));
}
