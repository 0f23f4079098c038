import { describe, expect, it } from 'vitest';
import {
  confidenceZ,
  erf,
  erfinv,
  estimatedFileSize,
  SizeSampler,
  upperRecordSize,
} from './estimate-math.js';

describe('estimate statistics (spec §5.2)', () => {
  it('confidence_z matches the reference values', () => {
    const cases: [number, number, number][] = [
      [0.9, 1, 1.2816],
      [0.99, 1, 2.3263],
      [0.999, 1, 3.0902],
      [0.999999, 1, 4.7534],
      [0.999, 1e3, 4.7534],
      [0.999, 1e6, 5.9978],
    ];
    for (const [p, n, z] of cases) expect(confidenceZ(p, n)).toBeCloseTo(z, 3);
  });

  it('erf and erfinv are inverses; erfinv has the C edge cases', () => {
    for (const y of [-0.99, -0.5, 0, 0.3, 0.7, 0.95, 0.999999]) expect(erf(erfinv(y))).toBeCloseTo(y, 12);
    expect(erfinv(1)).toBe(Number.MAX_VALUE);
    expect(erfinv(-1)).toBe(-Number.MAX_VALUE);
    expect(erfinv(1.5)).toBeNaN();
  });

  it('sampler: unbiased variance; one sample says nothing', () => {
    const s = new SizeSampler();
    s.add(100);
    expect(s.stats()).toEqual({ count: 1, sum: 0, mean: 0, variance: 0 });
    expect(upperRecordSize(s.stats())).toBe(0);
    for (const v of [200, 300]) s.add(v);
    const st = s.stats();
    expect(st.mean).toBe(200);
    expect(st.variance).toBe(10000);
    expect(upperRecordSize(st)).toBe(Math.ceil(200 + confidenceZ(0.999999, 1) * Math.sqrt(10000 / 3)));
  });

  it('file size bound: header + n·(ratio·mean + z·√(var/n)), z not scaled by the ratio', () => {
    const st = { count: 4, sum: 400, mean: 100, variance: 16 };
    const z = confidenceZ(0.999, 1000);
    expect(estimatedFileSize(st, 100, 250, 1000)).toBe(100 + Math.ceil(1000 * (0.5 * 100 + z * 2)));
  });
});
